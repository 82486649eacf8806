"""Every benchmark runs at a small size, so a change that breaks one fails CI.

Each bench runs as `make bench` runs it, in a process of its own (`python bench/<name>.py`
with the small arguments of bench/suite.py); benches that need PostgreSQL get a database of
their own beside the suite's (dropped afterwards) and skip in a run without PostgreSQL.
Benches that need wrk or the peer route solvers skip, saying so, where those are missing
(CI installs them with `make bench-deps`). No figure of speed is asserted; the checks each
bench declares (no oversold order, no error response, every plan feasible, every code read
back) are, and so is what its run must show whatever the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from tests.bench.bench_helpers import BENCH, ROOT, load_bench_module

suite = load_bench_module("suite")
benchkit = load_bench_module("benchkit")
TEST_DATABASE_URL = os.environ.get("FRESHCIRCLE_TEST_DATABASE_URL")


def bench_database(name: str) -> str:
    """A database of the bench's own on the suite's PostgreSQL server."""
    url = make_url(TEST_DATABASE_URL)
    return url.set(database=f"{url.database}_bench_{name}").render_as_string(hide_password=False)


def run_small(bench) -> dict[str, Any]:
    """Run `bench` small; its last line, after the checks every bench must pass."""
    command = [sys.executable, str(bench.script), *bench.small]
    database = bench_database(bench.name) if suite.POSTGRES in bench.needs else None
    if database:
        command += ["--database-url", database]
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "FRESHCIRCLE_TEST_DATABASE_URL")}
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=600)
    finally:
        if database:
            benchkit.drop_database(database)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{output[-4000:]}"
    last = json.loads(done.stdout.strip().splitlines()[-1])
    assert last["bench"] == bench.name
    # Every check holds, every goal was judged, and goals_met follows from them.
    assert last["checks"] == dict.fromkeys(last["checks"], True), output[-2000:]
    assert all(isinstance(met, bool) for met in last["goals"].values()), last["goals"]
    assert last["goals_met"] == all(last["goals"].values())
    assert set(last["better"]) <= set(last), "a watched figure the bench does not print"
    return last


def labels(last: dict[str, Any]) -> None:
    # Both memory runs rendered every label they were asked for within their budget.
    assert last["labels_100k_run"] == 240
    assert last["labels_per_s"] > 0 and last["naive_labels_per_s"] > 0
    assert last["peak_rss_mb_10k"] > 0 and last["peak_rss_growth_10x"] > 0


def qr_masks(last: dict[str, Any]) -> None:
    assert last["fixed_mask"] in range(8)
    assert set(last["decoded_share"]) == {f"{m}_{dpi}dpi" for m in ("fixed", "auto")
                                          for dpi in (300, 200, 150)}


def scan(last: dict[str, Any]) -> None:
    assert last["scan_requests"] > 0 and last["serials"] == 20
    # Through Redis and the writer: every scan answered is stored (scans_lost is a check).
    assert last["redis"] and last["scans_stored"] >= last["scans_sent"] > last["scan_requests"]


def trace(last: dict[str, Any]) -> None:
    # The split lot's forward trace reached lots and the shipments that carried them whole,
    # and the merged lot's backward trace reached its inputs (the bench stops on a mismatch).
    assert last["checked_forward_lots"] > 0 and last["checked_forward_shipment_lines"] > 0
    assert last["checked_backward_lots"] > 0
    assert last["events"] == 10_000 and last["spreadsheet_rows"] > 0
    # Every kind of the EPCIS query mix ran through the real query interface.
    assert set(last["epcis_p95_by_query"]) == {
        "day_of_object_events", "lot_class", "pallet_epc", "biz_step", "biz_location",
        "read_point", "sensor_excursion", "sensor_band", "deep_page"}
    # A pallet's SSCC and a temperature excursion each found their events (the answers are
    # checked against the stored bodies: the epcis_answers_right check).
    assert last["epcis_found"]["pallet_epc"] > 0 and last["epcis_found"]["sensor_excursion"] > 0
    assert last["epcis_queries"] > 6 * 3  # a sampled event may have no location or read point


def marketplace(last: dict[str, Any]) -> None:
    queries = load_bench_module("marketplace").QUERIES  # every query of the mix was timed
    assert last["search_queries"] == len(queries) and last["browse_rps"] > 0
    assert last["race_runs"] == 2 and last["race_sold_max"] == 10
    assert last["showcase_rps"] > 0 and last["showcase_non_2xx"] == 0


def market_race(last: dict[str, Any]) -> None:
    assert last["race_sold_min"] == last["race_sold_max"] == 10


def routing(last: dict[str, Any]) -> None:
    assert last["instances"] == 2 and set(last["peers"]) == {"vroom", "ortools"}
    assert last["hierarchical"]["C101"]["vehicles"] == 10  # C101's BKS fleet
    assert last["yrd_orders"] == 40 and last["yrd_routed"] > 0


def fuzz(last: dict[str, Any]) -> None:
    # Every operation got cases as both identities; the checks (no 5xx, no response off the
    # document) are asserted by run_small.
    assert last["identities"] == 2 and last["operations"] > 100
    assert last["cases"] >= last["operations"] * 2


def offline(last: dict[str, Any]) -> None:
    # The farmer's visits were measured, and every outbox record was sent and stored once
    # (sync_stored_once is a check, asserted by run_small).
    assert last["first_visit_kb"] > 0 and last["first_visit_requests"] > 5
    assert last["repeat_visit_kb"] > 0 and last["sync_records"] == last["sync_stored"] == 10


def cluster(last: dict[str, Any]) -> None:
    # Through nginx to two nodes: one killed mid-run, the other still answering; the recall
    # reached both (the bench stops if it does not within 10 s), no scan lost (a check).
    assert last["requests"] > 0 and last["nodes_alive_after"] == 1 and last["serials"] == 20
    assert last["scans_stored"] >= last["scans_sent"] > last["requests"]
    assert 0 <= last["recall_visible_s"] < 10


def yrd(last: dict[str, Any]) -> None:
    assert last["orders"] == 30 and last["routed"] > 0


def forecast(last: dict[str, Any]) -> None:
    # Every horizon was scored for both forecasts and the band.
    for key in ("mape_naive", "mape_corrected", "coverage_80"):
        assert set(last[key]) == {"2", "4", "8"} and all(v is not None for v in last[key].values())
    assert all(0 <= c <= 1 for c in last["coverage_80"].values())


SHOWS: dict[str, Callable[[dict[str, Any]], None]] = {
    "labels": labels, "qr_masks": qr_masks, "scan": scan, "trace": trace,
    "marketplace": marketplace, "market_race": market_race, "routing": routing, "yrd": yrd,
    "fuzz": fuzz, "offline": offline, "cluster": cluster, "forecast": forecast,
}


def test_every_bench_script_is_in_the_suite():
    scripts = {p.stem for p in BENCH.glob("*.py")}
    helpers = {"benchkit", "suite", "results", "run_all", "hello_app",
               "showcase_load"}  # bench/marketplace.py's showcase part
    assert {b.name for b in suite.BENCHES} == scripts - helpers
    assert set(SHOWS) == {b.name for b in suite.BENCHES}


@pytest.mark.no_db_isolation
@pytest.mark.parametrize("bench", [
    # A bench that does not run on PostgreSQL builds its own SQLite file whatever the suite's
    # database is: the same run on either.
    pytest.param(b, marks=() if suite.POSTGRES in b.needs else pytest.mark.database_independent)
    for b in suite.BENCHES], ids=lambda b: b.name)
def test_bench_runs_small(bench):
    lacks = suite.missing(bench, TEST_DATABASE_URL)
    if lacks:
        pytest.skip(f"bench/{bench.name}.py needs {', '.join(lacks)}")
    SHOWS[bench.name](run_small(bench))
