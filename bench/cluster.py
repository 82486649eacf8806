"""The production topology on this machine: nginx in front of two gunicorn nodes, one
PostgreSQL, one Redis, the scan writer and an RQ worker; the scan page loaded through nginx
while a lot is recalled and a node is killed.

    .venv/bin/python bench/cluster.py [--seconds 20] [--connections 32] [--serials 2000]
        [--database-url postgresql+psycopg://postgres@127.0.0.1/freshcircle_bench_cluster]

- Prepares the database as bench/scan.py does (migrations, demo data, a label run of
  `--serials` signed serials of a batch with cold-chain readings), flushes its Redis database
  (`--redis-url`, db 7), starts `flask scan-writer`, `flask worker` (RQ), two gunicorn nodes
  (each 1 worker x 8 threads: the machine has two cores for everything) with
  FRESHCIRCLE_PROXY_COUNT=1, and nginx with the production site (deploy/nginx/freshcircle.conf
  through tools/nginx_local.py: TLS with a self-signed certificate, the two nodes as its
  upstream with their passive health checks and retries of idempotent requests).
- wrk loads the scan page through nginx over HTTPS (a random serial each request) for
  `--seconds`. At a third of the run, with both nodes up, the batch is recalled as an
  inspector would (trace.services.recalls, committed by this process with Redis configured,
  so the lot's version moves) and each node is asked directly, again and again, for a scanned
  pack's page until it shows the recall: `recall_visible_s` is the time from the commit to the
  last node showing it. At two thirds one node is killed (SIGKILL to its master and workers);
  nginx sends the rest to the other node. `errors` are wrk's non-2xx answers and socket
  errors over the whole run: none before the kill (a probe loop checks that the recall and
  the load ran clean), so they are the requests in flight on the killed node.
- After the load the writer drains the stream; every scan answered 2xx must be in PostgreSQL
  (`scans_sent`, `scans_stored`, `scans_lost`).

Goals: recall visible on every node within 1 s, errors after the kill no more than the
connections in flight, no scan lost. Prints as it goes; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchkit import HIGHER, LOWER, Goal, finish, load, recreate_database, settle_database
from redis import Redis
from scan import (
    count_scans,
    drain,
    fetch,
    prepare,
    run_wrk,
    start_gunicorn,
    start_writer,
    stop,
    wait_ready,
    write_wrk_script,
    writer_lag,
)

from tools import nginx_local

ROOT = Path(__file__).resolve().parent.parent
RECALLED_ZH = "该批次已被召回"
GOALS = (
    Goal("recall_visible_s", "<", 1.0),
    Goal("errors_after_kill", "<=", 32),  # at most the connections in flight on the node
    Goal("scans_lost", "==", 0, check=True),
    Goal("nodes_alive_after", "==", 1, check=True),
)
WATCH = {"rps": HIGHER, "p99_ms": LOWER}


def start_worker(env: dict[str, str], log) -> subprocess.Popen:
    command = [sys.executable, "-m", "flask", "--app", "freshcircle.platform:create_app",
               "worker"]
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def recall(env: dict[str, str], lot_path: str) -> float:
    """Recall the batch of the scanned code as an inspector; the commit's monotonic time."""
    os.environ.update(env)
    from sqlalchemy import select

    from freshcircle.platform import create_app
    from freshcircle.platform.extensions import db
    from freshcircle.platform.models import Batch, BatchStatus, Role, User
    from freshcircle.platform.trace.services import recalls

    lot = lot_path.split("/10/")[1].split("/")[0]
    app = create_app()
    with app.app_context():
        batch = db.session.scalar(select(Batch).where(Batch.lot_code == lot))
        inspector = db.session.scalar(select(User).where(User.role == Role.INSPECTOR))
        recalls.restrict(db.session, inspector, batch, BatchStatus.RECALLED, "农残超标 (bench)")
        db.session.commit()
        committed = time.monotonic()
        db.session.remove()
        db.engine.dispose()
    return committed


