"""Other names for what is on sale (蒜头 = 大蒜, 土豆 = 马铃薯), kept by admins.

A search also reads its text with each synonym's `name` written as what it `means` and the
other way round, so 土豆 finds the listings of 马铃薯 and 马铃薯 those whose variety says 土豆
(listing_search.matching). The table is small: it is read whole for a search, and a change
raises the market data version, so cached market pages show it at once.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services import data_versions
from freshcircle.platform.core.services.access import require_role
from freshcircle.platform.core.services.errors import InvalidInput, NotFound
from freshcircle.platform.models import Role, SearchSynonym, User

MAX_LENGTH = 40
data_versions.watch("market", SearchSynonym)  # browse_cache.MARKET


def rewritten(session: Session, query: str) -> list[str]:
    """The query with each synonym found in it written the other way (none: [])."""
    text = (query or "").strip().lower()
    if not text:
        return []
    found = []
    for name, means in session.execute(select(SearchSynonym.name, SearchSynonym.means)):
        for said, other in ((name, means), (means, name)):
            if said.lower() in text:
                found.append(text.replace(said.lower(), other))
    return found


def all_synonyms(session: Session, actor: User) -> list[SearchSynonym]:
    require_role(actor, Role.ADMIN)
    return list(session.scalars(select(SearchSynonym).order_by(SearchSynonym.means,
                                                               SearchSynonym.name)))


def add(session: Session, actor: User, name: str, means: str) -> SearchSynonym:
    """A new synonym; per-field errors for an empty or too long word, the same word twice,
    or a name that is already a synonym."""
    require_role(actor, Role.ADMIN)
    name, means = (name or "").strip(), (means or "").strip()
    errors: dict[str, list] = {}
    for field, value in (("name", name), ("means", means)):
        if not value:
            errors[field] = [_l("Enter a word.")]
        elif len(value) > MAX_LENGTH:
            errors[field] = [_l("At most %(n)s characters.", n=MAX_LENGTH)]
    if not errors and name.lower() == means.lower():
        errors["means"] = [_l("A word is not a synonym of itself.")]
    if errors:
        raise InvalidInput(errors=errors)
    if session.scalar(select(SearchSynonym.id).where(SearchSynonym.name == name)):
        raise InvalidInput(errors={"name": [_l("%(name)s is already a synonym.", name=name)]})
    synonym = SearchSynonym(name=name, means=means)
    session.add(synonym)
    session.flush()
    return synonym


def remove(session: Session, actor: User, synonym_id: int) -> None:
    require_role(actor, Role.ADMIN)
    synonym = session.get(SearchSynonym, synonym_id)
    if synonym is None:
        raise NotFound()
    session.delete(synonym)
    session.flush()
