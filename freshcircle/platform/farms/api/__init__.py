"""The JSON API of farms (flask-smorest blueprints under /api/v1).
"""
