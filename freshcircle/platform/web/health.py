"""`/healthz` and `/readyz`: what a load balancer (deploy/nginx, Kubernetes, systemd) asks a node.

- `/healthz`: the process lives and answers (200), without touching the database, so a slow
  database never gets a healthy node restarted.
- `/readyz`: the node can serve: the database answers `SELECT 1` and, when FRESHCIRCLE_REDIS_URL
  is set, Redis answers PING (each within a short timeout). 503 names what failed, so traffic
  goes to the other nodes until this one is ready again.

Both are public and say nothing but "ok" or the name of what failed (no versions, hosts or
errors), and are never cached.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from freshcircle.platform.extensions import db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)
REDIS_TIMEOUT_S = 1.0


def _answer(checks: dict[str, str]):
    ready = all(state == "ok" for state in checks.values())
    response = jsonify({"status": "ok" if ready else "unavailable", "checks": checks})
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    return _answer({"process": "ok"})


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except SQLAlchemyError as error:
        log.warning("readyz: the database does not answer: %s", error)
        db.session.rollback()
        return "unavailable"


def _redis(url: str) -> str:
    client = Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_S,
                            socket_connect_timeout=REDIS_TIMEOUT_S)
    try:
        client.ping()
        return "ok"
    except RedisError as error:
        log.warning("readyz: Redis does not answer: %s", error)
        return "unavailable"
    finally:
        client.close()


@bp.get("/readyz")
def readyz():
    checks = {"database": _database()}
    url = current_app.config.get("REDIS_URL")
    if url:
        checks["redis"] = _redis(url)
    return _answer(checks)
