"""Accounts managed for real: change a password (with the old one), a reset code from an
admin or the co-op manager, deactivation and reactivation by an admin, removing a member from
a producer, and the admin's user list. Every action lands in the audit log."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from freshcircle.platform.core.services import account_management, setup_codes
from freshcircle.platform.models import AuditAction, AuditEntry, MemberRole, Membership, Role
from tests.factories import PASSWORD
from tests.platform.page_helpers import field_errors, text

NEW_PASSWORD = "稻花香里说丰年-2026"


def _actions(session, user) -> list[AuditAction]:
    return list(session.scalars(select(AuditEntry.action).where(
        AuditEntry.target_user_id == user.id).order_by(AuditEntry.id)))


def _code(response) -> str:
    found = re.search(r'id="(?:setup|reset)-code"[^>]*>\s*([A-Z0-9]{8})\s*<',
                      response.get_data(as_text=True))
    assert found, text(response)
    return found.group(1)


def _signs_in(app, user, password) -> bool:
    response = app.test_client().post("/login", data={"phone": user.phone,
                                                      "password": password})
    return response.status_code == 302 and "first-password" not in response.location


def _cooperative(make, session):
    manager, member = make.user(Role.COOP_ADMIN, name="社长"), make.user(name="孙桂兰")
    producer = make.producer(manager)
    session.add(Membership(user=member, producer=producer, role=MemberRole.MEMBER))
    session.flush()
    return manager, member, producer


# -- change password ---------------------------------------------------------------------

def test_change_password_needs_the_old_one_and_ends_other_sign_ins(make, login, app, session):
    farmer = make.user()
    other_browser = login(farmer)
    client = login(farmer)
    assert "修改密码" in text(client.get("/account/password"))

    wrong = client.post("/account/password", data={
        "current": "not-my-password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert wrong.status_code == 422
    assert field_errors(wrong, "current") == ["当前密码不对。"]
    common = client.post("/account/password", data={
        "current": PASSWORD, "password": "1234567890", "confirm": "1234567890"})
    assert field_errors(common, "password") == ["这个密码太常见，很容易被猜到，请换一个。"]
    assert _signs_in(app, farmer, PASSWORD)

    done = client.post("/account/password", data={
        "current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert "密码已修改" in text(client.get("/"))  # this browser stays signed in
    assert other_browser.get("/inputs").status_code == 302  # the other one is signed out
    assert not _signs_in(app, farmer, PASSWORD) and _signs_in(app, farmer, NEW_PASSWORD)
    assert AuditAction.PASSWORD_CHANGED in _actions(session, farmer)


# -- reset by an admin or the co-op manager ----------------------------------------------

def test_admin_issues_a_reset_code_that_works_once(make, login, app, session):
    farmer = make.user(name="王大姐")
    farmer_browser = login(farmer)
    admin = login(make.user(Role.ADMIN))
    response = admin.post(f"/admin/users/{farmer.id}/reset")
    assert response.status_code == 200
    code = _code(response)
    assert "72 小时" in text(response)
    assert farmer_browser.get("/inputs").status_code == 302  # signed out everywhere
    assert not _signs_in(app, farmer, PASSWORD)  # the old password no longer works

    client = app.test_client()
    signed_in = client.post("/login", data={"phone": farmer.phone, "password": code})
    assert signed_in.location.endswith("/account/first-password")
    client.post("/account/first-password", data={"password": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD})
    assert _signs_in(app, farmer, NEW_PASSWORD)
    assert not app.test_client().post("/login", data={
        "phone": farmer.phone, "password": code}).location  # used up: 401, no redirect
    assert {AuditAction.RESET_CODE_ISSUED, AuditAction.RESET_USED,
            AuditAction.PASSWORD_CHANGED} <= set(_actions(session, farmer))


def test_a_reset_code_expires(make, session):
    farmer = make.user()
    code = account_management.issue_reset_code(session, make.user(Role.ADMIN), farmer,
                                               "127.0.0.1")
    later = dt.datetime.now(dt.UTC) + setup_codes.VALID_FOR + dt.timedelta(minutes=1)
    with pytest.raises(setup_codes.SetupCodeExpired):
        setup_codes.redeem(session, farmer.phone, code, now=later)


def test_coop_manager_resets_a_member_of_their_producer_only(make, login, session):
    manager, member, producer = _cooperative(make, session)
    stranger = make.user(name="外人")
    member_browser = login(member)
    client = login(manager)
    response = client.post(f"/producers/{producer.id}/members/{member.id}/reset")
    assert response.status_code == 200 and _code(response)
    assert client.post(f"/producers/{producer.id}/members/{stranger.id}/reset"
                       ).status_code == 404
    other_producer = make.producer(make.user(Role.COOP_ADMIN))
    assert client.post(f"/producers/{other_producer.id}/members/{member.id}/reset"
                       ).status_code in (403, 404)
    assert _actions(session, member)[-1] == AuditAction.RESET_CODE_ISSUED
    assert member_browser.get("/inputs").status_code == 302  # signed out by the reset
    other_member = make.user(name="另一位社员")
    session.add(Membership(user=other_member, producer=producer, role=MemberRole.MEMBER))
    session.flush()
    assert login(other_member).post(f"/producers/{producer.id}/members/{manager.id}/reset"
                                    ).status_code == 403


# -- deactivate and reactivate -----------------------------------------------------------

def test_deactivation_ends_sessions_and_tokens_at_once(make, login, app, session):
    farmer = make.user(name="王大姐")
    browser = login(farmer)
    token = app.test_client().post("/api/v1/tokens", json={
        "phone": farmer.phone, "password": PASSWORD, "name": "phone"}).json["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/batches", headers=bearer).status_code == 200
    admin = login(make.user(Role.ADMIN))

    assert admin.post(f"/admin/users/{farmer.id}/deactivate").status_code == 302
    assert "已停用" in text(admin.get(f"/admin/users/{farmer.id}"))
    assert browser.get("/inputs").status_code == 302
    assert app.test_client().get("/api/v1/batches", headers=bearer).status_code == 401
    assert not _signs_in(app, farmer, PASSWORD)

    assert admin.post(f"/admin/users/{farmer.id}/reactivate").status_code == 302
    assert _signs_in(app, farmer, PASSWORD)
    assert browser.get("/inputs").status_code == 302  # old sessions stay ended
    actions = _actions(session, farmer)
    assert actions.index(AuditAction.DEACTIVATED) < actions.index(AuditAction.REACTIVATED)


@pytest.mark.parametrize("role", [Role.COOP_ADMIN, Role.INSPECTOR, Role.FARMER])
def test_only_admins_deactivate(make, login, role):
    farmer = make.user()
    response = login(make.user(role)).post(f"/admin/users/{farmer.id}/deactivate")
    assert response.status_code == 403


def test_admin_cannot_deactivate_themselves(make, login, session):
    admin_user = make.user(Role.ADMIN)
    response = login(admin_user).post(f"/admin/users/{admin_user.id}/deactivate")
    assert response.status_code == 409
    session.refresh(admin_user)
    assert admin_user.active


# -- remove a member ---------------------------------------------------------------------

def test_removed_member_loses_access_at_once(make, login, session):
    manager, member, producer = _cooperative(make, session)
    batch = make.batch(producer)
    member_browser = login(member)
    assert member_browser.get(f"/batches/{batch.id}").status_code == 200

    response = login(manager).post(f"/producers/{producer.id}/members/{member.id}/remove")
    assert response.status_code == 302
    assert member_browser.get(f"/batches/{batch.id}").status_code in (403, 404)
    assert session.get(Membership, (member.id, producer.id)) is None
    entry = session.scalar(select(AuditEntry).where(AuditEntry.target_user_id == member.id,
                                                    AuditEntry.action ==
                                                    AuditAction.MEMBER_REMOVED))
    assert entry.producer_id == producer.id and entry.actor_id == manager.id


def test_member_cannot_remove_and_the_last_manager_stays(make, login, session):
    manager, member, producer = _cooperative(make, session)
    assert login(member).post(f"/producers/{producer.id}/members/{manager.id}/remove"
                              ).status_code == 403
    last = login(manager).post(f"/producers/{producer.id}/members/{manager.id}/remove")
    assert last.status_code == 409
    assert session.get(Membership, (manager.id, producer.id)) is not None


# -- the admin's user list ---------------------------------------------------------------

def test_admin_user_list_searches_filters_and_pages(make, login, session):
    wang = make.user(name="王大姐", phone="13911112222")
    make.user(Role.BUYER, name="李老板")
    gone = make.user(name="赵停用")
    gone.active = False
    session.flush()
    admin = login(make.user(Role.ADMIN, name="管理员"))

    by_name = text(admin.get("/admin/users?q=王大"))
    assert "王大姐" in by_name and "李老板" not in by_name
    by_phone = text(admin.get("/admin/users?q=1111 2222"))
    assert "王大姐" in by_phone and "李老板" not in by_phone
    buyers = text(admin.get("/admin/users?role=buyer"))
    assert "李老板" in buyers and "王大姐" not in buyers
    stopped = text(admin.get("/admin/users?state=deactivated"))
    assert "赵停用" in stopped and "王大姐" not in stopped
    assert "赵停用" not in text(admin.get("/admin/users?state=active"))
    assert admin.get("/admin/users?role=nonsense").status_code == 422
    assert f'href="/admin/users/{wang.id}"' in admin.get("/admin/users").get_data(
        as_text=True)


def test_admin_user_list_is_paginated(make, login):
    for i in range(55):
        make.user(name=f"社员{i:02d}")
    admin = login(make.user(Role.ADMIN, name="管理员"))
    first = admin.get("/admin/users")
    assert first.get_data(as_text=True).count('class="user-row"') == 50
    assert 'id="next-page"' in first.get_data(as_text=True)
    second = admin.get("/admin/users?page=2").get_data(as_text=True)
    assert second.count('class="user-row"') == 6


def test_after_a_reset_the_old_password_gets_no_api_token(make, login, app, session):
    farmer = make.user()
    api = app.test_client()
    old_token = api.post("/api/v1/tokens", json={
        "phone": farmer.phone, "password": PASSWORD, "name": "logger"}).json["token"]
    login(make.user(Role.ADMIN)).post(f"/admin/users/{farmer.id}/reset")
    refused = api.post("/api/v1/tokens", json={
        "phone": farmer.phone, "password": PASSWORD, "name": "thief"})
    assert refused.status_code == 401
    # a reset means the account may be in other hands: its tokens are revoked too
    assert api.get("/api/v1/batches", headers={
        "Authorization": f"Bearer {old_token}"}).status_code == 401


def test_manager_removes_a_member_through_the_api(make, session, app):
    manager, member, producer = _cooperative(make, session)
    api = app.test_client()
    token = api.post("/api/v1/tokens", json={
        "phone": manager.phone, "password": PASSWORD, "name": "script"}).json["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    response = api.delete(f"/api/v1/producers/{producer.id}/members/{member.id}",
                          headers=bearer)
    assert response.status_code == 204
    assert session.get(Membership, (member.id, producer.id)) is None
    again = api.delete(f"/api/v1/producers/{producer.id}/members/{member.id}", headers=bearer)
    assert again.status_code == 404
    last = api.delete(f"/api/v1/producers/{producer.id}/members/{manager.id}", headers=bearer)
    assert last.status_code == 409


def test_user_search_with_a_nul_byte_is_refused_not_a_500(make, login):
    admin = login(make.user(Role.ADMIN))
    assert admin.get("/admin/users?q=%00").status_code == 422
    assert admin.get("/admin/audit?user=99999999999999999999").status_code == 200
