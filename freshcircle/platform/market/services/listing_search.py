"""The search index of listings (`listing_terms`): what a buyer may type, as exact terms.

Chinese has no spaces, so a listing's Chinese text (product names, variety, producer, county)
is indexed as every single character and every pair of neighbouring characters; other text as
lower-cased words. A query is cut the same way (pairs only, when it has two characters or more)
and a listing matches when it has every query term: one indexed lookup per term, the same on
SQLite and PostgreSQL, where a LIKE '%…%' would read all 100,000 listings' text.
"""

from __future__ import annotations

import re

from sqlalchemy import bindparam, delete, event, false, func, select, union
from sqlalchemy.orm import Session

from freshcircle.platform.market.services import pinyin_terms, search_synonyms
from freshcircle.platform.models import Listing, ListingTerm

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[0-9a-z]+")
MAX_TERM = 40


def _cjk_terms(run: str, singles: bool) -> set[str]:
    pairs = {run[i:i + 2] for i in range(len(run) - 1)}
    return pairs | set(run) if singles or len(run) == 1 else pairs


def terms_of(text: str, *, singles: bool = True) -> set[str]:
    """Index terms of a text (``singles=False`` for a query: pairs cover single characters)."""
    text = (text or "").lower()
    found: set[str] = set()
    for run in _CJK.findall(text):
        found |= _cjk_terms(run, singles)
    found |= {w[:MAX_TERM] for w in _WORD.findall(_CJK.sub(" ", text))}
    return found


def listing_terms(listing: Listing) -> set[str]:
    """Every index term of a listing: its text's (terms_of), and the pinyin and initials of
    what buyers name in pinyin (product, variety, county; pinyin_terms)."""
    spoken = " ".join(part for part in (listing.product.name_zh, listing.batch.variety,
                                        listing.producer.county_name) if part)
    return terms_of(listing_text(listing)) | pinyin_terms.index_terms(spoken)


def listing_text(listing: Listing) -> str:
    batch, product, producer = listing.batch, listing.product, listing.producer
    return " ".join(part for part in (
        product.name_zh, product.name_en, product.category, batch.variety, producer.name,
        producer.county_name, listing.specification, listing.grade) if part)


def index_listing(session: Session, listing: Listing) -> None:
    """(Re)write the listing's terms."""
    session.execute(delete(ListingTerm).where(ListingTerm.listing_id == listing.id))
    session.add_all(ListingTerm(term=term, listing_id=listing.id)
                    for term in sorted(listing_terms(listing)))


LISTED_MAX = 10_000  # matches given to the database as a list of ids (see `condition`)
MATCHES = "listing_search.matches"  # session.info: query -> ids, for this transaction


def one_of(column, values: list[int]):
    """`column IN (values)`, the values written into the statement: PostgreSQL then hashes the
    list and counts it exactly, also in a plan it keeps for the next run (with the list as a
    parameter, a kept plan compared every row with every value: 2 s for 2,000 producers)."""
    if not values:
        return false()
    return column.in_(bindparam(None, list(values), expanding=True, literal_execute=True))


def condition(query: str, session: Session | None = None):
    """The WHERE clause of the listings `matching` the query (None for an empty one). With a
    session, up to LISTED_MAX matches are read first and given as ids: given the subquery,
    PostgreSQL misjudged how many of them are on sale and read every listing to join them
    (a 2,768-listing 大蒜 took 45 ms, with its ids 5)."""
    found = matching(query, session)
    if found is None:
        return None
    if session is None:
        return Listing.id.in_(found)
    ids = list(session.scalars(found.limit(LISTED_MAX + 1)))
    if len(ids) > LISTED_MAX:
        return Listing.id.in_(found)
    session.info.setdefault(MATCHES, {})[query] = ids
    return one_of(Listing.id, ids)


def matching_ids(query: str, session: Session) -> list[int] | None:
    """The ids of every listing matching the query (None for an empty one); read once per
    transaction (the page's cards and its facet counts ask for the same search)."""
    known = session.info.setdefault(MATCHES, {})
    if query not in known:
        found = matching(query, session)
        known[query] = None if found is None else list(session.scalars(found))
    return known[query]


@event.listens_for(Session, "after_flush")
def _forget_after_flush(session: Session, flush_context) -> None:
    session.info.pop(MATCHES, None)  # a listing or its terms may have changed


@event.listens_for(Session, "after_transaction_end")
def _forget_after_transaction(session: Session, transaction) -> None:
    session.info.pop(MATCHES, None)


COUNT_CAP = 2_000  # past this a term is "common": counting further would cost more than it saves


def _postings(session: Session, term: str) -> int:
    """How many listings have `term`, counted up to COUNT_CAP (an index-only, bounded read)."""
    capped = select(ListingTerm.id).where(ListingTerm.term == term).limit(COUNT_CAP).subquery()
    return session.scalar(select(func.count()).select_from(capped)) or 0


def matching(query: str, session: Session | None = None):
    """A subquery of listing ids having every term of one reading of `query` (None for an
    empty query): its words and characters, and for Latin letters its pinyin and initials
    (pinyin_terms.query_alternatives), of the query as typed and as its synonyms rewrite it
    (search_synonyms, with a session); a listing matching any reading is found.

    With a session, the terms are first counted (a bounded index read each) and chained rarest
    first, so "香椿 太和" walks the few 香椿 listings and checks each for 太和, instead of
    walking the thousands of 太和 ones; a reading with a term no listing has is dropped at once.
    """
    texts = [query, *(search_synonyms.rewritten(session, query) if session is not None else [])]
    readings = [terms for text in texts for terms in (terms_of(text, singles=False),
                                                      *pinyin_terms.query_alternatives(text))
                if terms]
    if not readings:
        return None
    chains = [chain for terms in readings if (chain := _chain(sorted(terms), session)) is not None]
    if not chains:
        return select(ListingTerm.listing_id).where(false())
    return chains[0] if len(chains) == 1 else union(*chains)


def _chain(terms: list[str], session: Session | None):
    """Listing ids having every one of `terms` (None when a term has no listing at all)."""
    if session is not None:
        counts = {term: _postings(session, term) for term in terms}
        if not all(counts.values()):
            return None
        terms.sort(key=lambda term: (counts[term], term))
    stmt = select(ListingTerm.listing_id).where(ListingTerm.term == terms[0])
    for term in terms[1:]:
        stmt = stmt.where(ListingTerm.listing_id.in_(
            select(ListingTerm.listing_id).where(ListingTerm.term == term)))
    return stmt
