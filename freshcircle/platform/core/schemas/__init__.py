"""marshmallow schemas of core's API: input validation and output shape.
"""
