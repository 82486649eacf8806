"""EPCIS 2.0 sensor queries (`EQ_type`, `GE_value_CEL`, `GE_time`, `EQ_deviceID`...) and
`maxEventCount` on GS1's own sensor examples: each parameter finds the events a partner would
expect, a number in one unit finds a report in another of its kind (GS1's TCR-53), the type,
numbers and times hold for one report, and what cannot be read is a QueryParameterException."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from freshcircle.platform import create_app
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Role

DATA = Path(__file__).parent / "data" / "gs1_epcis_examples"
EVENTS = "/api/v1/epcis/events"
# One letter per event: GS1's SensorDataExample1-10 ("T" is 10), and the two events of
# Example_9.6.1 ("p", "q") that carry no sensor data.
FILES = {**{f"WithSensorData_SensorDataExample{n}.jsonld": str(n) for n in range(1, 10)},
         "WithSensorData_SensorDataExample10.jsonld": "T",
         "Example_9.6.1-ObjectEvent.jsonld": "pq"}
DEVICE = "urn:epc:id:giai:4000001.111"


@pytest.fixture
def inspector(make, login):
    return login(make.user(Role.INSPECTOR))


@pytest.fixture
def letters(inspector) -> dict[str, str]:
    names = {}
    for name, marks in FILES.items():
        document = json.loads((DATA / name).read_text(encoding="utf-8"))
        response = inspector.post("/api/v1/epcis/capture", json=document)
        assert response.status_code == 202 and response.json["captured"] == len(marks)
        names.update(zip(response.json["event_ids"], marks, strict=True))
    return names


def found(client, letters, params) -> str:
    """The letters of the events a query answers, sorted."""
    response = client.get(EVENTS, query_string=[*params, ("perPage", "100")])
    assert response.status_code == 200, response.get_data(as_text=True)
    return "".join(sorted(letters[e["eventID"]] for e in response.json["epcisBody"]["eventList"]))


def problem(client, params, status=400) -> dict:
    response = client.get(EVENTS, query_string=params)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == status and response.json["title"]
    return response.json


@pytest.mark.parametrize(("params", "expected"), [
    ([("EXISTS_sensorElementList", "")], "123456789T"),
    ([("EXISTS_sensorElementList", "false")], "123456789Tpq"),
    ([("EQ_type", "Temperature")], "123456789"),
    ([("EQ_type", "gs1:Temperature")], "123456789"),
    ([("EQ_type", "https://gs1.org/voc/Temperature")], "123456789"),
    ([("EQ_type", "Speed|example:Def")], "1247T"),  # a custom type as sent
    ([("GE_value_CEL", "26.3")], "5"),
    # GS1's TCR-53 step 26: a query in kelvin finds the report in degrees Celsius
    ([("EQ_type", "Temperature"), ("GE_value_KEL", "299.4")], "5"),
    ([("GE_value_FAH", "79.3")], "5"),
    ([("EQ_value_CEL", "26.1")], "15"),
    ([("EQ_value_CEL", "26.0|26.5")], "1457"),
    ([("EQ_value_KEL", "299.25")], "15"),  # 26.1 CEL, equal through the conversion
    ([("LT_value_CEL", "26.05"), ("GE_value_CEL", "25")], "1457"),
    ([("GE_value_A93", "12.15")], "1"),
    ([("LE_value_MTS", "0")], "T"),
    ([("GT_value_KMH", "160")], "1"),  # 161 and 162 km/h; example 4's is 160
    # one report: a humidity report is never a temperature of 0 °C or more
    ([("EQ_type", "AbsoluteHumidity"), ("GE_value_CEL", "0")], ""),
    ([("GE_minValue_CEL", "12"), ("LT_maxValue_CEL", "14")], "368"),
    ([("GE_maxValue_CEL", "13")], "2368"),
    ([("GE_meanValue_CEL", "26")], "2"),
    ([("GE_sDev_CEL", "0.4")], "68"),
    # a standard deviation converts without the offset: 0.7 °F is 0.389 K, 0.75 °F 0.417 K
    ([("GE_sDev_FAH", "0.7")], "68"),
    ([("GE_sDev_FAH", "0.75")], ""),
    ([("GE_percRank", "50")], "68"),
    ([("LT_percRank", "50")], ""),
    ([("GE_percValue_CEL", "12.7")], "68"),
    # a report's own time, else its sensor element's
    ([("GE_time", "2019-04-02T14:30:00+01:00"), ("LT_time", "2019-04-02T14:50:00+01:00")],
     "15"),
    ([("GE_startTime", "2019-04-01T00:00:00Z"), ("LT_startTime", "2019-04-02T00:00:00Z")],
     "368"),
    ([("GE_endTime", "2019-04-02T13:59:00Z")], "368"),
    ([("EQ_deviceID", DEVICE)], "124578"),  # in sensorMetadata or in a report
    ([("EQ_deviceID", "https://id.gs1.org/8004/4000001222")], "4"),  # Digital Link form
    ([("EQ_stringValue", "someSensorOutput")], "68"),
    ([("EQ_stringValue", "SomeString|nothing")], "7"),
    ([("EQ_booleanValue", "true")], "79"),
    ([("EQ_booleanValue", "false")], ""),
    ([("EQ_hexBinaryValue", "f0f0f0")], "7"),
    ([("EQ_uriValue", "https://example.com/ErrorCode-A827")], "9"),
    ([("EQ_chemicalSubstance",
       "https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N")], "8"),
    ([("EQ_microorganism", "https://www.ncbi.nlm.nih.gov/taxonomy/1126011")], "8"),
    ([("EQ_dataProcessingMethod", "https://example.com/253/4012345000054987")], "8"),
    # a GDTI Digital Link is one document whatever its domain
    ([("EQ_bizRules", "https://example.com/253/4012345000054987")], "28"),
    ([("EQ_type", "Temperature"), ("EQ_deviceID", DEVICE), ("GE_value_CEL", "26.1")], "15"),
    ([("EQ_bizStep", "inspecting"), ("GE_value_CEL", "26.1")], "15"),
])
def test_each_sensor_parameter_on_the_official_examples(inspector, letters, params, expected):
    assert found(inspector, letters, params) == expected


@pytest.mark.parametrize(("params", "named"), [
    ([("GE_value_CEL", "warm")], "GE_value_CEL"),
    ([("GE_value_CEL", "1"), ("GE_value_CEL", "2")], "GE_value_CEL"),
    ([("EQ_minValue_CEL", "12")], "EQ_minValue_CEL"),  # the standard has no EQ_ but value's
    ([("GE_value_cel", "1")], "GE_value_cel"),
    ([("GE_value_CELSIUS", "1")], "GE_value_CELSIUS"),
    ([("EQ_booleanValue", "yes")], "EQ_booleanValue"),
    ([("GE_time", "2019-04-02T14:30:00")], "GE_time"),  # no time zone
    ([("EXISTS_sensorElementList", "maybe")], "EXISTS_sensorElementList"),
    ([("EQ_type", "")], "EQ_type"),
    ([("GE_percRank", "half")], "GE_percRank"),
    # parameters of the standard this server does not answer are refused, never ignored
    ([("EQ_persistentDisposition_set", "completeness_verified")], "EQ_persistentDisposition_set"),
    ([("WD_bizLocation", "urn:epc:id:sgln:0614141.00888.0")], "WD_bizLocation"),
    ([("GE_quantity", "5")], "GE_quantity"),
    ([("EQ_SENSORREPORT_example:cv", "123")], "EQ_SENSORREPORT_example:cv"),
])
def test_a_sensor_parameter_that_cannot_be_read_is_a_query_parameter_exception(
        inspector, params, named):
    body = problem(inspector, params)
    assert body["type"] == "epcisException:QueryParameterException"
    assert list(body["errors"]) == [named] and named in body["detail"]


def test_max_event_count_refuses_a_query_that_matches_more(inspector, letters):
    body = problem(inspector, [("EXISTS_sensorElementList", ""), ("maxEventCount", "9")], 413)
    assert body["type"] == "epcisException:QueryTooLargeException"
    assert found(inspector, letters, [("EXISTS_sensorElementList", ""),
                                      ("maxEventCount", "10")]) == "123456789T"
    assert found(inspector, letters, [("EQ_booleanValue", "false"), ("maxEventCount", "0")]) == ""
    problem(inspector, [("EQ_booleanValue", "true"), ("maxEventCount", "0")], 413)
    both = problem(inspector, [("maxEventCount", "5"), ("eventCountLimit", "2")])
    assert list(both["errors"]) == ["maxEventCount"]


def test_another_producers_sensor_data_never_appears(make, login, letters):
    farmer = login(make.user(Role.FARMER))
    assert found(farmer, letters, [("EXISTS_sensorElementList", "")]) == ""
    assert found(farmer, letters, [("GE_value_CEL", "-100")]) == ""
    assert found(farmer, letters, [("maxEventCount", "0"), ("EQ_deviceID", DEVICE)]) == ""


@pytest.mark.no_db_isolation
def test_the_migration_indexes_the_sensor_data_stored_before_it(tmp_path):
    """Events stored before the sensor index get their numbers, times and terms from their
    body (the same rows capture writes now)."""
    url = "sqlite:///" + str(tmp_path / "sensor_backfill.db")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url})
    document = json.loads((DATA / "WithSensorData_SensorDataExample8.jsonld").read_text(
        encoding="utf-8"))
    (event,) = document["epcisBody"]["eventList"]
    with app.app_context():
        try:
            upgrade(revision="d7b3e5f90a12")
            with db.engine.begin() as conn:
                for row_id, body in ((1, json.dumps(event)), (2, "not json sensorElementList")):
                    conn.execute(text(
                        "INSERT INTO epcis_events (id, event_id, event_hash, event_type, "
                        "event_time, body, previous_link, link, recorded_at) VALUES (:id, :id, "
                        ":id, 'AggregationEvent', '2019-10-07 14:30:00', :body, 'x', 'y', "
                        "'2026-12-01 00:00:00')"), {"id": row_id, "body": body})
            upgrade()
            with db.engine.connect() as conn:
                values = conn.execute(text(
                    "SELECT event_record_id, report, field, type, uom, number "
                    "FROM epcis_sensor_values ORDER BY report, field")).all()
                terms = set(conn.execute(text(
                    "SELECT kind, value FROM epcis_event_terms WHERE event_record_id = 1")).all())
        finally:
            db.engine.dispose()
    numbers = {(report, name, type_, uom): round(number, 4)
               for _, report, name, type_, uom, number in values}
    assert {row[0] for row in values} == {1}
    assert numbers[(0, "value", "AbsoluteHumidity", "A93")] == 12.1
    assert numbers[(3, "maxValue", "Temperature", "KEL")] == round(13.8 + 273.15, 4)
    assert numbers[(3, "sDev", "Temperature", "KEL")] == 0.41
    assert numbers[(3, "percRank", "Temperature", "")] == 50
    assert (0, "time", "AbsoluteHumidity", "") in numbers  # its element's metadata time
    assert {("sensor", ""), ("sensorType", "Temperature"), ("stringValue", "someSensorOutput"),
            ("microorganism", "https://www.ncbi.nlm.nih.gov/taxonomy/1126011"),
            ("deviceID", "https://id.gs1.org/8004/4000001111")} <= terms


def test_the_sensor_problem_speaks_the_callers_language(inspector, letters):
    body = problem(inspector, [("GE_value_CEL", "warm"), ("lang", "zh")])
    assert body["errors"] == {"GE_value_CEL": ["请填写数字（如 12.5）。"]}
    too_large = problem(inspector, [("maxEventCount", "0"), ("lang", "zh")], 413)
    assert "maxEventCount" in too_large["title"] and "请缩小查询范围" in too_large["title"]
