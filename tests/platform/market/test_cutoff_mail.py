"""Cut-off packing lists by e-mail: sent through a real SMTP server to members with an
address, once, after the inbox notices; nothing is mailed when no server is configured."""

from __future__ import annotations

import datetime as dt

from freshcircle.platform.core.services import accounts
from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.market.services import orders
from freshcircle.platform.models import CutoffNotice, Role
from tests.platform.market_helpers import market
from tests.platform.smtp_helpers import SmtpServer

MORNING = dt.datetime(2026, 11, 26, 10, 0, tzinfo=CHINA)
AFTER_CUTOFF = "2026-11-26T16:05+08:00"


def _ordered(make, session):
    m = market(make, session)
    m.farmer.email = "farmer@example.com"
    orders.checkout(session, m.buyer, m.site.id, [
        {"listing_id": m.listing.id, "quantity": "100", "unit": "jin"}], MORNING)
    session.commit()
    return m


def test_packing_list_is_mailed_once_to_members_with_an_address(app, make, session):
    m = _ordered(make, session)
    with SmtpServer() as smtp:
        app.config["SMTP_URL"] = smtp.url
        try:
            first = app.test_cli_runner().invoke(args=["send-cutoff-notices", "--now",
                                                       AFTER_CUTOFF])
            again = app.test_cli_runner().invoke(args=["send-cutoff-notices", "--now",
                                                       AFTER_CUTOFF])
        finally:
            app.config["SMTP_URL"] = None

    assert first.exit_code == 0, first.output
    assert "1 e-mail(s) sent for 1 notice(s)" in first.output
    assert "0 e-mail(s) sent" in again.output
    ((to, message),) = smtp.received
    assert to == ["farmer@example.com"]
    assert "截单装箱单 2026-11-27" in message["Subject"]
    body = message.get_content()
    assert m.listing.batch.lot_code in body and "50 kg（100 斤）" in body
    notice = session.query(CutoffNotice).one()
    session.refresh(notice)
    assert notice.emailed is True


def test_without_a_mail_server_only_the_inbox_gets_it(app, make, session):
    _ordered(make, session)
    result = app.test_cli_runner().invoke(args=["send-cutoff-notices", "--now", AFTER_CUTOFF])
    assert result.exit_code == 0 and "e-mail" not in result.output
    assert session.query(CutoffNotice).one().emailed is False


def test_an_unreachable_mail_server_leaves_the_notice_to_retry(app, make, session):
    _ordered(make, session)
    app.config["SMTP_URL"] = "smtp://127.0.0.1:9"  # nothing listens on the discard port
    try:
        result = app.test_cli_runner().invoke(args=["send-cutoff-notices", "--now",
                                                    AFTER_CUTOFF])
    finally:
        app.config["SMTP_URL"] = None
    assert "e-mail failed: farmer@example.com" in result.output
    assert session.query(CutoffNotice).one().emailed is False


def test_accounts_take_an_optional_email_and_refuse_a_bad_one(session, login, make):
    import pytest

    from freshcircle.platform.core.services.errors import InvalidInput

    user = accounts.create_user(session, phone="13811112222", name="李四", password="secret-pw-1",
                                role=Role.FARMER, email=" li@example.com ")
    assert user.email == "li@example.com"
    with pytest.raises(InvalidInput) as refused:
        accounts.create_user(session, phone="13811113333", name="王五", password="secret-pw-1",
                             role=Role.FARMER, email="not-an-address")
    assert "email" in refused.value.errors
    admin = login(make.user(Role.ADMIN))
    page = admin.post("/admin/users/new", data={"phone": "13811114444", "name": "赵六",
                                                "role": "farmer", "password": "secret-pw-1",
                                                "email": "zhao@example"})
    assert page.status_code == 422
