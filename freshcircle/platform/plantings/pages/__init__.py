"""Server-rendered pages of plantings (mobile-first, Chinese first).
"""
