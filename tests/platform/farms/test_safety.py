"""The safety-interval claim (安全间隔期) is made only from input records on the same plot."""

from __future__ import annotations

import datetime as dt

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import InputKind
from tests.platform.page_helpers import element, text
from tests.platform.trace_helpers import path_of, printed_codes

YESTERDAY = today_in_china() - dt.timedelta(days=1)


def _producer(make):
    farmer = make.user()
    return farmer, make.producer(farmer, name="李营家庭农场")


def test_sprays_on_another_plot_do_not_make_a_batch_pass(app, make, login, session, client):
    # Issue 13: sprays recorded on "李营南湖地块1号", spinach registered on "南湖1号地".
    farmer, producer = _producer(make)
    make.farm_input(producer, plot="李营南湖地块1号", applied_on=YESTERDAY - dt.timedelta(days=2),
                    interval_days=7)
    batch = make.batch(producer, plot="南湖1号地", harvest_date=YESTERDAY)

    page = text(login(farmer).get(f"/batches/{batch.id}"))
    safety = element(login(farmer).get(f"/batches/{batch.id}"), "safety")

    assert "该地块无用药记录" in safety
    assert "已过安全间隔期" not in page and "✓" not in safety

    consumer = client.get(path_of(printed_codes(app, session, batch)[0]))
    inputs = element(consumer, "inputs")
    assert "生产者未记录用药" in inputs
    assert "✔" not in inputs and "已过安全间隔期" not in inputs


def test_plot_without_any_input_record_says_so_and_never_passed(app, make, login, session,
                                                                  client):
    farmer, producer = _producer(make)
    batch = make.batch(producer, plot="东地块", harvest_date=YESTERDAY)

    safety = element(login(farmer).get(f"/batches/{batch.id}"), "safety")
    inputs = element(client.get(path_of(printed_codes(app, session, batch)[0])), "inputs")

    assert "该地块无用药记录" in safety and "已过" not in safety
    assert "生产者未记录用药" in inputs and "✔" not in inputs


def test_a_fertiliser_record_alone_is_no_claim_about_pesticides(app, make, login, session,
                                                                client):
    """The demo toon lot's shopper page said 采收前所有用药均已过安全间隔期 from one urea
    record: 用药 means pesticides, and none were recorded."""
    farmer, producer = _producer(make)
    make.farm_input(producer, plot="东地块", applied_on=YESTERDAY - dt.timedelta(days=20),
                    interval_days=0, product_name="尿素", kind=InputKind.FERTILISER)
    batch = make.batch(producer, plot="东地块", harvest_date=YESTERDAY)

    safety = element(login(farmer).get(f"/batches/{batch.id}"), "safety")
    inputs = element(client.get(path_of(printed_codes(app, session, batch)[0])), "inputs")

    assert "该地块无用药记录" in safety and "已过" not in safety
    assert "生产者未记录用药" in inputs and "✔" not in inputs and "尿素" in inputs


def test_inputs_on_the_same_plot_record_with_intervals_over_pass(app, make, login, session,
                                                                 client):
    farmer, producer = _producer(make)
    make.farm_input(producer, plot="东地块", applied_on=YESTERDAY - dt.timedelta(days=20),
                    interval_days=7)
    batch = make.batch(producer, plot="东地块", harvest_date=YESTERDAY)

    safety = element(login(farmer).get(f"/batches/{batch.id}"), "safety")
    inputs = element(client.get(path_of(printed_codes(app, session, batch)[0])), "inputs")

    assert "✓" in safety and "地块“东地块”已过安全间隔期" in safety
    assert "✔" in inputs and "生产者未记录用药" not in inputs


def test_not_passed_is_stated_once_and_sale_has_one_name(make, login):
    farmer, producer = _producer(make)
    batch = make.batch(producer, plot="北大棚", harvest_date=YESTERDAY)
    make.farm_input(producer, plot="北大棚", applied_on=YESTERDAY - dt.timedelta(days=2),
                    interval_days=7, product_name="阿维菌素乳油")

    page = text(login(farmer).get(f"/batches/{batch.id}"))

    assert page.count("安全间隔期未满") == 1
    assert "阿维菌素乳油" in page
    assert "上架" not in page


def test_a_lot_merged_from_two_plots_is_judged_on_their_records(make, login, session):
    """The demo's merged lot (two plots) said 该地块无用药记录 although both plots had spray
    records: a merged lot's claim comes from the lots it was made from."""
    from freshcircle.platform.batches.services import transformations

    farmer, producer = _producer(make)
    product = make.product("Spinach")
    sprayed = YESTERDAY - dt.timedelta(days=20)
    make.farm_input(producer, plot="东地块", applied_on=sprayed, interval_days=7)
    make.farm_input(producer, plot="西地块", applied_on=sprayed, interval_days=7)
    east = make.batch(producer, product=product, plot="东地块", harvest_date=YESTERDAY)
    west = make.batch(producer, product=product, plot="西地块", harvest_date=YESTERDAY)
    bare = make.batch(producer, product=product, plot="北地块", harvest_date=YESTERDAY)
    both = transformations.merge_batches(session, farmer, [{"batch_id": east.id},
                                                           {"batch_id": west.id}])
    session.commit()
    assert "已过安全间隔期" in element(login(farmer).get(f"/batches/{both.id}"), "safety")

    # with a lot from a plot without records, no claim is made for the whole
    mixed = transformations.merge_batches(session, farmer, [{"batch_id": both.id},
                                                            {"batch_id": bare.id}])
    session.commit()
    safety = element(login(farmer).get(f"/batches/{mixed.id}"), "safety")
    assert "无用药记录" in safety and "已过" not in safety

    # a spray whose interval had not passed reaches the merged lot too
    make.farm_input(producer, plot="西地块", applied_on=YESTERDAY - dt.timedelta(days=2),
                    interval_days=7, product_name="阿维菌素乳油")
    safety = element(login(farmer).get(f"/batches/{both.id}"), "safety")
    assert "安全间隔期未满" in safety and "阿维菌素乳油" in safety
