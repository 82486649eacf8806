"""`flask deliver-epcis-subscriptions`: hand over the EPCIS subscriptions whose schedule has
come and the failed deliveries whose retry time has come.

Run it every minute (deploy/systemd/freshcircle-epcis-subscriptions.timer); with
FRESHCIRCLE_REDIS_URL the deliveries go to `flask worker`, else this command does them before
it exits.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from freshcircle.platform.cli_now import moment, now_option
from freshcircle.platform.extensions import db
from freshcircle.platform.ledger.services import epcis_subscriptions, subscription_delivery


@click.command("deliver-epcis-subscriptions")
@now_option("2026-12-05T01:05+08:00")
@with_appcontext
def deliver_epcis_subscriptions_command(now_text: str | None) -> None:
    """Deliver the EPCIS subscriptions that are due (schedules and retries)."""
    now = moment(now_text)
    app = current_app._get_current_object()
    due = epcis_subscriptions.due(db.session, now)
    for subscription_id in due:
        subscription_delivery.enqueue(app, db.session, subscription_id)
    db.session.commit()
    click.echo(f"{len(due)} EPCIS subscription(s) handed over for delivery.")
    if not app.config.get("REDIS_URL"):
        subscription_delivery.wait_for_jobs()
