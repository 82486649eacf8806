"""The EPCIS 2.0 capture interface (REST binding): a POST becomes a capture job.

`POST /capture` checks what must hold before anything is accepted, answering at once:
the caller's role (403), a document that is not an EPCISDocument (400), more events than
`CAPTURE_LIMIT` (413), an EPCIS or CBV version or an error behaviour this server does not
speak (400), and any event about a lot the caller may not record events for (403: nothing is
stored, whatever the error behaviour). Then it runs the job and answers 202 with the job's
`Location`. The job's errors are the events that could not be captured, one RFC 7807 problem
each: an event the schema refuses, or whose eventID already names another event. With
`GS1-Capture-Error-Behaviour: rollback` (the default) one such event stores none; with
`proceed` the others are stored. FreshCircle runs the job inside the request, so a job is
never seen running (`running` is false once the POST has answered).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.access import require_role
from freshcircle.platform.core.services.errors import (
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from freshcircle.platform.ledger.services import epcis_store
from freshcircle.platform.models import EpcisCaptureJob, EpcisEventRecord, User
from freshcircle.traceability.epcis_hash import context_prefixes, event_hash

EPCIS_VERSION = "2.0.0"
CBV_VERSION = "2.0.0"
CAPTURE_LIMIT = 1000  # events in one POST (GS1-EPCIS-Capture-Limit)
BEHAVIOURS = ("rollback", "proceed")
VALIDATION = "epcisException:ValidationException"


class ValidationException(InvalidInput):
    """What the REST binding answers 400 to: the capture is refused whole, before any job."""

    status_code = 400


class CaptureLimitExceeded(DomainError):
    status_code = 413
    default_message = _l("Send at most %(limit)s events in one capture.", limit=CAPTURE_LIMIT)


@dataclass
class Headers:
    """The capture request's GS1 headers (None when not sent)."""

    epcis_version: str | None = None
    cbv_version: str | None = None
    behaviour: str | None = None


def _check_headers(headers: Headers) -> str:
    """The error behaviour to use; InvalidInput naming each header this server cannot honour."""
    errors: dict[str, list] = {}
    if headers.epcis_version and not headers.epcis_version.startswith("2.0"):
        errors["GS1-EPCIS-Version"] = [_l("This server speaks EPCIS 2.0.")]
    if headers.cbv_version and not headers.cbv_version.startswith("2."):
        errors["GS1-CBV-Version"] = [_l("This server speaks CBV 2.")]
    behaviour = (headers.behaviour or "rollback").strip().lower()
    if behaviour not in BEHAVIOURS:
        errors["GS1-Capture-Error-Behaviour"] = [_l("Use rollback or proceed.")]
    if errors:
        raise ValidationException(
            _l("Some GS1 headers cannot be honoured; nothing was captured."), errors=errors)
    return behaviour


def _problem(index: int, messages: list) -> dict[str, Any]:
    return {"type": VALIDATION, "title": str(_l("This event was not captured.")),
            "status": 400, "detail": "; ".join(str(m) for m in messages),
            "instance": f"#/epcisBody/eventList/{index}"}


def _taken_ids(session: Session, events: list[dict], context: Any) -> dict[int, list]:
    """Events whose eventID already names another stored event (another event hash), or
    another event of the same document: per event index, the message."""
    prefixes = context_prefixes(context)
    taken: dict[int, list] = {}
    seen: dict[str, str] = {}
    for index, event in enumerate(events):
        given = event.get("eventID")
        if not given:
            continue
        hashed = event_hash(event, prefixes)
        stored = session.scalar(select(EpcisEventRecord.event_hash)
                                .where(EpcisEventRecord.event_id == given))
        if (stored is not None and stored != hashed) or seen.get(given, hashed) != hashed:
            taken[index] = [_l("This eventID already names another event.")]
        seen.setdefault(given, hashed)
    return taken


def capture(session: Session, actor: User, document: Any, headers: Headers) -> EpcisCaptureJob:
    """Run a capture job (see the module's docstring); the job, stored."""
    require_role(actor, *epcis_store.CAPTURE_ROLES)  # before anything of the body
    behaviour = _check_headers(headers)
    try:
        events, invalid = epcis_store.check_document(document)
    except InvalidInput as error:
        raise ValidationException(error.message, error.errors) from None
    if len(events) > CAPTURE_LIMIT:
        raise CaptureLimitExceeded()
    refused = epcis_store.refused_events(session, actor, events)
    if refused:
        raise PermissionDenied(
            _l("Some events are about lots you may not record events for; nothing was "
               "captured."), errors={"events": refused})
    problems = {**_taken_ids(session, events, document.get("@context")), **invalid}
    job = EpcisCaptureJob(capture_id=secrets.token_hex(16), created_by_id=actor.id,
                          behaviour=behaviour, success=not problems)
    result = {"captured": 0, "duplicates": 0, "declared": 0, "event_ids": []}
    if not problems or behaviour == "proceed":
        for index, event in enumerate(events):
            if index in problems:
                result["event_ids"].append(None)
                continue
            event_id, outcome = epcis_store.store_event(session, event,
                                                        document.get("@context"), actor)
            result["event_ids"].append(event_id)
            result[{"captured": "captured", "duplicate": "duplicates",
                    "declared": "declared"}[outcome.value]] += 1
    job.errors = json.dumps([_problem(index, problems[index]) for index in sorted(problems)],
                            ensure_ascii=False)
    job.result = json.dumps(result)
    job.finished_at = dt.datetime.now(dt.UTC)
    session.add(job)
    session.flush()
    return job


def job_document(job: EpcisCaptureJob) -> dict[str, Any]:
    """The capture job as the REST binding shows it, with what FreshCircle stored."""
    return {"captureID": job.capture_id, "createdAt": _time(job.created_at),
            "finishedAt": _time(job.finished_at), "running": job.finished_at is None,
            "success": job.success, "captureErrorBehaviour": job.behaviour,
            "errors": json.loads(job.errors), **json.loads(job.result)}


def _time(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite gives naive UTC back
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def get_job(session: Session, actor: User, capture_id: str) -> EpcisCaptureJob:
    """A job of the caller's (staff: anyone's); another's is NotFound, as one that is not."""
    require_role(actor, *epcis_store.CAPTURE_ROLES)
    job = session.scalar(select(EpcisCaptureJob).where(EpcisCaptureJob.capture_id == capture_id))
    if job is None or (job.created_by_id != actor.id and not actor.is_staff):
        raise NotFound(_l("No capture job with this captureID."))
    return job


def list_jobs(session: Session, actor: User, *, per_page: int, after: int | None
              ) -> list[EpcisCaptureJob]:
    """The caller's jobs (staff: all), newest first, `per_page` after the job id `after`."""
    require_role(actor, *epcis_store.CAPTURE_ROLES)
    stmt = select(EpcisCaptureJob).order_by(EpcisCaptureJob.id.desc()).limit(per_page)
    if not actor.is_staff:
        stmt = stmt.where(EpcisCaptureJob.created_by_id == actor.id)
    if after is not None:
        stmt = stmt.where(EpcisCaptureJob.id < after)
    return list(session.scalars(stmt))
