"""What every feature's pages and API share: page helpers, form fields, how values are
shown, the result cache, the API's common pieces and its registration, schema pieces.
"""
