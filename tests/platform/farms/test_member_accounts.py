"""A co-op manager adds a member who has no account: the account is created with a one-time
setup code (shown once, stored hashed, valid 72 hours); the member signs in with it and must
set a password before anything else."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from freshcircle.platform.models import MemberRole, Membership, Role, User
from tests.platform.page_helpers import field_errors, text

NEW_PHONE = "13966660001"


def _setup_code(response) -> str:
    found = re.search(r'id="setup-code"[^>]*>\s*([A-Z0-9]{8,})\s*<',
                      response.get_data(as_text=True))
    assert found, text(response)
    return found.group(1)


def _add_new_member(make, login, session):
    manager = make.user(name="社长")
    producer = make.producer(manager)
    response = login(manager).post(f"/producers/{producer.id}/members", data={
        "phone": "139 6666 0001", "name": "孙桂兰", "role": "member"})
    return producer, response


def test_manager_creates_an_account_for_an_unknown_phone_and_sees_a_setup_code(make, login,
                                                                                 session):
    producer, response = _add_new_member(make, login, session)

    assert response.status_code == 200, text(response)
    code = _setup_code(response)
    assert len(code) >= 8
    page = text(response)
    assert "孙桂兰" in page and "72 小时" in page
    user = session.scalar(select(User).where(User.phone == NEW_PHONE))
    assert user.role == Role.FARMER and user.name == "孙桂兰"
    assert session.get(Membership, (user.id, producer.id)).role == MemberRole.MEMBER
    assert user.setup_code_hash and code not in user.setup_code_hash  # stored hashed
    assert user.setup_code_expires_at is not None


def test_unknown_phone_without_a_name_asks_for_the_name(make, login, session):
    manager = make.user()
    producer = make.producer(manager)
    response = login(manager).post(f"/producers/{producer.id}/members",
                                   data={"phone": NEW_PHONE, "role": "member"})
    assert response.status_code == 422
    assert field_errors(response, "name") == ["这个手机号还没有账号：填写成员姓名即可为其开户。"]
    assert session.scalar(select(User).where(User.phone == NEW_PHONE)) is None


def test_member_signs_in_with_the_code_and_must_set_a_password(make, login, session, app):
    _producer, response = _add_new_member(make, login, session)
    code = _setup_code(response)
    client = app.test_client()

    signed_in = client.post("/login", data={"phone": NEW_PHONE, "password": code})
    assert signed_in.status_code == 302 and signed_in.location.endswith("/account/first-password")
    # nothing else before the password is set
    blocked = client.get("/producers/")
    assert blocked.status_code == 302 and blocked.location.endswith("/account/first-password")
    short = client.post("/account/first-password", data={"password": "short", "confirm": "short"})
    assert short.status_code == 422 and field_errors(short, "password") == ["密码至少 10 位。"]
    done = client.post("/account/first-password",
                       data={"password": "sun-guilan-2026", "confirm": "sun-guilan-2026"})
    assert done.status_code == 302
    assert client.get("/producers/").status_code == 200

    again = app.test_client().post("/login", data={"phone": NEW_PHONE, "password": code})
    assert again.status_code == 401, "a setup code works once"
    assert app.test_client().post("/login", data={
        "phone": NEW_PHONE, "password": "sun-guilan-2026"}).status_code == 302


def test_an_expired_setup_code_is_refused_with_a_clear_message(make, login, session, app):
    _producer, response = _add_new_member(make, login, session)
    code = _setup_code(response)
    user = session.scalar(select(User).where(User.phone == NEW_PHONE))
    user.setup_code_expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    session.commit()

    refused = app.test_client().post("/login", data={"phone": NEW_PHONE, "password": code})

    assert refused.status_code == 401
    assert "这个开户码已过期（72 小时有效），请让合作社管理员重新生成。" in text(refused)


def test_sign_in_page_tells_new_members_about_the_setup_code(client):
    page = text(client.get("/login"))
    assert "开户码" in page


def test_adding_the_member_again_gives_a_new_code_when_the_old_one_expired(make, login,
                                                                          session, app):
    producer, response = _add_new_member(make, login, session)
    old_code = _setup_code(response)
    user = session.scalar(select(User).where(User.phone == NEW_PHONE))
    user.setup_code_expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    session.commit()
    manager = next(m.user for m in producer.memberships if m.role == MemberRole.MANAGER)

    again = login(manager).post(f"/producers/{producer.id}/members",
                                data={"phone": NEW_PHONE, "role": "member"})

    new_code = _setup_code(again)
    assert new_code != old_code
    client = app.test_client()
    assert client.post("/login", data={"phone": NEW_PHONE, "password": old_code}
                       ).status_code == 401
    assert client.post("/login", data={"phone": NEW_PHONE, "password": new_code}
                       ).status_code == 302


def test_another_co_op_cannot_reissue_a_code_for_someone_elses_new_member(make, login,
                                                                         session):
    _producer, _response = _add_new_member(make, login, session)
    other_manager = make.user(name="别社社长")
    other = make.producer(other_manager, name="别的合作社")

    response = login(other_manager).post(f"/producers/{other.id}/members",
                                         data={"phone": NEW_PHONE, "role": "member"})

    assert 'id="setup-code"' not in response.get_data(as_text=True)
