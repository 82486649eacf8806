"""The authorisation matrix: every API operation (from /api/openapi.json) and every page (from
the URL map) x every role x the role's own tenant's object and another tenant's, against one
declarative table of who may do what (RULES in tests/platform/access_rules.py).

A refused request must answer the rule's exact refusal (401 for an anonymous API call, the
sign-in redirect for an anonymous page, 403 or 404 as the rule says) and change nothing in
the database; an allowed one must not be refused, and its answer must not hold another
tenant's private words. An operation with no entry in RULES fails
test_every_operation_has_an_access_rule: add one line for it (and, for a write, a valid body in
BODIES of tests/platform/access_requests.py, since the API validates a body before it asks
who is calling).

The world (tests/platform/access_world.py) is built once for the module; each case runs in a
savepoint rolled back afterwards.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

import pytest

from freshcircle.platform.extensions import db
from tests import factories
from tests.conftest import ConnectionBoundSession
from tests.platform.access_probe import (
    changed_tables,
    fill_body,
    fill_path,
    names_objects,
    operations,
    other_side,
    path_params,
    snapshot,
    snapshot_queries,
)
from tests.platform.access_requests import (
    ALLOWED_ANSWERS,
    BODIES,
    HEADERS,
    ONLY_AS,
    PARAM_ALIASES,
    QUERIES,
    RAW_BODIES,
    UPLOADS,
)
from tests.platform.access_rules import ALLOW, KNOWN_DEFECTS, LOGIN, RULES, expected
from tests.platform.access_world import ROLES, build_world, identity
from tests.platform.page_helpers import TINY_JPEG, TINY_PDF

FILES = {"pdf": (TINY_PDF, "报告.pdf"), "jpeg": (TINY_JPEG, "菜.jpg"),
         "csv": (b"time,temp\n2026-12-01T08:00:00+08:00,3.5\n", "logger.csv")}


def scopes(op: str) -> tuple[str, ...]:
    """An operation naming a record is probed on the caller's own and on the other tenant's."""
    template = BODIES.get(op) or UPLOADS.get(op) or QUERIES.get(op)
    if path_params(op) or (template and names_objects(template)):
        return ("own", "other")
    return ("own",)


CASES = [(op, role, scope) for op in RULES for role in ONLY_AS.get(op, ROLES)
         for scope in scopes(op)]


def kind_of(op: str) -> str:
    return "api" if op.split(" ", 1)[1].startswith("/api/v1") else "page"


# The same refused writes with no body at all: the API (and a few pages) validate a body before
# the view asks who is calling, so a refused caller may get 400/422 instead; never a 2xx, and
# nothing written.
EMPTY_CASES = [(op, role, scope) for op, role, scope in CASES
               if (op in BODIES or op in UPLOADS) and not op.startswith("GET")
               and expected(RULES[op], role, scope, kind_of(op)) != ALLOW]


def case_id(case) -> str:
    op, role, scope = case
    return f"{op} | {role} | {scope}"


class Matrix:
    def __init__(self, app, connection, world, cookies, ops):
        self.app, self.connection, self.world = app, connection, world
        self.cookies, self.ops = cookies, ops
        self.queries = snapshot_queries(connection.dialect)

    def client(self, role: str):
        client = self.app.test_client()
        for name, value in self.cookies.get(role, {}).items():
            client.set_cookie(name, value, domain="localhost")
        return client

    def request(self, op: str, role: str, scope: str, empty: bool = False):
        """Send the operation as `role` (session cookie for pages, bearer token for the API)."""
        method = op.split(" ", 1)[0]
        path = fill_path(op, self.world, role, scope, PARAM_ALIASES.get(op, {}))
        kind = self.ops.get(op, "page")
        headers = {"Accept-Language": "en"}
        if kind == "api" and role != "anonymous":
            headers["Authorization"] = f"Bearer {self.world.tokens[role]}"
        client = self.client(role) if kind != "api" else self.app.test_client()
        if op in QUERIES:
            path += "?" + urlencode(fill_body(QUERIES[op], self.world, role, scope))
        if empty:
            return path, client.open(path, method=method, headers=headers)
        headers.update(HEADERS.get(op, {}))
        if op in RAW_BODIES:
            data, content_type = RAW_BODIES[op]
            return path, client.open(path, method=method, data=data, headers=headers,
                                     content_type=content_type)
        if op in UPLOADS:
            data = {}
            for name, value in fill_body(UPLOADS[op], self.world, role, scope).items():
                data[name] = (io.BytesIO(FILES[value][0]), FILES[value][1]) \
                    if value in FILES else str(value)
            return path, client.open(path, method=method, data=data, headers=headers,
                                     content_type="multipart/form-data")
        body = fill_body(BODIES.get(op, {}), self.world, role, scope)
        if method in ("GET", "DELETE"):
            return path, client.open(path, method=method, headers=headers)
        if kind == "page":
            return path, client.open(path, method=method, data=body, headers=headers)
        return path, client.open(path, method=method, json=body, headers=headers)


@pytest.fixture(scope="module")
def matrix(app):
    """One world for the whole module, inside an outer transaction rolled back at the end."""
    saved = {k: app.config.get(k) for k in ("DISPATCH_JOBS_SYNC", "LABEL_JOBS_SYNC",
                                             "DISPATCH_MAX_ITERATIONS")}
    app.config.update(DISPATCH_JOBS_SYNC=True, LABEL_JOBS_SYNC=True,
                      DISPATCH_MAX_ITERATIONS=200)
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
    original = db.session
    db.session = db._make_scoped_session({
        "bind": connection, "join_transaction_mode": "create_savepoint",
        "class_": ConnectionBoundSession})
    try:
        with app.app_context():
            session = db.session
            world = build_world(factories.Factory(session), session, app)
            from freshcircle.platform.core.services import accounts
            for role in ROLES:
                user = identity(world, role)
                if user is not None:
                    world.tokens[role] = accounts.issue_token(session, user, "matrix-api")[1]
            session.commit()
            spec = app.test_client().get("/api/openapi.json").get_json()
            ops = operations(app, spec)
            cookies = {}
            for role in ROLES:
                user = identity(world, role)
                if user is None:
                    continue
                client = app.test_client()
                response = client.post("/login", data={"phone": user.phone,
                                                       "password": factories.PASSWORD})
                assert response.status_code == 302, (role, response.status_code)
                cookies[role] = {c.key: c.value for c in client._cookies.values()}
            identity(world, "deactivated").active = False  # after signing in, as an admin would
            session.commit()
        yield Matrix(app, connection, world, cookies, ops)
    finally:
        db.session = original
        outer.rollback()
        connection.close()
        app.config.update(saved)


@pytest.fixture(autouse=True)
def _isolated(matrix):
    """Each case in a savepoint of the module's transaction, rolled back afterwards."""
    savepoint = matrix.connection.begin_nested()
    try:
        yield
    finally:
        if savepoint.is_active:
            savepoint.rollback()


