"""Business rules of forward contracts. Services flush, never commit, and raise
core.services.errors; they do not touch flask.request or flask.g.
"""
