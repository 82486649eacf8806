"""Predicted remaining shelf life from a batch's real temperature history, on the consumer page
and the market listing page (dispatch/services/shelf_life_view.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.dispatch.services.shelf_life_view import predicted_life
from freshcircle.platform.models import Product, ShipmentStatus
from tests.platform.market_helpers import market
from tests.platform.trace_helpers import lot_code_uri, path_of, printed_codes

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def _log(make, shipment, temps, start, step=dt.timedelta(minutes=10)):
    for i, celsius in enumerate(temps):
        make.temperature_reading(shipment, celsius, start + i * step,
                                 sensor_id=f"T-{shipment.id:03d}")


def _spinach_batch(make, harvest_days_ago=1):
    producer = make.producer(make.user())
    return make.batch(producer, harvest_date=NOW.astimezone(CHINA).date()
                      - dt.timedelta(days=harvest_days_ago))


def test_held_in_range_leaves_more_days_than_an_excursion(make, session):
    start = NOW - dt.timedelta(hours=6)
    held, warm = _spinach_batch(make), _spinach_batch(make)
    _log(make, make.shipment(lines=[(held, 1000)]), ["0"] * 31, start)
    # Three hours at 10 °C in the middle of the same five hours: spinach (0 °C, Q10 3) uses
    # three times the life there, about six hours more.
    _log(make, make.shipment(lines=[(warm, 1000)]), ["0"] * 7 + ["10"] * 18 + ["0"] * 6, start)
    session.commit()

    good, bad = predicted_life(session, held, NOW), predicted_life(session, warm, NOW)

    assert good is not None and bad is not None
    assert good.readings == bad.readings == 31
    assert good.days_left > bad.days_left
    lost = good.result.remaining - bad.result.remaining
    assert abs(lost - dt.timedelta(hours=6)) < dt.timedelta(minutes=1)
    assert good.fraction > bad.fraction and not good.expired and not bad.expired
    # Harvest (00:00 China time) to the first reading and the last reading to now are assumed.
    harvest = dt.datetime.combine(held.harvest_date, dt.time(), CHINA)
    assert good.assumed == (start - harvest) + dt.timedelta(hours=1)
    left = dt.timedelta(days=10) - good.assumed - good.result.used  # assumed at 0 °C: 1 h per h
    assert good.days_left == Decimal(int(left / dt.timedelta(days=1) * 10)) / 10


def test_several_shipments_concatenate_and_cancelled_ones_do_not_count(make, session):
    batch = _spinach_batch(make)
    first = make.shipment(lines=[(batch, 1000)])
    second = make.shipment(lines=[(batch, 1000)])
    cancelled = make.shipment(lines=[(batch, 1000)], status=ShipmentStatus.CANCELLED)
    _log(make, second, ["0"] * 4, NOW - dt.timedelta(hours=2))
    _log(make, first, ["0"] * 4, NOW - dt.timedelta(hours=5))
    _log(make, cancelled, ["20"] * 4, NOW - dt.timedelta(hours=4))
    session.commit()

    life = predicted_life(session, batch, NOW)

    assert life.readings == 8 and len(life.gaps) == 1  # the 2.5 h between the two legs


def test_chilling_injury_is_reported(make, session):
    producer = make.producer(make.user())
    batch = make.batch(producer, product=make.product("Eggplant"))
    _log(make, make.shipment(lines=[(batch, 1000)]), ["11"] * 3 + ["5"] * 13 + ["11"] * 3,
         NOW - dt.timedelta(hours=4))
    session.commit()

    life = predicted_life(session, batch, NOW)

    assert life.injuries and life.injury_hours == Decimal("2.1") and life.injury_lowest_c == 5.0


def test_two_loggers_age_the_load_at_the_warmer_one(make, session):
    start = NOW - dt.timedelta(hours=6)
    warm_only, both = _spinach_batch(make), _spinach_batch(make)
    _log(make, make.shipment(lines=[(warm_only, 1000)]), ["8"] * 31, start)
    two = make.shipment(lines=[(both, 1000)])
    for i in range(31):  # the front logger at 0 °C, the one by the doors at 8 °C, 5 min later
        make.temperature_reading(two, "0", start + i * dt.timedelta(minutes=10), "front")
        make.temperature_reading(two, "8", start + i * dt.timedelta(minutes=10)
                                 + dt.timedelta(minutes=5), "doors")
    session.commit()

    alone, combined = predicted_life(session, warm_only, NOW), predicted_life(session, both, NOW)

    assert combined.readings == 62
    # Aged as the warm corner was, not as the average of the two loggers.
    assert abs(alone.result.remaining - combined.result.remaining) < dt.timedelta(minutes=30)


def test_a_cold_corner_injures_though_the_other_logger_reads_fine(make, session):
    producer = make.producer(make.user())
    batch = make.batch(producer, product=make.product("Eggplant"))  # 10-12 °C, chilling
    shipment = make.shipment(lines=[(batch, 1000)])
    start = NOW - dt.timedelta(hours=4)
    for i in range(19):
        make.temperature_reading(shipment, "11", start + i * dt.timedelta(minutes=10), "middle")
        make.temperature_reading(shipment, "5" if 3 <= i < 16 else "11",
                                 start + i * dt.timedelta(minutes=10)
                                 + dt.timedelta(minutes=5), "floor")
    session.commit()

    life = predicted_life(session, batch, NOW)

    # The life is used at the warmer logger, but the floor's chill is still an injury.
    assert life.injuries and life.injury_lowest_c == 5.0


def test_product_without_a_q10_or_missing_from_the_table_shows_nothing(make, session, client):
    producer = make.producer(make.user())
    eggs = make.batch(producer, product=make.product("Eggs (shell)"))
    odd = Product(name_en="Dragon fruit (test only)", name_zh="火龙果", category="fruit",
                  temp_class="cool_10_13", temp_min_c=Decimal("10"), temp_max_c=Decimal("12"),
                  storage_life_days=14)
    session.add(odd)
    session.flush()
    missing = make.batch(producer, product=odd)
    _log(make, make.shipment(lines=[(eggs, 10), (missing, 10)]), ["2"] * 3, NOW)
    session.commit()

    assert predicted_life(session, eggs, NOW) is None
    assert predicted_life(session, missing, NOW) is None
    page = client.get(path_of(lot_code_uri(client.application, session, missing)))
    assert page.status_code == 200
    assert "预计剩余保鲜期" not in page.get_data(as_text=True)


def test_consumer_page_shows_the_line_in_both_languages(app, make, session, client):
    batch = _spinach_batch(make)
    _log(make, make.shipment(lines=[(batch, 1000)]), ["0"] * 13, NOW - dt.timedelta(hours=3))
    uri = printed_codes(app, session, batch)[0]
    days = predicted_life(session, batch, dt.datetime.now(dt.UTC)).days_left

    page = client.get(path_of(uri)).get_data(as_text=True)

    assert "预计剩余保鲜期：约" in page and "天（按实际温度记录计算）" in page
    assert f"约 {days} 天" in page or f"约 {days - Decimal('0.1')} 天" in page
    assert "没有温度记录" in page  # the assumed part is said to be assumed
    english = client.get(path_of(uri) + "&lang=en").get_data(as_text=True)
    assert "Predicted remaining shelf life: about" in english
    assert "calculated from the actual temperature records" in english


def test_consumer_page_warns_when_the_life_is_used_up(app, make, session, client):
    batch = _spinach_batch(make, harvest_days_ago=12)  # spinach keeps 10 days at 0 °C
    _log(make, make.shipment(lines=[(batch, 1000)]), ["0"] * 3, NOW - dt.timedelta(hours=1))
    uri = printed_codes(app, session, batch)[0]

    page = client.get(path_of(uri)).get_data(as_text=True)

    assert "已超过预计保鲜期" in page and "预计剩余保鲜期" not in page


def test_listing_page_shows_the_line(make, login, session):
    setup = market(make, session)
    batch = setup.listing.batch
    _log(make, make.shipment(lines=[(batch, 1000)]), ["3"] * 7, NOW - dt.timedelta(hours=2))
    session.commit()

    page = login(setup.buyer).get(f"/market/listings/{setup.listing.id}")

    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="shelf-life"' in body
    assert "预计剩余保鲜期：约" in body and "（按实际温度记录计算）" in body
