"""What the market's browse page shows depends on, about the signed-in user, in one round trip.

For a session id (what the session cookie carries, `accounts.user_for_session`): the user,
their role, their unread notices (the 通知 link's count), their delivery sites and default site
(the form's choices and the cards' arrival), and the market's cache stamp
(`browse_cache.stamp`). The page's front (market/pages/market_front.py) reads them with one
statement and answers from a page the app rendered for the same facts; the app's view gives
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


def _statement():
    unread = select(func.count()).select_from(Notice) \
        .where(Notice.user_id == User.id, Notice.read_at.is_(None)).scalar_subquery()
    default = select(BuyerProfile.default_site_id) \
        .where(BuyerProfile.user_id == User.id).scalar_subquery()
    market = select(DataVersion.version) \
        .where(DataVersion.name == browse_cache.MARKET).scalar_subquery()
    return (select(User.id, User.role, User.active, User.must_set_password, unread, default,
                   market, Place.id, Place.name_zh, Place.name_en)
            .outerjoin(Place, Place.buyer_id == User.id)
            .where(User.session_id == bindparam("session_id"))
            .order_by(Place.id))


STATEMENT = _statement()


class Rows(Protocol):
    def rows(self, statement: Executable, params: dict) -> list[tuple] | None:
        """The driver's rows of `statement` (None: no answer)."""


class Unanswered(Exception):
    """The database gave no answer (the caller hands the request to the app)."""


def read(database: Rows, session_id: str) -> BrowseFacts | None:
    """The facts of the user whose current session id this is, or None (see above); raises
    Unanswered when the read fails. `database` runs the statement on the driver
    (web/front_db.py), so the values are the driver's: the role as stored, booleans as
    SQLite's 0/1."""
    if not session_id or len(session_id) > 64:
        return None
    rows = database.rows(STATEMENT, {"session_id": session_id})
    if rows is None:
        raise Unanswered
    if not rows:
        return None
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
