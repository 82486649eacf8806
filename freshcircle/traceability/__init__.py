"""Traceability library: GS1 keys, Digital Link, signed serials, labels, EPCIS.

Pure Python: never imports Flask, SQLAlchemy, marshmallow or freshcircle.platform
(an import-linter contract in pyproject.toml enforces it). Filled by the traceability issue.
"""
