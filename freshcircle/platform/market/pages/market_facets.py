"""The market page's facets: each facet value as a link that applies it (or, when it is the
active one, removes it) to the search in the URL, with the count `listing_facets` gives."""

from __future__ import annotations

from dataclasses import dataclass

from babel.dates import format_skeleton
from flask import url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from freshcircle.platform.core.services.identifiers import FUYANG_COUNTIES
from freshcircle.platform.core.services.money import fen_to_yuan, format_money
from freshcircle.platform.market.services.listing_facets import Facets
from freshcircle.platform.web.forms import GRADES

TITLES = {"county": _l("Origin"), "product": _l("Product"), "grade": _l("Grade"),
          "certified": _l("Certification"), "price": _l("Price (元/jin)"),
          "arrive_by": _l("Can arrive by")}
SHOWN = 8  # values of a facet shown before "more" (the product facet has dozens)


@dataclass(frozen=True)
class Choice:
    label: str
    count: int
    href: str
    active: bool


@dataclass(frozen=True)
class FacetGroup:
    name: str
    title: str
    choices: list[Choice]
    more: list[Choice]


def _params(name: str, value) -> dict[str, str | None]:
    """The URL parameters that select `value` of facet `name` (None: leave out)."""
    if name == "price":
        low, high = value
        return {"price_min": None if low is None else str(fen_to_yuan(low)),
                "price_max": None if high is None else str(fen_to_yuan(high))}
    if name == "certified":
        return {"certified": "y"}
    if name == "arrive_by":
        return {"arrive_by": value.isoformat()}
    return {name: str(value)}


def _label(name: str, value, facets: Facets, locale: str) -> str:
    if name == "county":
        return FUYANG_COUNTIES.get(value, value)
    if name == "product":
        product = facets.products[value]
        return product.name_en if locale == "en" else product.name_zh
    if name == "grade":
        return str(GRADES.get(value, value))
    if name == "certified":
        return str(_l("Certified only"))
    if name == "arrive_by":
        return format_skeleton("MMMd", value, locale=locale)
    low, high = value
    if low is None:
        return f"≤ {format_money(high, locale)}"
    if high is None:
        return f"≥ {format_money(low, locale)}"
    return f"{format_money(low, locale)}–{format_money(high, locale)}"


def facet_groups(facets: Facets, args: dict[str, str], arrival: bool) -> list[FacetGroup]:
    """The page's facet groups for the search in `args` (the request's query string);
    can-arrive-by only when `arrival` (a site to arrive at)."""
    locale = str(get_locale() or "zh")
    base = {k: v for k, v in args.items() if k != "cursor"}
    groups = []
    for name, values in facets.values.items():
        if name == "arrive_by" and not arrival:
            continue
        choices = []
        for value in values:
            params = _params(name, value.value)
            wanted = {k: v for k, v in base.items() if k not in params}
            if not value.active:
                wanted.update({k: v for k, v in params.items() if v is not None})
            choices.append(Choice(_label(name, value.value, facets, locale), value.count,
                                  url_for("market_pages.index", **wanted), value.active))
        if name in ("county", "product", "grade"):  # by count, the active one first
            choices.sort(key=lambda choice: not choice.active)
        groups.append(FacetGroup(name, str(TITLES[name]), choices[:SHOWN], choices[SHOWN:]))
    return groups
