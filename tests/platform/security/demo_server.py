"""The demo as `make run` seeds it, in its own SQLite file, for the header crawl and the
browser's Content-Security-Policy check (one seeded app per test module)."""

from __future__ import annotations

from flask_migrate import upgrade

from freshcircle.platform import create_app
from freshcircle.platform.demo import seed_demo
from freshcircle.platform.extensions import db


def seeded_demo_app(path):
    app = create_app({
        "SECRET_KEY": "security-headers-test",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(path / "demo.db"),
        "WTF_CSRF_ENABLED": False,
        "DISPATCH_JOBS_SYNC": True,
        "DISPATCH_MAX_ITERATIONS": 2000,
        "RATELIMIT_ENABLED": False,
    })
    with app.app_context():
        upgrade()
        result = seed_demo(db.session)
        db.session.commit()
        db.session.remove()
    return app, result
