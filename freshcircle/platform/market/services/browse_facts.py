"""What the market's browse page shows depends on, about the signed-in user, in one round trip.

For a session id (what the session cookie carries, `accounts.user_for_session`): the user,
their role, their unread notices (the 通知 link's count), their delivery sites and default site
(the form's choices and the cards' arrival), and the market's cache stamp
(`browse_cache.stamp`). The page's front (market/pages/market_front.py) reads them with one
statement, for up to MOST sessions at once (`read_many`: the views its threads wait on
together), and answers from a page the app rendered for the same facts; the app's view gives
the facts it rendered with (`of_view`), so a page is kept only when both agree.

A session id that finds no active user, or a user who must set a password first, has no facts:
the app answers (the sign-in page, the password page).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import bindparam, func, select
from sqlalchemy.sql import Executable

from freshcircle.platform.market.services import browse_cache
from freshcircle.platform.models import BuyerProfile, DataVersion, Notice, Place, Role, User


@dataclass(frozen=True)
class BrowseFacts:
    user_id: int
    role: Role
    unread: int
    default_site_id: int | None
    sites: tuple[tuple[int, str, str], ...]  # (id, name_zh, name_en), by id
    version: tuple  # browse_cache.stamp


def _statement(sessions: int):
    """The facts of the users of `sessions` session ids (bound as s0, s1, ...)."""
    unread = select(func.count()).select_from(Notice) \
        .where(Notice.user_id == User.id, Notice.read_at.is_(None)).scalar_subquery()
    default = select(BuyerProfile.default_site_id) \
        .where(BuyerProfile.user_id == User.id).scalar_subquery()
    market = select(DataVersion.version) \
        .where(DataVersion.name == browse_cache.MARKET).scalar_subquery()
    return (select(User.session_id, User.id, User.role, User.active, User.must_set_password,
                   unread, default, market, Place.id, Place.name_zh, Place.name_en)
            .outerjoin(Place, Place.buyer_id == User.id)
            .where(User.session_id.in_([bindparam(f"s{i}") for i in range(sessions)]))
            .order_by(User.id, Place.id))


MOST = 16  # session ids one statement reads
STATEMENTS = [_statement(n) for n in range(1, MOST + 1)]


class Rows(Protocol):
    def rows(self, statement: Executable, params: dict) -> list[tuple] | None:
        """The driver's rows of `statement` (None: no answer)."""


class Unanswered(Exception):
    """The database gave no answer (the caller hands the request to the app)."""


def read(database: Rows, session_id: str) -> BrowseFacts | None:
    """The facts of the user whose current session id this is, or None (see above); raises
    Unanswered when the read fails."""
    return read_many(database, [session_id]).get(session_id)


def read_many(database: Rows, session_ids: list[str]) -> dict[str, BrowseFacts | None]:
    """`read` of up to MOST session ids in one statement. `database` runs it on the driver
    (web/front_db.py), so the values are the driver's: the role as stored, booleans as
    SQLite's 0/1."""
    valid = sorted({s for s in session_ids if s and len(s) <= 64})
    if len(valid) > MOST:
        raise ValueError(f"at most {MOST} session ids a statement")
    if not valid:
        return {}
    rows = database.rows(STATEMENTS[len(valid) - 1],
                         {f"s{i}": session_id for i, session_id in enumerate(valid)})
    if rows is None:
        raise Unanswered
    by_session: dict[str, list[tuple]] = {}
    for row in rows:
        by_session.setdefault(row[0], []).append(row[1:])
    return {session_id: _facts(found) for session_id, found in by_session.items()}


def _facts(rows: list[tuple]) -> BrowseFacts | None:
    user_id, stored_role, active, must_set_password, unread, default, market = rows[0][:7]
    if not active or must_set_password:
        return None
    role = Role(stored_role)
    if role != Role.BUYER:  # the page has no sites for anyone else (browse_cache.buyer_view)
        return BrowseFacts(user_id, role, unread or 0, None, (), browse_cache.stamp(market or 0))
    sites = tuple((row[7], row[8], row[9]) for row in rows if row[7] is not None)
    return BrowseFacts(user_id, role, unread or 0, default, sites,
                       browse_cache.stamp(market or 0))


def of_view(user: User, view: browse_cache.BuyerView, unread: int) -> BrowseFacts:
    """The facts a page was rendered with: its user, the view `buyer_view` gave and the
    unread count the page showed."""
    return BrowseFacts(user.id, user.role, unread, view.default_site_id,
                       tuple((p.id, p.name_zh, p.name_en) for p in view.sites), view.version)
