"""The market page's front (market/pages/market_front.py): a signed-in buyer's repeat view is
answered with one database read and exactly the page the app renders; a sign-out, a disabled
account or a password reset is seen on the very next view; a listing change shows on the next
view; a kept page of one buyer never shows another's sites or unread notices.

A database of the test's own (the front reads committed rows on its own connections), with
the caches on and CSRF checked, as in production.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import threading
import time
from contextlib import contextmanager

import pytest
from flask import session as flask_session
from flask_login.utils import _create_identifier
from flask_migrate import upgrade
from flask_wtf.csrf import validate_csrf
from sqlalchemy import event, select
from werkzeug.http import parse_date

from freshcircle.platform import create_app
from freshcircle.platform.core.services import reference_data
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.extensions import db
from freshcircle.platform.market.pages.market import PAGES
from freshcircle.platform.market.services import listings
from freshcircle.platform.metrics import REQUEST_SECONDS
from freshcircle.platform.models import Listing, Notice, User
from freshcircle.platform.web.session_cookie import SessionCookies
from tests.factories import PASSWORD, Factory
from tests.platform.market_helpers import buyer_with_site, market
from tests.platform.own_database import own_database

pytestmark = pytest.mark.no_db_isolation
KEYS = "t1=dGVzdC1zaWduaW5nLWtleS0zMi1ieXRlcy1sb25nISE"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def front_app(tmp_path):
    """The app with its caches on, on a database of its own: a farmer's listing at ¥3.50 and
    two buyers with a delivery site each (王买家 has one unread notice)."""
    with own_database(tmp_path, "market_front") as url:
        app = create_app({"TESTING": True, "SECRET_KEY": "market-front-test",
                          "SQLALCHEMY_DATABASE_URI": url, "SIGNING_KEYS": KEYS,
                          "MARKET_RESULTS_CACHE_SECONDS": 3600, "RATELIMIT_ENABLED": False})
        PAGES.clear()  # the fragments of another test's database
        with app.app_context():
            upgrade()
            reference_data.load_products(db.session)
            reference_data.load_places(db.session)
            make = Factory(db.session)
            m = market(make, db.session)
            other, other_site = buyer_with_site(make, db.session, name="李买家")
            db.session.add(Notice(user_id=m.buyer.id, kind="recall", subject="LOT-1",
                                  payload=json.dumps({})))
            db.session.commit()
            ids = {"buyer": m.buyer.id, "other": other.id, "listing": m.listing.id,
                   "farmer": m.farmer.id,
                   "site": m.site.name_zh, "other_site": other_site.name_zh}
            db.session.remove()
        yield app, ids
        PAGES.clear()
        with app.app_context():
            db.engine.dispose()  # the front's connections with it


@contextmanager
def reads(app):
    """(app statements, front reads) made inside the block."""
    app_statements: list[str] = []
    front = app.extensions["market_front"]
    front_reads: list[dict] = []
    rows = front.database.rows

    def note(_conn, _cursor, statement, *_args):
        app_statements.append(statement)

    def counted(statement, params):
        front_reads.append(params)
        return rows(statement, params)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    front.database.rows = counted
    try:
        yield app_statements, front_reads
    finally:
        del front.database.rows
        event.remove(engine, "before_cursor_execute", note)


def _phone(app, user_id: int) -> str:
    with app.app_context():
        phone = db.session.get(User, user_id).phone
        db.session.remove()
    return phone


def sign_in(app, user_id: int):
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"csrf_token": token, "phone": _phone(app, user_id),
                                           "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _kept(app, client, path="/market", **kwargs):
    """The page for `path`, answered by the front (the app renders and keeps it first)."""
    assert client.get(path, **kwargs).status_code == 200
    with reads(app) as (app_statements, front_reads):
        response = client.get(path, **kwargs)
    assert app_statements == [] and len(front_reads) == 1, "the front answered, in one read"
    assert response.status_code == 200
    return response


def _body(response) -> str:
    data = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    return data.decode()


def _by_app(client, path="/market", headers=None):
    """The app's own answer (a conditional request never goes through the front)."""
    with reads(client.application) as (app_statements, front_reads):
        response = client.get(path, headers={**(headers or {}), "If-None-Match": '"x"'})
    assert app_statements and not front_reads
    return response


