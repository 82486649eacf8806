"""The FreshCircle Flask application. `create_app` is the entry point."""

from freshcircle.platform.app import create_app

__all__ = ["create_app"]
