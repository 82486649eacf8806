"""Issue 13: the co-op's public service phone (shown to shoppers), set on its pages and API."""

from __future__ import annotations

from freshcircle.platform.models import MemberRole, Membership, Producer
from tests.platform.page_helpers import element, field_errors


def test_manager_sets_a_landline_service_phone_on_the_producer_page(make, login, session):
    manager = make.user()
    producer = make.producer(manager, contact_phone="13812345678")
    client = login(manager)

    response = client.post(f"/producers/{producer.id}/service-phone",
                           data={"phone-service_phone": "0558 6123456"})

    assert response.status_code == 302
    session.expire_all()
    assert session.get(Producer, producer.id).service_phone == "05586123456"
    assert "05586123456" in element(client.get(f"/producers/{producer.id}"), "service-phone")


def test_bad_service_phone_is_named_and_nothing_is_saved(make, login, session):
    manager = make.user()
    producer = make.producer(manager)

    response = login(manager).post(f"/producers/{producer.id}/service-phone",
                                   data={"phone-service_phone": "12345"})

    assert response.status_code == 422
    assert field_errors(response, "phone-service_phone") == [
        "请填写手机号、带区号的固定电话（如 0558-6123456）或 400 服务电话。"]
    session.expire_all()
    assert session.get(Producer, producer.id).service_phone is None


def test_a_plain_member_cannot_set_the_service_phone(make, login, session):
    manager, member = make.user(), make.user()
    producer = make.producer(manager)
    session.add(Membership(user=member, producer=producer, role=MemberRole.MEMBER))
    session.commit()

    response = login(member).post(f"/producers/{producer.id}/service-phone",
                                  data={"phone-service_phone": "0558-6123456"})

    assert response.status_code == 403
    session.expire_all()
    assert session.get(Producer, producer.id).service_phone is None


def test_api_sets_and_validates_the_service_phone(make, login, session):
    manager = make.user()
    producer = make.producer(manager)
    client = login(manager)

    good = client.patch(f"/api/v1/producers/{producer.id}",
                        json={"service_phone": "400-123-4567"})
    bad = client.patch(f"/api/v1/producers/{producer.id}", json={"service_phone": "abc"})

    assert good.status_code == 200 and good.json["service_phone"] == "400-123-4567"
    assert bad.status_code == 422 and "service_phone" in bad.json["errors"]
    session.expire_all()
    assert session.get(Producer, producer.id).service_phone == "400-123-4567"
