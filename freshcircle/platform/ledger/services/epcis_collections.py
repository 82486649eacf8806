"""The EPCIS 2.0 REST binding's top-level collections (`GET /epcs`, `/bizSteps`,
`/bizLocations`, `/readPoints`, `/dispositions`): the values the caller's events have, sorted,
paged by `perPage` and `nextPageToken`; and whether one value is a resource (`/bizSteps/{id}`).

Values come from the query index as `GET /events` matches them (EPCs from `epcis_event_terms`,
the others from `epcis_events`' columns), so a member's `/events` finds its events. Staff, who
see every event, walk the column's index one distinct value at a time (a recursive query: ten
business steps among a million events cost ten index probes, not a scan of the index; EPCs
one walk per term kind over `ix_epcis_event_terms_kind_value`); others' values come from the
events they may see.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, func, literal, select, true, union
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.access import require_role
from freshcircle.platform.ledger.services.epcis_query import parse_query, query_events
from freshcircle.platform.ledger.services.epcis_query_values import (
    QueryParameterException,
    count_of,
    one_of,
)
from freshcircle.platform.ledger.services.epcis_store import QUERY_ROLES, visible_filter
from freshcircle.platform.ledger.services.epcis_terms import EPC_KINDS
from freshcircle.platform.models import EpcisEventRecord
from freshcircle.platform.models.traceability import EpcisEventTerm
from freshcircle.traceability.epcis import EpcisConfig

PER_PAGE, MAX_PER_PAGE = 30, 1000
# The term kinds `MATCH_anyEPC` (and so `/epcs/{epc}/events`) looks in.
EPC_TERM_KINDS = (*EPC_KINDS.values(), "parent")
RESOURCES = ("epcs", "bizSteps", "bizLocations", "readPoints", "dispositions")


@dataclass(frozen=True)
class CollectionPage:
    """One page of a collection: its members and the token of the next page (None: the last)."""

    members: list[str]
    next_token: str | None


def _source(resource: str) -> tuple[ColumnElement, ColumnElement[bool], ColumnElement]:
    """The column a resource's values are in, the condition a row must meet, and the event id
    column of that row."""
    if resource == "epcs":
        term = EpcisEventTerm
        return term.value, term.kind.in_(EPC_TERM_KINDS), term.event_record_id
    record = EpcisEventRecord
    column = {"bizSteps": record.biz_step, "bizLocations": record.biz_location,
              "readPoints": record.read_point, "dispositions": record.disposition}[resource]
    return column, column.is_not(None), record.id


def _paging(args: Mapping[str, Sequence[str]]) -> tuple[int, str | None]:
    errors: dict[str, list] = {}
    per_page, after = PER_PAGE, None
    for name in args:
        try:
            if name == "perPage":
                per_page = count_of(name, one_of(args, name), 1, MAX_PER_PAGE)
            elif name == "nextPageToken":
                after = _after(name, one_of(args, name))
            else:
                errors[name] = [_l("This server does not support this query parameter.")]
        except QueryParameterException as error:
            errors.update({key or name: value for key, value in error.errors.items()})
    if errors:
        raise QueryParameterException(errors=errors)
    return per_page, after


def _after(name: str, token: str) -> str:
    try:
        return base64.b64decode(token.encode(), altchars=b"-_", validate=True).decode()
    except (ValueError, binascii.Error):
        raise QueryParameterException(errors={name: [
            _l("This page token is not one this server gave.")]}) from None


def collection_page(session: Session, actor, resource: str,
                    args: Mapping[str, Sequence[str]]) -> CollectionPage:
    """The values of `resource` the caller's visible events have, in order, one page;
    QueryParameterException for a parameter other than perPage and nextPageToken."""
    require_role(actor, *QUERY_ROLES)
    per_page, after = _paging(args)
    column, present, event_id = _source(resource)
    visible = visible_filter(actor)
    if visible.compare(true()) and resource == "epcs":
        # One walk per kind over (kind, value), merged: a walk over `value` alone would step
        # over every business transaction, source and class between two EPCs.
        walks = union(*(_walk(column, EpcisEventTerm.kind == kind, after, per_page + 1, kind)
                        for kind in EPC_TERM_KINDS)).subquery()
        members = list(session.scalars(select(walks.c.value).order_by(walks.c.value)
                                       .limit(per_page + 1)))
    elif visible.compare(true()):
        walk = _walk(column, present, after, per_page + 1)
        members = list(session.scalars(walk.order_by(walk.selected_columns.value)))
    else:
        stmt = (select(column).distinct().where(present)
                .where(event_id.in_(select(EpcisEventRecord.id).where(visible))))
        if after is not None:
            stmt = stmt.where(column > after)
        members = list(session.scalars(stmt.order_by(column).limit(per_page + 1)))
    if len(members) <= per_page:
        return CollectionPage(members, None)
    members = members[:per_page]
    return CollectionPage(members, base64.urlsafe_b64encode(members[-1].encode()).decode())


def _walk(column, present, after: str | None, limit: int, name: str = "walk") -> Select:
    """Up to `limit` distinct values of `column` after `after`, each found by one
    probe of its index (a loose index scan, which PostgreSQL does not do by itself)."""
    def following(previous) -> ColumnElement:
        condition = present if previous is None else present & (column > previous)
        return select(func.min(column)).where(condition).scalar_subquery()

    first = select(following(after).label("value"), literal(1).label("n"))
    walk = first.cte(f"{name}_walk", recursive=True)
    walk = walk.union_all(select(following(walk.c.value), walk.c.n + 1)
                          .where(walk.c.value.is_not(None), walk.c.n < limit))
    return select(walk.c.value).where(walk.c.value.is_not(None))


def has_events(session: Session, actor, config: EpcisConfig, parameter: str,
               value: str) -> bool:
    """Whether the caller may see an event that `parameter` (`EQ_bizStep`, `MATCH_anyEPC`...)
    finds by `value`: the sub-resource `/bizSteps/{bizStep}` exists for them (else 404, as
    an unknown value)."""
    query = parse_query({parameter: [value], "perPage": ["1"]}, config)
    return bool(query_events(session, actor, config, query).document["epcisBody"]["eventList"])
