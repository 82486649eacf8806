"""schemathesis against the real app (WSGI, in process): every operation of /api/openapi.json,
positive and negative cases, checked for server errors and response schema conformance.

Used by tests/platform/test_api_fuzz.py (a few cases per operation, fixed seed) and by
bench/fuzz.py (tens of thousands, several identities).
"""

from __future__ import annotations

import collections
import contextvars
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import hypothesis
import schemathesis
from flask import got_request_exception
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup, ServerError
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import text

CHECKS = [not_a_server_error, response_schema_conformance]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@dataclass
class Tally:
    """What a run saw: cases sent, server errors, schema violations, and a sample of each."""

    cases: int = 0
    server_errors: int = 0
    schema_violations: int = 0
    statuses: collections.Counter = field(default_factory=collections.Counter)
    failures: dict[str, str] = field(default_factory=dict)  # "kind METHOD /path" -> one example
    samples: dict[int, str] = field(default_factory=dict)  # status -> one response, for a look

    def record(self, label: str, case, failure: Failure) -> None:
        if isinstance(failure, ServerError):
            self.server_errors += 1
            kind = f"server error ({failure.title})"
        else:
            self.schema_violations += 1
            kind = type(failure).__name__
        key = f"{label}: {kind}"
        if key not in self.failures:
            self.failures[key] = (f"{failure.title}: {failure.message[:600]}\n"
                                  f"  {case.as_curl_command()}")

    def report(self, limit: int | None = None) -> str:
        """Each distinct failure (operation: kind) with one example request."""
        chosen = sorted(self.failures.items())[:limit]
        return "\n".join(f"- {key}\n  {example}" for key, example in chosen)

    def causes(self) -> collections.Counter:
        """How many operations failed in each way (kind of failure or exception)."""
        return collections.Counter(key.split(": ", 1)[1] for key in self.failures)


def load(app) -> schemathesis.BaseSchema:
    # A photo part (PATCH /api/v1/photo-uploads/<id>) is raw bytes, sent as tus's media type.
    schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


def operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


# Path parameters and the tables their ids point into (bench/fuzz.py and the suite's test send
# half of the cases to rows that exist, so the checks get past "404 Not found").
ID_TABLES = {
    "alert_id": "shipment_alerts", "batch_id": "batches", "cert_id": "certifications",
    "dispute_id": "disputes", "file_id": "stored_files", "input_id": "farm_inputs",
    "line_id": "shipment_lines", "listing_id": "listings", "notice_id": "notices",
    "order_id": "orders", "place_id": "places", "plan_id": "dispatch_plans", "plot_id": "plots",
    "producer_id": "producers", "product_id": "products", "quote_id": "quotes",
    "request_id": "quote_requests", "run_id": "label_runs", "shipment_id": "shipments",
    "site_id": "places", "test_id": "residue_tests", "vehicle_id": "vehicles",
}  # not token_id: an identity that revoked its own token would fuzz on as anonymous


def existing_ids(session, per_table: int = 50) -> dict[str, list[int]]:
    """{path parameter: ids of rows that exist} (the lowest `per_table` of each table)."""
    ids = {}
    for name, table in ID_TABLES.items():
        rows = session.execute(text(f"SELECT id FROM {table} ORDER BY id LIMIT {per_table}"))
        ids[name] = [row[0] for row in rows] or [1]
    return ids


class _Crashes:
    """The exception behind the last 500 of an app (Flask's got_request_exception signal)."""

    def __init__(self):
        self.last: BaseException | None = None

    def __call__(self, sender, exception, **extra):
        self.last = exception


_crashes = _Crashes()


def fuzz_operation(operation, headers: dict[str, str], tally: Tally, *, examples: int,
                   seed: int, ids: dict[str, list[int]] | None = None,
                   modes: Iterable[GenerationMode] = MODES) -> None:
    """Send up to `examples` cases of each mode to `operation` and tally what comes back.

    With `ids`, each path parameter of a case is, by a coin Hypothesis draws, replaced by an
    id that exists."""
    label = f"{operation.method.upper()} {operation.path}"
    # Uncompressed answers: schemathesis's WSGI transport does not decode a compressed body
    # (the app compresses for phones that ask; bench/offline.py measures it).
    headers = {"Accept-Encoding": "identity", **headers}
    got_request_exception.connect(_crashes, operation.schema.app, weak=False)
    for mode in modes:
        @hypothesis.seed(seed)
        @hypothesis.settings(
            max_examples=examples, deadline=None, database=None, derandomize=False,
            phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
            verbosity=hypothesis.Verbosity.quiet, report_multiple_bugs=False,
        )
        @hypothesis.given(operation.as_strategy(generation_mode=mode), st.data())
        def send(case, data):
            for name in list(case.path_parameters or {}):
                if ids and name in ids and data.draw(st.booleans()):
                    case.path_parameters[name] = data.draw(st.sampled_from(ids[name]))
            tally.cases += 1
            _crashes.last = None
            try:
                # A fresh context per request, as in production: an app context that the
                # caller keeps pushed would otherwise share `g` (and Flask-Login's user).
                response = contextvars.Context().run(case.call, headers=headers)
            except Exception as error:  # a test app propagates what would be a 500
                tally.record(label, case, _server_error(label, error))
                return
            tally.statuses[response.status_code] += 1
            tally.samples.setdefault(response.status_code,
                                     f"{label} {response.status_code} {response.content[:200]!r}")
            if response.status_code >= 500 and _crashes.last is not None:
                tally.record(label, case, _server_error(label, _crashes.last))
                return
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    tally.record(label, case, failure)
            except Failure as failure:
                tally.record(label, case, failure)

        send()


def _server_error(label: str, error: BaseException) -> ServerError:
    """A 500 named by its exception and the gist of its message (quoted values left out)."""
    gist = re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "…", (str(error).splitlines() or [""])[0])[:90]
    return ServerError(operation=label, status_code=500,
                       title=f"{type(error).__name__}: {gist}", message=str(error)[:600])


def fuzz(schema, headers: dict[str, str], *, examples: int, seed: int,
         ids: dict[str, list[int]] | None = None, tally: Tally | None = None) -> Tally:
    tally = tally or Tally()
    for operation in operations(schema):
        fuzz_operation(operation, headers, tally, examples=examples, seed=seed, ids=ids)
    return tally
