"""EPCIS 2.0 named queries (REST binding `/queries`): a query's parameters kept under a name,
run as `GET /queries/{name}/events` and fed to subscriptions (`epcis_subscriptions`).

Whose queries: a named query belongs to the user who created it; its name is unique among
that user's queries. Only its owner lists, reads, runs, subscribes to and deletes it: another
user, whatever their organisation or role (staff too), is told it does not exist (404), so
names do not leak. Two members of one producer each keep their own queries; what a query
answers depends only on what its owner may see, which is the same for both.

What a named query sees (`subscriber_filter`), always with its owner's access at the moment
it runs (a membership ended, an order cancelled or an account disabled shows at once; a
disabled owner gets nothing):
- inspectors and admins: every event;
- producer members (farmer, co-op): the events of their producers' lots and GTINs;
- carriers: the events of the lots on shipments they carry;
- buyers: the events of the lots on their orders (not cancelled or declined by the seller);
- everyone: what they recorded themselves.
Staff, producers and carriers are exactly `epcis_store.visible_filter` (what `/events`
answers them); buyers, whom `/events` does not serve, get their bought lots here.

A query's parameters are checked by `epcis_query.parse_query` when it is created: one it
cannot read is a QueryParameterException (400) and nothing is stored. Paging parameters
(`perPage`, `nextPageToken`, `page`, `limit`) are not part of a query; `GET
/queries/{name}/events` takes `perPage` and `nextPageToken` as `/events` does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, false, select, union
from sqlalchemy.orm import Session, aliased

from freshcircle.platform.core.services.access import require_role
from freshcircle.platform.core.services.errors import Conflict, InvalidInput, NotFound
from freshcircle.platform.ledger.services.epcis_query import (
    EventPage,
    EventQuery,
    parse_query,
    query_events,
)
from freshcircle.platform.ledger.services.epcis_query_values import QueryParameterException
from freshcircle.platform.ledger.services.epcis_store import QUERY_ROLES, visible_filter
from freshcircle.platform.models import (
    EpcisEventLot,
    EpcisEventRecord,
    EpcisNamedQuery,
    Order,
    OrderLine,
    OrderStatus,
    Role,
    User,
)
from freshcircle.traceability.epcis import EpcisConfig

SUBSCRIBER_ROLES = (*QUERY_ROLES, Role.BUYER)
NAME = re.compile(r"^[A-Za-z0-9._~-]{1,100}$")  # a URL path segment as it is
PAGING = ("perPage", "nextPageToken", "page", "limit")
RUN_PARAMETERS = ("perPage", "nextPageToken", "lang")
MAX_QUERIES = 100  # per user


def subscriber_filter(owner: User) -> ColumnElement[bool]:
    """The events `owner` may see through named queries and subscriptions (module docstring),
    as they stand now."""
    if not owner.active:
        return false()
    if owner.role != Role.BUYER:
        return visible_filter(owner)
    bought = (select(OrderLine.batch_id).join(Order, Order.id == OrderLine.order_id)
              .where(Order.buyer_id == owner.id,
                     Order.status.not_in((OrderStatus.CANCELLED, OrderStatus.DECLINED))))
    record = aliased(EpcisEventRecord)
    return EpcisEventRecord.id.in_(union(
        select(record.id).where(record.batch_id.in_(bought)),
        select(EpcisEventLot.event_record_id).where(EpcisEventLot.batch_id.in_(bought)),
        select(record.id).where(record.recorded_by_id == owner.id)))


def _value(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def query_args(query: Any) -> dict[str, list[str]]:
    """A query definition (`{"EQ_bizStep": ["shipping"], "eventType": "ObjectEvent"}`) as
    request arguments: each parameter's values as strings; QueryParameterException for a value
    that is not a string, number, boolean or list of them."""
    if not isinstance(query, Mapping):
        raise QueryParameterException(errors={"query": [
            _l("Give the query as an object of query parameters.")]})
    args: dict[str, list[str]] = {}
    errors: dict[str, list] = {}
    for name, given in query.items():
        values = [_value(v) for v in given] if isinstance(given, list) else [_value(given)]
        if not values or None in values:
            errors[name] = [_l("Give a string, a number, true or false, or a list of them.")]
        elif name in PAGING:
            errors[name] = [_l("Paging is not part of a named query; give it when running it.")]
        else:
            args[str(name)] = [v for v in values if v is not None]
    if errors:
        raise QueryParameterException(errors=errors)
    return args


def create_query(session: Session, owner: User, config: EpcisConfig, name: Any,
                 query: Any) -> EpcisNamedQuery:
    """Keep `query` under `name` for `owner`: QueryParameterException (400) for a parameter
    `/events` would refuse, InvalidInput for a bad name, Conflict for a name taken."""
    require_role(owner, *SUBSCRIBER_ROLES)
    args = query_args(query)
    parse_query(args, config)  # raises before anything is written
    if not isinstance(name, str) or not NAME.match(name):
        raise InvalidInput.field("name", _l(
            "Name the query with 1 to 100 letters, digits, dots, dashes, underscores or "
            "tildes."))
    if _find(session, owner, name) is not None:
        raise Conflict(_l("You already have a query with this name."),
                       errors={"name": [_l("You already have a query with this name.")]})
    mine = session.scalars(select(EpcisNamedQuery.id).where(
        EpcisNamedQuery.owner_id == owner.id)).all()
    if len(mine) >= MAX_QUERIES:
        raise InvalidInput.field("name", _l("You have %(count)s named queries, the most "
                                            "allowed; delete one first.", count=MAX_QUERIES))
    named = EpcisNamedQuery(owner_id=owner.id, name=name,
                            params=json.dumps(args, ensure_ascii=False, sort_keys=True))
    session.add(named)
    session.flush()
    return named


def _find(session: Session, owner: User, name: str) -> EpcisNamedQuery | None:
    return session.scalar(select(EpcisNamedQuery).where(
        EpcisNamedQuery.owner_id == owner.id, EpcisNamedQuery.name == name))


def get_query(session: Session, owner: User, name: str) -> EpcisNamedQuery:
    """The caller's query of this name (NotFound for another's, as for none)."""
    require_role(owner, *SUBSCRIBER_ROLES)
    named = _find(session, owner, name)
    if named is None:
        raise NotFound(_l("You have no query with this name."))
    return named


def list_queries(session: Session, owner: User) -> list[EpcisNamedQuery]:
    """The caller's named queries, by name."""
    require_role(owner, *SUBSCRIBER_ROLES)
    return list(session.scalars(select(EpcisNamedQuery).where(
        EpcisNamedQuery.owner_id == owner.id).order_by(EpcisNamedQuery.name)))


