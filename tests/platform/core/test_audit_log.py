"""The audit log: sign-ins and account actions are written with who, what, when and the
network; admins read it at /admin/audit; nobody can change or delete an entry."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from freshcircle.platform.models import AuditAction, AuditEntry, Role
from tests.platform.page_helpers import text


def _entries(session, user):
    return session.scalars(select(AuditEntry).where(AuditEntry.target_user_id == user.id)
                           .order_by(AuditEntry.id)).all()


def test_sign_in_and_out_are_written_with_the_network(make, login, session):
    farmer = make.user(name="王大姐")
    client = login(farmer)
    client.post("/logout", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    entries = _entries(session, farmer)
    assert [e.action for e in entries] == [AuditAction.SIGNED_IN, AuditAction.SIGNED_OUT]
    assert all(e.actor_id == farmer.id for e in entries)
    assert entries[0].network == "127.0.0.1" and entries[1].network == "203.0.113.9"


def test_admin_reads_the_log_filtered_by_user(make, login):
    farmer, other = make.user(name="王大姐"), make.user(name="李大哥")
    login(farmer).post("/logout")
    login(other)
    admin = login(make.user(Role.ADMIN, name="管理员"))
    page = admin.get(f"/admin/audit?user={farmer.id}")
    assert page.status_code == 200
    body = text(page)
    assert "审计日志" in body and "王大姐" in body and "登录" in body and "退出登录" in body
    assert "李大哥" not in body and "127.0.0.1" in body
    assert "李大哥" in text(admin.get("/admin/audit"))


@pytest.mark.parametrize("role", [Role.FARMER, Role.INSPECTOR, Role.COOP_ADMIN])
def test_only_admins_read_the_log(make, login, role):
    assert login(make.user(role)).get("/admin/audit").status_code == 403


def test_no_route_changes_an_entry(app):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_the_database_refuses_to_change_or_delete_an_entry(make, login, session):
    farmer = make.user()
    login(farmer)
    entry = _entries(session, farmer)[0]
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(update(AuditEntry).where(AuditEntry.id == entry.id)
                        .values(network="10.0.0.1"))
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(delete(AuditEntry).where(AuditEntry.id == entry.id))
    session.expire_all()
    assert session.get(AuditEntry, entry.id).network == "127.0.0.1"
