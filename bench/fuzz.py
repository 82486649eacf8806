"""schemathesis over every API operation, as several identities, on the demo data set.

    .venv/bin/python bench/fuzz.py [--cases 20000] [--seed 2026] [--roles farmer,coop_admin,...]
        [--database-url postgresql+psycopg://postgres@127.0.0.1/freshcircle_bench_fuzz]

- Builds a database (a temporary SQLite file, or the PostgreSQL database named in
  --database-url, dropped and recreated), runs the Alembic migrations and seeds the demo data
  (`seed_demo`), then takes one demo user of each role in --roles and issues each a bearer
  token. Half of the cases name demo rows that exist in their path (the other half keep the
  generated ids), so the checks reach past "404 Not found".
- For each identity, sends positive and negative schemathesis cases to every operation of
  /api/openapi.json through the real app in process (WSGI; no TESTING flag, so an uncaught
  error is the 500 a client would see), about --cases in all, split evenly over identities,
  operations and the two modes. Hypothesis stops early on operations with few distinct
  inputs, so the count printed is the count sent. The identities write: later cases meet
  what earlier ones created, as on a live server.
- Each response is checked by schemathesis for a server error (5xx) and for conformance to
  the response schema the document gives for its status.

Prints the figures per identity, each distinct failure (kind, operation) with one example
request, then the last line: one JSON object with `cases`, `server_errors`,
`schema_violations` and `seconds`. Checks: 0 server errors and 0 schema violations at any size;
goal: at least 20,000 cases.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tests.platform.fuzz_helpers: the suite's driver
sys.path.insert(0, str(ROOT / "bench"))

from benchkit import HIGHER, Goal, finish, load, recreate_database, say  # noqa: E402

from tests.platform import fuzz_helpers  # noqa: E402

GOALS = (
    Goal("cases", ">=", 20_000),
    Goal("server_errors", "==", 0, check=True),
    Goal("schema_violations", "==", 0, check=True),
)
WATCH = {"cases_per_s": HIGHER}
ROLES = ("farmer", "coop_admin", "buyer", "carrier", "inspector", "admin")
SIGNING_KEYS = "b1=YmVuY2gtZnV6ei1zaWduaW5nLWtleS0zMi1ieXRlcyE"


def make_app(url: str):
    from freshcircle.platform import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-fuzz",
                       "SIGNING_KEYS": SIGNING_KEYS, "WTF_CSRF_ENABLED": False,
                       "MARKET_RESULTS_CACHE_SECONDS": 0})


def prepare(app, roles: list[str]) -> tuple[dict[str, str], dict[str, list[int]]]:
    """Migrate, seed the demo data; {role: bearer token} for one demo user of each role, and
    the ids of the demo rows each path parameter may name."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from freshcircle.platform import demo
    from freshcircle.platform.core.services import accounts
    from freshcircle.platform.extensions import db
    from freshcircle.platform.models import Role, User

    tokens = {}
    with app.app_context():
        upgrade()
        demo.seed_demo(db.session)
        for role in roles:
            user = db.session.scalar(select(User).where(User.role == Role(role))
                                     .order_by(User.id).limit(1))
            if user is None:
                say(f"no demo user with role {role}: skipped")
                continue
            _, tokens[role] = accounts.issue_token(db.session, user, "bench-fuzz")
        db.session.commit()
        ids = fuzz_helpers.existing_ids(db.session)
    return tokens, ids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL database to recreate (default: a temporary SQLite file)")
    parser.add_argument("--cases", type=int, default=20_000, help="cases to aim for in all")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--failures", type=int, default=200, help="distinct failures to print")
    parser.add_argument("--app-log", action="store_true",
                        help="keep the app's tracebacks of 500s on stderr (quiet by default)")
    args = parser.parse_args(argv)
    say(load())
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/fuzz.db"
        if args.database_url:
            recreate_database(url)
        os.environ["DATABASE_URL"] = url
        figures = run(url, args)
    say(load())
    finish("fuzz", figures, GOALS, WATCH)
    return 0


def run(url: str, args) -> dict[str, object]:
    app = make_app(url)
    if not args.app_log:
        app.logger.setLevel(logging.CRITICAL)
    started = time.perf_counter()
    tokens, ids = prepare(app, [r.strip() for r in args.roles.split(",") if r.strip()])
    say(f"demo data seeded, {len(tokens)} identities, {time.perf_counter() - started:.1f} s")
    schema = fuzz_helpers.load(app)
    operations = fuzz_helpers.operations(schema)
    per_mode = max(1, math.ceil(args.cases / max(1, len(tokens)) / len(operations)
                                / len(fuzz_helpers.MODES)))
    say(f"{len(operations)} operations, up to {per_mode} cases per operation, mode and "
        f"identity")
    tally = fuzz_helpers.Tally()
    t0 = time.perf_counter()
    for role, token in tokens.items():
        before = (tally.cases, tally.server_errors, tally.schema_violations)
        t_role = time.perf_counter()
        fuzz_helpers.fuzz(schema, {"Authorization": f"Bearer {token}"}, examples=per_mode,
                          seed=args.seed, ids=ids, tally=tally)
        say(f"{role}: {tally.cases - before[0]} cases, "
            f"{tally.server_errors - before[1]} server errors, "
            f"{tally.schema_violations - before[2]} schema violations, "
            f"{time.perf_counter() - t_role:.1f} s")
    seconds = time.perf_counter() - t0
    say("statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses.items())))
    if tally.failures:
        say(f"{len(tally.failures)} distinct failures (operation: kind), by kind: "
            + ", ".join(f"{kind} on {n}" for kind, n in tally.causes().most_common()))
        say(f"the first {args.failures}, each with one example:")
        say(tally.report(args.failures))
    return {"cases": tally.cases, "server_errors": tally.server_errors,
            "schema_violations": tally.schema_violations,
            "distinct_failures": len(tally.failures), "identities": len(tokens),
            "operations": len(operations), "seconds": round(seconds, 1),
            "cases_per_s": round(tally.cases / seconds, 1) if seconds else None}


if __name__ == "__main__":
    sys.exit(main())