def delete_query(session: Session, owner: User, name: str) -> None:
    """Delete the caller's query and, as the binding says, every subscription to it."""
    session.delete(get_query(session, owner, name))
    session.flush()


def stored_args(named: EpcisNamedQuery) -> dict[str, list[str]]:
    return json.loads(named.params)


def definition(named: EpcisNamedQuery) -> dict[str, Any]:
    """The query as the binding shows it: `{"name": ..., "query": {...}}`."""
    return {"name": named.name, "query": stored_args(named),
            "createdAt": named.created_at.isoformat()}


def parsed(named: EpcisNamedQuery, config: EpcisConfig,
           run_args: Mapping[str, Sequence[str]] | None = None) -> EventQuery:
    """The stored query, with `perPage`/`nextPageToken` of a run (anything else is a
    QueryParameterException: change the query instead)."""
    extra = dict(run_args or {})
    wrong = [name for name in extra if name not in RUN_PARAMETERS]
    if wrong:
        raise QueryParameterException(errors={name: [
            _l("A named query runs as it is stored: give only perPage and nextPageToken.")]
            for name in wrong})
    return parse_query({**stored_args(named), **extra}, config)


def run_query(session: Session, owner: User, config: EpcisConfig, name: str,
              run_args: Mapping[str, Sequence[str]]) -> EventPage:
    """One page of the caller's named query, with the caller's visibility now."""
    named = get_query(session, owner, name)
    return query_events(session, owner, config, parsed(named, config, run_args),
                        visible=subscriber_filter(owner))
