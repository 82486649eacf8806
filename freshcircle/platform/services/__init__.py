"""Business rules. Services flush, never commit, and raise the errors in services.errors.

They do not touch flask.request or flask.g: the caller passes the acting user in.
"""
