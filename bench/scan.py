"""The consumer scan page under gunicorn on PostgreSQL, against a Flask hello-world app.

    .venv/bin/python bench/scan.py [--seconds 15] [--connections 32] [--workers 2]
        [--serials 2000]
        [--database-url postgresql+psycopg://postgres@127.0.0.1/freshcircle_bench_scan]

- Drops and recreates the database named in --database-url, runs the Alembic migrations,
  seeds the demo data (`seed_demo`), prints a label run of `--serials` labels (2,000 packs by
  default) for the demo batch with the most cold-chain readings (one that may be labelled: not
  held, recalled or harvested inside a pre-harvest interval) and takes their signed serial URIs.
- Starts gunicorn on `freshcircle.platform:create_app()` and on `bench/hello_app.py` with the
  same settings, each on a free port on 127.0.0.1, checks that both answer 200 (and that the
  scan page shows the genuine verdict and the cold-chain chart), then loads each (hello-world
  first, while nothing else runs) with
  `wrk -t2 -c32 -d15s --latency` after a short warm-up. Consumers scan different packs, so
  wrk requests a random one of the run's serial paths each time (a Lua script written to a
  temporary file, `wrk -s`); every view appends a ScanEvent row, as in production, and the
  copied-code rule sees a few scans per serial. `--serials 1` scans one serial over and over
  instead: thousands of scans of one code, the worst case for the copied-code query.
- Gunicorn settings (for the 2-core machine this runs on, shared with wrk and PostgreSQL):
  `gthread` workers, because wrk keeps its 32 connections alive and a sync worker closes
  every connection after one response (so each request would pay a TCP handshake); 2 worker
  processes, one per core, because Python threads share one GIL and more processes than
  cores only add context switches; 8 threads each, so a thread waiting on PostgreSQL leaves
  the core to another request. The hello-world app gets exactly the same settings.

- Scans go through Redis (`--redis-url`, a database of its own that the bench flushes) with
  `flask scan-writer` running beside the nodes, as in production; `--no-redis` measures pages
  that write their scan rows themselves. After the load the bench waits for the writer to
  drain the stream and counts: `scans_sent` (answered 2xx), `scans_stored`, `scans_lost`,
  and `writer_lag_s` (how old the oldest unwritten scan was when the load stopped).

Needs wrk (`make bench-deps`) and a PostgreSQL server (`make`'s README section). The load
average is printed at the start and the end: the rates are per wall-clock second on a shared
machine. Goals: at least half the hello-world throughput, p99 under 50 ms at 32 connections.
Prints as it goes; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import HIGHER, LOWER, Goal, finish, load, recreate_database, settle_database
from redis import Redis

ROOT = Path(__file__).resolve().parent.parent
GOALS = (
    Goal("ratio", ">=", 0.5),  # of the hello-world rate under the same gunicorn settings
    Goal("p99_ms", "<", 50),
    Goal("non_2xx", "==", 0, check=True),
    Goal("scans_lost", "==", 0, check=True),
)
WATCH = {"scan_rps": HIGHER, "p50_ms": LOWER}
GENUINE_ZH = "正品验证通过"  # the genuine verdict as the page shows it in Chinese
WRK_SCRIPT = """\
-- Each request asks for a random one of the label run's signed serial paths.
paths = {
%s
}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
function init(args)
  math.randomseed(os.time() * 1000 + id)
end
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def prepare(env: dict[str, str], labels: int) -> list[str]:
    """Migrate, seed, print a label run; the path and query of each serial's URI."""
    os.environ.update(env)
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from freshcircle.platform import create_app, demo
    from freshcircle.platform.batches.services import label_runs
    from freshcircle.platform.extensions import db
    from freshcircle.platform.ledger.services import trace_codes
    from freshcircle.platform.models import (
        Batch,
        Role,
        ShipmentLine,
        TemperatureReading,
        User,
    )

    app = create_app()
    with app.app_context():
        upgrade()
        demo.seed_demo(db.session)
        db.session.commit()
        readings = (
            select(ShipmentLine.batch_id, func.count(TemperatureReading.id).label("n"))
            .join(TemperatureReading,
                  TemperatureReading.shipment_id == ShipmentLine.shipment_id)
            .group_by(ShipmentLine.batch_id).order_by(func.count(TemperatureReading.id).desc())
        )
        admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
        settings = app.extensions["trace_settings"]
        for batch_id, count in db.session.execute(readings).all():  # noqa: B007 (printed below)
            batch = db.session.get(Batch, batch_id)
            if label_runs.printable_refusal(db.session, batch) is None:
                break
        else:
            raise SystemExit("no demo batch with cold-chain readings may be labelled")
        run = label_runs.start_label_run(db.session, admin, batch, layout="a4-24",
                                         count=labels, net_weight="0.5", unit="kg",
                                         settings=settings)
        label_runs.render_run(db.session, run, settings)
        db.session.commit()
        uris = list(trace_codes.run_uris(settings, run))
        print(f"batch {batch.lot_code} ({batch.product.name_zh}), {count} temperature "
              f"readings on its shipments; label run of {run.count}: {run.status.value}",
              flush=True)
        db.engine.dispose()
    paths = []
    for uri in uris:
        path = uri.split("://", 1)[1]
        paths.append(path[path.index("/"):])
    return paths


