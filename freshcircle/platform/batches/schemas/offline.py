"""The offline snapshot a farmer's phone keeps (batches/services/offline_snapshot.py)."""

from __future__ import annotations

import marshmallow as ma

from freshcircle.platform.web import fields


class SnapshotUserSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String()


class SnapshotProducerSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()


class SnapshotPlotSchema(ma.Schema):
    id = fields.Integer()
    producer_id = fields.Integer()
    name = fields.String()
    crops = fields.List(fields.Integer(), metadata={"description": "Product ids grown there"})
    first_pesticide_on = fields.Date(allow_none=True, metadata={
        "description": "The plot's earliest pesticide record (null: none)"})


class SnapshotProductSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String(metadata={"description": "In the request's language"})


class SnapshotBatchSchema(ma.Schema):
    id = fields.Integer()
    lot_code = fields.String()
    producer_id = fields.Integer()
    product_id = fields.Integer()
    product_name = fields.String()
    plot_id = fields.Integer()
    plot_name = fields.String()
    harvest_date = fields.Date()
    quantity_g = fields.Integer()
    remaining_g = fields.Integer()
    status = fields.String()
    status_label = fields.String()
    safety_outcome = fields.String(metadata={"description": "passed, not_passed or no_records"})
    url = fields.String()


class SnapshotInputSchema(ma.Schema):
    id = fields.Integer()
    producer_id = fields.Integer()
    plot_id = fields.Integer()
    kind = fields.String()
    product_name = fields.String()
    applied_on = fields.Date()
    pre_harvest_interval_days = fields.Integer()
    safe_harvest_date = fields.Date()


class OfflineSnapshotSchema(ma.Schema):
    user = fields.Nested(SnapshotUserSchema)
    generated_at = fields.AwareDateTime()
    today = fields.Date(metadata={"description": "Today in China"})
    csrf_token = fields.String(metadata={"description": "For this browser session's writes"})
    producers = fields.List(fields.Nested(SnapshotProducerSchema))
    plots = fields.List(fields.Nested(SnapshotPlotSchema))
    products = fields.List(fields.Nested(SnapshotProductSchema))
    batches = fields.List(fields.Nested(SnapshotBatchSchema),
                          metadata={"description": "The newest 100"})
    inputs = fields.List(fields.Nested(SnapshotInputSchema), metadata={
        "description": "Every input whose interval ends on or after today − 60 days"})
