"""The EPCIS 2.0 query interface (REST binding, `GET /events`): parameters to a query, the SQL.

Standard parameters (EPCIS 2.0 section 8.2.7.1) and the platform's own (`lot`, `gtin`, `from`,
`to`, `bizStep`, `limit`, `page`, which the platform's pages link with) are read into one
`EventQuery`; a parameter this server does not know or cannot read is a
`QueryParameterException`, never ignored. Every filter is a column or an index lookup
(`epcis_event_terms`, `epcis_event_lots`), never a scan of the JSON bodies. Pages follow each
other by keyset (`nextPageToken`: the last event's sort key and id, base64), not by offset.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.access import require_role
from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.core.services.errors import DomainError
from freshcircle.platform.ledger.services.epcis_query_values import (
    QueryParameterException,
    count_of,
    one_of,
    time_of,
    values_of,
)
from freshcircle.platform.ledger.services.epcis_sensor_query import (
    SensorConditions,
    sensor_filters,
    sensor_reader,
)
from freshcircle.platform.ledger.services.epcis_store import (
    QUERY_ROLES,
    event_body,
    merged_context,
    short_biz_step,
    visible_filter,
)
from freshcircle.platform.ledger.services.epcis_terms import canonical, short_cbv
from freshcircle.platform.models import EpcisErrorDeclaration, EpcisEventLot, EpcisEventRecord
from freshcircle.platform.models.traceability import EpcisEventTerm
from freshcircle.traceability.epcis import EpcisConfig, build_document
from freshcircle.traceability.epcis_vocab import EPCIS_CONTEXT_URL

PROBLEM_TYPE = "epcisException:QueryParameterException"
TOO_LARGE_TYPE = "epcisException:QueryTooLargeException"
PER_PAGE, MAX_PER_PAGE = 30, 1000
EVENT_TYPES = ("ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent",
               "AssociationEvent")
ACTIONS = ("ADD", "OBSERVE", "DELETE")
# MATCH_ parameters: the `epcis_event_terms` kinds each one looks in
MATCHES = {"MATCH_epc": ("epc", "child"), "MATCH_parentID": ("parent",),
           "MATCH_inputEPC": ("input",), "MATCH_outputEPC": ("output",),
           "MATCH_anyEPC": ("epc", "child", "parent", "input", "output"),
           "MATCH_epcClass": ("quantity", "child_qty"), "MATCH_inputEPCClass": ("input_qty",),
           "MATCH_outputEPCClass": ("output_qty",),
           "MATCH_anyEPCClass": ("quantity", "child_qty", "input_qty", "output_qty")}
TYPED = {"EQ_bizTransaction_": "bizTransaction", "EQ_source_": "source",
         "EQ_destination_": "destination"}
ORDER_BY = {"eventTime": "event_time", "recordTime": "recorded_at"}
# The REST binding's collection resources: their path parameter -> the query parameter it is
# (`GET /bizSteps/{bizStep}/events` is `GET /events?EQ_bizStep=...`).
COLLECTIONS = {"event_type": "eventType", "epc": "MATCH_anyEPC", "biz_step": "EQ_bizStep",
               "biz_location": "EQ_bizLocation", "read_point": "EQ_readPoint",
               "disposition": "EQ_disposition"}
COLLECTION_CONTEXT = [EPCIS_CONTEXT_URL]
GTIN = re.compile(r"^\d{8}$|^\d{12,14}$")
_IDPAT = re.compile(r"^urn:epc:idpat:([a-z]+):(.*)\*$")


class QueryTooLargeException(DomainError):
    """More events match than the query's `maxEventCount` (413, the REST binding's problem)."""

    status_code = 413
    default_message = _l("More events match this query than its maxEventCount allows; "
                         "narrow the query or raise maxEventCount.")


@dataclass
class EventQuery:
    """What `GET /events` asks for: `filters` are SQL conditions on `epcis_events`."""

    filters: list[ColumnElement[bool]] = field(default_factory=list)
    order_by: str = "event_time"
    descending: bool = False
    per_page: int = PER_PAGE
    event_count_limit: int | None = None
    after: tuple[dt.datetime, int, int] | None = None  # sort key, id, events served so far
    page: int | None = None  # the platform's own offset paging (`page`), when asked for
    max_event_count: int | None = None  # more matches than this: QueryTooLargeException
    sensor: SensorConditions = field(default_factory=SensorConditions)


def _day_or_time(name: str, text: str, *, end: bool) -> dt.datetime:
    """The platform's `from`/`to`: a date is the whole day in China."""
    if len(text) == 10:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            day = None
        if day is not None:
            start = dt.datetime.combine(day + dt.timedelta(days=int(end)), dt.time(),
                                        tzinfo=CHINA)
            return (start - dt.timedelta(microseconds=int(end))).astimezone(dt.UTC)
    try:
        return time_of(name, text)
    except QueryParameterException:
        raise QueryParameterException(errors={name: [
            _l("Use a date (2026-11-26) or a date-time with a time zone.")]}) from None


