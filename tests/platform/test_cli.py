"""Command-line tasks: create-user and seed-reference (seed-demo is in test_demo_seed)."""

from __future__ import annotations

from sqlalchemy import func, select

from freshcircle.platform.core.services import accounts
from freshcircle.platform.models import Product, Role, User


def _create_user(app, *args):
    return app.test_cli_runner().invoke(args=["create-user", *args])


def test_create_user_normalises_the_phone_and_can_sign_in(app, session, client):
    result = _create_user(app, "--phone", "+86 138 1234 5678", "--name", "管理员",
                          "--role", "admin", "--password", "long-enough-1")

    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.phone == "13812345678"))
    assert user.role == Role.ADMIN and user.name == "管理员"
    assert accounts.authenticate(session, "138 1234 5678", "long-enough-1") == user


def test_create_user_names_each_bad_field_and_writes_nothing(app, session):
    before = session.scalar(select(func.count()).select_from(User))

    result = _create_user(app, "--phone", "12345", "--name", "x", "--role", "farmer",
                          "--password", "short")

    assert result.exit_code == 1
    assert "phone:" in result.output and "password:" in result.output
    assert "Traceback" not in result.output
    assert session.scalar(select(func.count()).select_from(User)) == before


def test_create_user_refuses_a_registered_phone(app, session):
    args = ("--phone", "13812345679", "--name", "甲", "--role", "buyer",
            "--password", "pw-12345678")
    assert _create_user(app, *args).exit_code == 0

    again = _create_user(app, *args)

    assert again.exit_code == 1 and "already registered" in again.output


def test_create_user_rejects_an_unknown_role(app):
    result = _create_user(app, "--phone", "13812345670", "--name", "x", "--role", "boss",
                          "--password", "long-enough-1")

    assert result.exit_code == 2 and "boss" in result.output


def test_seed_reference_is_idempotent(app, session):
    result = app.test_cli_runner().invoke(args=["seed-reference"])

    assert result.exit_code == 0, result.output
    assert "0 new products, 0 new places" in result.output  # the fixture loaded them already
    assert session.scalar(select(func.count()).select_from(Product)) >= 30
