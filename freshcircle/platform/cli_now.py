"""The `--now` option of the commands that act on what is due (cut-off notices, EPCIS
subscriptions): a moment to pretend it is, for trying a schedule out; default: now."""

from __future__ import annotations

import datetime as dt

import click


def now_option(example: str):
    """The `--now ISO-TIME` option, passed to the command as `now_text`."""
    return click.option("--now", "now_text", default=None, metavar="ISO-TIME",
                        help=f"Pretend it is this moment (e.g. {example}); default: now.")


def moment(now_text: str | None) -> dt.datetime:
    """The moment `--now` names (with its time zone), or now; a clear error otherwise."""
    if not now_text:
        return dt.datetime.now(dt.UTC)
    try:
        now = dt.datetime.fromisoformat(now_text)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--now") from error
    if now.tzinfo is None:
        raise click.BadParameter("give a time zone, e.g. +08:00", param_hint="--now")
    return now
