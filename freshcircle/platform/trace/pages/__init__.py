"""Server-rendered pages of trace (mobile-first, Chinese first).
"""
