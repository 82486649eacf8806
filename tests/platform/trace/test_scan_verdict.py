"""The consumer page's verdict on a scan, decided by one service: the code's state, a hold or
recall put first, a copied-looking serial flagged, and which views count as scans."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from freshcircle.platform.models import BatchStatus, ScanEvent
from freshcircle.platform.trace.services import consumer_story, scans
from freshcircle.platform.trace.services.scan_verdict import judge_scan
from freshcircle.traceability.digital_link import parse_digital_link
from tests.platform.trace_helpers import forge, printed_codes, settings

RULE = scans.CopyRule(window=dt.timedelta(hours=24), min_scans=3, min_networks=3)


def _resolve(app, session, uri):
    return consumer_story.resolve_code(session, settings(app), parse_digital_link(uri))


def _scans(session, serial) -> int:
    return session.scalar(select(func.count(ScanEvent.id)).where(ScanEvent.serial == serial))


def test_a_genuine_pack_is_genuine_and_its_view_is_logged(app, make, session):
    batch = make.batch(make.producer(make.user()))
    uri = printed_codes(app, session, batch, 1)[0]
    resolution = _resolve(app, session, uri)
    now = dt.datetime.now(dt.UTC)

    verdict = judge_scan(session, resolution, now=now, rule=RULE, network="n1")

    assert verdict.state is consumer_story.CodeState.GENUINE and verdict.http_status == 200
    assert verdict.shows_story and verdict.warning is None and verdict.suspicion is None
    assert _scans(session, resolution.link.serial) == 1


def test_a_recalled_batch_puts_its_warning_first(app, make, session):
    batch = make.batch(make.producer(make.user()), status=BatchStatus.RECALLED,
                       status_reason="农残超标")
    uri = printed_codes(app, session, batch, 1)[0]

    verdict = judge_scan(session, _resolve(app, session, uri), now=dt.datetime.now(dt.UTC),
                         rule=RULE, network="n1")

    assert (verdict.warning, verdict.warning_reason) == ("recalled", "农残超标")


def test_many_phones_in_many_places_make_a_serial_look_copied(app, make, session):
    batch = make.batch(make.producer(make.user()))
    uri = printed_codes(app, session, batch, 1)[0]
    resolution = _resolve(app, session, uri)
    now = dt.datetime.now(dt.UTC)

    verdicts = [judge_scan(session, resolution, now=now + dt.timedelta(minutes=i), rule=RULE,
                           network=f"net{i}") for i in range(3)]

    assert [v.suspicion is not None for v in verdicts] == [False, False, True]
    assert verdicts[-1].suspicion.scans == 3 and verdicts[-1].suspicion.networks == 3


def test_the_producers_own_look_and_a_head_request_are_not_scans(app, make, session):
    farmer = make.user()
    batch = make.batch(make.producer(farmer))
    uri = printed_codes(app, session, batch, 1)[0]
    resolution = _resolve(app, session, uri)
    now = dt.datetime.now(dt.UTC)

    judge_scan(session, resolution, now=now, rule=RULE, network="n1", viewer=farmer)
    judge_scan(session, resolution, now=now, rule=RULE, network="n1", counted=False)
    assert _scans(session, resolution.link.serial) == 0
    judge_scan(session, resolution, now=now, rule=RULE, network="n1", viewer=make.user())
    assert _scans(session, resolution.link.serial) == 1


def test_a_forged_code_shows_no_story_and_an_unknown_gtin_is_not_found(app, make, session):
    batch = make.batch(make.producer(make.user()))
    uri = printed_codes(app, session, batch, 1)[0]
    now = dt.datetime.now(dt.UTC)

    forged = judge_scan(session, _resolve(app, session, forge(uri)), now=now, rule=RULE,
                        network="n1")
    unknown = judge_scan(session, _resolve(app, session, "https://id.example/01/09506000134352"),
                         now=now, rule=RULE, network="n1")

    assert forged.state is consumer_story.CodeState.FORGED and not forged.shows_story
    assert forged.warning is None and forged.http_status == 200
    assert unknown.state is consumer_story.CodeState.UNKNOWN and unknown.http_status == 404
