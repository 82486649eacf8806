"""Residue tests: record, read, correct and list rapid tests (农残快检) and lab reports."""

from __future__ import annotations

from flask_smorest import Blueprint

from freshcircle.platform.extensions import db
from freshcircle.platform.farms.schemas.residue_tests import (
    ResidueTestCreateSchema,
    ResidueTestQuerySchema,
    ResidueTestSchema,
    ResidueTestUpdateSchema,
)
from freshcircle.platform.farms.services import farm_records
from freshcircle.platform.models import Role
from freshcircle.platform.web.api import SelectPage, actor, actor_with_role
from freshcircle.platform.web.idempotency import idempotent

blp = Blueprint("tests", __name__, url_prefix="/tests",
                description="Pesticide-residue tests of batches")
READERS = (Role.FARMER, Role.COOP_ADMIN, Role.INSPECTOR, Role.ADMIN)


@blp.get("")
@blp.arguments(ResidueTestQuerySchema, location="query", as_kwargs=True)
@blp.response(200, ResidueTestSchema(many=True))
@blp.paginate(SelectPage)
def list_tests(**filters):
    """List residue tests the caller may see, latest first; filter by batch or result."""
    return farm_records.tests_query(actor_with_role(*READERS), **filters)


@blp.post("")
@idempotent(blp)
@blp.arguments(ResidueTestCreateSchema)
@blp.response(201, ResidueTestSchema)
def create_test(data):
    """Record a residue test of a batch (its producer's members, or an inspector).

    `file_id` may point at a report uploaded for the same producer.
    """
    return farm_records.create_test(db.session, actor(), data)


@blp.get("/<int:test_id>")
@blp.response(200, ResidueTestSchema)
def get_test(test_id):
    """One residue test."""
    return farm_records.get_test(db.session, actor(), test_id)


@blp.patch("/<int:test_id>")
@blp.arguments(ResidueTestUpdateSchema)
@blp.response(200, ResidueTestSchema)
def update_test(changes, test_id):
    """Correct a residue test (only whoever recorded it, or an admin)."""
    user = actor()
    test = farm_records.get_test(db.session, user, test_id)
    return farm_records.update_test(db.session, user, test, changes)
