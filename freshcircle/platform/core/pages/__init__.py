"""Server-rendered pages of core (mobile-first, Chinese first).
"""
