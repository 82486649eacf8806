"""A batch stored with a harvest date of 0001-01-01 (before such dates were refused) gets a
clear 422 on its certificate and labels, not a 500, and can be corrected."""

from __future__ import annotations

import datetime as dt

from freshcircle.platform.core.services.clock import today_in_china


def test_certificate_and_labels_of_a_batch_harvested_in_year_1_say_what_to_fix(make, login,
                                                                             session):
    farmer = make.user()
    producer = make.producer(farmer)
    producer.contact_phone = "13800000000"
    batch = make.batch(producer, harvest_date=dt.date(1, 1, 1))
    session.commit()
    client = login(farmer)

    certificate = client.get(f"/api/v1/batches/{batch.id}/certificate")
    labels = client.post(f"/api/v1/batches/{batch.id}/labels",
                         json={"layout": "a4-24", "count": 2, "net_weight": "1",
                               "unit": "kg"})

    for response in (certificate, labels):
        assert response.status_code == 422, response.get_data(as_text=True)[:300]
        assert "harvest_date" in response.json["errors"]
    assert client.get(f"/batches/{batch.id}/certificate.pdf").status_code == 422
    page = client.post(f"/batches/{batch.id}/labels", data={"layout": "a4-24", "count": "2",
                                                           "net_weight": "1", "unit": "kg"})
    assert page.status_code == 422
    fixed = client.patch(f"/api/v1/batches/{batch.id}",
                         json={"harvest_date": (today_in_china()).isoformat()})
    assert fixed.status_code == 200, fixed.json
    assert client.get(f"/api/v1/batches/{batch.id}/certificate").status_code == 200
