"""Server-rendered pages of forward contracts."""
