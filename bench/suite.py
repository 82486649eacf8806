"""Every benchmark in bench/, what it needs, and how it runs in full and small.

One list read by `make bench` (bench/run_all.py: every bench at its full size, the script's
own defaults) and by the test suite (tests/bench/: every bench at a small size, in seconds,
so a change that breaks a benchmark fails CI). A bench's goals live in the bench itself.
"""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
POSTGRES, WRK, PEERS, CHROMIUM, NGINX = "postgres", "wrk", "peers", "chromium", "nginx"


@dataclass(frozen=True)
class Bench:
    name: str  # bench/<name>.py, and the "bench" of its last line
    small: tuple[str, ...]  # arguments of the small run in the test suite
    # POSTGRES (takes --database-url), WRK, PEERS, CHROMIUM, NGINX
    needs: frozenset[str] = frozenset()
    full: bool = True  # run by `make bench`; False: another bench runs it in full

    @property
    def script(self) -> Path:
        return HERE / f"{self.name}.py"


BENCHES = (
    Bench("labels", ("--labels", "48", "--big", "240", "--budget", "30")),
    Bench("qr_masks", ("--uris", "40")),
    Bench("scan", ("--seconds", "1", "--warmup", "1", "--connections", "4", "--serials", "20"),
          frozenset({POSTGRES, WRK})),
    # nginx in front of two nodes, a recall and a node killed under load.
    Bench("cluster", ("--seconds", "3", "--connections", "4", "--serials", "20"),
          frozenset({POSTGRES, WRK, NGINX})),
    Bench("trace", ("--lots", "2000", "--events", "10000", "--samples", "20",
                    "--spreadsheets", "2", "--epcis-samples", "5"), frozenset({POSTGRES})),
    Bench("marketplace", ("--listings", "400", "--producers", "20", "--repeats", "2",
                          "--seconds", "1", "--warmup", "1", "--connections", "4",
                          "--race-runs", "2", "--race-buyers", "12"),
          frozenset({POSTGRES, WRK})),
    # The order race alone; in full, bench/marketplace.py runs it.
    Bench("market_race", ("--race-runs", "2", "--race-buyers", "12"), frozenset({POSTGRES}),
          full=False),
    Bench("routing", ("--instances", "C101,R101", "--budget", "1", "--hierarchical", "C101",
                      "--yrd-budget", "2", "--yrd-orders", "40"), frozenset({PEERS})),
    # schemathesis over every API operation as six identities (SQLite; PostgreSQL on request).
    Bench("fuzz", ("--cases", "240", "--roles", "coop_admin,buyer")),
    # The YRD day alone; in full, bench/routing.py solves its 1,000 orders.
    # The offline farmer app in Chromium: bytes of a first and a repeat visit, a 2G sync.
    Bench("offline", ("--records", "10"), frozenset({CHROMIUM})),
    Bench("yrd", ("--orders", "30", "--budget", "2", "--seed", "1"), full=False),
    # The supply forecast's backtest on a synthetic history (no database).
    Bench("forecast", ("--producers", "16", "--seasons", "4", "--eval-seasons", "1")),
)


def missing(bench: Bench, postgres_url: str | None) -> list[str]:
    """What this machine lacks for `bench`, each with how to get it (empty: it can run)."""
    lacks = []
    if POSTGRES in bench.needs and not postgres_url:
        lacks.append("a PostgreSQL server (the suite's FRESHCIRCLE_TEST_DATABASE_URL)")
    if WRK in bench.needs and shutil.which("wrk") is None:
        lacks.append("wrk (make bench-deps)")
    if NGINX in bench.needs and shutil.which("nginx") is None and not Path(
            "/usr/sbin/nginx").exists():
        lacks.append("nginx (make system-deps)")
    if CHROMIUM in bench.needs and not Path("/usr/bin/chromium").exists():
        lacks.append("Debian's Chromium (make system-deps)")
    if PEERS in bench.needs:
        for module, package in (("vroom", "pyvroom"), ("ortools", "ortools")):
            if importlib.util.find_spec(module) is None:
                lacks.append(f"the peer solver {package} (make bench-deps: the bench extra)")
    return lacks
