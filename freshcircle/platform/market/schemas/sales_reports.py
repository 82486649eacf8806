"""Sales report query and rows (money in fen and formatted in the caller's language)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from freshcircle.platform.market.services.sales_reports import GROUPINGS
from freshcircle.platform.web import fields


class SalesReportQuerySchema(ma.Schema):
    by = fields.String(load_default="batch", validate=validate.OneOf(GROUPINGS))
    date_from = fields.Date(data_key="from", load_default=None)
    date_to = fields.Date(data_key="to", load_default=None)
    producer_id = fields.Integer(load_default=None)
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


class SalesRowSchema(ma.Schema):
    key = fields.String()
    label = fields.String()
    orders = fields.Integer()
    weight_g = fields.Integer(attribute="grams")
    amount_fen = fields.Integer()
    amount = fields.String(metadata={"description": "¥1,234.50 (zh) or CN¥1,234.50 (en)"})


class SalesReportSchema(ma.Schema):
    by = fields.String()
    date_from = fields.Date(data_key="from", allow_none=True)
    date_to = fields.Date(data_key="to", allow_none=True)
    rows = fields.List(fields.Nested(SalesRowSchema))
    total = fields.Nested(SalesRowSchema)
