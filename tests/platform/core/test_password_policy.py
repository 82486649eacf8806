"""Passwords: at least 10 characters and not one of the 10,000 most common, wherever one is
chosen (an admin creating an account, the command line, a member's first password)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from freshcircle.platform.core.services import passwords
from freshcircle.platform.models import Role, User
from tests.platform.page_helpers import count, field_errors

TOO_SHORT = "密码至少 10 位。"
TOO_COMMON = "这个密码太常见，很容易被猜到，请换一个。"


def test_the_list_holds_the_ten_thousand_most_common():
    common = passwords.common_passwords()
    assert len(common) == 10_000
    assert {"12345678", "password", "1234567890", "qwertyuiop"} <= common


@pytest.mark.parametrize(("password", "message"), [
    ("12345678", TOO_SHORT),           # accepted before: 8 characters were enough
    ("short-pw1", TOO_SHORT),
    ("1234567890", TOO_COMMON),
    ("QwertyUiop", TOO_COMMON),        # a common password in other letter case
])
def test_admin_cannot_give_a_weak_password(make, login, session, password, message):
    client = login(make.user(Role.ADMIN))
    before = count(session, User)
    response = client.post("/admin/users/new", data={
        "phone": "139 0000 1234", "name": "赵大娘", "role": "farmer", "password": password})
    assert response.status_code == 422
    assert field_errors(response, "password") == [message]
    assert count(session, User) == before


def test_a_long_uncommon_password_is_accepted(make, login, session):
    client = login(make.user(Role.ADMIN))
    response = client.post("/admin/users/new", data={
        "phone": "139 0000 1234", "name": "赵大娘", "role": "farmer",
        "password": "稻虾田里的青蛙-2026"})
    assert response.status_code == 302
    assert session.scalar(select(User).where(User.phone == "13900001234")) is not None


def test_english_messages():
    assert [str(m) for m in passwords.password_problems("1234")] == [
        "The password needs at least 10 characters."]
