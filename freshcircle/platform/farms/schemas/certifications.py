"""Certification (绿色食品, 有机, 地理标志) schemas."""

from __future__ import annotations

import marshmallow as ma

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import CertificationKind
from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import (
    ProductBriefSchema,
    StrictSchema,
    enum_field,
    optional_text,
    required_text,
)


class CertificationCreateSchema(StrictSchema):
    producer_id = fields.Integer(required=True)
    kind = enum_field(CertificationKind, required=True)
    number = required_text(64, metadata={"description": "Certificate number"})
    issuer = required_text(100)
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(required=True)
    product_id = fields.Integer(allow_none=True)
    file_id = fields.Integer(
        allow_none=True, metadata={"description": "A scan of the certificate (POST /files)"}
    )
    notes = optional_text(2000)


class CertificationUpdateSchema(StrictSchema):
    kind = enum_field(CertificationKind)
    number = optional_text(64)
    issuer = optional_text(100)
    valid_from = fields.Date()
    valid_to = fields.Date()
    product_id = fields.Integer(allow_none=True)
    file_id = fields.Integer(allow_none=True)
    notes = optional_text(2000)


class CertificationQuerySchema(ma.Schema):
    producer_id = fields.Integer()
    current = fields.Boolean(
        load_default=False, metadata={"description": "Only those not yet expired"}
    )


class CertificationSchema(ma.Schema):
    id = fields.Integer()
    producer_id = fields.Integer()
    producer_name = fields.String(attribute="producer.name")
    kind = enum_field(CertificationKind)
    number = fields.String()
    issuer = fields.String()
    valid_from = fields.Date()
    valid_to = fields.Date()
    expired = fields.Function(
        lambda c: c.is_expired(today_in_china()),
        metadata={"description": "valid_to is before today (Asia/Shanghai)"},
    )
    product = fields.Nested(ProductBriefSchema, allow_none=True)
    file_id = fields.Integer(allow_none=True)
    # Certification has no `file` relationship (ResidueTest has), so only the link is shown.
    file_url = fields.Function(
        lambda c: f"/api/v1/files/{c.file_id}/content" if c.file_id else None
    )
    notes = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