def visible_everywhere(ports: list[int], path: str, since: float,
                       timeout: float = 10) -> tuple[float, int]:
    """Seconds from `since` until every node's page for `path` shows the recall, and the
    pages asked for (each is a scan)."""
    waiting, asked = set(ports), 0
    while waiting and time.monotonic() - since < timeout:
        for port in list(waiting):
            status, body = fetch(f"http://127.0.0.1:{port}{path}")
            asked += status == 200
            if status == 200 and RECALLED_ZH in body:
                waiting.discard(port)
        if waiting:
            time.sleep(0.01)
    if waiting:
        raise SystemExit(f"nodes {sorted(waiting)} still sell the recalled lot after {timeout} s")
    return time.monotonic() - since, asked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url",
                        default="postgresql+psycopg://postgres@127.0.0.1/freshcircle_bench_cluster",
                        help="dropped and recreated")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7", help="flushed")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per node")
    parser.add_argument("--serials", type=int, default=2000)
    args = parser.parse_args()
    args.workers, args.worker_class = 1, "gthread"  # per node: start_gunicorn's settings
    for tool in ("wrk", nginx_local.NGINX):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed: make system-deps bench-deps")

    load_start = load()
    print(f"{os.cpu_count()} CPUs; nginx -> 2 nodes x gunicorn 1 x gthread ({args.threads} "
          f"threads); wrk -t{args.wrk_threads} -c{args.connections} {args.seconds} s over "
          f"HTTPS; at start: {load_start}", flush=True)
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    env = {"DATABASE_URL": args.database_url, "SECRET_KEY": secrets.token_hex(32),
           "FRESHCIRCLE_SIGNING_KEYS": f"b1={key}", "FRESHCIRCLE_REDIS_URL": args.redis_url,
           "FRESHCIRCLE_PROXY_COUNT": "1"}
    Redis.from_url(args.redis_url).flushdb()
    recreate_database(args.database_url)
    paths = prepare(env, args.serials)
    settle_database(args.database_url)
    probe = paths[0]
    processes: list[subprocess.Popen] = []
    with tempfile.TemporaryFile("w+") as log, tempfile.TemporaryDirectory() as scratch:
        try:
            processes += [start_writer(env, log), start_worker(env, log)]
            ports = [nginx_local.free_port(), nginx_local.free_port()]
            nodes = []
            for port in ports:
                nodes.append(start_gunicorn("freshcircle.platform:create_app()", port, args,
                                            env, log))
                status, _ = wait_ready(f"http://127.0.0.1:{port}{probe}", nodes[-1])
                assert status == 200, f"node {port} answered {status}"
            processes += nodes
            conf, _http, https = nginx_local.local_site(Path(scratch), ports)
            checked = nginx_local.check(conf)
            if checked.returncode != 0:
                raise SystemExit(checked.stderr)
            before = count_scans(args.database_url)
            script = write_wrk_script(paths, scratch)
            with nginx_local.running(conf, https):
                url = f"https://127.0.0.1:{https}{probe}"
                warm = run_wrk(url, args, 2, script)  # warm-up: each node learns the lot
                results: dict = {}
                wrk = threading.Thread(target=lambda: results.update(
                    run_wrk(url, args, args.seconds, script)))
                started = time.monotonic()
                wrk.start()
                time.sleep(args.seconds / 3)
                committed = recall(env, probe)
                recall_s, probes = visible_everywhere(ports, probe, committed)
                print(f"recall committed at {committed - started:.1f} s: on both nodes "
                      f"{recall_s * 1000:.0f} ms later", flush=True)
                time.sleep(max(0.0, started + args.seconds * 2 / 3 - time.monotonic()))
                os.killpg(nodes[1].pid, signal.SIGKILL)
                killed_at = time.monotonic() - started
                print(f"node {ports[1]} killed at {killed_at:.1f} s", flush=True)
                wrk.join()
            nodes[1].wait()
            alive = sum(node.poll() is None for node in nodes)
            # Every page answered 2xx is a scan: the readiness checks, the warm-up, the
            # recall probes and the load.
            sent = (len(ports) + warm["requests"] - warm["non_2xx"] + probes
                    + results["requests"] - results["non_2xx"])
            lag = writer_lag(args.redis_url)
            stored = drain(args.redis_url, args.database_url) - before
        except BaseException:
            log.seek(0)
            print(log.read()[-4000:], file=sys.stderr)
            raise
        finally:
            for process in processes:
                stop(process)
    socket_errors = results["socket_errors"]
    errors = results["non_2xx"] + sum(
        int(part.split()[-1]) for part in socket_errors.split(",") if part.strip())
    print(f"through nginx: {results['rps']:.0f} requests/s, p50 {results['p50_ms']:.1f} ms, "
          f"p99 {results['p99_ms']:.1f} ms ({results['requests']} requests, {errors} errors"
          f"{': ' + socket_errors if socket_errors else ''})", flush=True)
    print(f"scans: {sent} answered 2xx, {stored} stored (the oldest unwritten {lag:.2f} s old "
          f"when the load stopped)", flush=True)
    load_end = load()
    print(f"at end: {load_end}", flush=True)
    finish("cluster", {
        "rps": round(results["rps"]),
        "p50_ms": round(results["p50_ms"], 1),
        "p99_ms": round(results["p99_ms"], 1),
        "requests": results["requests"],
        "errors_after_kill": errors,
        "killed_at_s": round(killed_at, 1),
        "recall_visible_s": round(recall_s, 3),
        "nodes_alive_after": alive,
        "scans_sent": sent,
        "scans_stored": stored,
        # Requests in flight on the killed node may be stored unanswered: lost is a shortfall.
        "scans_lost": max(0, sent - stored),
        "writer_lag_s": round(lag, 3),
        "connections": args.connections,
        "seconds": args.seconds,
        "serials": len(paths),
        "load_start": load_start,
        "load_end": load_end,
    }, GOALS, WATCH)


if __name__ == "__main__":
    main()
