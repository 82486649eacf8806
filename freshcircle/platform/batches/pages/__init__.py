"""Server-rendered pages of batches (mobile-first, Chinese first).
"""
