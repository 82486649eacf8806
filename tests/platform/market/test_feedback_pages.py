"""The order feedback page: rate, open a dispute with a real JPEG, the producer answers, the
buyer closes; strangers get 404."""

from __future__ import annotations

from sqlalchemy import select

from freshcircle.platform.models import Dispute, DisputeStatus, Rating
from tests.platform.market.test_feedback import delivered
from tests.platform.market_helpers import buyer_with_site
from tests.platform.page_helpers import TINY_JPEG, TINY_PDF, count, field_errors, text, upload


def test_rate_dispute_with_photo_answer_and_close(make, login, session):
    m, order = delivered(make, session)
    buyer, farmer = login(m.buyer), login(m.farmer)

    page = buyer.get(f"/feedback/orders/{order.id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'capture="environment"' in body
    assert buyer.post(f"/feedback/orders/{order.id}/rating",
                      data={"stars": "4", "comment": "不错"}).status_code == 302
    assert session.get(Rating, order.id).stars == 4
    assert "4.0 分" in text(buyer.get(f"/feedback/orders/{order.id}"))

    sent = buyer.post(f"/feedback/orders/{order.id}/disputes",
                      data={"text": "两箱压坏了", "photo": upload(TINY_JPEG, "坏.jpg")},
                      content_type="multipart/form-data")
    assert sent.status_code == 302
    dispute = session.scalar(select(Dispute))
    assert buyer.get(f"/feedback/disputes/{dispute.id}/photo").data == TINY_JPEG

    answered = farmer.post(f"/feedback/disputes/{dispute.id}/reply",
                           data={f"d{dispute.id}-reply": "明天补发两箱"})
    assert answered.status_code == 302
    assert "明天补发两箱" in text(buyer.get(f"/feedback/orders/{order.id}"))
    assert buyer.post(f"/feedback/disputes/{dispute.id}/close").status_code == 302
    session.refresh(dispute)
    assert dispute.status == DisputeStatus.CLOSED


def test_a_bad_dispute_shows_errors_and_saves_nothing(make, login, session):
    m, order = delivered(make, session)

    response = login(m.buyer).post(f"/feedback/orders/{order.id}/disputes",
                                   data={"text": "坏了", "photo": upload(TINY_PDF, "a.pdf")},
                                   content_type="multipart/form-data")

    assert response.status_code == 422
    assert field_errors(response, "photo")[0] == "照片须为 JPEG、PNG 或 WebP 格式。"
    assert count(session, Dispute) == 0


def test_strangers_get_404(make, login, session):
    _, order = delivered(make, session)
    stranger, _ = buyer_with_site(make, session, name="郑买家")

    assert login(stranger).get(f"/feedback/orders/{order.id}").status_code == 404
    assert login(stranger).post(f"/feedback/orders/{order.id}/rating",
                                data={"stars": "1"}).status_code == 404
