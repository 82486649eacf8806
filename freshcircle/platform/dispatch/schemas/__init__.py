"""marshmallow schemas of dispatch's API: input validation and output shape.
"""
