"""`perPage` and `nextPageToken` paging of the short lists the REST binding pages: a caller's
named queries (`GET /queries`) and a query's subscriptions (`GET /queries/{name}/subscriptions`).

Both lists are small (at most `epcis_named_queries.MAX_QUERIES` and
`epcis_subscriptions.MAX_SUBSCRIPTIONS`), so a page is cut from the whole list, sorted here
(the same order on SQLite and PostgreSQL, whatever the collation). The token is the last key
shown, base64url; any other parameter is a QueryParameterException, as for `/events`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask_babel import lazy_gettext as _l

from freshcircle.platform.ledger.services.epcis_query_values import (
    QueryParameterException,
    count_of,
    one_of,
)

PER_PAGE, MAX_PER_PAGE = 30, 1000
T = TypeVar("T")


@dataclass(frozen=True)
class ListPage(Generic[T]):
    items: list[T]
    next_token: str | None  # None: the last page


def _key_after(token: str) -> str:
    try:
        key = base64.b64decode(token.encode(), altchars=b"-_", validate=True).decode()
    except (ValueError, binascii.Error):
        key = ""
    if not key:
        raise QueryParameterException(errors={"nextPageToken": [
            _l("This page token is not one this server gave.")]})
    return key


def list_page(items: Sequence[T], key: Callable[[T], str],
              args: Mapping[str, Sequence[str]]) -> ListPage[T]:
    """The page of `items` (in `key` order) that `perPage` and `nextPageToken` ask for."""
    per_page, after, errors = PER_PAGE, None, {}
    for name in args:
        try:
            if name == "perPage":
                per_page = count_of(name, one_of(args, name), 1, MAX_PER_PAGE)
            elif name == "nextPageToken":
                after = _key_after(one_of(args, name))
            else:
                errors[name] = [_l("This server does not support this query parameter.")]
        except QueryParameterException as error:
            errors.update({field or name: value for field, value in error.errors.items()})
    if errors:
        raise QueryParameterException(errors=errors)
    rest = [item for item in sorted(items, key=key) if after is None or key(item) > after]
    if len(rest) <= per_page:
        return ListPage(rest, None)
    last = key(rest[per_page - 1]).encode()
    return ListPage(rest[:per_page], base64.urlsafe_b64encode(last).decode())
