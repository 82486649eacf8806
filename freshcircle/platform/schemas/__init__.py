"""marshmallow schemas for the API: input validation and output shape."""
