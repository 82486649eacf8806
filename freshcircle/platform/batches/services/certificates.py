"""承诺达标合格证 for a batch: the facts from the records, the PDF from the library."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.batches.services.label_runs import printable_refusal
from freshcircle.platform.core.services.access import require_view_internal
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.core.services.errors import Conflict
from freshcircle.platform.core.services.quantities import grams_to_kg
from freshcircle.platform.ledger.services.trace_codes import (
    TraceSettings,
    signed_lot_uri,
    trade_item_for,
)
from freshcircle.platform.models import Batch, MemberRole, Membership, ResidueTest, TestResult, User
from freshcircle.traceability.certificate import Basis, CertificateData, render_certificate

PROVINCE_CITY = "安徽省阜阳市"


def contact_phone(session: Session, batch: Batch) -> str | None:
    """The producer's contact number, else its first manager's mobile."""
    if batch.producer.contact_phone:
        return batch.producer.contact_phone
    return session.scalar(
        select(User.phone)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.producer_id == batch.producer_id)
        .order_by(Membership.role != MemberRole.MANAGER, User.id)
        .limit(1)
    )


def certificate_data(session: Session, batch: Batch, settings: TraceSettings) -> CertificateData:
    """The certificate's fields; self-tested when the batch has a passing residue test."""
    producer = batch.producer
    passed = session.scalar(
        select(ResidueTest.id).where(ResidueTest.batch_id == batch.id,
                                     ResidueTest.result == TestResult.PASS).limit(1)
    )
    phone = contact_phone(session, batch)
    if not phone:
        raise Conflict(_l("Add a contact phone to the producer before printing a certificate."))
    item = trade_item_for(session, settings, batch.producer_id, batch.product_id)
    return CertificateData(
        product_name=" · ".join(filter(None, (batch.product.name_zh, batch.variety))),
        quantity_kg=grams_to_kg(batch.quantity_g),
        origin=f"{PROVINCE_CITY}{producer.county_name}{producer.township or ''}",
        issue_date=today_in_china(),
        producer=producer.name,
        phone=phone,
        trace_uri=signed_lot_uri(settings, item, batch),
        basis=Basis.SELF_TESTED if passed is not None else Basis.QUALITY_CONTROL,
        number=batch.lot_code,
    )


def batch_certificate(session: Session, actor: User, batch: Batch,
                      settings: TraceSettings) -> bytes:
    """The certificate PDF for members and staff; refused for held, recalled or unsafe batches."""
    require_view_internal(session, actor, batch.producer_id)
    return certificate_pdf(session, batch, settings)


def certificate_pdf(session: Session, batch: Batch, settings: TraceSettings) -> bytes:
    """The certificate PDF of a batch the caller may already see (a member's, or a listed one a
    buyer reads before ordering); refused for held, recalled or unsafe batches."""
    refusal = printable_refusal(session, batch)
    if refusal is not None:
        raise Conflict(refusal)
    return render_certificate(certificate_data(session, batch, settings))
