"""Certifications: record, read, correct and list a producer's certificates."""

from __future__ import annotations

from flask_smorest import Blueprint

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.extensions import db
from freshcircle.platform.farms.schemas.certifications import (
    CertificationCreateSchema,
    CertificationQuerySchema,
    CertificationSchema,
    CertificationUpdateSchema,
)
from freshcircle.platform.farms.services import farm_records
from freshcircle.platform.models import Role
from freshcircle.platform.web.api import SelectPage, actor, actor_with_role

blp = Blueprint("certifications", __name__, url_prefix="/certifications",
                description="Certifications held by producers (绿色食品, 有机, 地理标志)")
READERS = (Role.FARMER, Role.COOP_ADMIN, Role.INSPECTOR, Role.ADMIN)


@blp.get("")
@blp.arguments(CertificationQuerySchema, location="query", as_kwargs=True)
@blp.response(200, CertificationSchema(many=True))
@blp.paginate(SelectPage)
def list_certifications(producer_id=None, current=False):
    """List certifications the caller may see, latest expiry first.

    `current=true` leaves out expired ones (valid_to before today in Asia/Shanghai).
    """
    return farm_records.certifications_query(
        actor_with_role(*READERS), producer_id=producer_id,
        current_on=today_in_china() if current else None,
    )


@blp.post("")
@blp.arguments(CertificationCreateSchema)
@blp.response(201, CertificationSchema)
def create_certification(data):
    """Record a certification held by a producer (its members)."""
    return farm_records.create_certification(db.session, actor(), data)


@blp.get("/<int:cert_id>")
@blp.response(200, CertificationSchema)
def get_certification(cert_id):
    """One certification, with whether it has expired."""
    return farm_records.get_certification(db.session, actor(), cert_id)


@blp.patch("/<int:cert_id>")
@blp.arguments(CertificationUpdateSchema)
@blp.response(200, CertificationSchema)
def update_certification(changes, cert_id):
    """Correct a certification record (members of its producer)."""
    user = actor()
    cert = farm_records.get_certification(db.session, user, cert_id)
    return farm_records.update_certification(db.session, user, cert, changes)
