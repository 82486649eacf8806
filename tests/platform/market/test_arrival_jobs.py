"""A new buyer site's arrival rows are written by a background job once it is committed, so
its buyer's first arrival-sorted search reads them instead of writing one per listing; and
`flask build-arrival-index` writes them for the sites that have none.

The job commits from its own thread, so these tests run on a database of their own."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from freshcircle.platform import create_app
from freshcircle.platform.core.services import reference_data
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.extensions import db
from freshcircle.platform.market.services import arrival_jobs, listings
from freshcircle.platform.models import ArrivalSite, ListingArrival, PlaceKind, Role
from tests.factories import PASSWORD, Factory
from tests.platform.own_database import own_database

pytestmark = [pytest.mark.no_db_isolation]
TODAY = today_in_china()


@pytest.fixture(scope="module")
def own_app(tmp_path_factory):
    with own_database(tmp_path_factory.mktemp("arrivals"), "arrivals") as url:
        app = create_app({"TESTING": True, "SECRET_KEY": "arrivals", "WTF_CSRF_ENABLED": False,
                          "SERVER_NAME": "localhost", "SQLALCHEMY_DATABASE_URI": url,
                          "RATELIMIT_ENABLED": False, "ARRIVAL_INDEX_PREBUILD": True,
                          "SIGNING_KEYS": "t1=dGVzdC1zaWduaW5nLWtleS0zMi1ieXRlcy1sb25nISE"})
        with app.app_context():
            upgrade()
            reference_data.load_products(db.session)
            reference_data.load_places(db.session)  # 太和县's seat: the producer's origin
            make = Factory(db.session)
            farmer = make.user()
            producer = make.producer(farmer)
            for _ in range(3):
                batch = make.batch(producer, product=make.product("Garlic (cured bulb)"))
                listings.create_listing(db.session, farmer, batch, {
                    "price": "4.00", "unit": "jin", "min_order": "10", "quantity": "600",
                    "available_to": TODAY + dt.timedelta(days=10)})
            db.session.commit()
            db.session.remove()
        yield app
        arrival_jobs.wait_for_jobs()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _rows(site_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(ListingArrival)
                             .where(ListingArrival.site_id == site_id))


def _buyer(app):
    with app.app_context():
        phone = Factory(db.session).user(Role.BUYER).phone
        db.session.commit()
        db.session.remove()
    web = app.test_client()
    assert web.post("/login", data={"phone": phone, "password": PASSWORD}).status_code == 302
    return web


def test_a_site_a_buyer_adds_is_indexed_before_its_first_search(own_app):
    added = _buyer(own_app).post("/api/v1/account/sites", json={
        "name": "浦东仓", "latitude": "31.22", "longitude": "121.54"})
    assert added.status_code == 201, added.json
    arrival_jobs.wait_for_jobs()

    with own_app.app_context():
        site_id = added.json["id"]
        assert db.session.get(ArrivalSite, site_id) is not None
        assert _rows(site_id) == 3  # one per listing
        assert site_id not in arrival_jobs.unindexed_sites(db.session)
        db.session.remove()


def test_a_refused_site_hands_nothing_over(own_app):
    with own_app.app_context():
        before = db.session.scalar(select(func.count()).select_from(ArrivalSite))
        db.session.remove()
    refused = _buyer(own_app).post("/api/v1/account/sites", json={"name": "无坐标的仓"})
    assert refused.status_code == 422
    arrival_jobs.wait_for_jobs()
    with own_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ArrivalSite)) == before
        db.session.remove()


def test_the_command_indexes_the_sites_that_have_no_rows_once(own_app, monkeypatch):
    monkeypatch.setitem(own_app.config, "ARRIVAL_INDEX_PREBUILD", False)  # sites as before it
    with own_app.app_context():
        make = Factory(db.session)
        first = make.new_place(name_zh="上海门店", kind=PlaceKind.BUYER_SITE,
                               latitude="31.23", longitude="121.47").id
        second = make.new_place(name_zh="南京仓", kind=PlaceKind.BUYER_SITE,
                                latitude="32.06", longitude="118.80").id
        db.session.commit()
        assert {first, second} <= set(arrival_jobs.unindexed_sites(db.session))
        db.session.remove()
    runner = own_app.test_cli_runner()

    done = runner.invoke(args=["build-arrival-index"])
    assert done.exit_code == 0, done.output
    assert f"site {first}: indexed" in done.output and f"site {second}: indexed" in done.output
    with own_app.app_context():
        assert arrival_jobs.unindexed_sites(db.session) == []
        assert _rows(first) == _rows(second) == 3
        db.session.remove()
    again = runner.invoke(args=["build-arrival-index"])
    assert "0 buyer site(s) indexed." in again.output
