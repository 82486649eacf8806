"""schemathesis against the real app (WSGI, in process): every operation of /api/openapi.json,
positive and negative cases, checked for server errors and response schema conformance.

Used by tests/platform/test_api_fuzz.py (a few cases per operation, fixed seed) and by
bench/fuzz.py (tens of thousands, several identities).
"""

from __future__ import annotations

import collections
import contextvars
from collections.abc import Iterable
from dataclasses import dataclass, field

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup, ServerError
from schemathesis.specs.openapi.checks import response_schema_conformance

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
            kind = "server error"
        else:
            self.schema_violations += 1
            kind = type(failure).__name__
        key = f"{kind} {label}"
        if key not in self.failures:
            self.failures[key] = (f"{failure.title}: {failure.message[:600]}\n"
                                  f"  {case.as_curl_command()}")

    def report(self) -> str:
        return "\n".join(f"- {key}\n  {example}" for key, example in sorted(self.failures.items()))


def load(app) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


def operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


def fuzz_operation(operation, headers: dict[str, str], tally: Tally, *, examples: int,
                   seed: int, modes: Iterable[GenerationMode] = MODES) -> None:
    """Send up to `examples` cases of each mode to `operation` and tally what comes back."""
    label = f"{operation.method.upper()} {operation.path}"
    for mode in modes:
        @hypothesis.seed(seed)
        @hypothesis.settings(
            max_examples=examples, deadline=None, database=None, derandomize=False,
            phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
            verbosity=hypothesis.Verbosity.quiet, report_multiple_bugs=False,
        )
        @hypothesis.given(operation.as_strategy(generation_mode=mode))
        def send(case):
            # A fresh context per request, as in production: an app context that the caller
            # keeps pushed would otherwise share `g` (and Flask-Login's cached user).
            tally.cases += 1
            try:
                response = contextvars.Context().run(case.call, headers=headers)
            except Exception as error:  # a test app propagates what would be a 500
                tally.record(label, case, ServerError(
                    operation=label, status_code=500,
                    title=f"Uncaught {type(error).__name__}", message=str(error)[:600]))
                return
            tally.statuses[response.status_code] += 1
            tally.samples.setdefault(response.status_code,
                                     f"{label} {response.status_code} {response.content[:200]!r}")
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    tally.record(label, case, failure)
            except Failure as failure:
                tally.record(label, case, failure)

        send()


def fuzz(schema, headers: dict[str, str], *, examples: int, seed: int,
         tally: Tally | None = None) -> Tally:
    tally = tally or Tally()
    for operation in operations(schema):
        fuzz_operation(operation, headers, tally, examples=examples, seed=seed)
    return tally
