"""Server-rendered pages of market (mobile-first, Chinese first).
"""
