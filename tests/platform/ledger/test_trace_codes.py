"""Trace codes tie the library to the database: GTINs, serial blocks, signed per-pack URIs."""

from __future__ import annotations

from freshcircle.platform.ledger.services import trace_codes
from freshcircle.platform.models import LabelRun
from freshcircle.traceability.digital_link import parse_digital_link
from freshcircle.traceability.gs1_keys import is_valid_gtin
from freshcircle.traceability.signing import verify


def _settings(app):
    return app.extensions["trace_settings"]


def test_each_producer_product_gets_one_valid_demo_gtin(app, make, session):
    producer = make.producer(make.user())
    spinach, celery = make.product("Spinach"), make.product("Celery")
    settings = _settings(app)

    first = trace_codes.trade_item_for(session, settings, producer.id, spinach.id)
    again = trace_codes.trade_item_for(session, settings, producer.id, spinach.id)
    other = trace_codes.trade_item_for(session, settings, producer.id, celery.id)

    assert first.id == again.id
    assert first.gtin != other.gtin
    assert len(first.gtin) == 14 and is_valid_gtin(first.gtin)
    assert first.gtin[1:4] == "952"  # the GS1 prefix reserved for demonstrations


def test_serial_blocks_never_overlap_and_uris_verify(app, make, session):
    producer = make.producer(make.user())
    batch = make.batch(producer)
    settings = _settings(app)
    item = trace_codes.trade_item_for(session, settings, producer.id, batch.product_id)

    first = trace_codes.reserve_serials(session, batch, 3)
    second = trace_codes.reserve_serials(session, batch, 2)
    run = LabelRun(batch=batch, trade_item=item, layout="a4-24", count=2, first_serial=second,
                   key_id=settings.keyring.current, net_weight_g=5000)
    uris = list(trace_codes.run_uris(settings, run))

    assert (first, second, batch.serials_issued) == (0, 3, 5)
    links = [parse_digital_link(uri) for uri in uris]
    assert [link.serial for link in links] == ["3", "4"]
    assert all(link.lot == batch.lot_code for link in links)
    assert links[0].net_weight_kg == 5
    assert all(verify(uri, settings.keyring).genuine for uri in uris)
    assert trace_codes.was_issued(batch, "4") and not trace_codes.was_issued(batch, "5")
    assert not trace_codes.was_issued(batch, "I0")  # not Crockford base32