def _pattern(column, value: str) -> ColumnElement[bool]:
    """An EPC or class in either form, or an EPC pattern URI: one naming a class
    (`urn:epc:idpat:sgtin:0614141.107346.*`) finds the class and its instances."""
    found = _IDPAT.match(value)
    if found:
        dl = canonical(value)
        if dl != value:
            return or_(column == dl, column.startswith(dl + "/", autoescape=True))
        return column.startswith(f"urn:epc:id:{found[1]}:{found[2]}", autoescape=True)
    return column == canonical(value)


def _term(kinds: Sequence[str], condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return EpcisEventRecord.id.in_(select(EpcisEventTerm.event_record_id).where(
        EpcisEventTerm.kind.in_(kinds), condition))


def _biz_step(_query, values: list[str], config: EpcisConfig) -> ColumnElement[bool]:
    """CBV steps bare or as URIs; the platform's own (harvesting) by name or URI."""
    return EpcisEventRecord.biz_step.in_({
        short_biz_step(config.biz_step(v) if v in config.custom_biz_steps else v)
        for v in values})


def _token(name: str, text: str) -> tuple[dt.datetime, int, int]:
    try:
        key, row_id, served = json.loads(base64.urlsafe_b64decode(text.encode()))
        return dt.datetime.fromisoformat(key), int(row_id), int(served)
    except (ValueError, TypeError, binascii.Error):
        raise QueryParameterException(errors={name: [
            _l("This page token is not one this server gave.")]}) from None


def next_page_token(query: EventQuery, last: EpcisEventRecord, served: int) -> str:
    """The opaque token of the page after `last`."""
    key = getattr(last, query.order_by)
    return base64.urlsafe_b64encode(json.dumps(
        [key.isoformat(), last.id, served]).encode()).decode()


Reader = Callable[[EventQuery, Mapping[str, Sequence[str]], str, EpcisConfig], None]


def _filter(column_of: Callable[[EventQuery, list[str], EpcisConfig], ColumnElement[bool]],
            ) -> Reader:
    def read(query, args, name, config):
        values = values_of(args, name)
        if not values:
            raise QueryParameterException(errors={name: [_l("Give this parameter a value.")]})
        query.filters.append(column_of(query, values, config))
    return read


def _in(column, normalise: Callable[[str], str | None] = canonical) -> Reader:
    return _filter(lambda _q, values, _c: column.in_({normalise(v) for v in values}))


def _checked(column, allowed: Sequence[str]) -> Reader:
    def check(query, values, _config):
        wrong = [v for v in values if v not in allowed]
        if wrong:
            raise QueryParameterException(errors={"": [
                _l("Use one of %(allowed)s.", allowed=", ".join(allowed))]})
        return column.in_(values)
    return _filter(check)


def _time_bound(column, *, lower: bool) -> Reader:
    def read(query, args, name, _config):
        moment = time_of(name, one_of(args, name))
        query.filters.append(column >= moment if lower else column < moment)
    return read


def _match(kinds: Sequence[str]) -> Reader:
    return _filter(lambda _q, values, _c: _term(
        kinds, or_(*(_pattern(EpcisEventTerm.value, v) for v in values))))


def _exists_declaration(query, args, name, _config):
    value = one_of(args, name).lower()
    if value not in ("true", "false"):
        raise QueryParameterException(errors={name: [_l("Use true or false.")]})
    if value == "true":
        query.filters.append(EpcisEventRecord.id.in_(
            select(EpcisErrorDeclaration.event_record_id)))


def _order_by(query, args, name, _config):
    value = one_of(args, name)
    if value not in ORDER_BY:
        raise QueryParameterException(errors={name: [_l("Order by eventTime or recordTime.")]})
    query.order_by = ORDER_BY[value]
    if "orderDirection" not in args:
        query.descending = True  # the standard's default once an order is asked for


def _order_direction(query, args, name, _config):
    value = one_of(args, name)
    if value not in ("ASC", "DESC"):
        raise QueryParameterException(errors={name: [_l("Use ASC or DESC.")]})
    query.descending = value == "DESC"


def _per_page(query, args, name, _config):
    query.per_page = count_of(name, one_of(args, name), 1, MAX_PER_PAGE)


def _event_count_limit(query, args, name, _config):
    query.event_count_limit = count_of(name, one_of(args, name), 1)


def _max_event_count(query, args, name, _config):
    query.max_event_count = count_of(name, one_of(args, name), 0)


def _page_token(query, args, name, _config):
    query.after = _token(name, one_of(args, name))


def _page(query, args, name, _config):
    query.page = count_of(name, one_of(args, name), 1)


def _lot(query, args, name, _config):
    lot = one_of(args, name)
    if len(lot) > 20:
        raise QueryParameterException(errors={name: [_l("A lot code has at most 20 characters.")]})
    named = select(EpcisEventLot.event_record_id).where(EpcisEventLot.lot_code == lot)
    if "gtin" in args:
        named = named.where(EpcisEventLot.gtin == _gtin(args))
    query.filters.append(EpcisEventRecord.id.in_(named))


def _gtin(args) -> str:
    gtin = one_of(args, "gtin")
    if not GTIN.match(gtin):
        raise QueryParameterException(errors={"gtin": [_l("A GTIN has 8, 12, 13 or 14 digits.")]})
    return gtin.zfill(14)


def _gtin_alone(query, args, name, _config):
    gtin = _gtin(args)
    if "lot" not in args:  # with a lot, the lot's index lookup takes the GTIN too
        record = EpcisEventRecord
        query.filters.append(or_(record.gtin == gtin, record.id.in_(
            select(EpcisEventLot.event_record_id).where(EpcisEventLot.gtin == gtin))))


def _private_bound(*, end: bool) -> Reader:
    def read(query, args, name, _config):
        moment = _day_or_time(name, one_of(args, name), end=end)
        column = EpcisEventRecord.event_time
        query.filters.append(column <= moment if end else column >= moment)
    return read


record = EpcisEventRecord
READERS: dict[str, Reader] = {
    "eventType": _in(record.event_type, lambda v: v[:32]),
    "GE_eventTime": _time_bound(record.event_time, lower=True),
    "LT_eventTime": _time_bound(record.event_time, lower=False),
    "GE_recordTime": _time_bound(record.recorded_at, lower=True),
    "LT_recordTime": _time_bound(record.recorded_at, lower=False),
    "EQ_action": _checked(record.action, ACTIONS),
    "EQ_bizStep": _filter(_biz_step),
    "EQ_disposition": _in(record.disposition, lambda v: short_cbv("disposition", v)),
    "EQ_readPoint": _in(record.read_point),
    "EQ_bizLocation": _in(record.biz_location),
    **{name: _match(kinds) for name, kinds in MATCHES.items()},
    "EQ_eventID": _in(record.event_id, lambda v: v),
    "EXISTS_errorDeclaration": _exists_declaration,
    "orderBy": _order_by,
    "orderDirection": _order_direction,
    "eventCountLimit": _event_count_limit,
    "maxEventCount": _max_event_count,
    "perPage": _per_page,
    "nextPageToken": _page_token,
    # the platform's own, which its pages and Digital Link resolver link with
    "lot": _lot,
    "gtin": _gtin_alone,
    "from": _private_bound(end=False),
    "to": _private_bound(end=True),
    "bizStep": _filter(_biz_step),
    "limit": _per_page,
    "page": _page,
    "lang": lambda *_: None,  # the language of the messages (i18n), no filter
}
del record


def _typed_reader(name: str) -> Reader | None:
    for prefix, kind in TYPED.items():
        if name.startswith(prefix) and len(name) > len(prefix):
            type_ = short_cbv(kind, name[len(prefix):]) or ""
            return _filter(lambda _q, values, _c, kind=kind, type_=type_: _term(
                (kind,), and_(EpcisEventTerm.type == type_,
                              EpcisEventTerm.value.in_({canonical(v) for v in values}))))
    sensor = sensor_reader(name)
    if sensor is not None:
        return lambda query, args, param, _config: sensor(query.sensor, args, param)
    return None


def parse_query(args: Mapping[str, Sequence[str]], config: EpcisConfig) -> EventQuery:
    """The query `args` (each parameter's values as sent) ask for; QueryParameterException
    naming every parameter that is unknown or unreadable."""
    query = EventQuery()
    errors: dict[str, list] = {}
    for name in args:
        reader = READERS.get(name) or _typed_reader(name)
        if reader is None:
            errors[name] = [_l("This server does not support this query parameter.")]
            continue
        try:
            reader(query, args, name, config)
        except QueryParameterException as error:
            errors.update({key or name: value for key, value in error.errors.items()})
    if query.page is not None and query.after is not None:
        errors["page"] = [_l("Page by nextPageToken or by page, not both.")]
    if query.event_count_limit is not None and query.max_event_count is not None:
        errors["maxEventCount"] = [_l("Give eventCountLimit or maxEventCount, not both.")]
    if errors:
        raise QueryParameterException(errors=errors)
    query.filters += sensor_filters(query.sensor)
    return query


def _statement(query: EventQuery, visible: ColumnElement[bool], served: int):
    record = EpcisEventRecord
    key = getattr(record, query.order_by)
    stmt = select(record).where(visible, *query.filters)
    if query.after is not None:
        last_key, last_id, _ = query.after
        # the first condition alone is an index range, so a deep page starts where it should
        if query.descending:
            stmt = stmt.where(key <= last_key, or_(key < last_key, record.id < last_id))
        else:
            stmt = stmt.where(key >= last_key, or_(key > last_key, record.id > last_id))
    order = (key.desc(), record.id.desc()) if query.descending else (key, record.id)
    size = query.per_page
    if query.event_count_limit is not None:
        size = max(0, min(size, query.event_count_limit - served))
    stmt = stmt.order_by(*order).limit(size)
    if query.page is not None:
        stmt = stmt.offset((query.page - 1) * query.per_page)
    return stmt, size


def _check_size(session: Session, visible: ColumnElement[bool], query: EventQuery) -> None:
    """QueryTooLargeException when more events match than `maxEventCount` (counting at most
    one more than it)."""
    matches = (select(EpcisEventRecord.id).where(visible, *query.filters)
               .limit(query.max_event_count + 1).subquery())
    if session.scalar(select(func.count()).select_from(matches)) > query.max_event_count:
        raise QueryTooLargeException()


@dataclass
class EventPage:
    """One page of a query's answer, and the token of the next one (None on the last)."""

    document: dict[str, Any]
    next_token: str | None
    next_page: int | None  # with the platform's `page` paging


def query_events(session: Session, actor, config: EpcisConfig, query: EventQuery,
                 visible: ColumnElement[bool] | None = None) -> EventPage:
    """The events the actor may see that match `query`, one page as an EPCISDocument.

    Events the actor may not see are left out silently, so a query cannot tell another
    producer's lot from one that does not exist. `visible`, when given, replaces the actor's
    role check and `visible_filter` (named queries: epcis_named_queries.subscriber_filter).
    """
    if visible is None:
        require_role(actor, *QUERY_ROLES)
        visible = visible_filter(actor)
    if query.max_event_count is not None:
        _check_size(session, visible, query)
    served = query.after[2] if query.after else 0
    if query.page is not None:
        served = (query.page - 1) * query.per_page
    stmt, size = _statement(query, visible, served)
    rows = list(session.scalars(stmt)) if size else []
    bodies = [event_body(row) for row in rows]
    document = build_document(bodies, config)
    document["@context"] = merged_context(config, bodies)
    served += len(rows)
    full = size > 0 and len(rows) == size
    more = full and (query.event_count_limit is None or served < query.event_count_limit)
    if not more:
        return EventPage(document, None, None)
    if query.page is not None:
        return EventPage(document, None, query.page + 1)
    return EventPage(document, next_page_token(query, rows[-1], served), None)


def event_types(actor) -> list[str]:
    """The event types a caller who may query can ask for (`GET /eventTypes`)."""
    require_role(actor, *QUERY_ROLES)
    return list(EVENT_TYPES)
