"""What every benchmark shares: its goals, the machine's load, percentiles and the last line.

A benchmark states its goals once, as `Goal`s beside its code, and ends with `finish()`,
which judges each goal on the figures, computes `goals_met` from them, and prints the one
JSON line that `make bench` (bench/run_all.py) collects and `make bench-compare` compares:

    {"bench": "trace", <figures>, "goals": {"trace_p95_ms < 100": true, ...},
     "checks": {...}, "goals_met": true, "better": {"trace_p95_ms": "lower", ...}}

- `goals`: speed, memory and quality targets. They are measured at full size by `make bench`
  and never asserted by the test suite, which runs every bench at a small size.
- `checks` (a `Goal` with `check=True`): what must hold at any size (no oversold order, no
  error response, every plan feasible, every code read back). The suite asserts these.
- `better`: which way each watched figure should move (every goal's figure, plus the ones a
  bench names in `watch`), so a results file says on its own which changes are regressions.

A goal whose figure was not measured (None, e.g. browse with --no-browse) is reported as
null and keeps `goals_met` false: a goal is met only by a figure that exists.
"""

from __future__ import annotations

import json
import operator
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

HIGHER, LOWER = "higher", "lower"
_OPS: dict[str, tuple[Callable[[Any, Any], bool], str | None]] = {
    "<": (operator.lt, LOWER), "<=": (operator.le, LOWER),
    ">": (operator.gt, HIGHER), ">=": (operator.ge, HIGHER),
    "==": (operator.eq, None),
}


@dataclass(frozen=True)
class Goal:
    """`figure op target`, e.g. Goal("trace_p95_ms", "<", 100)."""

    figure: str
    op: str
    target: float | bool | str
    check: bool = False  # True: correctness that must hold at any size (suite asserts)

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise ValueError(f"unknown comparison {self.op!r}")

    @property
    def text(self) -> str:
        target = json.dumps(self.target) if isinstance(self.target, bool | str) else (
            f"{self.target:g}")
        return f"{self.figure} {self.op} {target}"

    @property
    def better(self) -> str | None:
        return _OPS[self.op][1]

    def met(self, figures: Mapping[str, Any]) -> bool | None:
        value = figures.get(self.figure)
        if value is None:
            return None
        return bool(_OPS[self.op][0](value, self.target))


def judge(figures: Mapping[str, Any], goals: Iterable[Goal],
          watch: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The goals, checks, goals_met and better entries for `figures`."""
    goals = list(goals)
    targets = {g.text: g.met(figures) for g in goals if not g.check}
    checks = {g.text: g.met(figures) for g in goals if g.check}
    better = {g.figure: g.better for g in goals if g.better}
    better.update(watch or {})
    met = all(v is True for v in [*targets.values(), *checks.values()])
    return {"goals": targets, "checks": checks, "goals_met": met, "better": better}


def finish(bench: str, figures: Mapping[str, Any], goals: Iterable[Goal],
           watch: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Print a line per goal and then the bench's last line (one JSON object); return it."""
    out = {"bench": bench, **figures, **judge(figures, goals, watch)}
    for kind in ("goals", "checks"):
        for text, met in out[kind].items():
            state = "met" if met else "not measured" if met is None else "NOT met"
            say(f"{kind[:-1]}: {text} ({figures.get(text.split()[0])}): {state}")
    say(f"goals_met: {out['goals_met']}")
    print(json.dumps(out, ensure_ascii=False), flush=True)
    return out


def say(message: str) -> None:
    print(message, flush=True)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} CPUs"


def drop_database(url: str) -> None:
    """DROP the PostgreSQL database named in `url` (SQLAlchemy form), through the server's
    `postgres` database; connections still open to it are ended."""
    _admin(url, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def recreate_database(url: str) -> None:
    """DROP and CREATE the database named in `url`: every bench starts from an empty one."""
    drop_database(url)
    _admin(url, 'CREATE DATABASE "{name}"')


def settle_database(url: str) -> None:
    """VACUUM ANALYZE and CHECKPOINT the freshly seeded database, so that autovacuum and a
    checkpoint do not start during the load that follows (they once took a core away from
    the hello-world run measured right after the seed and halved its rate)."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(drivername="postgresql")
    with psycopg.connect(parsed.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        conn.execute("CHECKPOINT")


def _admin(url: str, statement: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(statement.format(name=parsed.database))


def pct(values: list[float], q: float) -> float:
    """The q-quantile of `values` (linear interpolation); 0 for no values."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)