def test_every_operation_has_an_access_rule(matrix):
    missing = sorted(op for op in matrix.ops if op not in RULES)
    assert not missing, "add an access rule to RULES in tests/platform/access_rules.py for:\n" + (
        "\n".join(f'    "{op}": "<one of KINDS>",  # {matrix.ops[op]}' for op in missing))


def test_every_access_rule_names_an_operation(matrix):
    stale = sorted(op for op in RULES if op not in matrix.ops)
    assert not stale, "no such operation any more, remove its rule: " + "; ".join(stale)


def allowed_answer(op: str, kind: str) -> int | None:
    """The 4xx an allowed caller gets here, if any: a state the record is in, or a page form
    sent empty (its errors, 422)."""
    if op in ALLOWED_ANSWERS:
        return ALLOWED_ANSWERS[op][0]
    if kind == "page" and op.startswith("POST") and op not in BODIES and op not in UPLOADS:
        return 422
    return None


TENANT_ROLES = ("farmer", "coop_manager", "coop_member", "buyer", "carrier")
TEXT_TYPES = ("application/json", "text/")


def leak(matrix, role: str, response, what: str) -> str | None:
    """Another tenant's private words in an answer to one of this tenant's people."""
    if role not in TENANT_ROLES or not response.content_type.startswith(TEXT_TYPES):
        return None
    body = response.get_data(as_text=True)
    other = matrix.world.sides[other_side(role)]
    shown = [secret for secret in other.secrets if secret in body]
    return f"shows another tenant's {shown}: {what}" if shown else None


