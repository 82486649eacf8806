"""The JSON API of standing demand (flask-smorest blueprints under /api/v1)."""
