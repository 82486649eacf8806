"""Scans off the request path: a Redis stream, the copied-code counters, and the writer.

With FRESHCIRCLE_REDIS_URL set, a page view does not write to the database. In one Redis
command (the Lua script `RECORD_LUA`) it appends its scan to the stream `freshcircle:scans`
(XADD, with the scan id made for it) and updates the serial's counters for the copied-code
rule: the serial's recent scans and the networks they came from, each a sorted set scored by
time and trimmed to the rule's window.
`flask scan-writer` (trace/cli.py) reads the stream as a consumer group, inserts a batch of
scans in one transaction, ignoring a scan id already stored, and acknowledges and deletes the
entries only after the commit. A writer killed mid-batch leaves its entries pending; the next
writer claims them (XAUTOCLAIM) and inserts them again, and the scan id makes that harmless.
So a scan the page answered is in the database once the writer has run.

Without a Redis URL, or while Redis does not answer, the page writes the scan row itself and
the SQL rule decides (scans.record_scan, scans.copy_suspicion): `Breaker` keeps a failed Redis
out of the request path for a few seconds at a time instead of making every page wait for it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from freshcircle.platform.core.services import random_pool
from freshcircle.platform.models import ScanEvent
from freshcircle.platform.trace.services.scans import COPY_READ_LIMIT, CopyRule, CopySuspicion
from freshcircle.platform.trace.services.script_runner import ScriptRunner

log = logging.getLogger(__name__)

STREAM = "freshcircle:scans"
GROUP = "scan-writer"
FIELDS = ("scan_id", "gtin", "lot", "serial", "batch_id", "verdict", "network", "scanned_at")
REDIS_TIMEOUT_S = 0.5  # a Redis that does not answer within this is treated as down
RETRY_AFTER_S = 5.0  # how long a failed Redis stays out of the request path


def new_scan_id() -> str:
    """128 random bits as 32 hex digits (the column's width)."""
    return random_pool.token_hex(16)


@dataclass(frozen=True)
class Scan:
    scan_id: str
    gtin: str
    lot: str | None
    serial: str | None
    batch_id: int | None
    verdict: str
    network: str | None
    scanned_at: dt.datetime

    def fields(self) -> dict[str, str]:
        """The stream entry (Redis holds strings; an empty string is None)."""
        return {
            "scan_id": self.scan_id, "gtin": self.gtin, "lot": self.lot or "",
            "serial": self.serial or "",
            "batch_id": "" if self.batch_id is None else str(self.batch_id),
            "verdict": self.verdict, "network": self.network or "",
            "scanned_at": self.scanned_at.isoformat(),
        }

    @classmethod
    def from_fields(cls, fields: dict) -> Scan:
        text = {(k.decode() if isinstance(k, bytes) else k):
                (v.decode() if isinstance(v, bytes) else v) for k, v in fields.items()}
        return cls(
            scan_id=text["scan_id"], gtin=text["gtin"], lot=text["lot"] or None,
            serial=text["serial"] or None,
            batch_id=int(text["batch_id"]) if text["batch_id"] else None,
            verdict=text["verdict"], network=text["network"] or None,
            scanned_at=dt.datetime.fromisoformat(text["scanned_at"]),
        )

    def row(self) -> dict:
        return {name: getattr(self, name) for name in FIELDS}


class Breaker:
    """Keeps a Redis that failed out of the request path for RETRY_AFTER_S, and says so in
    the log once per outage (not once per page view)."""

    def __init__(self, retry_after: float = RETRY_AFTER_S):
        self.retry_after = retry_after
        self._open_until = 0.0
        self._lock = threading.Lock()
        self._outage = False

    def closed(self) -> bool:
        return time.monotonic() >= self._open_until

    def failed(self, error: Exception) -> None:
        with self._lock:
            self._open_until = time.monotonic() + self.retry_after
            if not self._outage:
                self._outage = True
                log.warning("Redis is not answering (%s): scans are written to the database "
                            "directly until it is back", error)

    def succeeded(self) -> bool:
        """Note a call that worked; True when it ends an outage."""
        if self._outage:
            with self._lock:
                if self._outage:
                    self._outage = False
                    log.warning("Redis answers again: scans go to the stream")
                    return True
        return False


def _keys(gtin: str, serial: str) -> tuple[str, str]:
    base = f"freshcircle:scan:{gtin}:{serial}"
    return base + ":t", base + ":n"


# One round trip, one command: read the lot's version, append the scan to the stream, update
# the serial's counters, count its recent scans and networks. A script rather than a pipeline
# of nine commands because the page pays for every command it packs and parses.
# KEYS: stream, times, networks, version (or "").
# ARGV: counted, n, n field-value pairs, has serial, now, window, keep, ttl, scan id, network.
RECORD_LUA = """
local version = false
if KEYS[4] ~= '' then version = redis.call('GET', KEYS[4]) end
local counted = ARGV[1] == '1'
local n = tonumber(ARGV[2])
if counted then
  local fields = {}
  for i = 1, n * 2 do fields[i] = ARGV[2 + i] end
  redis.call('XADD', KEYS[1], '*', unpack(fields))
end
local at = 3 + n * 2
if ARGV[at] ~= '1' then return {version, -1, -1} end
local now, window = tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2])
local keep, ttl = tonumber(ARGV[at + 3]), tonumber(ARGV[at + 4])
if counted then
  redis.call('ZADD', KEYS[2], ARGV[at + 1], ARGV[at + 5])
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(keep + 1))
  redis.call('EXPIRE', KEYS[2], ttl)
  if ARGV[at + 6] ~= '' then
    redis.call('ZADD', KEYS[3], 'GT', ARGV[at + 1], ARGV[at + 6])
    redis.call('EXPIRE', KEYS[3], ttl)
  end
end
local low = string.format('%.6f', now - window)
local scans = redis.call('ZCOUNT', KEYS[2], low, ARGV[at + 1])
local places = redis.call('ZCOUNT', KEYS[3], low, ARGV[at + 1])
return {version, scans, places}
"""
_runners: dict[int, ScriptRunner] = {}
_runners_lock = threading.Lock()


def _record_script(client) -> ScriptRunner:
    runner = _runners.get(id(client))
    if runner is None or runner.pool is not client.connection_pool:
        with _runners_lock:
            runner = _runners[id(client)] = ScriptRunner(client, RECORD_LUA)
    return runner


def record(client, scan: Scan, rule: CopyRule, *, counted: bool, judge: bool,
           version_key: str | None = None) -> tuple[CopySuspicion | None, bytes | None]:
    """Append a counted scan to the stream and update its serial's counters; when `judge`,
    also say whether the serial looks copied; with `version_key`, read that key too (the
    lot's version, trace/services/lot_versions.py). One round trip; raises redis errors.
    Returns the suspicion (or None) and the value read (or None)."""
    window = rule.window.total_seconds()
    fields = scan.fields()
    times, networks = _keys(scan.gtin, scan.serial or "")
    args = ["1" if counted else "0", len(fields)]
    for name, value in fields.items():
        args += [name, value]
    args += ["1" if scan.serial is not None and (counted or judge) else "0",
             f"{scan.scanned_at.timestamp():.6f}", window,
             max(COPY_READ_LIMIT, rule.min_scans), int(window) + 60, scan.scan_id,
             scan.network or ""]
    version, scans, places = _record_script(client)(
        [STREAM, times, networks, version_key or ""], args)
    if judge and scans >= rule.min_scans and places >= rule.min_networks:
        return CopySuspicion(scans=scans, networks=places, since=scan.scanned_at - rule.window,
                             hours=round(window / 3600)), version
    return None, version


# --- the writer -------------------------------------------------------------------------------

def ensure_group(client) -> None:
    """The writers' consumer group (and the stream), from the stream's start."""
    from redis.exceptions import ResponseError

    try:
        client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


def _entries(answer) -> list[tuple[bytes, dict]]:
    return [entry for _stream, entries in answer or [] for entry in entries if entry[1]]


class Reader:
    """What one writer writes next: its own entries not yet acknowledged (at start, and after a
    commit that failed), entries delivered to a writer that died before acknowledging them
    (idle for `claim_idle_ms`; looked for at start and every half of that), else new entries
    (waiting up to `block_ms`). A busy stream costs one read per batch, not three."""

    def __init__(self, client, consumer: str, *, count: int, block_ms: int, claim_idle_ms: int):
        self.client, self.consumer, self.count = client, consumer, count
        self.block_ms, self.claim_idle_ms = block_ms, claim_idle_ms
        self.own_pending = True
        self._next_claim = 0.0

    def failed(self) -> None:
        """The last batch was not committed: read it again first."""
        self.own_pending = True

    def read(self) -> list[tuple[bytes, dict]]:
        client = self.client
        if self.own_pending:
            own = _entries(client.xreadgroup(GROUP, self.consumer, {STREAM: "0"},
                                             count=self.count))
            if own:
                return own
            self.own_pending = False
        if time.monotonic() >= self._next_claim:
            self._next_claim = time.monotonic() + self.claim_idle_ms / 2000
            _next, claimed, *_ = client.xautoclaim(STREAM, GROUP, self.consumer,
                                                   self.claim_idle_ms, start_id="0-0",
                                                   count=self.count)
            if claimed:
                self._next_claim = 0.0  # there may be more
                return [(entry_id, fields) for entry_id, fields in claimed if fields]
        return _entries(client.xreadgroup(GROUP, self.consumer, {STREAM: ">"},
                                          count=self.count, block=self.block_ms))


# PostgreSQL: a batch in one statement, each column an array (unnest), rather than a row at a
# time: the writer and the database do a fraction of the work per scan.
_PG_STORE = text(
    "INSERT INTO scan_events (scan_id, gtin, lot, serial, batch_id, verdict, network, scanned_at) "
    "SELECT * FROM unnest(CAST(:scan_id AS varchar[]), CAST(:gtin AS varchar[]), "
    "CAST(:lot AS varchar[]), CAST(:serial AS varchar[]), CAST(:batch_id AS integer[]), "
    "CAST(:verdict AS varchar[]), CAST(:network AS varchar[]), "
    "CAST(:scanned_at AS timestamptz[])) "
    "ON CONFLICT (scan_id, scanned_at) DO NOTHING")


def store(session: Session, scans: list[Scan]) -> int:
    """Insert the scans, skipping any whose scan id (with its time) is stored already; returns
    how many of the batch are new. The caller commits, then acknowledges."""
    if not scans:
        return 0
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        columns = {name: [getattr(scan, name) for scan in scans] for name in FIELDS}
        return connection.execute(_PG_STORE, columns).rowcount
    rows = [scan.row() for scan in scans]
    statement = sqlite_insert(ScanEvent).on_conflict_do_nothing(
        index_elements=["scan_id", "scanned_at"])
    result = connection.execute(statement, rows)
    return result.rowcount if result.rowcount is not None and result.rowcount >= 0 else len(rows)


def acknowledge(client, entry_ids: list) -> None:
    """After the commit: the entries are done, and leave the stream (it stays small)."""
    if entry_ids:
        pipe = client.pipeline(transaction=False)
        pipe.xack(STREAM, GROUP, *entry_ids)
        pipe.xdel(STREAM, *entry_ids)
        pipe.execute()


def backlog(client) -> tuple[int, float]:
    """Entries not yet written, and the age in seconds of the oldest (the writer's lag)."""
    length = client.xlen(STREAM)
    if not length:
        return 0, 0.0
    first = client.xrange(STREAM, count=1)
    if not first:
        return length, 0.0
    oldest_ms = int(first[0][0].split(b"-")[0] if isinstance(first[0][0], bytes)
                    else first[0][0].split("-")[0])
    return length, max(0.0, time.time() - oldest_ms / 1000)
