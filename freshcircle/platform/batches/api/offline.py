"""GET /api/v1/offline/snapshot: what a farm member's phone keeps to work with no network."""

from __future__ import annotations

from flask import url_for
from flask_babel import get_locale
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf

from freshcircle.platform.batches.schemas.offline import OfflineSnapshotSchema
from freshcircle.platform.batches.services.batches import batch_status_label
from freshcircle.platform.batches.services.offline_snapshot import snapshot
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Role, utcnow
from freshcircle.platform.web.api import actor_with_role


def product_label(product) -> str:
    return product.name_en if str(get_locale()) == "en" else product.name_zh


blp = Blueprint("offline_snapshot", __name__, url_prefix="/offline",
                description="What the farmer app keeps on the phone for working offline")


@blp.get("/snapshot")
@blp.response(200, OfflineSnapshotSchema)
def get_snapshot():
    """The signed-in farm member's producers, plots, products, newest batches and the inputs
    whose pre-harvest interval may still matter (farmers and co-op managers only)."""
    user = actor_with_role(Role.FARMER, Role.COOP_ADMIN)
    kept = snapshot(db.session, user)
    return {
        "user": {"id": user.id, "name": user.name, "role": user.role.value},
        "generated_at": utcnow(), "today": kept.today, "csrf_token": generate_csrf(),
        "producers": kept.producers,
        "plots": [{"id": p.id, "producer_id": p.producer_id, "name": p.name,
                   "crops": [c.id for c in p.crops],
                   "first_pesticide_on": kept.first_pesticide_on.get(p.id)} for p in kept.plots],
        "products": [{"id": p.id, "name": product_label(p)} for p in kept.products],
        "batches": [{
            "id": b.id, "lot_code": b.lot_code, "producer_id": b.producer_id,
            "product_id": b.product_id, "product_name": product_label(b.product),
            "plot_id": b.plot_id, "plot_name": b.plot.name, "harvest_date": b.harvest_date,
            "quantity_g": b.quantity_g, "remaining_g": b.facts.remaining_g,
            "status": b.status.value, "status_label": str(batch_status_label(b.status)),
            "safety_outcome": b.facts.safety.outcome,
            "url": url_for("batch_pages.detail", batch_id=b.id),
        } for b in kept.batches],
        "inputs": [{
            "id": i.id, "producer_id": i.producer_id, "plot_id": i.plot_id,
            "kind": i.kind.value, "product_name": i.product_name, "applied_on": i.applied_on,
            "pre_harvest_interval_days": i.pre_harvest_interval_days,
            "safe_harvest_date": i.safe_harvest_date,
        } for i in kept.inputs],
    }
