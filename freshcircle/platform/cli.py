"""Command-line tasks: `flask --app freshcircle.platform:create_app <command>`."""

from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    """TODO(helper): seed-demo, seed-catalog, create-user."""


def main() -> None:
    from flask.cli import FlaskGroup

    from .app import create_app

    FlaskGroup(create_app=create_app)()
