"""The scan page's story cache: reused for a few seconds, bounded, and never behind on what
matters for safety (the verdict, a recall or hold, the copied-code warning)."""

from __future__ import annotations

import datetime as dt

import pytest

from freshcircle.platform.models import BatchStatus, ScanEvent
from freshcircle.platform.trace.pages.story_html import story_cache
from freshcircle.platform.trace.services.consumer_story import StoryCache
from tests.platform.trace_helpers import path_of, printed_codes


@pytest.fixture
def clock(app, monkeypatch):
    """The story cache's clock, moved by hand (tests never sleep)."""
    now = [1000.0]
    monkeypatch.setattr(story_cache(app), "clock", lambda: now[0])
    return now


def _shipped_batch(make, readings: int = 3):
    batch = make.batch(make.producer(make.user()))
    shipment = make.shipment(lines=[(batch, 10_000)])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    for minute in range(0, readings * 10, 10):
        make.temperature_reading(shipment, "0", start + dt.timedelta(minutes=minute))
    return batch, shipment, start


def test_recall_right_after_a_cached_view_shows_the_banner(app, make, session, client, clock):
    batch, _, _ = _shipped_batch(make)
    first, second = (path_of(uri) for uri in printed_codes(app, session, batch))
    assert 'id="recall"' not in client.get(first).get_data(as_text=True)

    batch.status, batch.status_reason = BatchStatus.RECALLED, "检出禁用农药"
    session.commit()

    for path in (first, second):  # no time has passed: the cached story is still fresh
        page = client.get(path).get_data(as_text=True)
        assert 'id="recall"' in page and "已召回" in page and "检出禁用农药" in page


def test_hold_lifted_or_reason_changed_shows_on_the_next_view(app, make, session, client,
                                                             clock):
    batch, _, _ = _shipped_batch(make)
    batch.status, batch.status_reason = BatchStatus.HELD, "待复检"
    session.commit()
    path = path_of(printed_codes(app, session, batch)[0])
    assert "原因：待复检" in client.get(path).get_data(as_text=True)

    batch.status_reason = "等待第二次检测"
    session.commit()
    assert "原因：等待第二次检测" in client.get(path).get_data(as_text=True)

    batch.status, batch.status_reason = BatchStatus.REGISTERED, None
    session.commit()
    assert 'id="recall"' not in client.get(path).get_data(as_text=True)


def test_a_new_reading_shows_after_the_ttl(app, make, session, client, clock):
    batch, shipment, start = _shipped_batch(make, readings=3)
    path = path_of(printed_codes(app, session, batch)[0])
    assert "温度读数 3 条" in client.get(path).get_data(as_text=True)

    make.temperature_reading(shipment, "0", start + dt.timedelta(minutes=30))
    session.commit()
    ttl = app.config["SCAN_STORY_CACHE_SECONDS"]
    clock[0] += ttl - 1
    assert "温度读数 3 条" in client.get(path).get_data(as_text=True)  # may be this old
    clock[0] += 1
    assert "温度读数 4 条" in client.get(path).get_data(as_text=True)


def test_ttl_zero_never_caches(app, make, session, client, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SCAN_STORY_CACHE_SECONDS", 0)
    batch, shipment, start = _shipped_batch(make, readings=3)
    path = path_of(printed_codes(app, session, batch)[0])
    assert "温度读数 3 条" in client.get(path).get_data(as_text=True)

    make.temperature_reading(shipment, "0", start + dt.timedelta(minutes=30))
    session.commit()

    assert "温度读数 4 条" in client.get(path).get_data(as_text=True)


def test_each_pack_shows_its_own_serial_and_language_from_a_shared_story(app, make, session,
                                                                        client, clock):
    batch, _, _ = _shipped_batch(make)
    first, second = (path_of(uri) for uri in printed_codes(app, session, batch))
    client.get(first)

    pages = [client.get(path).get_data(as_text=True) for path in (first, second)]
    english = client.get(second + "&lang=en").get_data(as_text=True)

    serials = [path.split("/21/")[1].split("?")[0] for path in (first, second)]
    assert serials[0] != serials[1]
    for page, serial in zip(pages, serials, strict=True):
        assert f'<dd class="mono">{serial}</dd>' in page and "正品验证通过" in page
    assert f'<dd class="mono">{serials[0]}</dd>' not in pages[1]
    assert "Cold chain" in english and "冷链" not in english


def test_copied_code_warning_is_worked_out_on_every_view(app, make, session, client, clock):
    batch, _, _ = _shipped_batch(make)
    uri = printed_codes(app, session, batch)[0]
    path = path_of(uri)
    assert 'id="copied"' not in client.get(path).get_data(as_text=True)  # story now cached

    gtin, serial = uri.split("/01/")[1][:14], uri.split("/21/")[1].split("?")[0]
    now = dt.datetime.now(dt.UTC)
    for n in range(5):
        session.add(ScanEvent(gtin=gtin, lot=batch.lot_code, serial=serial, batch_id=batch.id,
                              verdict="genuine", network=f"net{n}",
                              scanned_at=now - dt.timedelta(minutes=n + 1)))
    session.commit()

    assert 'id="copied"' in client.get(path).get_data(as_text=True)


def test_the_cache_is_bounded_and_drops_the_least_recently_used():
    now = [0.0]
    cache = StoryCache(maxsize=3, clock=lambda: now[0])
    for key in "abcd":
        cache.put(key, key.upper(), ttl=30)
    assert len(cache) == 3 and cache.get("a", 30) is None
    assert cache.get("b", 30) == "B"  # b is now the most recently used
    cache.put("e", "E", ttl=30)
    assert cache.get("c", 30) is None and cache.get("b", 30) == "B" and len(cache) == 3
    now[0] = 30
    assert cache.get("b", 30) is None and len(cache) == 2  # expired entries go when read
    cache.put("f", "F", ttl=0)  # a TTL of 0 turns the cache off
    assert cache.get("f", 0) is None and len(cache) == 2


def test_the_pages_cache_stays_within_its_size(app, make, session, client, monkeypatch):
    from freshcircle.platform.trace.pages import story_html as trace

    cache = StoryCache(maxsize=2)
    monkeypatch.setitem(app.extensions, "scan_story_cache", cache)
    for _ in range(3):
        batch, _, _ = _shipped_batch(make, readings=1)
        assert client.get(path_of(printed_codes(app, session, batch)[0])).status_code == 200
    assert len(cache) == 2 and trace.story_cache(app) is cache
