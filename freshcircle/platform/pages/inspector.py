"""The inspector's batch search over every producer (hold, release, recall: the batch page)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import BatchStatus, Product, Role
from ..services import batches as batch_service
from .common import actor, for_batch_cards, product_label, roles_required
from .forms import BatchSearchForm, options

bp = Blueprint("inspector", __name__, url_prefix="/inspector")
PAGE_SIZE = 30


@bp.get("/batches")
@roles_required(Role.INSPECTOR, Role.ADMIN)
def batches():
    form = BatchSearchForm(formdata=request.args)
    form.status.choices = options(
        [("", _("All")), *((s.value, batch_service.batch_status_label(s)) for s in BatchStatus)]
    )
    products = db.session.scalars(select(Product).order_by(Product.id)).all()
    form.product.choices = options(
        [("", _("All")), *((str(p.id), product_label(p)) for p in products)]
    )
    page = max(request.args.get("page", 1, type=int), 1)
    rows = []
    valid = form.validate()
    if valid:
        stmt = batch_service.search_batches_query(
            actor(),
            county_code=form.county.data or None,
            status=BatchStatus(form.status.data) if form.status.data else None,
            product_id=int(form.product.data) if form.product.data else None,
            q=(form.lot.data or "").strip() or None,
        )
        rows = db.session.scalars(
            for_batch_cards(stmt).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
        ).all()
    found = batch_service.attach_facts(db.session, list(rows[:PAGE_SIZE]))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("inspector/batches.html", form=form, batches=found, page=page,
                           more=len(rows) > PAGE_SIZE, args=args), 200 if valid else 422
