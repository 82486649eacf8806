"""EPCIS 2.0 events: built output passes the official schema; the event hash is the CBV one."""

from __future__ import annotations

import copy
import dataclasses
import json
from decimal import Decimal

import pytest
from jsonschema import Draft7Validator

from freshcircle.traceability import epcis_validation
from freshcircle.traceability.epcis import (
    ADD,
    OBSERVE,
    EpcisConfig,
    LotMasterData,
    ObjectEvent,
    Quantity,
    build_document,
    build_event,
    event_payload,
)
from freshcircle.traceability.epcis_hash import (
    document_event_hashes,
    event_hash,
    normalise_timestamp,
    prehash_string,
)
from freshcircle.traceability.epcis_identifiers import canonical_identifier
from freshcircle.traceability.epcis_validation import (
    validate_document,
    validate_event,
    validate_events,
)
from freshcircle.traceability.epcis_vocab import load_schema_file, schema_resource
from tests.traceability.epcis_samples import (
    ALL,
    CONFIG,
    GTIN,
    LOT,
    T0,
    cooling,
    harvest,
    shipping,
    split,
)

EXAMPLES = sorted(p.name for p in schema_resource("examples").iterdir())


def _doc(*events):
    return build_document([e() for e in events] if events else [e() for e in ALL], CONFIG,
                          creation_date=T0, document_id="https://id.freshcircle.test/doc/1")


@pytest.mark.parametrize("make", ALL, ids=lambda f: f.__name__)
def test_each_built_event_passes_the_official_schema_with_format_checks(make):
    event = build_event(make(), CONFIG)
    assert validate_event(event) == []
    report = validate_document(build_document([make()], CONFIG, creation_date=T0))
    assert report.ok, report.messages()


def test_the_inlined_official_schema_agrees_on_the_whole_document():
    inlined = load_schema_file("EPCIS-JSON-Schema.json")
    validator = Draft7Validator(inlined, format_checker=Draft7Validator.FORMAT_CHECKER)
    assert list(validator.iter_errors(_doc())) == []


def test_document_wrapper_and_event_shape():
    doc = _doc(harvest, cooling)
    assert doc["@context"] == ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                               {"fc": "https://id.freshcircle.test/voc/"}]
    assert (doc["type"], doc["schemaVersion"]) == ("EPCISDocument", "2.0")
    assert doc["creationDate"] == "2025-03-08T06:30:00.000+08:00"
    first, second = doc["epcisBody"]["eventList"]
    assert first["eventTimeZoneOffset"] == "+08:00"
    assert first["bizStep"] == "https://id.freshcircle.test/voc/BizStep-harvesting"
    assert second["bizStep"] == "https://id.freshcircle.test/voc/BizStep-cooling"
    assert first["quantityList"] == [{
        "epcClass": f"https://id.freshcircle.test/01/{GTIN}/10/{LOT}",
        "quantity": 120.5, "uom": "KGM"}]
    assert first["ilmd"]["fc:harvestDate"] == "2025-03-08"
    assert first["ilmd"]["fc:variety"] == "大叶菠菜"
    assert first["readPoint"] == {"id": "https://id.freshcircle.test/414/9520123000017/254/3"}
    reports = second["sensorElementList"][0]["sensorReport"]
    assert reports[0] == {"type": "gs1:Temperature", "minValue": 1.5, "maxValue": 9.0,
                          "meanValue": 3.2, "uom": "CEL"}
    assert reports[1]["exception"] == "ALARM_CONDITION"
    assert reports[1]["value"] == 9
    assert second["sensorElementList"][0]["sensorMetadata"]["deviceID"].startswith("urn:epc:id")


def test_split_puts_input_and_output_quantities_and_ilmd_on_the_transformation():
    event = build_event(split(), CONFIG)
    assert event["inputQuantityList"][0]["quantity"] == 120.5
    assert [q["epcClass"].rsplit("/", 1)[1] for q in event["outputQuantityList"]] == [
        "TH250308A-1", "TH250308A-2", "TH250308A-3"]
    assert event["ilmd"] == {"fc:harvestDate": "2025-03-08", "fc:packDate": "2025-03-08"}
    assert "action" not in event


def test_shipping_lists_sources_destinations_and_the_order():
    event = build_event(shipping(), CONFIG)
    assert event["bizTransactionList"] == [
        {"type": "po", "bizTransaction": "https://id.freshcircle.test/po/PO-2025-0042"}]
    assert {d["type"] for d in event["destinationList"]} == {"owning_party", "possessing_party"}
    assert event["sourceList"][1]["type"] == "location"


@pytest.mark.parametrize("name", EXAMPLES)
def test_bundled_official_examples_are_accepted(name):
    report = validate_document(load_schema_file(f"examples/{name}"))
    assert report.ok, report.messages()


