"""marshmallow schemas of farms's API: input validation and output shape.
"""
