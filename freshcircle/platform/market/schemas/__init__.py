"""marshmallow schemas of market's API: input validation and output shape.
"""
