"""Sorting and paging of a list page from its query string, and links that keep the query.

A list page (orders, sales, the inspector's search, recall records, the admin lists) is cards
on a phone and a table at a desk; both read `?sort=<column>&dir=asc|desc&page=<n>` next to the
page's own search fields. A key the page does not know is never an error: the page sorts by
its default and says so. Every link the page draws (a column's header, the pager, a row's
detail page) keeps the rest of the query, so 返回 on the detail page comes back to the same
search:

    table = TableQuery("admin.users", {"name": (User.name,), ...}, default="created")
    rows = db.session.scalars(table.page_of(table.order_by(stmt))).all()
    render_template(..., table=table.with_rows(rows))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import parse_qsl, urlencode

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select

MAX_PAGE = 10_000
BACK_PARAM = "back"
MAX_BACK = 600  # characters of a kept query: a list's search fits many times over
BAD_SORT = _l("This list cannot be sorted that way; it is sorted by its default order.")
# Query parameters the table reads itself; a page's search fields are the others.
OWN = ("sort", "dir", "page")


class TableQuery:
    """The sort column, direction and page of a list page, checked against `sorts` (column
    key -> the expressions it orders by); `default` and `default_desc` when none is given.
    `source` is the query string (the request's by default); `endpoint_args` the list
    page's own URL values."""

    def __init__(self, endpoint: str, sorts: Mapping[str, Sequence], default: str, *,
                 default_desc: bool = True, page_size: int = 50,
                 source: Mapping[str, str] | None = None, **endpoint_args) -> None:
        source = request.args if source is None else source
        self.endpoint, self.sorts, self.endpoint_args = endpoint, sorts, endpoint_args
        self.default, self.default_desc, self.page_size = default, default_desc, page_size
        self.args = {k: v for k, v in source.items() if v and k not in (*OWN, BACK_PARAM)}
        self.note: object | None = None
        self.more = False
        sort, direction = source.get("sort", ""), source.get("dir", "")
        if (sort and sort not in sorts) or direction not in ("", "asc", "desc"):
            self.note = BAD_SORT
            sort, direction = "", ""
        self.sort = sort or default
        if direction:
            self.descending = direction == "desc"
        else:
            self.descending = default_desc if self.sort == default else False
        page = source.get("page", "1")
        # Not int(): "²" is a digit to str.isdigit, and 5,000 digits are a ValueError.
        number = int(page) if page.isascii() and page.isdigit() and len(page) < 7 else 1
        self.page = min(max(number, 1), MAX_PAGE)

    # Queries ---------------------------------------------------------------------------
    def order_by(self, stmt: Select, *tie_breakers) -> Select:
        """`stmt` ordered by the chosen column (its own order dropped), then `tie_breakers`
        in the same direction, so a page boundary never moves."""
        columns = [*self.sorts[self.sort], *tie_breakers]
        return stmt.order_by(None).order_by(
            *(c.desc() if self.descending else c.asc() for c in columns))

    def page_of(self, stmt: Select) -> Select:
        """One page and one row more (to know whether there is a next page)."""
        return stmt.limit(self.page_size + 1).offset((self.page - 1) * self.page_size)

    def with_rows(self, rows: Sequence) -> list:
        """The page's rows (the extra row dropped); sets `more`."""
        self.more = len(rows) > self.page_size
        return list(rows[: self.page_size])

    # Links -----------------------------------------------------------------------------
    def _state(self) -> dict[str, str]:
        state = dict(self.args)
        if (self.sort, self.descending) != (self.default, self.default_desc):
            state.update(sort=self.sort, dir="desc" if self.descending else "asc")
        return state

    def url(self, **changes) -> str:
        """This page's URL with its search, sort and page, `changes` applied (None drops)."""
        state = {**self._state(), "page": str(self.page) if self.page > 1 else None, **changes}
        return url_for(self.endpoint, **self.endpoint_args,
                       **{k: v for k, v in state.items() if v not in (None, "")})

    def page_url(self, page: int) -> str:
        return self.url(page=str(page) if page > 1 else None)

    def sort_url(self, key: str) -> str:
        """The header link of column `key`: sorted by it, the other way round when it is the
        current sort; back to the first page."""
        if key == self.sort:
            descending = not self.descending
        else:
            descending = key == self.default and self.default_desc
        return self.url(sort=key, dir="desc" if descending else "asc", page=None)

    def aria_sort(self, key: str) -> str | None:
        if key != self.sort:
            return None
        return "descending" if self.descending else "ascending"

    def hidden_fields(self) -> dict[str, str]:
        """The sort to keep as hidden inputs in the page's search form (a new search starts
        at page 1)."""
        return {k: v for k, v in self._state().items() if k in ("sort", "dir")}

    def detail_url(self, endpoint: str, **values) -> str:
        """A row's page, carrying this list's query so its 返回 link comes back here."""
        query = urlencode({**self._state(), **({"page": str(self.page)} if self.page > 1
                                                else {})})
        return url_for(endpoint, **values, **({BACK_PARAM: query} if query else {}))


def back_url(endpoint: str, **values) -> str:
    """The list page `endpoint` with the query a row link carried in `?back=` (see
    `TableQuery.detail_url`); only its query is taken, so it never leads off the site."""
    kept = request.args.get(BACK_PARAM, "")[:MAX_BACK]
    args = {k: v for k, v in parse_qsl(kept) if k not in values and v}
    return url_for(endpoint, **values, **args)


def kept_back() -> dict[str, str]:
    """`?back=` of this request, to pass on (a detail page's form posts and its redirect)."""
    kept = request.args.get(BACK_PARAM, "")[:MAX_BACK]
    return {BACK_PARAM: kept} if kept else {}
