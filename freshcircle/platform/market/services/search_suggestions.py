"""When a market search finds nothing: the product the buyer most likely meant.

"您是不是要找：大蒜" instead of an empty page. The query is compared (rapidfuzz) with every
product's Chinese name, English name and the pinyin of its Chinese name, a Chinese query by its
pinyin, so a homophone typed by mistake (大算) or a letter missed (dasun, garlik) still finds
大蒜. Only a product that has something on sale is suggested: the suggestion always leads to
listings.
"""

from __future__ import annotations

import re

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.market.services import listing_browse, listing_search, search_synonyms
from freshcircle.platform.models import Listing, Product

MIN_SCORE = 75  # of 100 (rapidfuzz's ratio): one letter in five may be wrong
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _spoken(text: str) -> str:
    return "".join(lazy_pinyin(text)).lower()


def _names(session: Session) -> dict[str, str]:
    """Every way of writing a product's name -> its Chinese name."""
    names: dict[str, str] = {}
    for zh, en in session.execute(select(Product.name_zh, Product.name_en)):
        english = re.sub(r"\(.*?\)", "", en or "").strip().lower()
        for written in (zh, english, _spoken(zh)):
            if written:
                names.setdefault(written, zh)
    return names


def suggestion(session: Session, query: str) -> str | None:
    """The Chinese name of the product `query` most likely meant that has listings on sale,
    or None."""
    text = (query or "").strip().lower()
    if not text:
        return None
    names = _names(session)
    typed = _spoken(text) if _CJK.search(text) else text
    for written, _score, _index in process.extract(typed, list(names), scorer=fuzz.ratio,
                                                   score_cutoff=MIN_SCORE, limit=3):
        name = names[written]
        if name == query.strip():
            continue
        ids = listing_search.matching(name, session)
        on_sale = select(Listing.id).where(listing_browse.on_sale(), Listing.id.in_(ids))
        if session.scalar(on_sale.limit(1)) is not None:
            return name
    return None


def _base(name: str) -> str:
    """A product's name without its note in brackets: 红薯(甘薯) -> 红薯."""
    return re.sub(r"[(（].*?[)）]", "", name or "").strip().lower()


def product_meant(session: Session, query: str) -> Product | None:
    """The catalogue's product the query names, by its name or a synonym (土豆 -> 马铃薯),
    whether or not anything of it is on sale: the market says that nothing is, and offers a
    standing demand for it, rather than an empty page."""
    text = (query or "").strip().lower()
    if not text:
        return None
    said = [text, *search_synonyms.rewritten(session, text)]
    for product in session.scalars(select(Product).order_by(Product.id)):
        names = {_base(product.name_zh), _base(product.name_en), product.name_zh.lower()}
        if any(s in names for s in said):
            return product
    return None


def nothing_on_sale(session: Session, product: Product) -> bool:
    """Whether no listing of `product` is on sale at all (whatever the search's filters)."""
    on_sale = select(Listing.id).where(listing_browse.on_sale(),
                                       Listing.product_id == product.id)
    return session.scalar(on_sale.limit(1)) is None
