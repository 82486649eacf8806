"""Standing demand (求购) pages as a buyer and a producer use them, in Chinese and English."""

from __future__ import annotations

import datetime as dt

from freshcircle.platform.models import StandingDemand
from tests.platform.demand.helpers import NEXT_MONDAY, URUMQI, buyer, grower, lister
from tests.platform.page_helpers import count, field_errors, text


def _form(product, site, **extra) -> dict:
    return {"product_id": str(product.id), "grade": "", "quantity": "1000", "unit": "jin",
            "first_week": NEXT_MONDAY.isoformat(),
            "last_week": (NEXT_MONDAY + dt.timedelta(weeks=2)).isoformat(),
            "site_id": str(site.id), "price": "", "min_shelf_life_days": "8", **extra}


def test_a_buyer_posts_a_demand_and_sees_who_matched_and_why(make, session, login):
    customer, site = buyer(make, session)
    grower(make, "大户合作社", area_mu="4")
    grower(make, "乌鲁木齐农场", URUMQI)
    client = login(customer)

    form = client.get("/demands/new")
    assert form.status_code == 200 and "发布求购" in text(form)
    posted = client.post("/demands/new", data=_form(make.product(), site),
                         follow_redirects=True)

    assert posted.status_code == 200
    page = text(posted)
    assert "大户合作社" in page and "乌鲁木齐农场" not in page
    assert "种植 4 亩 菠菜" in page and "到货剩余保质期 9 天" in page
    assert "待报价" in page
    # Weeks as the dates a buyer plans by: from the first Monday to the last week's Sunday.
    first, last = NEXT_MONDAY, NEXT_MONDAY + dt.timedelta(weeks=2, days=6)
    assert f"{first.month}月{first.day}日 – {last.month}月{last.day}日" in page
    assert "我的求购" in text(client.get("/demands"))
    client.get("/lang/en")
    english = text(client.get(f"/demands/{session.query(StandingDemand).one().id}"))
    assert "Grows 4 mu of Spinach" in english and "9 days of shelf life left" in english


def test_bad_input_is_named_under_its_field_and_nothing_is_written(make, session, login):
    customer, site = buyer(make, session)
    client = login(customer)
    bad = _form(make.product(), site, quantity="0", min_shelf_life_days="0",
                last_week=(NEXT_MONDAY - dt.timedelta(weeks=1)).isoformat())

    answer = client.post("/demands/new", data=bad)

    assert answer.status_code == 422
    assert field_errors(answer, "quantity") and field_errors(answer, "min_shelf_life_days")
    assert field_errors(answer, "last_week") == ["最后一周不能早于第一周。"]
    client.get("/lang/en")
    english = client.post("/demands/new", data=bad)
    assert field_errors(english, "last_week") == ["The last week cannot be before the first week."]
    assert count(session, StandingDemand) == 0


def test_a_matched_producer_sees_the_demand_and_goes_on_to_quote(make, session, login):
    customer, site = buyer(make, session)
    producer, (farmer,) = grower(make, "大户合作社")
    _, (stranger,) = grower(make, "芹菜社", product="Celery")
    lister(make, session, producer, farmer)
    session.commit()
    login(customer).post("/demands/new", data=_form(make.product(), site))
    demand = session.query(StandingDemand).one()
    seller = login(farmer)

    inbox = text(seller.get("/notices"))
    assert "有买家每周需要菠菜" in inbox
    listed = text(seller.get("/demands/matched"))
    assert "菠菜" in listed and "在售 1 个批次" in listed
    answer = seller.post(f"/demands/{demand.id}/quote")
    assert answer.status_code == 302 and "/quotes/requests/" in answer.headers["Location"]
    assert "报价" in text(seller.get(answer.headers["Location"]))
    assert login(stranger).get(f"/demands/{demand.id}").status_code == 404
    other, _ = buyer(make, session, name="李买家")
    assert login(other).get(f"/demands/{demand.id}").status_code == 404


def test_the_buyer_rematches_after_a_new_grower_plants_then_closes_the_demand(make, session,
                                                                              login):
    customer, site = buyer(make, session)
    grower(make, "大户合作社", area_mu="4")
    client = login(customer)
    client.post("/demands/new", data=_form(make.product(), site))
    demand = session.query(StandingDemand).one()
    grower(make, "新种植户", area_mu="2")  # planted after the demand was posted
    session.commit()

    again = client.post(f"/demands/{demand.id}/rematch", follow_redirects=True)

    assert "已重新匹配：2 家生产者。" in text(again) and "新种植户" in text(again)
    closed = client.post(f"/demands/{demand.id}/close", follow_redirects=True)
    assert "求购已关闭。" in text(closed)
    refused = client.post(f"/demands/{demand.id}/rematch", follow_redirects=True)
    assert "这条求购已关闭。" in text(refused)
