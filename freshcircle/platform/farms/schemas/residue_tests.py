"""Residue test (农残快检, lab report) schemas."""

from __future__ import annotations

import marshmallow as ma

from freshcircle.platform.models import TestMethod, TestResult
from freshcircle.platform.web import fields
from freshcircle.platform.web.schemas import (
    FileRefSchema,
    StrictSchema,
    enum_field,
    optional_text,
    required_text,
)

file_id_field = fields.Integer(
    allow_none=True, metadata={"description": "An uploaded report (POST /api/v1/files)"}
)


class ResidueTestCreateSchema(StrictSchema):
    batch_id = fields.Integer(required=True)
    method = enum_field(TestMethod, required=True)
    result = enum_field(TestResult, required=True)
    measured_values = optional_text(
        2000, metadata={"description": "e.g. 抑制率 12% (enzyme inhibition) or lab figures"}
    )
    tester = required_text(100)
    tested_on = fields.Date(required=True)
    file_id = file_id_field


class ResidueTestUpdateSchema(StrictSchema):
    method = enum_field(TestMethod)
    result = enum_field(TestResult)
    measured_values = optional_text(2000)
    tester = optional_text(100)
    tested_on = fields.Date()
    file_id = file_id_field


class ResidueTestQuerySchema(ma.Schema):
    batch_id = fields.Integer()
    result = enum_field(TestResult)


class ResidueTestSchema(ma.Schema):
    id = fields.Integer()
    batch_id = fields.Integer()
    lot_code = fields.String(attribute="batch.lot_code")
    producer_id = fields.Integer(attribute="batch.producer_id")
    method = enum_field(TestMethod)
    result = enum_field(TestResult)
    measured_values = fields.String(allow_none=True)
    tester = fields.String()
    tested_on = fields.Date()
    file = fields.Nested(FileRefSchema, allow_none=True)
    created_by_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
