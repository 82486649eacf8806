"""The market page's two views of one search, cards (卡片) and a table (表格, `view=table`),
and the links that keep the search: the view switch, the table's column headers (each sorts
by its column, through the same sort keys as the form's 排序) and the `back` query a card or a
row carries to the listing page, whose 返回市场 comes back to the same search and page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import url_for
from flask_babel import lazy_gettext as _l

from freshcircle.platform.market.services.listing_browse import SORT_ORDERS
from freshcircle.platform.web.table_query import BACK_PARAM, MAX_BACK

VIEWS = {"cards": _l("Cards"), "table": _l("Table")}
# Table column -> (its sort key ascending, descending, the one a first click takes); None: the
# column is not a sort key (listing_browse says why).
COLUMN_SORTS = {"price": ("price", "price_desc", "price"),
                "min_order": ("min_order", "min_order_desc", "min_order"),
                "harvest": ("harvest", "fresh", "fresh"),
                "arrival": ("arrival", "arrival_desc", "arrival")}


def view_of(args: Mapping[str, str]) -> str:
    return "table" if args.get("view") == "table" else "cards"


def _url(args: Mapping[str, str], **changes) -> str:
    """The market page with `args` (the request's query), `changes` applied (None drops),
    from the first page."""
    wanted = {k: v for k, v in {**args, **changes}.items() if v and k != "cursor"}
    return url_for("market_pages.index", **wanted)


@dataclass(frozen=True)
class ViewLink:
    name: str
    label: str
    href: str
    current: bool


def view_links(args: Mapping[str, str]) -> list[ViewLink]:
    """卡片 and 表格, each the same search (and page) in that view."""
    current = view_of(args)
    links = []
    for name, label in VIEWS.items():
        wanted = {k: v for k, v in args.items() if v and k != "view"}
        if name == "table":
            wanted["view"] = "table"
        links.append(ViewLink(name, str(label), url_for("market_pages.index", **wanted),
                              name == current))
    return links


class MarketSort:
    """What `_table.html`'s `th` macro asks of a table: each sortable column's header link and
    its aria-sort, here from the market's sort keys (`sort=`), not TableQuery's sort/dir."""

    def __init__(self, args: Mapping[str, str]) -> None:
        self.args = dict(args)
        sort = args.get("sort") or "price"
        self.column, self.ascending = SORT_ORDERS.get(sort, ("price", True))

    def aria_sort(self, column: str) -> str | None:
        if column != self.column:
            return None
        return "ascending" if self.ascending else "descending"

    def sort_url(self, column: str) -> str:
        """Sorted by `column`: the other way round when it is the current sort, else its
        first-click order."""
        up, down, first = COLUMN_SORTS[column]
        sort = (down if self.ascending else up) if column == self.column else first
        return _url(self.args, sort=None if sort == "price" else sort)


def back_query(args: Mapping[str, str]) -> str:
    """The query string that carries the search to a listing's page (`?back=...`), appended
    to each card's link (made once, not by url_for per card); "" when there is no search (or
    it is longer than a back link keeps)."""
    query = urlencode([(k, v) for k, v in args.items() if v and k != BACK_PARAM])
    return "?" + urlencode({BACK_PARAM: query}) if query and len(query) <= MAX_BACK else ""


def context(args: Mapping[str, str], arrival: bool) -> dict:
    """What `_browse.html` and `_results.html` draw the view with, for the search in `args`;
    `arrival`: the buyer's site has arrival estimates, so the table's last column is arrival
    (sorted by it), else the harvest date."""
    return {"view": view_of(args), "view_links": view_links(args), "sorter": MarketSort(args),
            "back": back_query(args), "time_column": "arrival" if arrival else "harvest"}
