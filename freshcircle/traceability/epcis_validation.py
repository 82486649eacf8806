"""Validate EPCIS 2.0 JSON-LD against the official JSON Schema bundled with the package.

The schema files (``epcis_schema/schemas/*.json``) go into a ``referencing.Registry`` under their
own ``$id``, so every ``$ref`` resolves offline from the package. Validation uses
``Draft7Validator`` with its format checker; the ``uri`` format needs the ``rfc3987`` package
(without it a bare ``"bizStep": "harvesting"`` passes) and ``date-time`` needs
``rfc3339-validator`` (without it ``"eventTime": "yesterday"`` passes), so the validator refuses
to start without them. Errors are collected per event (all of them, not just the first), each as
``"$.path: message"``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jsonschema import Draft7Validator  # type: ignore[import-untyped,unused-ignore]
from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped,unused-ignore]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from .epcis_vocab import schema_resource

SCHEMA_BASE = "https://gs1.github.io/EPCIS/JSON-Schema/"
ROOT_SCHEMA_ID = SCHEMA_BASE + "EPCIS-JSON-Schema.json"
EVENT_SCHEMA_REF = SCHEMA_BASE + "EPCIS-Event-JSON-Schema.json#/definitions/EPCIS-Document-Event"
_MAX_MESSAGE = 240


@cache
def schema_registry() -> Registry:
    """Every bundled schema file, keyed by its ``$id``."""
    resources = []
    for item in schema_resource("schemas").iterdir():
        if item.name.endswith(".json"):
            contents = json.loads(item.read_text(encoding="utf-8"))
            resources.append((contents["$id"], Resource.from_contents(contents,
                                                                      default_specification=DRAFT7)))
    return Registry().with_resources(resources)


def _validator(schema: Mapping[str, Any]) -> Draft7Validator:
    checker = Draft7Validator.FORMAT_CHECKER
    for fmt, package in (("uri", "rfc3987"), ("date-time", "rfc3339-validator")):
        if fmt not in checker.checkers:  # pragma: no cover - both are declared dependencies
            raise RuntimeError(f"the {fmt!r} format checker is missing: install {package}")
    return Draft7Validator(schema, registry=schema_registry(), format_checker=checker)


@cache
def document_validator() -> Draft7Validator:
    """Validator for anything the official root schema accepts (documents or single events)."""
    return _validator(schema_registry().contents(ROOT_SCHEMA_ID))


@cache
def event_validator() -> Draft7Validator:
    """Validator for one event inside a document's ``eventList`` (no ``@context`` needed)."""
    return _validator({"$ref": EVENT_SCHEMA_REF})


@dataclass
class ValidationReport:
    """Errors found in a document: ``event_errors`` maps an eventList index to its messages."""

    document_errors: list[str] = field(default_factory=list)
    event_errors: dict[int, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.document_errors and not self.event_errors

    def messages(self) -> list[str]:
        """Every message, document ones first, then event ones prefixed with their index."""
        return self.document_errors + [f"event {index}: {message}"
                                       for index, messages in sorted(self.event_errors.items())
                                       for message in messages]


def _json_path(path: Iterable[Any]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def _leaves(error: ValidationError) -> list[ValidationError]:
    if error.context:
        return [leaf for sub in error.context for leaf in _leaves(sub)]
    return [error]


def _short(error: ValidationError, base: Sequence[Any]) -> str:
    where = list(error.absolute_path)[len(base):]
    prefix = f"{_json_path(where)[2:]}: " if where else ""
    if error.validator == "enum":
        text = f"{error.instance!r} is not one of the {len(error.validator_value)} allowed values"
    elif error.validator == "not" and error.validator_value == {}:
        text = "not allowed here"
    elif error.validator == "format":
        text = f"{error.instance!r} is not a valid {error.validator_value}"
    elif error.validator == "type" and isinstance(error.instance, dict | list):
        text = f"is not of type {error.validator_value!r}"
    else:
        text = error.message
    return prefix + text


def describe_error(error: ValidationError, base: Sequence[Any] = ()) -> str:
    """``"$.path: message"`` for one error; alternatives (anyOf) list why each one failed.

    ``base`` is the path prefix to drop (an event's position in its document).
    """
    path = list(error.absolute_path)[len(base):]
    if error.validator in ("anyOf", "oneOf") and error.context:
        reasons = list(dict.fromkeys(_short(leaf, error.absolute_path)
                                     for leaf in _leaves(error)))
        if "ilmd: not allowed here" in reasons:
            reasons = ["ilmd is only allowed on ADD ObjectEvents and TransformationEvents"]
        text = "matches none of the allowed forms: " + "; ".join(reasons)
    else:
        text = _short(error, error.absolute_path)
    if len(text) > _MAX_MESSAGE:
        text = text[:_MAX_MESSAGE - 3] + "..."
    return f"{_json_path(path)}: {text}"


def _sorted(errors: Iterable[ValidationError]) -> list[ValidationError]:
    return sorted(errors, key=lambda e: ([str(p) for p in e.absolute_path], e.message))


def validate_document(document: Any) -> ValidationReport:
    """Validate an EPCISDocument (or a single standalone event) against the official schema.

    Errors inside ``epcisBody.eventList[i]`` are reported under ``event_errors[i]`` with paths
    relative to that event; everything else goes to ``document_errors``.
    """
    report = ValidationReport()
    for error in _sorted(document_validator().iter_errors(document)):
        path = list(error.absolute_path)
        if len(path) >= 3 and path[:2] == ["epcisBody", "eventList"] and isinstance(path[2], int):
            report.event_errors.setdefault(path[2], []).append(describe_error(error, path[:3]))
        else:
            report.document_errors.append(describe_error(error))
    return report


def validate_event(event: Any) -> list[str]:
    """Messages for one event as it would appear in an eventList (empty when valid)."""
    return [describe_error(error) for error in _sorted(event_validator().iter_errors(event))]


def validate_events(events: Iterable[Any]) -> dict[int, list[str]]:
    """Messages per index for a list of events; indexes of valid events are left out."""
    result = {}
    for index, event in enumerate(events):
        messages = validate_event(event)
        if messages:
            result[index] = messages
    return result
