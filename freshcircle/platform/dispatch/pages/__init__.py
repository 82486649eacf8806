"""Server-rendered pages of dispatch (mobile-first, Chinese first).
"""
