"""The JSON API of plantings (flask-smorest blueprints under /api/v1).
"""
