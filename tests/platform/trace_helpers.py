"""Codes for the scan page and resolver tests, made the way label runs make them."""

from __future__ import annotations

from urllib.parse import urlsplit

from freshcircle.platform.ledger.services import trace_codes
from freshcircle.platform.models import LabelRun


def settings(app):
    return app.extensions["trace_settings"]


def path_of(uri: str) -> str:
    """The path and query of a Digital Link URI (what the test client requests)."""
    parts = urlsplit(uri)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def printed_codes(app, session, batch, count: int = 2) -> list[str]:
    """Reserve `count` serials of `batch` and return their signed URIs as printed."""
    item = trace_codes.trade_item_for(session, settings(app), batch.producer_id, batch.product_id)
    first = trace_codes.reserve_serials(session, batch, count)
    run = LabelRun(batch=batch, trade_item=item, layout="a4-24", count=count, first_serial=first,
                   key_id=settings(app).keyring.current, net_weight_g=500)
    session.add(run)
    session.commit()
    return list(trace_codes.run_uris(settings(app), run))


def lot_code_uri(app, session, batch) -> str:
    item = trace_codes.trade_item_for(session, settings(app), batch.producer_id, batch.product_id)
    session.commit()
    return trace_codes.signed_lot_uri(settings(app), item, batch)


def unsigned_lot_uri(app, session, batch) -> str:
    item = trace_codes.trade_item_for(session, settings(app), batch.producer_id, batch.product_id)
    session.commit()
    return trace_codes.lot_link(settings(app), item, batch).to_uri()


def forge(uri: str) -> str:
    """Flip the signature's last character."""
    head, last = uri[:-1], uri[-1]
    return head + ("A" if last != "A" else "B")
