"""marshmallow schemas of batches's API: input validation and output shape.
"""
