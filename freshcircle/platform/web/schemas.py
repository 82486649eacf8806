"""Shared schema pieces."""

from __future__ import annotations

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
    id = fields.Integer()
    name_zh = fields.String()
    name_en = fields.String()


class FileRefSchema(ma.Schema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    url = fields.Function(lambda f: f"/api/v1/files/{f.id}/content")
