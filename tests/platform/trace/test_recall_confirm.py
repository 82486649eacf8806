"""The inspector's recall: a confirm page first (the lot, its quantity, who will be told, from
the same recipient rule as the notices), then the recall, whose result lists every person told;
召回记录 lists past recalls from stored records."""

from __future__ import annotations

from sqlalchemy import func, select

from freshcircle.platform.models import BatchStatus, Notice, Role
from tests.platform.genealogy_helpers import family
from tests.platform.page_helpers import element_html, text, text_of


def test_recall_from_the_batch_page_asks_to_confirm_first(make, login, session):
    fam = family(make, login, session)
    inspector = login(fam.inspector)

    response = inspector.post(f"/batches/{fam.root.id}/status",
                              data={"status": "recalled", "reason": "农残超标"})

    assert response.status_code == 200
    session.refresh(fam.root)
    assert fam.root.status == BatchStatus.REGISTERED
    assert session.scalar(select(func.count()).select_from(Notice)) == 0
    page = text(response)
    assert fam.root.lot_code in page and "农残超标" in page
    assert "200 斤（100 kg）" in page
    told = text_of(element_html(response, "to-tell"))
    for person in (fam.buyer, fam.carrier, fam.farmer):
        assert person.name in told, (person.name, told)


def test_confirmed_recall_lists_everyone_told_and_is_a_record(make, login, session):
    fam = family(make, login, session)
    inspector = login(fam.inspector)

    response = inspector.post(f"/batches/{fam.root.id}/status", data={
        "status": "recalled", "reason": "农残超标", "confirmed": "1"}, follow_redirects=True)

    assert response.status_code == 200
    session.refresh(fam.root)
    assert fam.root.status == BatchStatus.RECALLED
    told = text_of(element_html(response, "told"))
    for person in (fam.buyer, fam.carrier, fam.farmer):
        assert person.name in told, (person.name, told)
    assert "已通知 3 人" in text(response)

    records = inspector.get("/inspector/recalls")
    assert records.status_code == 200
    listed = text_of(element_html(records, "recalls"))
    for fact in (fam.root.lot_code, "农残超标", "检查员", fam.buyer.name, fam.carrier.name,
                 "已召回"):
        assert fact in listed, (fact, listed)
    assert "/inspector/records" in records.get_data(as_text=True)  # the export is still there


def test_recall_records_are_for_staff_only(make, login):
    assert login(make.user(Role.BUYER)).get("/inspector/recalls").status_code == 403
    assert login(make.user()).get("/inspector/recalls").status_code == 403
