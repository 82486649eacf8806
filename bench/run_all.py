"""`make bench`: every benchmark at its full size, one results file, the README's figures.

    .venv/bin/python bench/run_all.py [--only labels,trace] [--postgres-url URL]

Runs each bench of bench/suite.py that runs in full (its script's own defaults; benches that
need PostgreSQL get a database of their own on --postgres-url's server, dropped and recreated
by the bench), one after another so they do not share the cores, printing their output as it
comes and keeping it in bench/results/<date>-<commit>.log. Then writes
bench/results/<date>-<commit>.json (see bench/results.py) and regenerates the figures table
in bench/README.md from it. `--only` runs the benches named and writes its files to
bench/results/partial/ (not kept in git), leaving the README alone.

A bench that fails is recorded with its exit status and the end of its output, the others
still run, and the command exits 1. Goals not met do not fail the run: they are figures, and
`make bench-compare` shows how they moved.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import results
from suite import BENCHES, POSTGRES, missing

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1"


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def machine() -> dict[str, object]:
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {"cores": os.cpu_count(), "memory_gib": round(pages / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform()}


def loads() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def run_one(command: list[str], log) -> tuple[int, list[str]]:
    """Run a bench, echoing and logging its output; (exit status, its output lines)."""
    lines: list[str] = []
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, bufsize=1) as process:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            log.write(line)
            lines.append(line.rstrip("\n"))
    return process.returncode, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated bench names")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES,
                        help="server for the benches that need PostgreSQL (no database name)")
    args = parser.parse_args(argv)
    chosen = [b for b in BENCHES if b.full]
    if args.only:
        names = {n.strip() for n in args.only.split(",")}
        chosen = [b for b in BENCHES if b.name in names]
    lacking = {b.name: missing(b, args.postgres_url) for b in chosen}
    if any(lacking.values()):
        for name, lacks in lacking.items():
            if lacks:
                print(f"{name} needs {', '.join(lacks)}")
        return 2
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    commit = git("rev-parse", "--short", "HEAD")
    stem = f"{started.date()}-{commit}"
    folder = results.RESULTS / "partial" if args.only else results.RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    run: dict[str, object] = {
        "started": started.isoformat(), "commit": commit,
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "machine": machine(), "load_start": loads(), "benches": {},
    }
    benches: dict[str, dict[str, object]] = {}
    failed = []
    with open(folder / f"{stem}.log", "w") as log:
        for bench in chosen:
            command = [sys.executable, str(bench.script)]
            if POSTGRES in bench.needs:
                command += ["--database-url", f"{args.postgres_url}/freshcircle_bench_{bench.name}"]
            header = f"==== {bench.name}: {' '.join(command[1:])}"
            print(header, flush=True)
            log.write(header + "\n")
            entry: dict[str, object] = {"command": " ".join(
                [Path(command[1]).relative_to(ROOT).as_posix(), *command[2:]]),
                "load_start": loads()}
            t0 = time.perf_counter()
            status, lines = run_one(command, log)
            entry.update(seconds=round(time.perf_counter() - t0, 1), exit=status,
                         load_end=loads())
            try:
                entry["last"] = json.loads(lines[-1]) if status == 0 else None
            except (IndexError, json.JSONDecodeError):
                entry["last"] = None
            if entry["last"] is None:
                entry["error"] = lines[-20:]
                failed.append(bench.name)
            benches[bench.name] = entry
    run.update(benches=benches, load_end=loads(),
               finished=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat())
    path = folder / f"{stem}.json"
    path.write_text(json.dumps(run, ensure_ascii=False, indent=1) + "\n")
    print(f"results: {path.relative_to(ROOT)}")
    if not args.only:
        results.main(["table"])
    if failed:
        print(f"FAILED: {', '.join(failed)} (see {path.relative_to(ROOT)})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
