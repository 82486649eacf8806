"""Producer (family farm, cooperative) schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from freshcircle.platform.models import MemberRole, ProducerKind
from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import StrictSchema, enum_field, optional_text, required_text


def _coordinate(description: str) -> fields.Decimal:
    return fields.Decimal(places=6, allow_none=True, allow_nan=False, as_string=True,
                          metadata={"description": description})


class ProducerCreateSchema(StrictSchema):
    kind = enum_field(ProducerKind, required=True)
    name = required_text(100)
    credit_code = optional_text(
        20, metadata={"description": "统一社会信用代码, 18 characters (GB 32100-2015)"}
    )
    county_code = fields.String(
        required=True, metadata={"description": "GB/T 2260 code of a Fuyang county, e.g. 341222"}
    )
    township = optional_text(64)
    address = optional_text(200)
    latitude = _coordinate("Degrees north, WGS-84")
    longitude = _coordinate("Degrees east, WGS-84")
    contact_phone = optional_text(20, metadata={"description": "Mainland mobile number"})
    service_phone = optional_text(20, metadata={
        "description": "Public service number shown to shoppers: a mobile, a landline with its "
                       "area code (0558-6123456) or a 400 number"})


class ProducerUpdateSchema(ProducerCreateSchema):
    kind = enum_field(ProducerKind)
    name = fields.String(validate=validate.Length(max=100))
    county_code = fields.String()


class ProducerQuerySchema(ma.Schema):
    county_code = fields.String(validate=validate.Length(max=6))
    q = fields.String(validate=validate.Length(max=40),
                      metadata={"description": "Part of the name"})
    mine = fields.Boolean(load_default=False,
                          metadata={"description": "Only producers I belong to"})


class MemberAddSchema(StrictSchema):
    phone = required_text(20, metadata={"description": "A registered farmer's mobile number"})
    role = enum_field(MemberRole, load_default=MemberRole.MEMBER)


class MembershipSchema(ma.Schema):
    producer_id = fields.Integer()
    user_id = fields.Integer()
    name = fields.String(attribute="user.name")
    phone = fields.String(attribute="user.phone")
    role = enum_field(MemberRole)
    created_at = fields.AwareDateTime()


class ProducerSchema(ma.Schema):
    """A `farms.services.producers.ProducerProfile`: the contact phone is masked for outsiders."""

    id = fields.Integer(attribute="producer.id")
    kind = enum_field(ProducerKind, attribute="producer.kind")
    name = fields.String(attribute="producer.name")
    credit_code = fields.String(attribute="producer.credit_code", allow_none=True)
    county_code = fields.String(attribute="producer.county_code")
    county_name = fields.String(attribute="producer.county_name")
    township = fields.String(attribute="producer.township", allow_none=True)
    address = fields.String(attribute="producer.address", allow_none=True)
    latitude = fields.Decimal(attribute="producer.latitude", as_string=True, allow_none=True)
    longitude = fields.Decimal(attribute="producer.longitude", as_string=True, allow_none=True)
    contact_phone = fields.String(allow_none=True)
    contact_phone_masked = fields.Boolean()
    service_phone = fields.String(attribute="producer.service_phone", allow_none=True)
    my_role = enum_field(MemberRole, allow_none=True)
    is_sample = fields.Boolean(attribute="producer.is_sample")
    created_at = fields.AwareDateTime(attribute="producer.created_at")