def write_wrk_script(paths: list[str], directory: str) -> str:
    """A wrk Lua script that requests a random one of `paths` each time."""
    script = Path(directory) / "scan_paths.lua"
    script.write_text(WRK_SCRIPT % ",\n".join(f"  {json.dumps(p)}" for p in paths))
    return str(script)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(app: str, port: int, args, env: dict[str, str], log) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
               "--worker-class", args.worker_class, "--threads", str(args.threads),
               "--keep-alive", "5", "--log-level", "warning", "--pythonpath", str(ROOT / "bench"),
               app]
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 60) -> tuple[int, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}) before answering {url}")
        try:
            return fetch(url)
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"no answer from {url} within {timeout:.0f} s")


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def run_wrk(url: str, args, seconds: float, script: str | None = None) -> dict:
    """wrk's requests/s, latency percentiles (ms) and error counts for one run."""
    result = subprocess.run(
        ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{seconds:g}s",
         "--latency", "--timeout", "5s", *(["-s", script] if script else []), url],
        check=True, capture_output=True, text=True,
    )
    out = result.stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
               "requests": int(re.search(r"(\d+) requests in", out).group(1))}
    for percent in ("50", "90", "99"):
        figures[f"p{percent}_ms"] = _ms(re.search(rf"^\s+{percent}%\s+(\S+)", out, re.M).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["non_2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    errors = re.search(r"Socket errors: (.*)", out)
    figures["socket_errors"] = errors.group(1) if errors else ""
    return figures


def start_writer(env: dict[str, str], log) -> subprocess.Popen:
    """`flask scan-writer` on the bench's database and Redis (its own process group)."""
    command = [sys.executable, "-m", "flask", "--app", "freshcircle.platform:create_app",
               "scan-writer"]
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def count_scans(database_url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM scan_events")).scalar_one()
    finally:
        engine.dispose()


def writer_lag(redis_url: str) -> float:
    """How far behind the writer is: the age of the oldest scan not yet written."""
    from freshcircle.platform.trace.services import scan_stream

    return scan_stream.backlog(Redis.from_url(redis_url))[1]


def counter_memory(redis_url: str) -> tuple[int, int]:
    """(serials with counters, mean bytes of Redis memory their counters take per serial)."""
    client = Redis.from_url(redis_url)
    total, serials = 0, set()
    for key in client.scan_iter(match="freshcircle:scan:*", count=1000):
        total += client.memory_usage(key, samples=0) or 0
        serials.add(key.rsplit(b":", 1)[0])
    return len(serials), round(total / len(serials)) if serials else 0


def drain(redis_url: str | None, database_url: str, timeout: float = 300) -> int:
    """Wait until the writer has written every scan in the stream; the scans stored."""
    if redis_url:
        from freshcircle.platform.trace.services import scan_stream

        client, deadline = Redis.from_url(redis_url), time.monotonic() + timeout
        while scan_stream.backlog(client)[0] and time.monotonic() < deadline:
            time.sleep(0.2)
    return count_scans(database_url)


def stop(process: subprocess.Popen | None) -> None:
    """SIGTERM to the gunicorn master's process group (master and workers), then SIGKILL."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url",
                        default="postgresql+psycopg://postgres@127.0.0.1/freshcircle_bench_scan",
                        help="dropped and recreated")
    parser.add_argument("--seconds", type=int, default=15, help="wrk seconds per app")
    parser.add_argument("--warmup", type=int, default=3, help="wrk warm-up per app (whole seconds)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    parser.add_argument("--serials", type=int, default=2000,
                        help="packs in the label run; wrk scans a random one each request")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/8",
                        help="scans go to this Redis (flushed) and `flask scan-writer` "
                             "writes them to the database")
    parser.add_argument("--no-redis", action="store_true",
                        help="each page writes its scan row itself (no Redis, no writer)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: make bench-deps")

    load_start = load()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; gunicorn "
          f"{args.workers} x {args.worker_class} ({args.threads} threads); wrk "
          f"-t{args.wrk_threads} -c{args.connections} {args.seconds:g} s; at start: {load_start}",
          flush=True)
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    env = {"DATABASE_URL": args.database_url, "SECRET_KEY": secrets.token_hex(32),
           "FRESHCIRCLE_SIGNING_KEYS": f"b1={key}"}
    redis_url = None if args.no_redis else args.redis_url
    if redis_url:
        env["FRESHCIRCLE_REDIS_URL"] = redis_url
        Redis.from_url(redis_url).flushdb()
    started = time.perf_counter()
    recreate_database(args.database_url)
    paths = prepare(env, args.serials)
    settle_database(args.database_url)
    path = paths[0]
    print(f"database ready in {time.perf_counter() - started:.1f} s; scanning "
          f"{'a random one of ' + str(len(paths)) + ' serials, e.g. ' if len(paths) > 1 else ''}"
          f"{path}", flush=True)

    results: dict[str, dict] = {}
    servers: list[subprocess.Popen] = []
    with tempfile.TemporaryFile("w+") as log, tempfile.TemporaryDirectory() as scratch:
        scripts = {"scan": write_wrk_script(paths, scratch) if len(paths) > 1 else None,
                   "hello": None}
        try:
            apps = {"scan": ("freshcircle.platform:create_app()", path),
                    "hello": ("hello_app:app", "/")}
            urls = {}
            writer = start_writer(env, log) if redis_url else None
            servers.append(writer)
            before = count_scans(args.database_url)
            for name, (target, url_path) in apps.items():
                port = free_port()
                servers.append(start_gunicorn(target, port, args, env, log))
                urls[name] = f"http://127.0.0.1:{port}{url_path}"
                status, body = wait_ready(urls[name], servers[-1])
                if status != 200:
                    raise SystemExit(f"{name}: {urls[name]} answered {status}")
                if name == "scan" and (GENUINE_ZH not in body or "<svg" not in body):
                    raise SystemExit("the scan page does not show the genuine verdict and chart")
                print(f"{name}: 200 from {urls[name]} ({len(body)} bytes)", flush=True)
            sent = 1  # the page checked above
            # hello-world first, on a quiet machine: after the scan load, PostgreSQL's autovacuum
            # and checkpoint and Redis's background save of the scans can take a core, which
            # once halved hello-world's rate and doubled the ratio.
            for name in ("hello", "scan"):
                warmup = run_wrk(urls[name], args, args.warmup, scripts[name])
                figures = run_wrk(urls[name], args, args.seconds, scripts[name])
                results[name] = figures
                if name == "scan":
                    sent += sum(run["requests"] - run["non_2xx"] for run in (warmup, figures))
                    lag = writer_lag(redis_url) if redis_url else 0.0
                    stored = drain(redis_url, args.database_url) - before
                    counters = counter_memory(redis_url) if redis_url else (0, 0)
                socket_errors = figures["socket_errors"]
                print(f"{name:5}: {figures['rps']:8.0f} requests/s, p50 {figures['p50_ms']:.1f} "
                      f"ms, p90 {figures['p90_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms "
                      f"({figures['requests']} requests, {figures['non_2xx']} not 2xx"
                      f"{', socket errors ' + socket_errors if socket_errors else ''})",
                      flush=True)
        except BaseException:
            log.seek(0)
            print(log.read()[-4000:], file=sys.stderr)
            raise
        finally:
            for server in servers:
                stop(server)
    if redis_url:
        print(f"scans: {sent} answered 2xx, {stored} stored by the writer (the oldest was "
              f"{lag:.2f} s behind when the load stopped)", flush=True)

    scan, hello = results["scan"], results["hello"]
    ratio = scan["rps"] / hello["rps"]
    errors = scan["non_2xx"] + hello["non_2xx"]
    load_end = load()
    print(f"ratio: {ratio:.2f} of the hello-world rate", flush=True)
    print(f"at end: {load_end}", flush=True)
    finish("scan", {
        "scan_rps": round(scan["rps"]),
        "hello_rps": round(hello["rps"]),
        "ratio": round(ratio, 2),
        "p99_ms": round(scan["p99_ms"], 1),
        "p50_ms": round(scan["p50_ms"], 1),
        "hello_p99_ms": round(hello["p99_ms"], 1),
        "scan_requests": scan["requests"],
        "non_2xx": errors,
        "connections": args.connections,
        "workers": args.workers,
        "worker_class": args.worker_class,
        "threads": args.threads,
        "seconds": args.seconds,
        "serials": len(paths),
        "redis": bool(redis_url),
        # Every scan answered 2xx (wrk's count: requests still in flight when wrk stopped may
        # be stored without being counted as sent) is in the database once the writer drains.
        "scans_sent": sent,
        "scans_stored": stored,
        "scans_lost": max(0, sent - stored),
        "writer_lag_s": round(lag, 3),
        # Redis memory of the copied-code counters per serial scanned (docs/SCALING.md).
        "counter_serials": counters[0],
        "counter_bytes_per_serial": counters[1],
        "load_start": load_start,
        "load_end": load_end,
    }, GOALS, WATCH)


if __name__ == "__main__":
    main()
