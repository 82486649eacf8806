"""The cold-chain chart's SVG: the same drawing is the same bytes (so a kept page and its ETag
stay valid across processes and restarts), two drawings on one page never share an id, and
the markup carries no more precision than a screen can show."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from freshcircle.platform.trace.pages.chart import _chart, cold_chain_svg
from freshcircle.platform.trace.services.consumer_story import ColdChain

START = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)
LABELS = dict(readings_label="温度", band_label="约定温度", excursion_label="超出允许范围")


def _chain(celsius: list[str], band=(Decimal("0"), Decimal("4"))) -> ColdChain:
    readings = [(START + dt.timedelta(minutes=10 * n), Decimal(c), "logger-1")
                for n, c in enumerate(celsius)]
    values = [r[1] for r in readings]
    return ColdChain(readings, len(readings), min(values), max(values), band, [])


def _fresh(chain: ColdChain) -> str:
    """Drawn now, not taken from this process's chart cache (as another process would)."""
    _chart.cache_clear()
    return str(cold_chain_svg(chain, **LABELS))


def test_the_same_readings_draw_the_same_bytes_in_any_process():
    chain = _chain(["1.2", "2.5", "3.1", "6.4", "2.0"])
    assert _fresh(chain) == _fresh(chain)


def test_two_shipments_charts_on_one_page_have_ids_of_their_own():
    first = _fresh(_chain(["1.2", "2.5", "3.1"]))
    second = _fresh(_chain(["1.2", "2.5", "3.2"]))
    ids = [re.search(r'<svg[^>]* id="([^"]+)"', svg)[1] for svg in (first, second)]
    assert ids[0] != ids[1]
    # Each chart's style rules are scoped to its own id, never to the other's.
    assert f"#{ids[0]} " in first and f"#{ids[1]}" not in first


def test_coordinates_keep_one_decimal_and_the_excursion_is_still_drawn():
    svg = _fresh(_chain(["1.2", "2.5", "3.1", "6.4", "2.0"]))
    geometry = re.findall(r' (?:d|x|y|cx|cy|transform)="([^"]*)"', svg)
    assert geometry and not any(re.search(r"\d\.\d\d", value) for value in geometry)
    assert len(re.findall(r"<circle", svg)) == 1  # the one reading above 4 °C, as a red dot