def _card_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/market/listings/(\d+)[?"]', html)]


@pytest.mark.parametrize("headers", [{}, {"Accept-Encoding": "gzip"}])
@pytest.mark.parametrize("path", ["/market", "/market?q=菠菜&sort=fresh", "/market?lang=en"])
def test_a_kept_page_is_the_page_the_app_renders(front_app, path, headers):
    app, ids = front_app
    client = sign_in(app, ids["buyer"])
    front = _kept(app, client, path, headers=headers)
    by_app = _by_app(client, path, headers)
    assert front.headers.get("Content-Encoding") == by_app.headers.get("Content-Encoding")
    mine, theirs = _body(front), _body(by_app)
    assert TOKEN.sub("T", mine) == TOKEN.sub("T", theirs)
    assert _card_ids(mine) == [ids["listing"]]

    def comparable(response):
        # Date is each answer's own (a compressed page is dated when answered): the two
        # answers may fall in different seconds; both carry one.
        return {(k, v) for k, v in response.headers.items() if k not in ("Content-Length",
                                                                         "Date")}

    assert comparable(front) == comparable(by_app)
    assert ("Date" in front.headers) == ("Date" in by_app.headers)
    assert "Set-Cookie" not in front.headers


def test_views_of_a_page_being_rendered_wait_for_that_one_render(front_app):
    """The first views of a search (or of a minute, or after a change) coming together: the
    app renders the page once, and the others are answered with it."""
    app, ids = front_app
    client = sign_in(app, ids["buyer"])
    _kept(app, client)  # templates compiled: the render below takes its 0.3 s, not seconds
    cookie = client.get_cookie("session").value
    front = app.extensions["market_front"]
    inner, renders, answers = front.wsgi_app, [], []

    def slow_app(environ, start_response):
        renders.append(environ.get("QUERY_STRING"))
        time.sleep(0.3)
        return inner(environ, start_response)

    def view():
        response = app.test_client(use_cookies=False).get(
            "/market?q=菠菜", headers={"Cookie": f"session={cookie}"})
        answers.append((response.status_code, TOKEN.sub("T", response.get_data(as_text=True))))

    front.wsgi_app = slow_app
    try:
        views = [threading.Thread(target=view) for _ in range(4)]
        for thread in views:
            thread.start()
        for thread in views:
            thread.join()
    finally:
        front.wsgi_app = inner
    assert len(renders) == 1 and len(answers) == 4
    assert {status for status, _page in answers} == {200} and len(set(answers)) == 1
    assert _card_ids(answers[0][1]) == [ids["listing"]]


def test_a_compressed_page_is_dated_when_it_is_sent(front_app):
    app, ids = front_app
    client = sign_in(app, ids["buyer"])
    _kept(app, client, headers={"Accept-Encoding": "gzip"})
    time.sleep(1.1)
    before = time.time()
    front = _kept(app, client, headers={"Accept-Encoding": "gzip"})
    sent = parse_date(front.headers["Date"]).timestamp()  # whole seconds
    assert int(before) <= sent <= time.time()
    assert front.headers.get_all("Date") == [front.headers["Date"]]


def _market_views_timed() -> float:
    for sample in REQUEST_SECONDS.collect()[0].samples:
        if sample.name.endswith("_count") and sample.labels == {
                "endpoint": "market_pages.index", "method": "GET"}:
            return sample.value
    return 0.0


def test_a_front_answer_is_timed_as_the_apps_are(front_app):
    """/metrics' request latency counts the views the front answers, under the page's
    endpoint."""
    app, ids = front_app
    client = sign_in(app, ids["buyer"])
    client.get("/market")
    before = _market_views_timed()
    _kept(app, client)  # two views (the first may be the app's)
    assert _market_views_timed() == before + 2


def test_the_front_signs_a_csrf_token_the_app_takes(front_app):
    """The sign-out form of a page the front answered works: the token is this session's."""
    app, ids = front_app
    client = sign_in(app, ids["buyer"])
    token = TOKEN.search(_body(_kept(app, client))).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    response = client.get("/market")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_sign_out_elsewhere_ends_this_browsers_market_page_at_once(front_app):
    app, ids = front_app
    phone, laptop = sign_in(app, ids["buyer"]), sign_in(app, ids["buyer"])
    _kept(app, phone)
    token = TOKEN.search(_body(_kept(app, laptop))).group(1)
    assert laptop.post("/logout", data={"csrf_token": token}).status_code == 302
    response = phone.get("/market")  # the same cookie as a moment ago
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_disabled_account_or_a_password_reset_gets_no_market_page(front_app):
    app, ids = front_app
    client = sign_in(app, ids["buyer"])
    _kept(app, client)

    def change(**values):
        with app.app_context():
            user = db.session.get(User, ids["buyer"])
            for name, value in values.items():
                setattr(user, name, value)
            db.session.commit()
            db.session.remove()

    change(active=False)
    response = client.get("/market")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    change(active=True, must_set_password=True)
    response = client.get("/market")
    assert response.status_code == 302 and "first-password" in response.headers["Location"]


def test_a_listing_change_shows_on_the_next_view(front_app):
    app, ids = front_app
    client = sign_in(app, ids["buyer"])
    assert "¥3.50" in _body(_kept(app, client))
    with app.app_context():
        item = db.session.get(Listing, ids["listing"])
        farmer = db.session.get(User, ids["farmer"])
        listings.update_listing(db.session, farmer, item, {
            "price": "4.20", "unit": "jin", "min_order": "20", "quantity": "1000",
            "available_to": today_in_china() + dt.timedelta(days=7), "tiers": []})
        db.session.commit()
        db.session.remove()
    page = client.get("/market").get_data(as_text=True)
    assert "¥4.20" in page and "¥3.50" not in page
    assert "¥4.20" in _body(_kept(app, client))


def test_a_kept_page_of_one_buyer_never_shows_another_buyers(front_app):
    app, ids = front_app
    first, second = sign_in(app, ids["buyer"]), sign_in(app, ids["other"])
    for _ in range(2):
        mine, theirs = _body(_kept(app, first)), _body(_kept(app, second))
        assert ids["site"] in mine and ids["other_site"] not in mine
        assert ids["other_site"] in theirs and ids["site"] not in theirs
        assert '<span class="nav-count" aria-hidden="true">1</span>' in mine
        assert "nav-count" not in theirs
        assert TOKEN.search(mine).group(1) != TOKEN.search(theirs).group(1)
    with app.app_context():  # a notice for the second buyer: their next view counts it
        db.session.add(Notice(user_id=ids["other"], kind="recall", subject="LOT-2",
                              payload=json.dumps({})))
        db.session.commit()
        db.session.remove()
    assert '<span class="nav-count" aria-hidden="true">1</span>' in \
        second.get("/market").get_data(as_text=True)
    assert '<span class="nav-count" aria-hidden="true">1</span>' in _body(_kept(app, second))


def test_another_browser_gets_the_page_and_the_session_the_app_would_send(front_app):
    """Flask-Login's basic protection marks a session seen from another browser not fresh:
    the front sends the same page and a cookie of the same session as the app does."""
    app, ids = front_app
    client = sign_in(app, ids["buyer"])
    _kept(app, client)  # kept for this session, from the browser it signed in with
    cookie = client.get_cookie("session").value
    other = app.test_client(use_cookies=False)
    headers = {"Cookie": f"session={cookie}", "User-Agent": "Laptop/2"}
    with reads(app) as (app_statements, front_reads):
        front = other.get("/market", headers=headers)
    assert app_statements == [] and len(front_reads) == 1
    by_app = _by_app(other, headers=headers)
    sessions = SessionCookies(app)
    mine, theirs = front.headers["Set-Cookie"], by_app.headers["Set-Cookie"]
    assert sessions.cookie_session(mine) == sessions.cookie_session(theirs)
    assert sessions.cookie_session(mine)["_fresh"] is False
    assert mine.split(";")[1:] == theirs.split(";")[1:]  # Path, HttpOnly, SameSite
    assert TOKEN.sub("T", _body(front)) == TOKEN.sub("T", _body(by_app))


@pytest.mark.parametrize("environ", [
    {"REMOTE_ADDR": "10.0.0.7", "HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 14)"},
    {"REMOTE_ADDR": "10.0.0.7"},
    {"REMOTE_ADDR": "10.0.0.7", "HTTP_X_FORWARDED_FOR": "203.0.113.9, 10.0.0.1",
     "HTTP_USER_AGENT": "curl/8"},
])
def test_the_front_reads_the_session_as_flask_login_and_flask_wtf_do(environ):
    app = create_app({"TESTING": True, "SECRET_KEY": "session-cookie-test",
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    sessions = SessionCookies(app)
    with app.test_request_context("/market", environ_base=environ):
        ident = _create_identifier()
        raw = "a" * 40
        session = {"_id": ident, "_user_id": "s" * 64, "csrf_token": raw, "_fresh": True}
        assert sessions.protection(environ, session) is True
        flask_session["csrf_token"] = raw
        validate_csrf(sessions.csrf_token(session))  # raises when the token is not good
        changed = sessions.protection(environ, {**session, "_id": "another browser"})
        assert sessions.cookie_session(changed)["_fresh"] is False
    with app.app_context():
        db.engine.dispose()


def test_a_reading_front_keeps_the_app_on_its_own_when_the_database_fails(front_app):
    """No answer from the front's read: the app answers, as without the front."""
    app, ids = front_app
    client = sign_in(app, ids["buyer"])
    _kept(app, client)
    front = app.extensions["market_front"]
    front.database.rows = lambda statement, params: None
    try:
        response = client.get("/market")
    finally:
        del front.database.rows
    assert response.status_code == 200
    assert _card_ids(response.get_data(as_text=True)) == [ids["listing"]]


def test_the_front_read_finds_the_sessions_user(front_app):
    app, ids = front_app
    front = app.extensions["market_front"]
    from freshcircle.platform.market.services import browse_facts

    with app.app_context():
        session_ids = {user_id: db.session.scalar(select(User.session_id).where(
            User.id == user_id)) for user_id in (ids["buyer"], ids["other"])}
        db.session.remove()
    facts = browse_facts.read(front.database, session_ids[ids["buyer"]])
    assert facts.user_id == ids["buyer"] and facts.unread == 1
    assert [name for _id, name, _en in facts.sites] == [ids["site"]]
    assert browse_facts.read(front.database, "no-such-session") is None
    both = browse_facts.read_many(front.database, [*session_ids.values(), "no-such-session"])
    assert {f.user_id: [name for _id, name, _en in f.sites] for f in both.values()} == {
        ids["buyer"]: [ids["site"]], ids["other"]: [ids["other_site"]]}
    assert both[session_ids[ids["other"]]].unread == 0
