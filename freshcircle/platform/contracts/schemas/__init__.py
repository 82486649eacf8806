"""Marshmallow schemas of the forward contracts API."""
