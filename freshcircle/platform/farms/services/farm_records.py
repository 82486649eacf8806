"""Farm inputs (pesticides, fertilisers), residue tests and certifications."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.access import (
    internal_filter,
    require_member,
    require_view_internal,
)
from freshcircle.platform.core.services.clock import today_in_china, too_early
from freshcircle.platform.core.services.errors import InvalidInput, NotFound, PermissionDenied
from freshcircle.platform.core.services.files import DOCUMENT_TYPES, owned_file, save_upload
from freshcircle.platform.farms.services.plots import chosen_plot, plot_of_producer
from freshcircle.platform.ledger.services import epcis_events
from freshcircle.platform.models import (
    Batch,
    Certification,
    CertificationKind,
    FarmInput,
    InputKind,
    Producer,
    Product,
    ResidueTest,
    Role,
    TestMethod,
    TestResult,
    User,
)

MAX_INTERVAL_DAYS = 365


def _required(data: dict, *names: str) -> dict[str, list]:
    return {
        name: [_l("This field is required.")]
        for name in names
        if data.get(name) is None or (isinstance(data.get(name), str) and not data[name].strip())
    }


def _not_blanked(data: dict, *names: str) -> dict[str, list]:
    """For edits: required fields may be left out, but not sent empty."""
    return _required(data, *(n for n in names if n in data))


def _strip(data: dict, *names: str) -> dict:
    return {n: (data[n].strip() or None) if isinstance(data.get(n), str) else data.get(n)
            for n in names if n in data}


# --- inputs -----------------------------------------------------------------------------------

INPUT_FIELDS = ("kind", "product_name", "active_ingredient", "dose", "applied_on",
                "pre_harvest_interval_days", "notes")


def _check_input(data: dict, partial: bool) -> dict:
    errors = {} if partial else _required(
        data, "kind", "product_name", "dose", "applied_on"
    )
    applied_on = data.get("applied_on")
    if applied_on and applied_on > today_in_china():
        errors["applied_on"] = [_l("The application date cannot be in the future.")]
    elif too_early(applied_on):
        errors["applied_on"] = [_l("Enter a date from 2000-01-01 on.")]
    interval = data.get("pre_harvest_interval_days")
    if interval is not None and not 0 <= interval <= MAX_INTERVAL_DAYS:
        errors["pre_harvest_interval_days"] = [_l("Between 0 and 365 days.")]
    if data.get("kind") == InputKind.PESTICIDE and not partial and interval is None:
        errors["pre_harvest_interval_days"] = [
            _l("A pesticide needs its pre-harvest interval (see its label).")
        ]
    if errors:
        raise InvalidInput(errors=errors)
    clean = _strip(data, *INPUT_FIELDS)
    if "kind" in clean:
        clean["kind"] = InputKind(clean["kind"])
    return clean


def create_input(session: Session, actor: User, data: dict) -> FarmInput:
    """Record one application of a pesticide or fertiliser on a plot."""
    producer_id = data.get("producer_id")
    if session.get(Producer, producer_id or 0) is None:
        raise InvalidInput.field("producer_id", _l("No such producer."))
    require_member(session, actor, producer_id)
    errors: dict[str, list] = {}
    try:
        clean = _check_input(data, partial=False)
    except InvalidInput as error:
        errors.update(error.errors)
    try:
        plot = chosen_plot(session, actor, producer_id, data, create=not errors)
    except InvalidInput as error:
        errors.update(error.errors)
    if errors:
        raise InvalidInput(errors=errors)
    clean["plot"] = plot
    clean.setdefault("pre_harvest_interval_days", 0)
    if clean["pre_harvest_interval_days"] is None:
        clean["pre_harvest_interval_days"] = 0
    record = FarmInput(producer_id=producer_id, created_by_id=actor.id, **clean)
    session.add(record)
    session.flush()
    return record


def update_input(session: Session, actor: User, record: FarmInput, changes: dict) -> FarmInput:
    require_member(session, actor, record.producer_id)
    clean = _check_input(changes, partial=True)
    if "plot_id" in changes:
        record.plot = plot_of_producer(session, record.producer_id, changes["plot_id"])
    for key, value in clean.items():
        if value is None and key not in ("active_ingredient", "notes"):
            raise InvalidInput.field(key, _l("This field is required."))
        setattr(record, key, value)
    session.flush()
    return record


def get_input(session: Session, actor: User, input_id: int) -> FarmInput:
    record = session.get(FarmInput, input_id)
    if record is None:
        raise NotFound()
    require_view_internal(session, actor, record.producer_id)
    return record


def inputs_query(actor: User, *, producer_id: int | None = None,
                 plot_id: int | None = None) -> Select:
    stmt = (
        select(FarmInput)
        .where(internal_filter(actor, FarmInput.producer_id))
        .order_by(FarmInput.applied_on.desc(), FarmInput.id.desc())
    )
    if producer_id:
        stmt = stmt.where(FarmInput.producer_id == producer_id)
    if plot_id:
        stmt = stmt.where(FarmInput.plot_id == plot_id)
    return stmt


# --- residue tests ----------------------------------------------------------------------------

TEST_FIELDS = ("method", "result", "measured_values", "tester", "tested_on", "file_id")


def _require_tester(session: Session, actor: User, batch: Batch) -> None:
    """Members record their own rapid tests; inspectors record theirs for any batch."""
    if actor.role in (Role.INSPECTOR, Role.ADMIN):
        return
    require_member(session, actor, batch.producer_id)


def _check_test(session: Session, batch: Batch, data: dict, partial: bool) -> dict:
    errors = (_not_blanked if partial else _required)(
        data, "method", "result", "tester", "tested_on"
    )
    tested_on = data.get("tested_on")
    if tested_on and tested_on > today_in_china():
        errors["tested_on"] = [_l("The test date cannot be in the future.")]
    elif too_early(tested_on):
        errors["tested_on"] = [_l("Enter a date from 2000-01-01 on.")]
    if errors:
        raise InvalidInput(errors=errors)
    clean = _strip(data, *TEST_FIELDS)
    if "method" in clean:
        clean["method"] = TestMethod(clean["method"])
    if "result" in clean:
        clean["result"] = TestResult(clean["result"])
    owned_file(session, clean.get("file_id"), batch.producer_id)
    return clean


def create_test(session: Session, actor: User, data: dict) -> ResidueTest:
    """Record a rapid residue test or a lab report for a batch."""
    batch = session.get(Batch, data.get("batch_id") or 0)
    if batch is None:
        raise InvalidInput.field("batch_id", _l("No such batch."))
    _require_tester(session, actor, batch)
    clean = _check_test(session, batch, data, partial=False)
    test = ResidueTest(batch=batch, created_by_id=actor.id, **clean)
    session.add(test)
    session.flush()
    epcis_events.record_residue_test(session, test, actor)
    return test


def store_test_file(
    session: Session, actor: User, batch: Batch, *, filename: str, data: bytes, max_bytes: int
):
    """Keep a test report (PDF or image) for a batch; whoever may record its tests may add it.

    Inspectors are not members of the producer, so `files.store_file` would refuse them.
    """
    _require_tester(session, actor, batch)
    return save_upload(session, actor, producer_id=batch.producer_id, filename=filename,
                       data=data, allowed=DOCUMENT_TYPES, max_bytes=max_bytes, field="file")


def update_test(session: Session, actor: User, test: ResidueTest, changes: dict) -> ResidueTest:
    _require_tester(session, actor, test.batch)
    if test.created_by_id != actor.id and actor.role != Role.ADMIN:
        raise PermissionDenied(_l("Only whoever recorded a test can correct it."))
    for key, value in _check_test(session, test.batch, changes, True).items():
        setattr(test, key, value)
    session.flush()
    return test


def get_test(session: Session, actor: User, test_id: int) -> ResidueTest:
    test = session.get(ResidueTest, test_id)
    if test is None:
        raise NotFound()
    require_view_internal(session, actor, test.batch.producer_id)
    return test


def tests_query(actor: User, *, batch_id: int | None = None, result: str | None = None) -> Select:
    stmt = (
        select(ResidueTest)
        .join(Batch, Batch.id == ResidueTest.batch_id)
        .where(internal_filter(actor, Batch.producer_id))
        .order_by(ResidueTest.tested_on.desc(), ResidueTest.id.desc())
    )
    if batch_id:
        stmt = stmt.where(ResidueTest.batch_id == batch_id)
    if result:
        stmt = stmt.where(ResidueTest.result == TestResult(result))
    return stmt


# --- certifications ---------------------------------------------------------------------------

CERT_FIELDS = ("kind", "number", "issuer", "valid_from", "valid_to", "product_id", "file_id",
               "notes")


def _check_cert(session: Session, producer_id: int, data: dict, current=None) -> dict:
    errors = (_not_blanked if current else _required)(
        data, "kind", "number", "issuer", "valid_from", "valid_to"
    )
    valid_from = data.get("valid_from", getattr(current, "valid_from", None))
    valid_to = data.get("valid_to", getattr(current, "valid_to", None))
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = [_l("The end date is before the start date.")]
    if data.get("product_id") and session.get(Product, data["product_id"]) is None:
        errors["product_id"] = [_l("Choose a product from the catalog.")]
    if errors:
        raise InvalidInput(errors=errors)
    clean = _strip(data, *CERT_FIELDS)
    if "kind" in clean:
        clean["kind"] = CertificationKind(clean["kind"])
    owned_file(session, clean.get("file_id"), producer_id)
    return clean


def create_certification(session: Session, actor: User, data: dict) -> Certification:
    """Record a certification (绿色食品, 有机, 地理标志...) held by a producer."""
    producer_id = data.get("producer_id")
    if session.get(Producer, producer_id or 0) is None:
        raise InvalidInput.field("producer_id", _l("No such producer."))
    require_member(session, actor, producer_id)
    cert = Certification(producer_id=producer_id, **_check_cert(session, producer_id, data))
    session.add(cert)
    session.flush()
    return cert


def update_certification(session: Session, actor: User, cert: Certification, changes: dict):
    require_member(session, actor, cert.producer_id)
    for key, value in _check_cert(session, cert.producer_id, changes, current=cert).items():
        setattr(cert, key, value)
    session.flush()
    return cert


def get_certification(session: Session, actor: User, cert_id: int) -> Certification:
    cert = session.get(Certification, cert_id)
    if cert is None:
        raise NotFound()
    require_view_internal(session, actor, cert.producer_id)
    return cert


def certifications_query(
    actor: User, *, producer_id: int | None = None, current_on: dt.date | None = None
) -> Select:
    stmt = (
        select(Certification)
        .where(internal_filter(actor, Certification.producer_id))
        .order_by(Certification.valid_to.desc(), Certification.id.desc())
    )
    if producer_id:
        stmt = stmt.where(Certification.producer_id == producer_id)
    if current_on:
        stmt = stmt.where(Certification.valid_to >= current_on)
    return stmt
