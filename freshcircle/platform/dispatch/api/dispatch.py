"""Dispatch plans for a cold store's day: request (runs in the background), poll, accept."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Blueprint
from marshmallow import validate

from freshcircle.platform.dispatch import jobs as dispatch_jobs
from freshcircle.platform.dispatch.services import dispatch_plans
from freshcircle.platform.extensions import db
from freshcircle.platform.web import fields
from freshcircle.platform.web.api import actor

blp = Blueprint("dispatch", __name__, url_prefix="/dispatch",
                description="Reefer dispatch planning (cold-store managers)")


class PlanRequestSchema(ma.Schema):
    depot_id = fields.Integer(required=True, metadata={"description": "A cold store's place id"})
    dispatch_date = fields.Date(required=True)
    time_limit_s = fields.Integer(
        load_default=dispatch_plans.DEFAULT_LIMIT_S,
        validate=validate.Range(dispatch_plans.MIN_LIMIT_S, dispatch_plans.MAX_LIMIT_S))
    seed = fields.Integer(load_default=0)


class PlanSchema(ma.Schema):
    id = fields.Integer()
    depot_id = fields.Integer()
    dispatch_date = fields.Date()
    status = fields.String(metadata={"description": "queued, running, done, failed, accepted"})
    progress = fields.Float()
    time_limit_s = fields.Integer()
    error = fields.String(allow_none=True)
    result = fields.Function(dispatch_plans.result, metadata={
        "description": "Routes, stops, loads, unassigned orders with reasons (once done)"})


class AcceptedSchema(ma.Schema):
    plan = fields.Nested(PlanSchema)
    shipment_ids = fields.List(fields.Integer())


@blp.post("/plans")
@blp.arguments(PlanRequestSchema)
@blp.response(202, PlanSchema)
@blp.alt_response(409, description="A plan for this cold store is queued or running")
@blp.alt_response(429, description="The producer's plans for today are used up (Retry-After)")
def request_plan(data):
    """Queue a plan; poll GET /dispatch/plans/<id> for its progress and result.

    One plan at a time per cold store; a daily quota of plans per producer; the dispatch day
    from today (China) to a year ahead."""
    plan = dispatch_plans.request_plan(db.session, actor(), data)
    dispatch_jobs.enqueue(db.session, plan)
    return plan


@blp.get("/plans/<int:plan_id>")
@blp.response(200, PlanSchema)
def get_plan(plan_id):
    """A plan's status and progress, and once done its routes and unassigned orders."""
    return dispatch_plans.get_plan(db.session, actor(), plan_id)


@blp.post("/plans/<int:plan_id>/accept")
@blp.response(200, AcceptedSchema)
def accept_plan(plan_id):
    """Create the plan's shipments (planned, with loading events); orders become packed."""
    plan = dispatch_plans.get_plan(db.session, actor(), plan_id)
    shipments = dispatch_plans.accept(db.session, actor(), plan)
    return {"plan": plan, "shipment_ids": [s.id for s in shipments]}
