"""Server-rendered pages of farms (mobile-first, Chinese first).
"""
