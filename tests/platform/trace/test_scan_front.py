"""The scan page's fast path (trace/pages/scan_front.py): a shopper's scan of a genuine pack,
with Redis, is answered without the database and with exactly the page the app renders; every
scan it answers is stored; a hold, a recall or a new temperature reading shows on the next
scan; a copied code is flagged as the app flags it.

Real Redis (db 9, as test_scan_stream.py) and a database of the test's own.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import socket
import threading
from contextlib import contextmanager

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, text

from freshcircle.platform import create_app
from freshcircle.platform.core.services import reference_data
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Batch, BatchStatus, Role, Shipment, User
from freshcircle.platform.trace.services import recalls
from tests.factories import Factory
from tests.platform.own_database import own_database
from tests.platform.trace.test_scan_stream import (  # noqa: F401 (fixture)
    REDIS_URL,
    _stored,
    _writer,
    redis,
)
from tests.platform.trace_helpers import path_of, printed_codes

KEYS = "t1=dGVzdC1zaWduaW5nLWtleS0zMi1ieXRlcy1sb25nISE"
pytestmark = pytest.mark.no_db_isolation


@pytest.fixture
def front_app(tmp_path, redis):  # noqa: F811
    """An app with Redis on a database of its own: a batch on a shipment, 40 printed codes."""
    with own_database(tmp_path, "front") as url:
        app = create_app({"TESTING": True, "SECRET_KEY": "scan-front-test",
                          "SQLALCHEMY_DATABASE_URI": url, "SIGNING_KEYS": KEYS,
                          "REDIS_URL": REDIS_URL})
        with app.app_context():
            upgrade()
            reference_data.load_products(db.session)
            reference_data.load_places(db.session)
            make = Factory(db.session)
            batch = make.batch(make.producer(make.user()))
            shipment = make.shipment(lines=[(batch, 10_000)])
            start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
            for minutes in range(0, 60, 10):
                make.temperature_reading(shipment, "4.0", start + dt.timedelta(minutes=minutes))
            inspector = make.user(Role.INSPECTOR)
            db.session.commit()
            ids = {"batch": batch.id, "shipment": shipment.id, "inspector": inspector.id}
            codes = [path_of(uri) for uri in printed_codes(app, db.session, batch, 40)]
            db.session.remove()
        yield app, url, codes, ids
        with app.app_context():
            db.engine.dispose()


@contextmanager
def statements(app):
    """The SQL statements run inside the block (a list, filled as they run)."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _nonce(response) -> str:
    """The response's CSP nonce (for its pygal chart's style element)."""
    policy = response.headers["Content-Security-Policy"]
    return policy.split("'nonce-", 1)[1].split("'", 1)[0]


def _warm(client, codes):
    """The first scans of a lot: the app learns the lot, then renders the page the front keeps."""
    for code in codes:
        assert client.get(code).status_code == 200


def test_a_kept_page_is_the_page_the_app_renders_and_needs_no_database(front_app):
    app, _url, codes, _ids = front_app
    client = app.test_client()
    _warm(client, codes[:3])
    for headers in ({}, {"Accept-Encoding": "gzip"}):
        for code in (codes[5], codes[6] + "&lang=en"):
            with statements(app) as seen:
                front = client.get(code, headers=headers)
            if seen:  # a new key (encoding, language): the app rendered it and kept it
                with statements(app) as seen:
                    front = client.get(code, headers=headers)
            assert seen == [], "the front answered a kept page without the database"
            app_client = app.test_client()
            app_client.set_cookie("seen", "1")  # any cookie: the app answers itself
            with statements(app) as seen:
                by_app = app_client.get(code, headers=headers)
            assert seen, "the app's answer came from the app"
            assert front.status_code == by_app.status_code == 200
            if headers:
                assert front.headers["Content-Encoding"] == by_app.headers["Content-Encoding"]
            body = front.get_data()
            if front.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            app_body = by_app.get_data()
            if by_app.headers.get("Content-Encoding") == "gzip":
                app_body = gzip.decompress(app_body)
            assert _nonce(front) != _nonce(by_app)  # each response has its own
            assert body.replace(_nonce(front).encode(), b"N") == \
                app_body.replace(_nonce(by_app).encode(), b"N")
            assert _nonce(front).encode() in body
            assert "Genuine: issued by FreshCircle" in body.decode() or \
                "正品验证通过" in body.decode()

            def comparable(response):
                return {(name, value.replace(_nonce(response), "N"))
                        for name, value in response.headers.items()
                        if name not in ("Content-Length", "Set-Cookie", "Vary")}

            assert comparable(front) == comparable(by_app)
    # This pack's serial and this URL are in the page, not the first scanner's.
    page = client.get(codes[7]).get_data(as_text=True)
    serial = codes[7].split("/21/")[1].split("?")[0]
    assert f'<dd class="mono">{serial}</dd>' in page
    assert "next=%2F01%2F" not in page or codes[7].split("?")[0].replace("/", "%2F") in page