def test_bare_harvesting_bizstep_is_rejected_and_would_slip_through_without_format_checks():
    doc = _doc(harvest)
    doc["epcisBody"]["eventList"][0]["bizStep"] = "harvesting"
    report = validate_document(doc)
    assert list(report.event_errors) == [0]
    assert report.event_errors[0][0].startswith("$.bizStep: ")
    assert "'harvesting' is not a valid uri" in report.event_errors[0][0]
    lax = Draft7Validator(epcis_validation.document_validator().schema,
                          registry=epcis_validation.schema_registry())
    assert list(lax.iter_errors(doc)) == []  # why the format checker and rfc3987 are required


def test_missing_time_zone_offset_is_rejected():
    event = build_event(harvest(), CONFIG)
    del event["eventTimeZoneOffset"]
    assert validate_event(event) == ["$: 'eventTimeZoneOffset' is a required property"]


def test_ilmd_on_an_observe_object_event_is_rejected_by_the_official_schema():
    event = build_event(harvest(), CONFIG)
    event["action"] = OBSERVE
    messages = validate_event(event)
    assert messages == ["$: matches none of the allowed forms: ilmd is only allowed on ADD "
                        "ObjectEvents and TransformationEvents"]
    with pytest.raises(ValueError, match="ilmd is only allowed"):
        event_payload(dataclasses.replace(harvest(), action=OBSERVE), CONFIG)


def test_bad_event_time_and_offset_are_rejected():
    event = build_event(cooling(), CONFIG)
    event["eventTime"] = "yesterday"
    event["eventTimeZoneOffset"] = "+8:00"
    messages = validate_event(event)
    assert messages[0] == "$.eventTime: 'yesterday' is not a valid date-time"
    assert messages[1].startswith("$.eventTimeZoneOffset: '+8:00' does not match")


def test_errors_are_collected_per_event_not_just_the_first():
    doc = _doc(harvest, cooling, split)
    events = doc["epcisBody"]["eventList"]
    events[0]["bizStep"] = "harvesting"
    del events[0]["eventTimeZoneOffset"]
    events[2]["disposition"] = "fresh"
    doc["schemaVersion"] = "two"
    report = validate_document(doc)
    assert sorted(report.event_errors) == [0, 2]
    assert len(report.event_errors[0]) == 2
    assert report.event_errors[2][0].startswith("$.disposition: ")
    assert len(report.document_errors) == 1
    assert report.document_errors[0].startswith("$.schemaVersion: 'two' does not match")
    assert validate_events(events) == report.event_errors
    assert not report.ok and len(report.messages()) == 4


def test_builder_refuses_unknown_vocabulary_and_naive_times():
    with pytest.raises(ValueError, match="unknown bizStep"):
        build_event(dataclasses.replace(harvest(), biz_step="picking_apples"), CONFIG)
    with pytest.raises(ValueError, match="unknown disposition"):
        build_event(dataclasses.replace(harvest(), disposition="fresh"), CONFIG)
    with pytest.raises(ValueError, match="timezone-aware"):
        build_event(dataclasses.replace(harvest(), event_time=T0.replace(tzinfo=None)), CONFIG)


def test_sgln_location_style():
    config = EpcisConfig(domain="id.freshcircle.test", location_style="sgln")
    event = build_event(harvest(), config)
    assert event["readPoint"] == {"id": "urn:epc:id:sgln:9520123.00001.3"}
    assert validate_event(event) == []


# --- event hash -------------------------------------------------------------------------------

# Hashes of the bundled GS1 examples as computed by the GS1 reference implementation
# (epcis-event-hash-generator 1.9.3); the eventIDs printed inside the examples are not these.
REFERENCE_HASHES = {
    "Example_9.6.1-ObjectEvent.jsonld": [
        "df6523665bc5e5803d6c7b84f5a04e103694d8220f2abc4f2c74310e89f31bc6",
        "32547b2344d525ea60ab1b899d82a9011fd9c39bb26ed936e113066146f49941"],
    "Example_9.6.1-ObjectEventWithDigitalLink.jsonld": [
        "d3b08a0fc053bb7dc4065fe2664c18886e2f729abd1221520beffb55831da327",
        "4edc29e1e6848aa19422f37f8dae23bf0865378b0953d83aa1062e6c86131ea6"],
    "Example_9.6.3-AggregationEvent.jsonld": [
        "96b6bf98742a60dbfaa2dda08b63435ce67079d224ea27d63e55e62a7843b878"],
    "Example_9.6.4-TransformationEvent.jsonld": [
        "c794227acf3a4d9be9ba1f8340425782f88a0f4e3f35b533a8bf8f1bc206a379"],
    "SensorDataExample2.jsonld": [
        "45a15b4a53f34e18dbb331bcc291c51ccefe5313fd7567a92ab2536deba59598"],
}


