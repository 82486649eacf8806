"""Shared schema pieces."""

from __future__ import annotations

import decimal
import math

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from marshmallow import fields, validate


class StrictSchema(ma.Schema):
    """Unknown fields are an error: a typo in a field name must not be silently ignored."""

    class Meta:
        unknown = ma.RAISE


def required_text(max_length: int, **kwargs) -> fields.String:
    return fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=max_length, error=_l("Between 1 and {max} characters.")),
        ],
        **kwargs,
    )


def optional_text(max_length: int, **kwargs) -> fields.String:
    return fields.String(
        allow_none=True,
        validate=validate.Length(max=max_length, error=_l("At most {max} characters.")),
        **kwargs,
    )


class LazyMessagesMixin:
    """Field errors from `lazy_gettext` messages, rendered in the request's language.

    marshmallow formats (`{choices}`) and wraps in a list only `str` messages; a lazy string
    would otherwise reach the client unformatted and not as a list.
    """

    def make_error(self, key: str, **kwargs) -> ma.ValidationError:
        message = self.error_messages.get(key)
        if isinstance(message, LazyString):
            return ma.ValidationError(str(message).format(**kwargs))
        return super().make_error(key, **kwargs)


class Integer(LazyMessagesMixin, fields.Integer):
    """A whole number: 12 (or 12.0) in JSON, "12" in a query string; 12.5 is refused, never
    read as 12. Schemas get it as `fields.Integer` from freshcircle.platform.web.fields."""

    def _validated(self, value):
        if isinstance(value, float | decimal.Decimal) and not (
            math.isfinite(value) and value == int(value)
        ):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"


class Decimal(LazyMessagesMixin, fields.Decimal):
    """An exact number (money, weights, degrees, coordinates), sent as a string in fixed-point
    notation ("12.50", never "1.25E+1") and documented as `type: string, format: decimal`
    (web/api.py). A JSON number is accepted on input too. No NaN or infinity.
    Schemas get it as `fields.Decimal` from freshcircle.platform.web.fields."""

    def __init__(self, places: int | None = None, rounding: str | None = None, *,
                 as_string: bool = True, **kwargs):
        kwargs.setdefault("allow_nan", False)
        super().__init__(places, rounding, as_string=True, **kwargs)

    def _to_string(self, value: decimal.Decimal) -> str:
        return format(value, "f")


def decimal_properties(converter, field, ret, **kwargs) -> dict:
    """OpenAPI: a house Decimal is a string of digits (apispec attribute function)."""
    return {"pattern": DECIMAL_PATTERN} if isinstance(field, Decimal) else {}


class EnumField(LazyMessagesMixin, fields.Enum):
    pass


class AwareDateTimeField(LazyMessagesMixin, fields.AwareDateTime):
    pass


def enum_field(enum_cls, **kwargs) -> fields.Enum:
    return EnumField(
        enum_cls,
        by_value=True,
        error_messages={"unknown": _l("Must be one of: {choices}.")},
        **kwargs,
    )


def aware_datetime(**kwargs) -> fields.AwareDateTime:
    """An ISO 8601 time that must carry its offset (e.g. +08:00); stored in UTC."""
    return AwareDateTimeField(
        error_messages={"invalid_awareness": _l("Not a valid datetime: a time zone is required.")},
        **kwargs,
    )


class ProductBriefSchema(ma.Schema):
    id = Integer()
    name_zh = fields.String()
    name_en = fields.String()


class FileRefSchema(ma.Schema):
    id = Integer()
    filename = fields.String()
    content_type = fields.String()
    size = Integer()
    url = fields.Function(lambda f: f"/api/v1/files/{f.id}/content")
