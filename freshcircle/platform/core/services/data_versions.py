"""Data versions: a counter per kind of shared data, raised in the transaction that changes it.

`watch(name, *models)` names the models a kind of data is made of. Any session that adds,
changes or deletes one of them (as objects, or by an ORM insert/update/delete statement)
raises that kind's version just before it commits, in the same transaction: a reader that
sees the new data sees the new version, and a page cached under an older version is never
served again. `current(session, name)` is one primary-key read.

Statements run on a bare connection (not through a session) are not seen: none of the
watched models is written that way.
"""

from __future__ import annotations

from sqlalchemy import event, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from freshcircle.platform.models import DataVersion

_WATCHED: dict[type, set[str]] = {}
_TOUCHED = "data_versions.touched"


def watch(name: str, *models: type) -> None:
    """Raise `name`'s version in every transaction that writes one of `models`."""
    for model in models:
        _WATCHED.setdefault(model, set()).add(name)


def current(session: Session, name: str) -> int:
    """The committed version of `name` (0 before its first change)."""
    return session.scalar(select(DataVersion.version).where(DataVersion.name == name)) or 0


def changing(session: Session, name: str) -> bool:
    """Whether this session's transaction changed (or is about to change) `name`'s data: what
    it reads of it is not yet what its version says."""
    if name in session.info.get(_TOUCHED, ()):
        return True
    return any(name in _names_of(type(obj))
               for obj in (*session.new, *session.dirty, *session.deleted))


def _names_of(model: type) -> set[str]:
    names: set[str] = set()
    for cls in model.__mro__:
        names |= _WATCHED.get(cls, set())
    return names


def _touch(session: Session, names: set[str]) -> None:
    if names:
        session.info.setdefault(_TOUCHED, set()).update(names)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if type(obj) in _WATCHED or any(c in _WATCHED for c in type(obj).__mro__):
            if obj in session.dirty and not session.is_modified(obj):
                continue
            _touch(session, _names_of(type(obj)))


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and state.bind_mapper is not None:
        _touch(state.session, _names_of(state.bind_mapper.class_))


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if not session.info.get(_TOUCHED) and not session.new and not session.dirty \
            and not session.deleted:
        return
    session.flush()  # what is still pending is part of this commit
    for name in sorted(session.info.pop(_TOUCHED, set())):
        _raise(session, name)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_TOUCHED, None)


def _raise(session: Session, name: str) -> None:
    bump = update(DataVersion).where(DataVersion.name == name) \
        .values(version=DataVersion.version + 1)
    if session.execute(bump).rowcount:  # type: ignore[attr-defined]
        return
    try:  # the first change of `name`: create its row (another transaction may too)
        with session.begin_nested():
            session.execute(insert(DataVersion).values(name=name, version=1))
    except IntegrityError:
        session.execute(bump)