@pytest.mark.parametrize("name", EXAMPLES)
def test_hashes_of_official_examples_match_the_reference_implementation(name):
    expected = [f"ni:///sha-256;{h}?ver=CBV2.0" for h in REFERENCE_HASHES[name]]
    assert document_event_hashes(load_schema_file(f"examples/{name}")) == expected


def test_prehash_string_of_the_aggregation_example():
    doc = load_schema_file("examples/Example_9.6.3-AggregationEvent.jsonld")
    prefixes = {"example": "http://ns.example.com/epcis/"}
    assert prehash_string(doc["epcisBody"]["eventList"][0], prefixes) == (
        "eventType=AggregationEventeventTime=2013-06-08T14:58:56.591ZeventTimeZoneOffset=+02:00"
        "parentID=https://id.gs1.org/00/106141412345678908childEPCsepc=https://id.gs1.org/01/"
        "10614141073464/21/2017epc=https://id.gs1.org/01/10614141073464/21/2018"
        "childQuantityListquantityElementepcClass=https://id.gs1.org/01/04012345123456/10/998877"
        "quantity=200.5uom=KGMquantityElementepcClass=https://id.gs1.org/01/04012345987652"
        "quantity=10action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-receiving"
        "disposition=https://ref.gs1.org/cbv/Disp-in_progressreadPointid=https://id.gs1.org/414/"
        "0614141007776bizLocationid=https://id.gs1.org/414/0614141008889"
        "{http://ns.example.com/epcis/}myField=Example of a vendor/user extension")


def test_event_id_is_the_hash_and_is_stable():
    first, second = build_event(harvest(), CONFIG), build_event(harvest(), CONFIG)
    assert first["eventID"] == second["eventID"]
    assert first["eventID"].startswith("ni:///sha-256;")
    assert first["eventID"].endswith("?ver=CBV2.0")
    payload = {k: v for k, v in first.items() if k != "eventID"}
    assert event_hash(payload, CONFIG.prefixes) == first["eventID"]
    assert event_hash(first, CONFIG.prefixes) == first["eventID"]  # eventID is not hashed


@pytest.mark.parametrize("change", [
    lambda e: e.__setitem__("eventTime", "2025-03-08T06:30:00.001+08:00"),
    lambda e: e["quantityList"][0].__setitem__("quantity", 120.6),
    lambda e: e["quantityList"][0].__setitem__("epcClass", e["quantityList"][0]["epcClass"] + "B"),
    lambda e: e.__setitem__("disposition", "in_progress"),
    lambda e: e["ilmd"].__setitem__("fc:plot", "P-04"),
    lambda e: e["ilmd"].pop("fc:variety"),
    lambda e: e["readPoint"].__setitem__("id", e["bizLocation"]["id"]),
    lambda e: e.__setitem__("fc:note", "added field"),
], ids=["time", "quantity", "lot", "disposition", "ilmd", "ilmd-removed", "readPoint", "added"])
def test_any_change_changes_the_hash(change):
    event = build_event(harvest(), CONFIG)
    changed = copy.deepcopy(event)
    change(changed)
    assert event_hash(changed, CONFIG.prefixes) != event["eventID"]


def test_sensor_value_change_changes_the_hash():
    event = build_event(cooling(), CONFIG)
    event["sensorElementList"][0]["sensorReport"][1]["value"] = 9.1
    assert event_hash(event, CONFIG.prefixes) != build_event(cooling(), CONFIG)["eventID"]


