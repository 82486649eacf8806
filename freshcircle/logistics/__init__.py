"""Logistics library: produce and cold-chain model, shelf life, network, route planning.

Pure Python: never imports Flask, SQLAlchemy, marshmallow or freshcircle.platform
(an import-linter contract in pyproject.toml enforces it). Filled by the cold-chain issue.
"""
