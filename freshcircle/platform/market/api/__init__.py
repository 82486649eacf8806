"""The JSON API of market (flask-smorest blueprints under /api/v1).
"""
