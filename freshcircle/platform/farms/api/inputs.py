"""Farm inputs: record, read, correct and list pesticide and fertiliser applications."""

from __future__ import annotations

from flask_smorest import Blueprint

from freshcircle.platform.extensions import db
from freshcircle.platform.farms.schemas.inputs import (
    InputCreateSchema,
    InputQuerySchema,
    InputSchema,
    InputUpdateSchema,
)
from freshcircle.platform.farms.services import farm_records
from freshcircle.platform.models import Role
from freshcircle.platform.web.api import SelectPage, actor, actor_with_role
from freshcircle.platform.web.idempotency import idempotent

blp = Blueprint("inputs", __name__, url_prefix="/inputs",
                description="Pesticide and fertiliser applications (farm records)")
READERS = (Role.FARMER, Role.COOP_ADMIN, Role.INSPECTOR, Role.ADMIN)


@blp.get("")
@blp.arguments(InputQuerySchema, location="query", as_kwargs=True)
@blp.response(200, InputSchema(many=True))
@blp.paginate(SelectPage)
def list_inputs(**filters):
    """List applications the caller may see, latest first; filter by producer or plot.

    Members see their producers' records, inspectors and admins all; buyers and carriers none.
    """
    return farm_records.inputs_query(actor_with_role(*READERS), **filters)


@blp.post("")
@idempotent(blp)
@blp.arguments(InputCreateSchema)
@blp.response(201, InputSchema)
def create_input(data):
    """Record a pesticide or fertiliser application on a plot.

    A pesticide needs its pre-harvest interval (安全间隔期); batches harvested from the plot
    before it ends are flagged and cannot be listed.
    """
    return farm_records.create_input(db.session, actor(), data)


@blp.get("/<int:input_id>")
@blp.response(200, InputSchema)
def get_input(input_id):
    """One application, with the first day a harvest from its plot is allowed."""
    return farm_records.get_input(db.session, actor(), input_id)


@blp.patch("/<int:input_id>")
@blp.arguments(InputUpdateSchema)
@blp.response(200, InputSchema)
def update_input(changes, input_id):
    """Correct an application record (members of its producer)."""
    user = actor()
    record = farm_records.get_input(db.session, user, input_id)
    return farm_records.update_input(db.session, user, record, changes)