def test_a_client_that_takes_anything_gets_the_page_and_the_linkset_is_named(front_app):
    """`Accept: */*` (curl, most scanner apps) gets the default link, the page, from the
    front as from the app; a client that names the linkset gets it."""
    app, _url, codes, _ids = front_app
    client = app.test_client()
    _warm(client, codes[:3])
    with statements(app) as seen:
        page = client.get(codes[4], headers={"Accept": "*/*"})
    assert seen == [] and page.content_type.startswith("text/html")  # the front answered
    assert "正品验证通过" in page.get_data(as_text=True)
    answer = client.get(codes[4], headers={"Accept": "application/linkset+json"})
    assert answer.status_code == 200
    assert answer.content_type == "application/linkset+json"
    assert answer.json["linkset"][0]["anchor"].endswith(codes[4])
    by_app = app.test_client()
    by_app.set_cookie("seen", "1")
    for accept in ("application/json, */*;q=0.5", "text/html;q=0.1, */*;q=0.2", "*/*",
                   "text/html;q=0.5, application/linkset+json"):
        answers = [c.get(codes[6], headers={"Accept": accept}) for c in (client, by_app)]
        assert answers[0].content_type == answers[1].content_type, accept
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    with statements(app) as seen:
        page = client.get(codes[5], headers={"Accept": browser})
    assert seen == [] and page.content_type.startswith("text/html")


def test_every_scan_the_front_answers_is_stored_once(front_app):
    app, url, codes, _ids = front_app
    client = app.test_client()
    _warm(client, codes[:3])
    for code in codes * 3:
        assert client.get(code).status_code == 200
    assert _stored(url) == (0, 0)  # nothing was written by the pages
    writer = _writer(url, REDIS_URL, "--once")
    output, _ = writer.communicate(timeout=60)
    assert writer.returncode == 0, output
    assert _stored(url) == (3 + 3 * len(codes), 3 + 3 * len(codes))


def test_a_hold_a_recall_and_a_new_reading_show_on_the_next_scan(front_app):
    app, _url, codes, ids = front_app
    client = app.test_client()
    _warm(client, [code + "&lang=en" for code in codes[:3]])

    def page(code):
        with statements(app) as seen:
            text = client.get(code + "&lang=en").get_data(as_text=True)
        return text, seen

    text, seen = page(codes[4])
    assert seen == [] and "Readings: 6 · lowest 4\xa0°C · highest 4\xa0°C" in text
    assert "On hold" not in text
    with app.app_context():  # a logger upload adds a warm reading
        shipment = db.session.get(Shipment, ids["shipment"])
        Factory(db.session).temperature_reading(
            shipment, "15.0", dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
        db.session.commit()
        db.session.remove()
    text, _ = page(codes[5])
    assert "Readings: 7 · lowest 4\xa0°C · highest 15\xa0°C" in text
    text, seen = page(codes[6])
    assert seen == [] and "Readings: 7" in text  # kept again at the new version

    for status, banner in ((BatchStatus.HELD, "On hold: this batch is being checked"),
                           (BatchStatus.RECALLED, "Recalled: do not eat this product")):
        with app.app_context():
            batch = db.session.get(Batch, ids["batch"])
            inspector = db.session.get(User, ids["inspector"])
            recalls.restrict(db.session, inspector, batch, status, "农残超标")
            db.session.commit()
            db.session.remove()
        text, _ = page(codes[8])
        assert banner in text and "农残超标" in text
        text, seen = page(codes[9])
        assert seen == [] and banner in text


def test_the_front_flags_a_copied_code_as_the_app_does(front_app):
    app, _url, codes, _ids = front_app
    client = app.test_client()
    _warm(client, codes[:3])
    copied = codes[10] + "&lang=en"
    pages = []
    for n in range(6):  # one serial, from six networks: a copied label
        response = client.get(copied, environ_base={"REMOTE_ADDR": f"10.0.{n}.7"})
        pages.append(response.get_data(as_text=True))
    assert all("may have been copied" not in page for page in pages[:4])
    assert "scanned 5 times from 5 different places in the last 24 hours" in pages[4]
    assert "scanned 6 times from 6 different places" in pages[5]
    other = client.get(codes[11] + "&lang=en").get_data(as_text=True)
    assert "may have been copied" not in other


class ReplyEater:
    """A TCP proxy in front of the machine's Redis that can stop passing Redis's replies
    back: a command is run, and its caller times out as if the answer were lost."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.eat = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", 6379))
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, source, target, replies: bool) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if not (replies and self.eat.is_set()):
                    target.sendall(data)
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.close()

    def close(self) -> None:
        self.listener.close()


def test_a_scan_whose_redis_answer_is_lost_is_stored_once(front_app, redis):  # noqa: F811
    """Redis runs the scan's script but its answer never arrives (timeout): the page still
    answers, the app stores the scan itself under the same scan id and time, and the writer's
    copy from the stream is the same row, not a second one."""
    app, url, codes, _ids = front_app
    proxy = ReplyEater()
    try:
        app.config["REDIS_URL"] = f"redis://127.0.0.1:{proxy.port}/9"
        app.extensions.pop("scan_redis", None)
        client = app.test_client()
        _warm(client, codes[:3])
        proxy.eat.set()
        page = client.get(codes[4])
        proxy.eat.clear()
        assert page.status_code == 200 and "正品验证通过" in page.get_data(as_text=True)
        entries = redis.xrange("freshcircle:scans")
        assert len(entries) == 4  # Redis ran the lost command: the scan is in the stream
        lost_id = entries[-1][1][b"scan_id"].decode()
        assert _stored(url) == (1, 1)  # and the app stored it itself
        writer = _writer(url, REDIS_URL, "--once")
        output, _ = writer.communicate(timeout=60)
        assert writer.returncode == 0, output
        assert _stored(url) == (4, 4)  # three through the stream, the lost one once
        with app.app_context():
            ids = db.session.scalars(text("SELECT scan_id FROM scan_events")).all()
            db.session.remove()
        assert ids.count(lost_id) == 1
    finally:
        proxy.close()
