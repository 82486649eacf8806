"""How the authorisation matrix probes one operation: the operations the app offers (its
OpenAPI document and its page map), the path filled with one side's ids, a body, and a
snapshot of every table to prove a refused request changed nothing."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re

from flask import Flask
from sqlalchemy import select

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import Base
from tests.platform.access_world import FILTERS, SIDE_OF, World

# Columns a request may touch without changing anything a user owns: when a token was last
# used. Everything else must be exactly as it was after a refused request.
VOLATILE_COLUMNS = {("api_tokens", "last_used_at"), ("users", "last_login_at"),
                    ("users", "last_seen_at")}
NOT_PROBED = {"static", "api_docs.swagger_assets", "api-docs.openapi_json"}
PARAM = re.compile(r"\{(\w+)\}|<(?:[^:<>]+:)?(\w+)>")


def operations(app: Flask, spec: dict) -> dict[str, str]:
    """Every operation the app answers: "METHOD /path" -> the kind ("api" or "page").

    API operations come from the OpenAPI document; pages from the URL map (everything not
    under /api/v1). A URL map rule under /api/v1 missing from the document is listed as
    "undocumented", which fails the matrix too.
    """
    ops: dict[str, str] = {}
    for path, methods in spec["paths"].items():
        for method in methods:
            if method in ("get", "post", "put", "patch", "delete"):
                ops[f"{method.upper()} {path}"] = "api"
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_PROBED:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if rule.rule.startswith("/api/v1"):
                documented = PARAM.sub(lambda m: "{" + (m.group(1) or m.group(2)) + "}",
                                       rule.rule)
                if f"{method} {documented}" not in ops:
                    ops[f"{method} {rule.rule}"] = "undocumented"
            else:
                ops[f"{method} {rule.rule}"] = "page"
    return ops


# Path parameters that name no tenant's record (the EPCIS collections' are filters, like a
# query's: the answer holds what the caller may see of them, checked through Side.secrets).
NOT_RECORDS = {"day", "code", "event_type", "epc", "biz_step", "biz_location", "read_point",
               "disposition"}


def path_params(op: str) -> list[str]:
    """The path parameters that name a record (a batch id, a lot's GS1 keys...)."""
    names = [a or b for a, b in PARAM.findall(op.split(" ", 1)[1])]
    return [name for name in names if name not in NOT_RECORDS]


# Records of one person, not of a tenant (EPCIS named queries and their subscriptions too).
PER_USER = {"notice_id", "token_id", "upload_id", "query_name", "subscription_id"}


def other_side(role: str) -> str:
    return "A" if SIDE_OF[role] == "B" else "B"


def fill_path(op: str, world: World, role: str, scope: str, aliases: dict[str, str]) -> str:
    """The operation's URL with the ids of `role`'s side ("own") or the other side's."""
    path = op.split(" ", 1)[1]
    value = _values(world, role, scope, aliases)
    return PARAM.sub(lambda m: value(m.group(1) or m.group(2)), path)


def fill_body(template, world: World, role: str, scope: str):
    """A body template with every "$name" replaced by that id (or date) of the chosen side."""
    value = _values(world, role, scope, {})
    if isinstance(template, dict):
        return {PARAM.sub(lambda m: value(m.group(1) or m.group(2)), k):
                fill_body(v, world, role, scope) for k, v in template.items()}
    if isinstance(template, list):
        return [fill_body(v, world, role, scope) for v in template]
    if isinstance(template, str) and template.startswith("$document:"):
        return copy.deepcopy(side_of(world, role, scope).documents[template.split(":")[1]])
    if isinstance(template, str) and template.startswith("$"):
        filled = value(template[1:])
        return int(filled) if template.endswith("_id") else filled
    return template


def names_objects(template) -> bool:
    """Whether a body template names records of a side (so it has an "other" case)."""
    if isinstance(template, dict):
        return any(names_objects(v) for v in template.values())
    if isinstance(template, list):
        return any(names_objects(v) for v in template)
    return isinstance(template, str) and template.startswith("$") and not template.startswith(
        ("$day", "$now"))


def side_of(world: World, role: str, scope: str):
    """The tenant whose records a case names: the role's own, or the other one."""
    return world.sides[SIDE_OF[role] if scope == "own" else other_side(role)]


def _values(world: World, role: str, scope: str, aliases: dict[str, str]):
    side = side_of(world, role, scope)
    today = today_in_china()

    def value(name: str) -> str:
        if name == "keys":
            return side.lot_path.removeprefix("/01/")
        if name in PER_USER:
            owner = role if scope == "own" and role != "anonymous" else (
                "farmer" if role != "farmer" else "coop_manager")
            if scope == "own" and role == "anonymous":
                owner = "coop_manager"
            return str(world.user_ids[owner][name])
        if name.startswith("day") and name != "day":  # $day+1, $day-7: from today
            offset = int(name[3:] or 0)
            return (today + dt.timedelta(days=offset)).isoformat()
        if name.startswith("now"):  # $now+1d, $now-1h
            amount, unit = int(name[3:-1]), name[-1]
            delta = dt.timedelta(days=amount) if unit == "d" else dt.timedelta(hours=amount)
            return (dt.datetime.now(dt.UTC).replace(microsecond=0) + delta).isoformat()
        if name == "code":
            return "zh"
        if name in FILTERS:
            return FILTERS[name]
        return str(side.ids[aliases.get(name, name)])

    return value


def snapshot_queries(dialect) -> list[tuple[str, str]]:
    """One SELECT per table (volatile columns left out), compiled once for the dialect."""
    queries = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if (table.name, c.name) not in VOLATILE_COLUMNS]
        queries.append((table.name, str(select(*columns).compile(dialect=dialect))))
    return queries


def snapshot(connection, queries: list[tuple[str, str]]) -> dict[str, str]:
    """A digest of every table's rows, to compare before/after: read through the driver's
    cursor on the test's connection (it sees what the request wrote in the savepoint)."""
    cursor = connection.connection.cursor()
    digests = {}
    try:
        for name, sql in queries:
            cursor.execute(sql)
            rows = sorted(map(repr, cursor.fetchall()))
            digests[name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    finally:
        cursor.close()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))
