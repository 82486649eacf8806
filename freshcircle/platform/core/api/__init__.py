"""The JSON API of core (flask-smorest blueprints under /api/v1).
"""
