"""FSMA 204 KDE rows: each critical tracking event fills the columns an FDA request asks for."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pytest

from freshcircle.traceability import cbv_labels
from freshcircle.traceability.epcis import (
    OBSERVE,
    BizTransaction,
    Location,
    ObjectEvent,
    Party,
    Quantity,
    TransformationEvent,
    build_event,
)
from freshcircle.traceability.epcis_vocab import load_schema_file
from freshcircle.traceability.fsma import COLUMNS, KEYS, cte_label, kde_rows
from tests.traceability.epcis_samples import (
    ALL,
    CONFIG,
    GTIN,
    LOT,
    PACK_GTIN,
    PACKHOUSE_GLN,
    PACKS,
    T0,
    cooling,
    harvest,
    split,
)

FARM = CONFIG.location("9520123000017")
PACKHOUSE = CONFIG.location(PACKHOUSE_GLN)
HUB = CONFIG.local_id("place", "1")
SHANGHAI = CONFIG.local_id("place", "7")


def _rows(*makers, **kwargs):
    return kde_rows([build_event(m(), CONFIG) for m in makers], **kwargs)


def _shipment(step="shipping", lots=(("L-A", "30"), ("L-B", "12.5"))):
    """Shipping or receiving as the platform records it, here with two lots on one event."""
    return ObjectEvent(
        event_time=T0 + timedelta(days=1), action=OBSERVE, biz_step=step,
        disposition="in_transit" if step == "shipping" else "in_progress",
        quantities=tuple(Quantity(GTIN, lot, Decimal(kg)) for lot, kg in lots),
        read_point=Location(uri=HUB if step == "shipping" else SHANGHAI),
        biz_transactions=(BizTransaction(CONFIG.local_id("shipment", "42"), "bol"),),
        sources=(Party(HUB, "location"),), destinations=(Party(SHANGHAI, "location"),))


def _merge():
    """Two lots washed and cut into one new lot."""
    return TransformationEvent(
        event_time=T0 + timedelta(hours=30), biz_step="repackaging", disposition="active",
        inputs=(Quantity(GTIN, "lot A", Decimal(12)), Quantity(GTIN, "lot B", Decimal(3))),
        outputs=(Quantity(PACK_GTIN, "CUT-1", Decimal("14.2")),),
        biz_location=Location(PACKHOUSE_GLN))


def test_columns_have_unique_keys_and_both_headers():
    assert len(set(KEYS)) == len(COLUMNS) >= 25
    assert all(c.en and c.zh for c in COLUMNS)
    assert {"event_time", "cte", "tlc", "gtin", "product", "quantity", "unit", "ship_from",
            "ship_to", "tlc_source", "harvest_date", "field", "farm", "cooling_location",
            "cooling_time", "input_lots", "output_quantity", "ref_doc_type", "ref_doc_number",
            "disposition", "event_id"} <= set(KEYS)


def test_harvesting_row_holds_the_lot_master_data():
    [row] = _rows(harvest)

    assert row["cte"] == "Harvesting"
    assert row["event_time"] == "2025-03-08T06:30:00.000+08:00"
    assert (row["tlc"], row["gtin"]) == (LOT, GTIN)
    assert row["product"] == "菠菜, 大叶菠菜"
    assert (row["quantity"], row["unit"]) == (Decimal("120.5"), "kg")
    assert isinstance(row["quantity"], Decimal)
    assert row["harvest_date"] == "2025-03-08"
    assert (row["farm"], row["field"]) == ("太和县绿源合作社", "东一块 / P-03")
    assert row["biz_location"] == row["tlc_source"] == FARM
    assert row["event_id"].startswith("ni:///sha-256;")
    assert set(row) == set(KEYS)


def test_cooling_row_says_where_and_when_and_keeps_the_harvest_data():
    rows = _rows(harvest, cooling)

    assert [r["cte"] for r in rows] == ["Harvesting", "Cooling"]
    cooled = rows[1]
    assert cooled["cooling_location"] == PACKHOUSE
    assert cooled["cooling_time"] == "2025-03-08T09:30:00.000+08:00" == cooled["event_time"]
    assert (cooled["harvest_date"], cooled["farm"]) == ("2025-03-08", "太和县绿源合作社")
    assert rows[0]["cooling_location"] == ""  # the harvest row is not a cooling record


def test_initial_packing_gives_one_row_per_new_lot_with_harvest_and_cooling_data():
    rows = [r for r in _rows(harvest, cooling, split) if r["cte"] == "Initial packing"]

    assert [r["tlc"] for r in rows] == list(PACKS)
    for row in rows:
        assert row["gtin"] == PACK_GTIN
        assert row["input_lots"] == f"{LOT}: 120.5 kg"
        assert (row["quantity"], row["output_quantity"]) == (Decimal(40), Decimal(120))
        assert row["tlc_source"] == PACKHOUSE
        assert row["product"] == "菠菜, 大叶菠菜"  # inherited from the harvested lot
        assert row["cooling_location"] == PACKHOUSE
        assert row["cooling_time"] == "2025-03-08T09:30:00.000+08:00"


def test_transformation_lists_every_input_lot_with_its_quantity():
    [row] = _rows(_merge)

    assert row["cte"] == "Transformation"
    assert row["input_lots"] == "lot A: 12 kg; lot B: 3 kg"
    assert (row["tlc"], row["quantity"], row["output_quantity"]) == (
        "CUT-1", Decimal("14.2"), Decimal("14.2"))
    assert row["biz_location"] == row["tlc_source"] == PACKHOUSE


def test_a_shipping_event_with_two_lots_gives_one_row_per_lot():
    rows = _rows(_shipment)

    assert [(r["tlc"], r["quantity"]) for r in rows] == [("L-A", Decimal(30)),
                                                        ("L-B", Decimal("12.5"))]
    for row in rows:
        assert row["cte"] == "Shipping"
        assert (row["ship_from"], row["ship_to"]) == (HUB, SHANGHAI)
        assert (row["ref_doc_type"], row["ref_doc_number"]) == (
            "bol", CONFIG.local_id("shipment", "42"))
        assert row["disposition"] == "in_transit"
    assert rows[0]["event_id"] == rows[1]["event_id"]


def test_receiving_and_the_description_callback_for_lots_without_ilmd():
    asked = []

    def describe(gtin, lot):
        asked.append((gtin, lot))
        return "香椿芽 500g"

    rows = _rows(lambda: _shipment("receiving", (("L-A", "30"),)), describe=describe)

    assert rows[0]["cte"] == "Receiving"
    assert rows[0]["product"] == "香椿芽 500g"
    assert asked == [(GTIN, "L-A")]
    assert _rows(harvest, describe=describe)[0]["product"] == "菠菜, 大叶菠菜"


@pytest.mark.parametrize("step, cte", [
    ("shipping", "Shipping"),
    ("https://ref.gs1.org/cbv/BizStep-shipping", "Shipping"),
    ("urn:epcglobal:cbv:bizstep:receiving", "Receiving"),
    ("https://id.freshcircle.cn/voc/BizStep-cooling", "Cooling"),
    ("https://id.freshcircle.cn/voc/BizStep-washing",
     "Other (https://id.freshcircle.cn/voc/BizStep-washing)"),
    ("holding", "Other (holding)"),
])
def test_biz_step_spellings_map_to_the_critical_tracking_event(step, cte):
    event = build_event(_shipment(), CONFIG) | {"bizStep": step}
    assert {r["cte"] for r in kde_rows([event])} == {cte}


def test_rows_come_sorted_by_time_and_the_time_text_sorts_the_same_way():
    events = [build_event(m(), CONFIG) for m in ALL]
    random.Random(7).shuffle(events)
    utc = {**build_event(_merge(), CONFIG), "eventTime": "2025-03-07T23:00:00.000Z"}

    rows = kde_rows([*events, utc])

    times = [r["event_time"] for r in rows]
    assert times == sorted(times)
    assert rows[0]["cte"] == "Harvesting"
    # 23:00Z is 07:00 in Shanghai: after the 06:30 harvest, shown in the recorded offset
    assert rows[1]["event_time"] == "2025-03-08T07:00:00.000+08:00"


def test_lot_codes_with_reserved_characters_come_back_decoded():
    lot = "TH/25 08&A"
    event = ObjectEvent(event_time=T0, action=OBSERVE, biz_step="shipping",
                        quantities=(Quantity(GTIN, lot, 5),))
    assert kde_rows([build_event(event, CONFIG)])[0]["tlc"] == lot


def test_official_transformation_example_reads_epc_urns_and_counts():
    doc = load_schema_file("examples/Example_9.6.4-TransformationEvent.jsonld")
    rows = kde_rows(doc["epcisBody"]["eventList"])

    assert len(rows) == 4 and {r["cte"] for r in rows} == {"Transformation"}
    assert rows[0]["event_time"] == "2013-10-31T16:58:56.591+02:00"
    assert rows[0]["gtin"] == "04012345778892"
    # a quantity with no uom is a count of items, not kilograms
    assert rows[0]["input_lots"].startswith("4444: 10 kg; 987: 30; ")


def test_official_shipping_example_without_lots_still_gives_rows():
    doc = load_schema_file("examples/Example_9.6.1-ObjectEventWithDigitalLink.jsonld")
    rows = kde_rows(doc["epcisBody"]["eventList"])

    assert [r["cte"] for r in rows] == ["Shipping", "Shipping", "Receiving"]
    assert rows[2]["ref_doc_type"] == "po; desadv"
    assert rows[0]["tlc"] == "" and rows[0]["gtin"] == "70614141123451"
    assert rows[0]["ship_from"] == "urn:epc:id:sgln:0614141.07346.1234"  # its read point


def test_cte_label_in_chinese():
    assert cte_label("Initial packing", "zh") == "初次包装"
    # issue 13: the export said 其他（inspecting）; every code a reader sees is in words
    assert cte_label("Other (inspecting)", "zh") == "其他（检验）"
    assert cte_label("Other (holding)", "zh") == "其他（暂扣）"
    assert cte_label("Other (partner_step)", "zh") == "其他（partner_step）"  # unknown: as is
    assert cte_label("Shipping", "en") == "Shipping"
    assert cte_label("Other (retail_selling)", "en") == "Other (retail selling)"


def test_cbv_codes_in_words():
    assert cbv_labels.disposition("conformant", "zh") == "合格"
    assert cbv_labels.disposition("non_conformant", "en") == "non-conformant"
    assert cbv_labels.transaction_types("testres; po", "zh") == "检测结果; 采购订单"
    assert cbv_labels.biz_step("inspecting", "en") == "inspecting"
