"""The ratings and disputes API: rate after delivery, a dispute with a real JPEG (multipart) or
JSON, the producer's answer, closing, producer ratings, per-field 422 and 404 for others."""

from __future__ import annotations

from sqlalchemy import func, select

from freshcircle.platform.models import Dispute, StoredFile
from tests.platform.market.test_feedback import delivered
from tests.platform.market_helpers import buyer_with_site
from tests.platform.page_helpers import TINY_JPEG, TINY_PDF, upload


def test_rate_and_see_the_producer_average(make, login, session):
    m, order = delivered(make, session)
    buyer = login(m.buyer)

    early = buyer.post(f"/api/v1/orders/{order.id}/rating", json={"stars": 6})
    assert early.status_code == 422 and list(early.json["errors"]) == ["stars"]
    assert buyer.post(f"/api/v1/orders/{order.id}/rating",
                      json={"stars": 3, "comment": "一般"}).status_code == 200
    rated = buyer.post(f"/api/v1/orders/{order.id}/rating", json={"stars": 4})
    assert rated.status_code == 200 and rated.json["stars"] == 4

    summary = buyer.get(f"/api/v1/producers/{order.producer_id}/ratings").json
    assert (summary["count"], summary["average"]) == (1, "4.0")
    assert buyer.get("/api/v1/producers/999999/ratings").status_code == 404
    assert login(m.farmer).post(f"/api/v1/orders/{order.id}/rating",
                                json={"stars": 5}).status_code == 403


def test_dispute_with_a_photo_answered_and_closed(make, login, session):
    m, order = delivered(make, session)
    buyer, farmer = login(m.buyer), login(m.farmer)

    opened = buyer.post(f"/api/v1/orders/{order.id}/disputes",
                        data={"text": "有三箱烂了", "photo": upload(TINY_JPEG, "烂菜.jpg")},
                        content_type="multipart/form-data")
    assert opened.status_code == 201, opened.json
    dispute = opened.json
    assert dispute["status"] == "open" and dispute["photo_url"]
    photo = buyer.get(dispute["photo_url"])
    assert photo.status_code == 200 and photo.data == TINY_JPEG
    assert farmer.get(dispute["photo_url"]).data == TINY_JPEG

    assert buyer.post(f"/api/v1/disputes/{dispute['id']}/reply",
                      json={"reply": "我来回答"}).status_code == 403
    answered = farmer.post(f"/api/v1/disputes/{dispute['id']}/reply", json={"reply": "明天补发"})
    assert answered.status_code == 200 and answered.json["status"] == "answered"
    assert buyer.get(f"/api/v1/disputes/{dispute['id']}").json["reply"] == "明天补发"
    closed = buyer.post(f"/api/v1/disputes/{dispute['id']}/close")
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    assert buyer.post(f"/api/v1/disputes/{dispute['id']}/close").status_code == 409

    plain = buyer.post(f"/api/v1/orders/{order.id}/disputes", json={"text": "还少了两斤"})
    assert plain.status_code == 201 and plain.json["photo_url"] is None


def test_bad_disputes_are_422_per_field_and_write_nothing(make, login, session):
    m, order = delivered(make, session)
    buyer = login(m.buyer)

    bad = buyer.post(f"/api/v1/orders/{order.id}/disputes",
                     data={"text": "", "photo": upload(TINY_PDF, "a.pdf")},
                     content_type="multipart/form-data")
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"text", "photo"}
    missing = buyer.post(f"/api/v1/orders/{order.id}/disputes", json={"txt": "坏了"})
    assert missing.status_code == 422 and {"text", "txt"} <= set(missing.json["errors"])
    assert session.scalar(select(func.count()).select_from(Dispute)) == 0
    assert session.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_other_peoples_orders_and_disputes_are_404(make, login, session):
    m, order = delivered(make, session)
    dispute_id = login(m.buyer).post(f"/api/v1/orders/{order.id}/disputes",
                                     json={"text": "坏了"}).json["id"]
    stranger, _ = buyer_with_site(make, session, name="吴买家")
    outsider = make.user(name="外人")
    make.producer(outsider, name="外人农场")

    for who in (login(stranger), login(outsider)):
        assert who.post(f"/api/v1/orders/{order.id}/rating", json={"stars": 1}).status_code == 404
        assert who.post(f"/api/v1/orders/{order.id}/disputes",
                        json={"text": "x"}).status_code == 404
        assert who.get(f"/api/v1/disputes/{dispute_id}").status_code == 404
        assert who.post(f"/api/v1/disputes/{dispute_id}/reply",
                        json={"reply": "x"}).status_code == 404
        assert who.post(f"/api/v1/disputes/{dispute_id}/close").status_code == 404
