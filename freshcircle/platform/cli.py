"""Command-line tasks: `flask --app freshcircle.platform:create_app <command>`.

The CLI, like a request, is a unit of work: it is the one other place that commits.
"""

from __future__ import annotations

import functools
import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from freshcircle.platform import demo
from freshcircle.platform.core.services import accounts, idempotency, text_repair
from freshcircle.platform.core.services.errors import DomainError
from freshcircle.platform.demo.database import NotADemoDatabase
from freshcircle.platform.extensions import db
from freshcircle.platform.ledger.cli import deliver_epcis_subscriptions_command
from freshcircle.platform.ledger.services import epcis_store
from freshcircle.platform.market.cli import (
    build_arrival_index_command,
    send_cutoff_notices_command,
)
from freshcircle.platform.models import Role
from freshcircle.platform.trace.cli import scan_partitions_command, scan_writer_command


def _plain_english(command):
    """Run outside any request: messages in English, without asking a request for a locale."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        with force_locale("en"):
            return command(*args, **kwargs)

    return wrapper


def _fail(error: DomainError) -> click.ClickException:
    details = "; ".join(
        f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in error.errors.items()
    )
    return click.ClickException(f"{error.message}" + (f" ({details})" if details else ""))


@click.command("seed-reference")
@with_appcontext
@_plain_english
def seed_reference_command() -> None:
    """Load the product catalog and the YRD places (no sample data)."""
    products, places = demo.seed_reference(db.session)
    db.session.commit()
    click.echo(f"Reference data loaded: {products} new products, {places} new places.")


@click.command("seed-demo")
@click.option("--only-demo-database", is_flag=True,
              help="`make run`: skip (exit 0) instead of failing when the database holds "
                   "real producers or accounts.")
@with_appcontext
@_plain_english
def seed_demo_command(only_demo_database: bool) -> None:
    """Create the sample data set (示例数据) and print the demo sign-ins. Safe to re-run.

    Only into a demo database: one seeded before, or one holding no real producers or
    accounts; any other is refused (demo/database.py).
    """
    started = time.perf_counter()
    try:
        result = demo.seed_demo(db.session, progress=click.echo)
    except NotADemoDatabase as error:
        db.session.rollback()
        if not only_demo_database:
            raise _fail(error) from error
        click.echo(f"Not a demo database, so no demo data was added: {error.message}")
        return
    except DomainError as error:
        db.session.rollback()
        raise _fail(error) from error
    db.session.commit()
    created = ", ".join(f"{n} {kind}" for kind, n in result.created.items() if n) or "nothing"
    click.echo(f"Demo data ready in {time.perf_counter() - started:.1f} s (new: {created}).")
    click.echo("")
    click.echo("Demo sign-ins (sample data only; never use these on a real deployment):")
    click.echo(demo.format_sign_ins(result.sign_ins))


@click.command("create-user")
@click.option("--phone", required=True, help="11-digit mainland mobile number.")
@click.option("--name", required=True, help="Display name.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="At least 10 characters, not a common one; asked for when not given.")
@click.option("--email", default=None, help="Optional; cut-off packing lists go here.")
@with_appcontext
@_plain_english
def create_user_command(phone: str, name: str, role: str, password: str,
                        email: str | None) -> None:
    """Create an account, e.g. the first admin of a real deployment."""
    try:
        user = accounts.create_user(db.session, phone=phone, name=name, password=password,
                                    role=Role(role), email=email)
    except DomainError as error:
        db.session.rollback()
        raise _fail(error) from error
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.name} ({user.phone}), id {user.id}.")


@click.command("verify-chain")
@click.option("--lot", default=None, help="Check only this lot code.")
@with_appcontext
@_plain_english
def verify_chain_command(lot: str | None) -> None:
    """Check the EPCIS event hash chain of every lot (or one); exit code 1 on any problem."""
    chains = epcis_store.chains(db.session, lot)
    failed = False
    for key, stored in chains.items():
        rows = stored.records
        name = f"lot {key.lot or '(none)'} (GTIN {key.gtin or 'none'})"
        problems = epcis_store.chain_problems(stored)
        if not problems:
            click.echo(f"OK {name}: {len(rows)} events")
        for problem in problems:
            failed = True
            row = f" (record {rows[problem.index].id})" if problem.index < len(rows) else ""
            click.echo(f"PROBLEM {name}: event {problem.index}{row}: {problem.kind}: "
                       f"{problem.reason}")
    if not chains:
        click.echo(f"No events recorded{f' for lot {lot}' if lot else ''}.")
    if failed:
        raise SystemExit(1)


@click.command("repair-text")
@click.option("--dry-run", is_flag=True, help="Only report; change nothing.")
@with_appcontext
@_plain_english
def repair_text_command(dry_run: bool) -> None:
    """Replace control characters stored before input refused them (a space; a lone surrogate
    becomes U+FFFD) in every text column. Keys and traceability events are reported, not
    changed: an event's ID is the hash of its text and the lot's chain links those IDs."""
    report = text_repair.repair_text(db.session, dry_run=dry_run)
    if not dry_run:  # a dry run wrote nothing
        db.session.commit()
    verb = "Would repair" if dry_run else "Repaired"
    for column, rows in sorted(report.repaired.items()):
        click.echo(f"{verb} {column}: {rows} rows")
    click.echo(f"{verb} {report.rows} values in all.")
    for key in report.keys_left:
        click.echo(f"LEFT key {key}: holds control characters; change it by hand")
    if report.events_left:
        click.echo(f"LEFT {len(report.events_left)} traceability events as recorded (their "
                   f"hash covers the text): ids {', '.join(map(str, report.events_left))}")
    for lot in report.early_harvests:
        click.echo(f"LEFT batch {lot}: harvest date before 2000; its producer must correct it")


@click.command("purge-idempotency-keys")
@with_appcontext
def purge_idempotency_keys_command() -> None:
    """Forget create requests' Idempotency-Keys older than FRESHCIRCLE_IDEMPOTENCY_DAYS
    (at least 30). Run it daily from cron, with purge-photo-uploads."""
    days = current_app.config["IDEMPOTENCY_DAYS"]
    keys = idempotency.purge(db.session, days)
    db.session.commit()
    click.echo(f"Removed {keys} idempotency keys older than {days} days.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run background jobs from Redis: dispatch plans, label runs, EPCIS subscription
    deliveries and new buyer sites' arrival rows (needs FRESHCIRCLE_REDIS_URL)."""
    from flask import current_app
    from rq import SimpleWorker

    from freshcircle.platform.background import rq_queue
    from freshcircle.platform.batches.label_jobs import QUEUE as LABELS
    from freshcircle.platform.dispatch.jobs import QUEUE as DISPATCH
    from freshcircle.platform.ledger.services.subscription_delivery import QUEUE as EPCIS
    from freshcircle.platform.market.services.arrival_jobs import QUEUE as ARRIVALS

    if not current_app.config.get("REDIS_URL"):
        raise click.UsageError("Set FRESHCIRCLE_REDIS_URL, e.g. redis://127.0.0.1:6379/0.")
    names = (DISPATCH, LABELS, EPCIS, ARRIVALS)
    queues = [rq_queue(current_app, name) for name in names]
    click.echo(f"Jobs from {', '.join(names)} on {current_app.config['REDIS_URL']}")
    SimpleWorker(queues, connection=queues[0].connection).work(burst=burst)


