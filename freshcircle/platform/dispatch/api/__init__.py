"""The JSON API of dispatch (flask-smorest blueprints under /api/v1).
"""
