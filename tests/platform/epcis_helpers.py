"""Shared pieces of the EPCIS platform tests: documents for a batch, queries, example files."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from freshcircle.platform.ledger.services.trace_codes import trade_item_for
from freshcircle.traceability.epcis import (
    OBSERVE,
    EpcisConfig,
    ObjectEvent,
    Quantity,
    build_document,
)
from freshcircle.traceability.epcis_vocab import schema_resource

CST = dt.timezone(dt.timedelta(hours=8))
EXAMPLES = ("Example_9.6.1-ObjectEvent.jsonld", "Example_9.6.1-ObjectEventWithDigitalLink.jsonld",
            "Example_9.6.3-AggregationEvent.jsonld", "Example_9.6.4-TransformationEvent.jsonld",
            "SensorDataExample2.jsonld")


def example(name: str) -> dict:
    return json.loads(schema_resource(f"examples/{name}").read_text(encoding="utf-8"))


def settings(app):
    return app.extensions["trace_settings"]


def gtin_of(app, session, batch) -> str:
    item = trade_item_for(session, settings(app), batch.producer_id, batch.product_id)
    session.commit()
    return item.gtin


def lot_document(app, session, batch, steps=("packing", "storing", "shipping"),
                 start: dt.datetime | None = None) -> dict:
    """An EPCISDocument with one OBSERVE event per step for the batch, an hour apart."""
    gtin = gtin_of(app, session, batch)
    start = start or dt.datetime(2026, 11, 20, 9, 0, tzinfo=CST)
    events = [ObjectEvent(event_time=start + dt.timedelta(hours=i), action=OBSERVE, biz_step=step,
                          quantities=(Quantity(gtin, batch.lot_code, Decimal(10)),))
              for i, step in enumerate(steps)]
    return build_document(events, EpcisConfig(domain=settings(app).domain))


def events_of(client, **params) -> list[dict]:
    response = client.get("/api/v1/epcis/events", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["epcisBody"]["eventList"]
