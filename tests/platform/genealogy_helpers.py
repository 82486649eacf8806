"""A small lot family for genealogy, recall and records tests.

root (100 kg) is split into a (30 kg) and b (20 kg); b is merged with other (40 kg) into
merged; a goes to a buyer's site on a shipment the carrier drives.
"""

from __future__ import annotations

from dataclasses import dataclass

from freshcircle.platform.models import Batch, PlaceKind, Role, User


@dataclass
class Family:
    farmer: User
    inspector: User
    buyer: User
    carrier: User
    root: Batch
    other: Batch
    a: Batch
    b: Batch
    merged: Batch
    shipment: object


def split(client, batch_id, *kgs, unit="kg"):
    response = client.post(f"/api/v1/batches/{batch_id}/split",
                           json={"parts": [{"quantity": str(kg), "unit": unit} for kg in kgs]})
    return response


def merge(client, *inputs):
    return client.post("/api/v1/batches/merge", json={"inputs": list(inputs)})


def family(make, login, session) -> Family:
    farmer = make.user()
    producer = make.producer(farmer)
    root = make.batch(producer, quantity_g=100_000)
    other = make.batch(producer, quantity_g=40_000)
    client = login(farmer)
    response = split(client, root.id, 30, 20)
    assert response.status_code == 201, response.json
    a_id, b_id = (lot["id"] for lot in response.json)
    response = merge(client, {"batch_id": b_id}, {"batch_id": other.id})
    assert response.status_code == 201, response.json
    buyer = make.user(Role.BUYER, name="王买家")
    carrier = make.user(Role.CARRIER, name="赵司机")
    site = make.new_place(name_zh="上海鲜达配送中心", kind=PlaceKind.BUYER_SITE)
    site.buyer_id = buyer.id
    a = session.get(Batch, a_id)
    shipment = make.shipment(carrier=carrier, lines=[(a, 10_000)], to_place=site)
    session.commit()
    return Family(farmer, make.user(Role.INSPECTOR, name="检查员"), buyer, carrier, root, other,
                  a, session.get(Batch, b_id), session.get(Batch, response.json["id"]), shipment)
