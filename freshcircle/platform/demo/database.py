"""Which databases may hold the demo data, and its published password.

Demo data goes into a database of its own: one already marked as a demo database, or one
holding nothing real yet (no producer that is not sample data, no account that is not a demo
account), which seeding then marks. A database with real producers or accounts is refused,
however it is asked (`make run` or `flask seed-demo`): its users must never share a server
with accounts whose password is printed in the README.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.errors import Conflict
from freshcircle.platform.demo import content
from freshcircle.platform.models import DemoDatabase, Producer, User

REFUSED = _l("This database holds real producers or accounts (not sample data). Demo data "
             "and its published password go only into a database of their own: point "
             "DATABASE_URL at a new one for the demo.")


class NotADemoDatabase(Conflict):
    default_message = REFUSED


def _people(value) -> Iterator[content.Person]:
    if isinstance(value, content.Person):
        yield value
    elif isinstance(value, tuple | list | set | frozenset):
        for item in value:
            yield from _people(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _people(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _people(getattr(value, field.name))


def demo_phones() -> frozenset[str]:
    """Every demo account's mobile number, as written in demo/content.py."""
    return frozenset(person.phone for name, value in vars(content).items()
                     if name.isupper() for person in _people(value))


def is_marked(session: Session) -> bool:
    return session.scalar(select(DemoDatabase.id).limit(1)) is not None


def holds_real_records(session: Session) -> bool:
    """Whether any producer is not sample data or any account is not a demo account."""
    real_producer = session.scalar(select(Producer.id).where(~Producer.is_sample).limit(1))
    if real_producer is not None:
        return True
    real_users = session.scalar(select(func.count()).select_from(User).where(
        User.phone.not_in(sorted(demo_phones()))))
    return bool(real_users)


def claim(session: Session) -> None:
    """Mark this database as the demo's, or raise NotADemoDatabase. Only flushes."""
    if is_marked(session):
        return
    if holds_real_records(session):
        raise NotADemoDatabase()
    session.add(DemoDatabase())
    session.flush()
