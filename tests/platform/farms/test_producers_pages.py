"""Producer pages: registering a family farm or cooperative, its page, adding members."""

from __future__ import annotations

from sqlalchemy import select

from freshcircle.platform.core.services.identifiers import FUYANG_COUNTIES
from freshcircle.platform.models import MemberRole, Membership, Producer, ProducerKind, Role
from tests.platform.page_helpers import count, field_errors, input_value, text

VALID_CREDIT_CODE = "91350100M000100Y43"


def _form(**overrides):
    data = {"kind": "cooperative", "name": "太和县香椿种植专业合作社", "county_code": "341222",
            "township": "旧县镇", "address": "香椿路 8 号", "contact_phone": "138 1234 5678",
            "credit_code": ""}
    data.update(overrides)
    return data


def test_register_form_offers_fuyangs_eight_divisions(make, login):
    body = login(make.user()).get("/producers/new").get_data(as_text=True)
    assert "登记生产主体" in body and "家庭农场" in body and "合作社" in body
    for code, name in FUYANG_COUNTIES.items():
        assert f'<option value="{code}">{name}</option>' in body
    assert 'inputmode="numeric"' in body  # contact phone


def test_farmer_registers_a_cooperative_and_manages_it(make, login, session):
    farmer = make.user()
    client = login(farmer)

    response = client.post("/producers/new", data=_form(credit_code=VALID_CREDIT_CODE.lower()))

    assert response.status_code == 302
    producer = session.scalar(select(Producer))
    assert producer.kind == ProducerKind.COOPERATIVE
    assert producer.county_name == "太和县" and producer.contact_phone == "13812345678"
    assert producer.credit_code == VALID_CREDIT_CODE
    membership = session.get(Membership, (farmer.id, producer.id))
    assert membership.role == MemberRole.MANAGER
    page = text(client.get(response.location))
    assert "太和县香椿种植专业合作社 登记成功" in page
    assert "138 1234 5678" in page and "负责人" in page and "添加成员" in page


def test_bad_credit_code_and_phone_are_named_and_nothing_is_saved(make, login, session):
    response = login(make.user()).post(
        "/producers/new", data=_form(credit_code="91350100M000100Y44", contact_phone="12345")
    )
    assert response.status_code == 422
    assert field_errors(response, "credit_code") == [
        "统一社会信用代码不正确（应为 18 位，按 GB 32100-2015 校验）。"]
    assert field_errors(response, "contact_phone") == ["请填写 11 位手机号，例如 138 1234 5678。"]
    assert input_value(response, "name") == "太和县香椿种植专业合作社"
    assert count(session, Producer) == 0


def test_county_is_required(make, login, session):
    response = login(make.user()).post("/producers/new", data=_form(county_code=""))
    assert response.status_code == 422
    assert field_errors(response, "county_code") == ["此项为必填项。"]
    assert count(session, Producer) == 0


def test_manager_adds_a_member_by_phone(make, login, session):
    manager, newcomer = make.user(), make.user(name="李秀英")
    producer = make.producer(manager)
    client = login(manager)

    response = client.post(f"/producers/{producer.id}/members",
                           data={"phone": newcomer.phone, "role": "member"})

    assert response.status_code == 302
    assert session.get(Membership, (newcomer.id, producer.id)).role == MemberRole.MEMBER
    assert "李秀英 已加入" in text(client.get(response.location))


def test_unknown_phone_asks_for_the_name_to_open_an_account(make, login, session):
    manager = make.user()
    producer = make.producer(manager)
    response = login(manager).post(f"/producers/{producer.id}/members",
                                   data={"phone": "13999999999", "role": "member"})
    assert response.status_code == 422
    assert field_errors(response, "name") == ["这个手机号还没有账号：填写成员姓名即可为其开户。"]
    assert count(session, Membership) == 1


def test_plain_member_sees_no_add_form_and_cannot_add(make, login, session):
    manager, member, outsider = make.user(), make.user(), make.user()
    producer = make.producer(manager)
    session.add(Membership(user=member, producer=producer, role=MemberRole.MEMBER))
    session.commit()
    client = login(member)

    assert 'id="add-member"' not in client.get(f"/producers/{producer.id}").get_data(as_text=True)
    response = client.post(f"/producers/{producer.id}/members",
                           data={"phone": outsider.phone, "role": "manager"})
    assert response.status_code == 403
    assert count(session, Membership) == 2


def test_another_farmer_cannot_open_the_producer_page(make, login):
    producer = make.producer(make.user())
    assert login(make.user()).get(f"/producers/{producer.id}").status_code == 403


def test_my_producers_lists_only_mine(make, login):
    farmer = make.user()
    make.producer(farmer, name="我的农场")
    make.producer(make.user(), name="别人的农场")
    page = text(login(farmer).get("/producers/"))
    assert "我的农场" in page and "别人的农场" not in page


def test_inspector_can_read_but_buyer_cannot(make, login):
    producer = make.producer(make.user(), name="太和合作社")
    assert "太和合作社" in text(login(make.user(Role.INSPECTOR)).get(f"/producers/{producer.id}"))
    assert login(make.user(Role.BUYER)).get(f"/producers/{producer.id}").status_code == 403


def test_the_register_form_says_when_todays_registrations_are_used_up(app, make, login,
                                                                      session, monkeypatch):
    monkeypatch.setitem(app.config, "PRODUCERS_PER_USER_PER_DAY", 1)
    client = login(make.user())
    assert client.post("/producers/new", data=_form()).status_code == 302

    refused = client.post("/producers/new", data=_form(name="第二个合作社"))

    assert refused.status_code == 429
    assert "今天已登记 1 个生产主体" in text(refused)
    assert count(session, Producer) == 1