# The name operators used before label runs moved to RQ; the same worker.
dispatch_worker_command = click.Command("dispatch-worker", callback=worker_command.callback,
                                        params=worker_command.params,
                                        help="The same as `flask worker` (its former name).")


@click.command("purge-photo-uploads")
@with_appcontext
@_plain_english
def purge_photo_uploads_command() -> None:
    """Remove photo uploads left unfinished for 30 days (and their parts)."""
    from freshcircle.platform.batches.services.photo_uploads import purge_stale_uploads
    from freshcircle.platform.models import utcnow

    removed = purge_stale_uploads(db.session, utcnow())
    db.session.commit()
    click.echo(f"Removed {removed} unfinished photo upload(s) older than 30 days.")


@click.command("clean-orphan-files")
@click.option("--dry-run", is_flag=True, help="List the orphans, remove nothing.")
@with_appcontext
@_plain_english
def clean_orphan_files_command(dry_run: bool) -> None:
    """Remove files in the file store that no stored file names, older than the grace period
    (FILES_ORPHAN_GRACE_SECONDS), so an upload still in flight is never deleted."""
    import datetime as dt

    from freshcircle.platform.core.services.file_store import current_store
    from freshcircle.platform.core.services.files import clean_orphans

    grace = dt.timedelta(seconds=current_app.config["FILES_ORPHAN_GRACE_SECONDS"])
    older_than = dt.datetime.now(dt.UTC) - grace
    orphans = clean_orphans(db.session, current_store(), older_than, dry_run=dry_run)
    db.session.rollback()
    for key in orphans:
        click.echo(key)
    verb = "Would remove" if dry_run else "Removed"
    click.echo(f"{verb} {len(orphans)} orphan file(s).")


def register_cli(app: Flask) -> None:
    for command in (seed_reference_command, seed_demo_command, create_user_command,
                    verify_chain_command, repair_text_command, send_cutoff_notices_command,
                    worker_command, dispatch_worker_command, purge_idempotency_keys_command,
                    purge_photo_uploads_command, scan_writer_command,
                    scan_partitions_command,
                    clean_orphan_files_command, deliver_epcis_subscriptions_command,
                    build_arrival_index_command):
        app.cli.add_command(command)


def main() -> None:
    from flask.cli import FlaskGroup

    from freshcircle.platform.app import create_app

    FlaskGroup(create_app=create_app)()
