"""A token's last use is recorded at most once every five minutes, after the request's own
transaction: a GET with a token does not write inside its read."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from freshcircle.platform.core.services import accounts
from freshcircle.platform.models import ApiToken, Role


def _last_used(session, token_id):
    session.expire_all()
    return session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == token_id))


def _set_last_used(session, token_id, when):
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=when))
    session.commit()


def test_token_use_is_recorded_once_in_five_minutes(make, session, app):
    buyer = make.user(Role.BUYER)
    token, plain = accounts.issue_token(session, buyer, "erp")
    session.commit()
    bearer = {"Authorization": f"Bearer {plain}"}
    client = app.test_client()
    before = dt.datetime.now(dt.UTC)

    assert client.get("/api/v1/listings", headers=bearer).status_code == 200
    first = _last_used(session, token.id)
    assert first is not None and first >= before  # the first use is recorded

    two_minutes_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
    _set_last_used(session, token.id, two_minutes_ago)
    assert client.get("/api/v1/listings", headers=bearer).status_code == 200
    assert client.options("/api/v1/listings", headers=bearer).status_code == 200
    assert _last_used(session, token.id) == two_minutes_ago  # recent enough: no write

    six_minutes_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=6)
    _set_last_used(session, token.id, six_minutes_ago)
    assert client.get("/api/v1/listings", headers=bearer).status_code == 200
    assert _last_used(session, token.id) > six_minutes_ago + dt.timedelta(minutes=5)


def test_listed_tokens_show_their_last_use(make, session, app):
    farmer = make.user()
    token, plain = accounts.issue_token(session, farmer, "logger")
    session.commit()
    client = app.test_client()

    listed = client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {plain}"})

    assert listed.status_code == 200
    assert _last_used(session, token.id) is not None
