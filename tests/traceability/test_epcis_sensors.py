"""Sensor data as a query compares it: measurement types bare, numbers in their kind's base
unit, a report's times and devices from its own fields or its sensor element's metadata."""

from __future__ import annotations

import datetime as dt

import pytest

from freshcircle.traceability.epcis_sensors import (
    epoch_seconds,
    measurement_type,
    sensor_reports,
    to_base,
)


@pytest.mark.parametrize(("sent", "kept"), [
    ("Temperature", "Temperature"), ("gs1:Temperature", "Temperature"),
    ("https://gs1.org/voc/Temperature", "Temperature"), ("gs1:MT-Temperature", "Temperature"),
    ("example:Abc", "example:Abc"), ("gs1:NotAType", "gs1:NotAType"),
])
def test_a_standard_measurement_type_is_kept_bare_whatever_its_form(sent, kept):
    assert measurement_type(sent) == kept


@pytest.mark.parametrize(("number", "uom", "base", "expected"), [
    (26.0, "CEL", "KEL", 299.15), (32.0, "FAH", "KEL", 273.15), (300.0, "KEL", "KEL", 300.0),
    (250.0, "GRM", "KGM", 0.25), (1.0, "LBR", "KGM", 0.45359237), (36.0, "KMH", "MTS", 10.0),
    (1013.25, "A97", "PAL", 101325.0), (2.0, "HUR", "SEC", 7200.0),
    (12.1, "A93", "A93", 12.1),  # a unit this module does not know is its own base
])
def test_numbers_go_to_their_kinds_base_unit(number, uom, base, expected):
    unit, value = to_base(number, uom)
    assert unit == base and value == pytest.approx(expected)


def test_a_spread_converts_without_the_offset():
    assert to_base(1.0, "CEL", spread=True) == ("KEL", 1.0)
    assert to_base(9.0, "FAH", spread=True)[1] == pytest.approx(5.0)


def test_reports_take_their_elements_metadata_unless_they_say_otherwise():
    event = {"sensorElementList": [
        {"sensorMetadata": {"time": "2019-04-02T14:05:00.000+01:00",
                            "deviceID": "urn:epc:id:giai:4000001.111"},
         "sensorReport": [
             {"type": "gs1:Temperature", "value": 26, "uom": "CEL"},
             {"type": "Temperature", "time": "2019-04-02T14:15:00Z", "minValue": 3.5,
              "maxValue": 9, "sDev": 0.5, "uom": "FAH", "percRank": 50,
              "deviceID": "urn:epc:id:giai:4000001.222"},
         ]},
        {"sensorReport": [{"type": "example:Flag", "booleanValue": False,
                           "hexBinaryValue": "f0a1", "value": True}]},
    ]}
    first, second, third = sensor_reports(event)
    assert (first.report, first.type, first.numbers) == (
        0, "Temperature", {"value": ("KEL", pytest.approx(299.15))})
    assert first.times == {"time": epoch_seconds(dt.datetime(2019, 4, 2, 13, 5, tzinfo=dt.UTC))}
    assert first.terms == {("deviceID", "urn:epc:id:giai:4000001.111")}
    assert second.times["time"] == epoch_seconds(dt.datetime(2019, 4, 2, 14, 15, tzinfo=dt.UTC))
    assert second.numbers["sDev"] == ("KEL", pytest.approx(0.5 * 5 / 9))
    assert second.numbers["percRank"] == ("", 50.0)
    assert second.terms == {("deviceID", "urn:epc:id:giai:4000001.111"),
                            ("deviceID", "urn:epc:id:giai:4000001.222")}
    # a boolean is no number; hex values compare in upper case
    assert third.report == 2 and third.numbers == {} and third.times == {}
    assert third.terms == {("booleanValue", "false"), ("hexBinaryValue", "F0A1")}
    assert sensor_reports({"type": "ObjectEvent"}) == []
