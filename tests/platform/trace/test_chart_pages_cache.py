"""The scan page's chart cache never hides a change: the view after the story cache's TTL
shows what was added (a recall or hold shows on the very next view)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from freshcircle.platform.models import BatchStatus
from tests.platform.trace_helpers import path_of, printed_codes


def _without_nonce(page: str) -> str:
    return re.sub(r'nonce="[^"]+"', 'nonce=""', page)


def _shipped_batch(make, readings: int = 6):
    """A batch (spinach, kept at 0 °C) on one shipment with `readings` in the band."""
    batch = make.batch(make.producer(make.user()))
    shipment = make.shipment(lines=[(batch, 10_000)])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=4)
    for minute in range(0, readings * 10, 10):
        make.temperature_reading(shipment, "0", start + dt.timedelta(minutes=minute))
    return batch, shipment, start


def test_new_readings_after_a_cached_view_show_once_the_story_expires(app, make, session, client,
                                                                     monkeypatch):
    from freshcircle.platform.trace.pages.story_html import story_cache

    now = [1000.0]
    monkeypatch.setattr(story_cache(app), "clock", lambda: now[0])
    batch, shipment, start = _shipped_batch(make)
    path = path_of(printed_codes(app, session, batch)[0])
    first = client.get(path).get_data(as_text=True)
    assert "温度读数 6 条" in first and "全程温度保持在允许范围内" in first
    assert "超出允许范围" not in first

    for minute in range(60, 110, 10):  # 40 minutes at 9 °C, then back in the band
        make.temperature_reading(shipment, "9" if minute < 100 else "0",
                                 start + dt.timedelta(minutes=minute))
    session.commit()
    # The story is still cached; each response has a CSP nonce of its own for the chart.
    response = client.get(path)
    again = response.get_data(as_text=True)
    assert _without_nonce(again) == _without_nonce(first) and again != first
    # The kept chart's style element carries this response's nonce, so the browser applies it.
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}"' in again
    now[0] += app.config["SCAN_STORY_CACHE_SECONDS"]
    second = client.get(path).get_data(as_text=True)

    assert "温度读数 11 条" in second and "温度过高" in second
    assert "超出允许范围" in second  # the chart was drawn again, with the red dots
    assert second.count("<svg") == first.count("<svg") == 1


def test_recall_after_a_cached_view_shows_the_banner_on_the_next_view(app, make, session,
                                                                       client):
    batch, _, _ = _shipped_batch(make)
    path = path_of(printed_codes(app, session, batch)[0])
    assert 'id="recall"' not in client.get(path).get_data(as_text=True)

    batch.status, batch.status_reason = BatchStatus.RECALLED, "农残超标"
    session.commit()
    page = client.get(path).get_data(as_text=True)

    assert 'id="recall"' in page and "已召回" in page and "农残超标" in page


def test_a_changed_band_or_language_draws_another_chart(app):
    from freshcircle.platform.trace.pages.chart import cold_chain_svg
    from freshcircle.platform.trace.services.consumer_story import ColdChain

    start = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    readings = [(start + dt.timedelta(minutes=10 * i), Decimal("3"), "T-1") for i in range(6)]

    def chart(band, label="温度"):
        chain = ColdChain(readings, 6, Decimal("3"), Decimal("3"), band, [])
        return str(cold_chain_svg(chain, readings_label=label, band_label="允许范围",
                                  excursion_label="超出允许范围"))

    with app.test_request_context():
        in_band = chart((Decimal("0"), Decimal("5")))
        too_warm = chart((Decimal("0"), Decimal("2")))
        english = chart((Decimal("0"), Decimal("5")), "Temperature")

    assert "超出允许范围" not in in_band and "超出允许范围" in too_warm
    assert "Temperature" in english and "温度" not in english
