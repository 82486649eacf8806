"""The JSON API of forward contracts (flask-smorest blueprints under /api/v1)."""
