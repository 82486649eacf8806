"""`flask scan-writer`: moves consumer scans from the Redis stream into the database.

Run one or more next to the web nodes when FRESHCIRCLE_REDIS_URL is set (deploy/ has a
systemd unit). Each takes a batch from the stream's consumer group, inserts it in one
transaction (a scan id already stored is skipped), commits, and only then acknowledges; a
writer killed at any point loses nothing (trace/services/scan_stream.py). SIGTERM finishes the
batch in hand and stops.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from freshcircle.platform.extensions import db
from freshcircle.platform.metrics import SCANS_WRITTEN
from freshcircle.platform.trace.services import scan_partitions, scan_stream

log = logging.getLogger(__name__)
DEAD_LETTERS = scan_stream.STREAM + ":unreadable"


def _scans(client, entries) -> list[scan_stream.Scan]:
    """The entries' scans; an entry that is not a scan is set aside (logged, kept in a
    stream of its own) rather than blocking every scan behind it."""
    scans = []
    for entry_id, fields in entries:
        try:
            scans.append(scan_stream.Scan.from_fields(fields))
        except (KeyError, ValueError) as error:
            log.error("scan entry %s is unreadable (%s): moved to %s", entry_id, error,
                      DEAD_LETTERS)
            client.xadd(DEAD_LETTERS, fields)
    return scans


@click.command("scan-writer")
@click.option("--batch", "batch_size", default=500, show_default=True,
              help="Most scans written per transaction.")
@click.option("--block-ms", default=1000, show_default=True,
              help="How long to wait for new scans before looking again.")
@click.option("--claim-idle-ms", default=30_000, show_default=True,
              help="Take over scans another writer received but did not acknowledge "
                   "for this long (it died).")
@click.option("--linger-ms", default=100, show_default=True,
              help="After a batch smaller than --batch, wait this long for more scans (fewer, "
                   "larger transactions under load; at most this much later in the database).")
@click.option("--once", is_flag=True, help="Write what is waiting, then stop.")
@with_appcontext
def scan_writer_command(batch_size: int, block_ms: int, claim_idle_ms: int, linger_ms: int,
                        once: bool) -> None:
    """Write consumer scans from the Redis stream to the database (needs a Redis URL)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.UsageError("Set FRESHCIRCLE_REDIS_URL, e.g. redis://127.0.0.1:6379/0.")
    client = Redis.from_url(url)
    scan_stream.ensure_group(client)
    consumer = f"{socket.gethostname()}-{os.getpid()}"
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    written = 0
    partitions_due = 0.0  # this month's and the next months' partitions: at start, then daily
    reader = scan_stream.Reader(client, consumer, count=batch_size,
                                block_ms=200 if once else block_ms, claim_idle_ms=claim_idle_ms)
    click.echo(f"scan-writer {consumer}: reading {scan_stream.STREAM}")
    while not stopping:
        if time.monotonic() >= partitions_due:
            partitions_due = time.monotonic() + 24 * 3600
            _ensure_partitions()
        try:
            entries = reader.read()
            if not entries:
                if once:
                    break
                continue
            stored = scan_stream.store(db.session, _scans(client, entries))
            db.session.commit()
            scan_stream.acknowledge(client, [entry_id for entry_id, _ in entries])
            written += stored
            SCANS_WRITTEN.labels("writer").inc(stored)
            if len(entries) < batch_size and not once and linger_ms:
                time.sleep(linger_ms / 1000)
        except (RedisError, SQLAlchemyError) as error:
            reader.failed()
            db.session.rollback()
            log.warning("scan-writer: %s; trying again in 1 s", error)
            time.sleep(1)
        finally:
            db.session.remove()
    click.echo(f"scan-writer {consumer}: {written} scan(s) written")


def _ensure_partitions() -> list[str]:
    """This month's scan partition and the next SCAN_PARTITIONS_AHEAD months' (PostgreSQL)."""
    try:
        with db.engine.begin() as connection:
            created = scan_partitions.ensure_ahead(
                connection, dt.datetime.now(dt.UTC).date(),
                current_app.config["SCAN_PARTITIONS_AHEAD"])
    except SQLAlchemyError as error:
        log.warning("could not create scan partitions ahead (%s): new scans go to the "
                    "default partition until they exist", error)
        return []
    if created:
        log.warning("scan partitions created: %s", ", ".join(created))
    return created


@click.command("scan-partitions")
@with_appcontext
def scan_partitions_command() -> None:
    """Create scan partitions ahead and drop those past the retention (daily)."""
    config = current_app.config
    today = dt.datetime.now(dt.UTC).date()
    with db.engine.begin() as connection:
        partitioned = scan_partitions.is_partitioned(connection)
        created = scan_partitions.ensure_ahead(connection, today, config["SCAN_PARTITIONS_AHEAD"])
        dropped, deleted = scan_partitions.drop_expired(connection, today,
                                                        config["SCAN_RETENTION_MONTHS"])
    months = config["SCAN_RETENTION_MONTHS"]
    keep = f"the last {months} months" if months > 0 else "every month (no retention set)"
    if partitioned:
        click.echo(f"Scans are partitioned by month; keeping {keep}.")
        click.echo(f"Created: {', '.join(created) or 'none (all there)'}.")
        click.echo(f"Dropped: {', '.join(dropped) or 'none'}.")
    else:
        click.echo(f"Scans are one table (this database does not partition); keeping {keep}.")
    click.echo(f"Deleted {deleted} older scan row(s).")
