"""The JSON API of batches (flask-smorest blueprints under /api/v1).
"""
