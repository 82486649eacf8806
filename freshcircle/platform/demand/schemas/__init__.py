"""Standing demand schemas (API)."""
