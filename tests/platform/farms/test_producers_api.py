"""Producers through the API: profiles for everyone, masked phones, managers and members."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from freshcircle.platform.models import MemberRole, Membership, Producer, Role

VALID_CREDIT_CODE = "91350100M000100Y43"


def _count(session):
    return session.scalar(select(func.count()).select_from(Producer))


def test_farmer_registers_producer_and_becomes_manager(make, login, session):
    farmer = make.user()
    client = login(farmer)

    response = client.post("/api/v1/producers", json={
        "kind": "family_farm", "name": "  李家农场 ", "county_code": "341226",
        "credit_code": VALID_CREDIT_CODE.lower(), "contact_phone": "138 0013 8000",
        "latitude": "32.63", "longitude": "116.26",
    })

    assert response.status_code == 201, response.json
    body = response.json
    assert body["name"] == "李家农场"
    assert body["county_name"] == "颍上县"
    assert body["credit_code"] == VALID_CREDIT_CODE
    assert body["my_role"] == "manager"
    assert body["contact_phone"] == "13800138000"
    assert body["contact_phone_masked"] is False
    assert body["latitude"] == "32.630000"
    listed = client.get("/api/v1/producers?mine=true").json
    assert [p["id"] for p in listed] == [body["id"]]


def test_bad_fields_are_named_and_nothing_written(make, login, session):
    client = login(make.user())
    before = _count(session)

    response = client.post("/api/v1/producers", json={
        "kind": "family_farm", "name": "王家", "county_code": "310000",
        "credit_code": "91350100M000100Y44", "contact_phone": "0551-1234567",
        "latitude": "95",
    }, headers={"Accept-Language": "en"})

    assert response.status_code == 422
    errors = response.json["errors"]
    assert set(errors) >= {"county_code", "credit_code", "contact_phone", "latitude"}
    assert _count(session) == before


def test_schema_errors_name_unknown_and_missing_fields(make, login):
    response = login(make.user()).post("/api/v1/producers", json={"kind": "farm", "nme": "x"},
                                       headers={"Accept-Language": "en"})
    assert response.status_code == 422
    errors = response.json["errors"]
    assert errors["nme"] == ["Unknown field."]
    assert errors["name"] == ["Missing data for required field."]
    assert errors["kind"][0].startswith("Must be one of:")


def test_buyer_and_carrier_cannot_register_producers(make, login):
    for role in (Role.BUYER, Role.CARRIER):
        response = login(make.user(role)).post("/api/v1/producers", json={
            "kind": "family_farm", "name": "x", "county_code": "341222"})
        assert response.status_code == 403


def test_phone_masked_for_outsiders_but_not_members_or_staff(make, login):
    farmer = make.user()
    producer = make.producer(farmer, contact_phone="13812345678")
    buyer, inspector, other_farmer = make.user(Role.BUYER), make.user(Role.INSPECTOR), make.user()

    assert login(buyer).get(f"/api/v1/producers/{producer.id}").json["contact_phone"] == \
        "138****5678"
    other = login(other_farmer).get("/api/v1/producers").json
    assert [p["contact_phone"] for p in other] == ["138****5678"]
    assert other[0]["contact_phone_masked"] is True
    assert other[0]["my_role"] is None
    assert login(inspector).get(f"/api/v1/producers/{producer.id}").json["contact_phone"] == \
        "13812345678"
    own = login(farmer).get(f"/api/v1/producers/{producer.id}").json
    assert own["contact_phone"] == "13812345678"
    assert own["my_role"] == "manager"


def test_list_filters_and_paginates(make, login):
    make.producer(name="太和合作社", county_code="341222")
    make.producer(name="颍上合作社", county_code="341226")
    make.producer(name="颍上家庭农场", county_code="341226")
    client = login(make.user(Role.BUYER))

    by_county = client.get("/api/v1/producers?county_code=341226")
    assert {p["name"] for p in by_county.json} == {"颍上合作社", "颍上家庭农场"}
    assert json.loads(by_county.headers["X-Pagination"])["total"] == 2
    assert [p["name"] for p in client.get("/api/v1/producers?q=农场").json] == ["颍上家庭农场"]
    page2 = client.get("/api/v1/producers?page=2&page_size=2")
    assert len(page2.json) == 1
    assert json.loads(page2.headers["X-Pagination"])["total_pages"] == 2
    assert client.get("/api/v1/producers?mine=true").json == []


def test_only_managers_edit_profiles(make, login):
    manager, member, stranger = make.user(), make.user(), make.user()
    producer = make.producer(manager)
    make.session.add(Membership(user=member, producer=producer, role=MemberRole.MEMBER))
    make.session.commit()

    assert login(member).patch(f"/api/v1/producers/{producer.id}",
                               json={"name": "改名"}).status_code == 403
    assert login(stranger).patch(f"/api/v1/producers/{producer.id}",
                                 json={"name": "改名"}).status_code == 403
    response = login(manager).patch(f"/api/v1/producers/{producer.id}",
                                    json={"township": "旧县镇", "contact_phone": None})
    assert response.status_code == 200
    assert response.json["township"] == "旧县镇"
    assert response.json["name"] == producer.name
    blank = login(manager).patch(f"/api/v1/producers/{producer.id}", json={"name": " "})
    assert blank.status_code == 422
    assert "name" in blank.json["errors"]


def test_manager_adds_member_by_phone(make, login, session):
    manager, newcomer = make.user(), make.user(phone="13900001111")
    producer = make.producer(manager)

    response = login(manager).post(f"/api/v1/producers/{producer.id}/members",
                                   json={"phone": "139 0000 1111"})

    assert response.status_code == 201, response.json
    assert response.json["user_id"] == newcomer.id
    assert response.json["role"] == "member"
    mine = login(newcomer).get("/api/v1/producers?mine=true").json
    assert [p["my_role"] for p in mine] == ["member"]


def test_adding_members_checks_phone_role_and_permission(make, login):
    manager, member = make.user(), make.user()
    buyer = make.user(Role.BUYER, phone="13900002222")
    producer = make.producer(manager)
    client = login(manager)

    bad = client.post(f"/api/v1/producers/{producer.id}/members", json={"phone": "12345"})
    assert bad.status_code == 422 and "phone" in bad.json["errors"]
    not_farmer = client.post(f"/api/v1/producers/{producer.id}/members",
                             json={"phone": buyer.phone})
    assert not_farmer.status_code == 422
    outsider = login(member).post(f"/api/v1/producers/{producer.id}/members",
                                  json={"phone": member.phone, "role": "manager"})
    assert outsider.status_code == 403


def test_last_manager_cannot_step_down(make, login):
    manager = make.user()
    producer = make.producer(manager)
    response = login(manager).post(f"/api/v1/producers/{producer.id}/members",
                                   json={"phone": manager.phone, "role": "member"})
    assert response.status_code == 409
    assert response.json["message"]


def test_unknown_producer_404_and_anonymous_401(make, login, client):
    assert login(make.user()).get("/api/v1/producers/999999").status_code == 404
    assert client.get("/api/v1/producers").status_code == 401


def test_a_user_registers_at_most_the_daily_quota_of_producers(app, make, login, session,
                                                                monkeypatch):
    monkeypatch.setitem(app.config, "PRODUCERS_PER_USER_PER_DAY", 2)
    farmer = make.user()
    old = make.producer(farmer, name="去年的农场")  # registered on another day: not counted
    old.created_at = old.created_at.replace(year=old.created_at.year - 1)
    session.commit()
    client = login(farmer)
    body = {"kind": "family_farm", "county_code": "341226"}
    for n in (1, 2):
        assert client.post("/api/v1/producers", json={**body, "name": f"农场{n}"}
                           ).status_code == 201
    before = _count(session)

    refused = client.post("/api/v1/producers", json={**body, "name": "农场3"},
                          headers={"Accept-Language": "en"})

    assert refused.status_code == 429, refused.json
    assert "2 producers today" in refused.json["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 24 * 3600
    assert _count(session) == before
    # another user, and an admin onboarding producers, are not held by this user's quota
    assert login(make.user()).post("/api/v1/producers", json={**body, "name": "邻居农场"}
                                   ).status_code == 201
    admin = login(make.user(Role.ADMIN))
    for n in (1, 2, 3):
        assert admin.post("/api/v1/producers", json={**body, "name": f"登记{n}"}
                          ).status_code == 201