def verdict(matrix, op: str, role: str, scope: str) -> str | None:
    """What is wrong with this case, or None."""
    kind = matrix.ops[op]
    want = expected(RULES[op], role, scope, kind)
    before = None
    if want != ALLOW:
        before = snapshot(matrix.connection, matrix.queries)
    path, response = matrix.request(op, role, scope)
    status, location = response.status_code, response.headers.get("Location", "")
    what = f"{op.split()[0]} {path} as {role} ({scope} tenant's record) -> {status} {location}"
    if status >= 500:
        return f"server error: {what}"
    if want == ALLOW:
        if status in (401, 403, 404):
            return f"refused, but rule {RULES[op]!r} allows it: {what}"
        if "/login" in location and op != "POST /logout":
            return f"sent to the sign-in page, but rule {RULES[op]!r} allows it: {what}"
        if status >= 400 and status != allowed_answer(op, kind):
            return f"allowed, but answered {status} (see ALLOWED_ANSWERS): {what}"
        return leak(matrix, role, response, what)
    if want == LOGIN and not (status == 302 and "/login" in location):
        return f"expected the sign-in page (rule {RULES[op]!r}): {what}"
    if want != LOGIN and status != want:
        hint = ""
        if status == 422 and kind == "api" and op not in BODIES and op not in UPLOADS:
            hint = (" (the body was validated first: give the operation a valid one in"
                    " access_requests.BODIES)")
        return f"expected {want} (rule {RULES[op]!r}): {what}{hint}"
    changed = changed_tables(before, snapshot(matrix.connection, matrix.queries))
    if changed:
        return f"a refused request changed {', '.join(changed)}: {what}"
    return None


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_access(matrix, case):
    op, role, scope = case
    if op not in matrix.ops:
        pytest.skip("no such operation (see test_every_access_rule_names_an_operation)")
    problem = verdict(matrix, op, role, scope)
    defect = KNOWN_DEFECTS.get(op, {}).get((role, scope))
    if defect:
        if problem:
            pytest.xfail(f"{defect} - {problem}")
        pytest.fail(f"fixed: remove ({role!r}, {scope!r}) of {op} from KNOWN_DEFECTS")
    assert problem is None, problem


def test_the_snapshot_sees_what_a_request_writes(matrix):
    """The matrix's proof that a refused request changed nothing is only as good as this."""
    before = snapshot(matrix.connection, matrix.queries)
    _path, response = matrix.request("POST /api/v1/notices/{notice_id}/read", "farmer", "own")
    assert response.status_code == 200 and response.json["marked"] == 1
    assert changed_tables(before, snapshot(matrix.connection, matrix.queries)) == ["notices"]


@pytest.mark.parametrize("case", EMPTY_CASES, ids=case_id)
def test_refused_with_an_empty_body(matrix, case):
    op, role, scope = case
    if op not in matrix.ops:
        pytest.skip("no such operation (see test_every_access_rule_names_an_operation)")
    want = expected(RULES[op], role, scope, matrix.ops[op])
    before = snapshot(matrix.connection, matrix.queries)
    path, response = matrix.request(op, role, scope, empty=True)
    status, location = response.status_code, response.headers.get("Location", "")
    what = f"{op.split()[0]} {path} (no body) as {role} ({scope}) -> {status} {location}"
    if want == LOGIN:
        assert status == 302 and "/login" in location, what
    else:
        assert status in (want, 400, 422), f"expected {want} (or 400/422 for no body): {what}"
    assert not changed_tables(before, snapshot(matrix.connection, matrix.queries)), what