def _reversed(value):
    if isinstance(value, dict):
        return {k: _reversed(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed(v) for v in reversed(value)]
    return value


@pytest.mark.parametrize("make", ALL, ids=lambda f: f.__name__)
def test_field_and_list_order_do_not_change_the_hash(make):
    event = build_event(make(), CONFIG)
    shuffled = json.loads(json.dumps(_reversed(event)))
    assert list(shuffled) != list(event)
    assert event_hash(shuffled, CONFIG.prefixes) == event["eventID"]


def test_equivalent_spellings_hash_alike():
    event = build_event(cooling(), CONFIG)
    same = copy.deepcopy(event)
    same["eventTime"] = "2025-03-08T01:30:00Z"  # same instant in UTC, no milliseconds
    same["quantityList"][0]["quantity"] = Decimal("120.500")
    same["bizStep"] = "fc:BizStep-cooling"  # CURIE of the same URI
    same["sensorElementList"][0]["sensorReport"][0]["type"] = "Temperature"
    assert event_hash(same, CONFIG.prefixes) == event["eventID"]


def test_timestamps_round_half_up_to_milliseconds_in_utc():
    assert normalise_timestamp("2023-01-18T11:04:03.1415Z") == "2023-01-18T11:04:03.142Z"
    assert normalise_timestamp("2023-01-18T11:04:03.1225+08:00") == "2023-01-18T03:04:03.123Z"
    assert normalise_timestamp("2023-12-31T23:59:59.9996-01:00") == "2024-01-01T01:00:00.000Z"
    assert normalise_timestamp("2005-04-03T20:33:31.116000-06:00") == "2005-04-04T02:33:31.116Z"


@pytest.mark.parametrize(("value", "expected"), [
    ("urn:epc:id:sgtin:0614141.107346.2017", "https://id.gs1.org/01/10614141073464/21/2017"),
    ("urn:epc:class:lgtin:4012345.011111.4444", "https://id.gs1.org/01/04012345111118/10/4444"),
    ("urn:epc:idpat:sgtin:4012345.066666.*", "https://id.gs1.org/01/04012345666663"),
    ("urn:epc:id:sscc:0614141.1234567890", "https://id.gs1.org/00/106141412345678908"),
    ("urn:epc:id:sgln:0012345.11111.0", "https://id.gs1.org/414/0012345111112"),
    ("urn:epc:id:sgln:0614141.07346.1234", "https://id.gs1.org/414/0614141073467/254/1234"),
    ("urn:epc:id:pgln:5200001.00000", "https://id.gs1.org/417/5200001000008"),
    ("urn:epc:id:grai:4012345.00077.8765", "https://id.gs1.org/8003/040123450007718765"),
    ("https://id.freshcircle.test/01/6901234567892/22/A/10/L1?17=250310",
     "https://id.gs1.org/01/06901234567892/10/L1"),
    ("https://id.freshcircle.test/01/06901234567892/10/L1/21/S9",
     "https://id.gs1.org/01/06901234567892/21/S9"),
    ("https://id.freshcircle.test/buyer/17", "https://id.freshcircle.test/buyer/17"),
    ("https://example.com/01/2023/report", "https://example.com/01/2023/report"),
])
def test_identifiers_become_constrained_canonical_digital_links(value, expected):
    assert canonical_identifier(value) == expected


def test_capture_is_idempotent_by_event_id():
    events = [build_event(make(), CONFIG) for make in ALL] + [build_event(harvest(), CONFIG)]
    assert len({e["eventID"] for e in events}) == len(ALL)


def test_ilmd_lot_master_data_and_quantity_are_optional():
    event = ObjectEvent(event_time=T0, action=ADD, biz_step="commissioning",
                        quantities=(Quantity(GTIN),), ilmd=LotMasterData(variety="五月慢"))
    built = build_event(event, CONFIG)
    assert built["quantityList"] == [{"epcClass": f"https://id.freshcircle.test/01/{GTIN}"}]
    assert validate_event(built) == []


def test_extensions_are_namespaced_schema_valid_and_part_of_the_event_hash():
    event = ObjectEvent(event_time=T0, action=ADD, biz_step="commissioning", disposition="active",
                        quantities=(Quantity(GTIN, LOT, 24, uom=None),
                                    Quantity(GTIN, LOT, Decimal("12.000"))))
    extensions = {"firstSerial": "0", "lastSerial": "Q", "packNetWeightKg": Decimal("0.500"),
                  "packedOn": T0.date(), "fc:review": {"note": "人工复核", "empty": None},
                  "unset": None}
    built = build_event(event, CONFIG, extensions=extensions)
    assert validate_event(built) == []
    assert validate_document(build_document([built], CONFIG, creation_date=T0)).ok
    assert built["quantityList"] == [
        {"epcClass": f"https://id.freshcircle.test/01/{GTIN}/10/{LOT}", "quantity": 24},
        {"epcClass": f"https://id.freshcircle.test/01/{GTIN}/10/{LOT}", "quantity": 12,
         "uom": "KGM"}]
    assert (built["fc:firstSerial"], built["fc:lastSerial"]) == ("0", "Q")
    assert built["fc:packNetWeightKg"] == 0.5 and built["fc:packedOn"] == "2025-03-08"
    assert built["fc:review"] == {"fc:note": "人工复核"} and "fc:unset" not in built
    without = build_event(event, CONFIG)
    other_range = build_event(event, CONFIG, extensions={**extensions, "lastSerial": "R"})
    assert len({built["eventID"], without["eventID"], other_range["eventID"]}) == 3
    assert event_hash(event_payload(event, CONFIG, extensions=extensions),
                      CONFIG.prefixes) == built["eventID"]
