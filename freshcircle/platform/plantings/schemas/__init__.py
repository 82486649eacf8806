"""marshmallow schemas of plantings's API: input validation and output shape.
"""
