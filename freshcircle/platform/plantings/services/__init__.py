"""Business rules of plantings. Services flush, never commit, and raise core.services.errors;
they do not touch flask.request or flask.g: the caller passes the acting user in.
"""
