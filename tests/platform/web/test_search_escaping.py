"""LIKE wildcards typed into a search box are searched for, not used as wildcards."""

from __future__ import annotations


def test_percent_and_underscore_in_batch_search_match_only_themselves(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    make.batch(producer, variety="50%晚熟")
    make.batch(producer, variety="早熟")
    make.batch(producer, variety="a_b")
    make.batch(producer, variety="axb")
    client = login(farmer)

    def varieties(q):
        response = client.get("/api/v1/batches", query_string={"q": q})
        assert response.status_code == 200, response.json
        return sorted(row["variety"] for row in response.json)

    assert varieties("%") == ["50%晚熟"]
    assert varieties("_") == ["a_b"]
    assert varieties("熟") == ["50%晚熟", "早熟"]


def test_verify_chain_for_a_lot_with_an_underscore_checks_only_that_lot(session):
    from freshcircle.platform.ledger.services import epcis_store
    from freshcircle.platform.models import EpcisChainHead

    for lot in ("LOT_1", "LOTX1"):
        session.add(EpcisChainHead(chain=f"06912345000019/{lot}", link="0" * 64, length=0))
    session.flush()

    chains = epcis_store.chains(session, "LOT_1")

    assert [key.lot for key in chains] == ["LOT_1"]
