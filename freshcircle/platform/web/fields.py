"""marshmallow's fields with the house Integer and Decimal (web/schemas.py): schemas import
`from freshcircle.platform.web import fields` instead of `from marshmallow import fields`, so
every id refuses 12.5 and every decimal is the documented string, without a second name to
remember."""

from marshmallow.fields import *  # noqa: F403 - the namespace, with two fields replaced

from freshcircle.platform.web import schemas as _house

Integer = Int = _house.Integer
Decimal = _house.Decimal

__all__ = [name for name in dir() if not name.startswith("_")]
