"""The market's commands.

`flask send-cutoff-notices`: the packing-list notices of every cut-off that has passed. Run it
every few minutes (cron or a systemd timer); it sends each (producer, dispatch day) once,
however often it runs, and e-mails it to members with an address when FRESHCIRCLE_SMTP_URL is
set.

`flask build-arrival-index`: the arrival-index rows of every buyer site that has none (after an
upgrade or a restore; new sites get theirs from a background job, arrival_jobs.py).
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from freshcircle.platform.cli_now import moment, now_option
from freshcircle.platform.extensions import db
from freshcircle.platform.market.services import arrival_index, arrival_jobs, cutoff_mail, cutoffs
from freshcircle.platform.models import Place


@click.command("send-cutoff-notices")
@now_option("2026-11-26T16:05+08:00")
@with_appcontext
def send_cutoff_notices_command(now_text: str | None) -> None:
    """Send the cut-off notices (packing list per batch) that are due and not yet sent."""
    now = moment(now_text)
    sent = cutoffs.send_due(db.session, now)
    db.session.commit()
    for item in sent:
        click.echo(f"producer {item.producer_id}, dispatch {item.dispatch_date}: "
                   f"{item.orders} orders, {item.notices} members told")
    click.echo(f"{len(sent)} cut-off notice(s) sent.")
    smtp_url = current_app.config.get("SMTP_URL")
    if smtp_url:  # after the commit: the inbox never waits for the mail server
        mailed = cutoff_mail.email_unsent(db.session, smtp_url, current_app.config["MAIL_FROM"])
        click.echo(f"{mailed.messages} e-mail(s) sent for {mailed.notices} notice(s).")
        for failure in mailed.failures:
            click.echo(f"e-mail failed: {failure}", err=True)


@click.command("build-arrival-index")
@with_appcontext
def build_arrival_index_command() -> None:
    """Write the arrival-index rows of every buyer site that has none, one site a commit."""
    sites = arrival_jobs.unindexed_sites(db.session)
    for site_id in sites:
        arrival_index.build(db.session, db.session.get(Place, site_id), moment(None))
        db.session.commit()
        click.echo(f"site {site_id}: indexed")
    click.echo(f"{len(sites)} buyer site(s) indexed.")
