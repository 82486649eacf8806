"""Signing in, each role's landing page, the language switch and the role navigation."""

from __future__ import annotations

import pytest

from freshcircle.platform.models import Role
from tests.factories import PASSWORD
from tests.platform.page_helpers import text


def test_sign_in_page_is_chinese_with_a_phone_keypad(client):
    response = client.get("/login")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in body
    assert "登录" in body and "手机号" in body and "密码" in body
    assert 'type="tel"' in body and 'inputmode="numeric"' in body


def test_wrong_password_says_so_and_keeps_the_number(make, client):
    farmer = make.user()
    response = client.post("/login", data={"phone": farmer.phone, "password": "wrong-one"})
    assert response.status_code == 401
    assert "手机号或密码不对。" in text(response)
    assert f'value="{farmer.phone}"' in response.get_data(as_text=True)


def test_phone_typed_with_spaces_signs_in(make, client):
    make.user(phone="13812345678")
    response = client.post("/login", data={"phone": "138 1234 5678", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("role", "landing"),
    [(Role.FARMER, "/"), (Role.COOP_ADMIN, "/"), (Role.INSPECTOR, "/inspector/batches"),
     (Role.ADMIN, "/admin/users"), (Role.CARRIER, "/carrier/shipments"), (Role.BUYER, "/")],
)
def test_each_role_lands_on_its_page(make, client, role, landing):
    user = make.user(role)
    response = client.post("/login", data={"phone": user.phone, "password": PASSWORD})
    assert response.status_code == 302
    assert response.location.endswith(landing)
    assert client.get("/").status_code == (200 if landing == "/" else 302)


def test_next_is_followed_only_within_the_site(make, client):
    user = make.user()
    ok = client.post("/login?next=/inputs", data={"phone": user.phone, "password": PASSWORD})
    assert ok.location.endswith("/inputs")
    client.post("/logout")
    evil = client.post("/login?next=//evil.example/x",
                       data={"phone": user.phone, "password": PASSWORD})
    assert "evil" not in evil.location


def test_navigation_matches_the_role(make, login):
    farmer_nav = login(make.user()).get("/").get_data(as_text=True)
    assert 'id="nav-batches"' in farmer_nav and 'id="nav-inputs"' in farmer_nav
    assert 'id="nav-users"' not in farmer_nav
    admin_nav = login(make.user(Role.ADMIN)).get("/admin/users").get_data(as_text=True)
    assert 'id="nav-users"' in admin_nav and 'id="nav-places"' in admin_nav
    assert 'id="nav-inputs"' not in admin_nav


def test_switch_to_english_and_back(make, login):
    client = login(make.user())
    response = client.get("/lang/en?next=/inputs")
    assert response.status_code == 302 and response.location.endswith("/inputs")
    english = client.get("/inputs").get_data(as_text=True)
    assert '<html lang="en">' in english and "Pesticides and fertilisers" in english
    assert "中文" in english
    client.get("/lang/zh")
    assert "农药和肥料" in client.get("/inputs").get_data(as_text=True)


def test_sign_out(make, login):
    client = login(make.user())
    response = client.post("/logout")
    assert response.status_code == 302
    assert "您已退出登录" in text(client.get("/login"))
    assert client.get("/inputs").status_code == 302


def test_error_pages_are_chinese(make, login):
    response = login(make.user()).get("/batches/999999")
    assert response.status_code == 404
    assert "找不到这个批次" in text(response)
