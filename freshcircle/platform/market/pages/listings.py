"""Selling a batch: its listing form (price per 斤 and per kg, minimum order, tiers, contract
price), then edit, pause, resume or close it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import DateField, HiddenField, RadioField, StringField
from wtforms.validators import Optional

from freshcircle.platform.batches.services import batches as batch_service
from freshcircle.platform.batches.services import lot_stock
from freshcircle.platform.core.services import clock
from freshcircle.platform.core.services.errors import Conflict, DomainError, InvalidInput
from freshcircle.platform.core.services.quantities import GRAMS_PER_UNIT
from freshcircle.platform.extensions import db
from freshcircle.platform.market.services import listing_browse, listings
from freshcircle.platform.models import Listing, ListingStatus, Role
from freshcircle.platform.web.forms import Form, NumberField, at_most, options, required
from freshcircle.platform.web.pages import FARM_ROLES, actor, refusal, roles_required, show_errors

bp = Blueprint("listing_pages", __name__)
TIERS = 3
STATUS_ACTIONS = {
    ListingStatus.PAUSED: _l("Pause"),
    ListingStatus.ACTIVE: _l("Resume"),
    ListingStatus.CLOSED: _l("Close the listing"),
}
NOTHING_LEFT = _l("Nothing of this batch is left to sell.")
STATUS_LABELS = {
    ListingStatus.ACTIVE: _l("On sale"),
    ListingStatus.PAUSED: _l("Paused"),
    ListingStatus.CLOSED: _l("Closed"),
}


def _price(label):
    return NumberField(label, places=None, validators=[Optional()])


class ListingForm(Form):
    """Prices are typed per 斤 or per kg (the page fills in the other); weights in `unit`."""

    price_jin = _price(_l("Price, 元 per jin"))
    price_kg = _price(_l("Price, 元 per kg"))
    unit = RadioField(_l("Weights in"), choices=options([("jin", _l("jin")), ("kg", _l("kg"))]),
                      default="jin", validators=[required()])
    min_order = NumberField(_l("Minimum order (起订量)"), places=None, validators=[required()])
    quantity = NumberField(_l("Quantity offered"), places=None, validators=[required()])
    available_from = DateField(_l("Supply from"), validators=[Optional()])
    available_to = DateField(_l("Supply until"), validators=[required()])
    specification = StringField(_l("Specification (optional)"), validators=[at_most(64)],
                                description=_l("e.g. 10斤/箱, 单果 200 g 以上"))
    tier1_qty = NumberField(_l("From"), places=None, validators=[Optional()])
    tier1_price = _price(_l("元 per jin"))
    tier2_qty = NumberField(_l("From"), places=None, validators=[Optional()])
    tier2_price = _price(_l("元 per jin"))
    tier3_qty = NumberField(_l("From"), places=None, validators=[Optional()])
    tier3_price = _price(_l("元 per jin"))
    contract_phone = StringField(_l("Buyer's mobile number"), validators=[at_most(20)])
    contract_price = _price(_l("Contract price, 元 per jin"))
    status = HiddenField()

    def tier_fields(self):
        return [(getattr(self, f"tier{n}_qty"), getattr(self, f"tier{n}_price"))
                for n in range(1, TIERS + 1)]

    def price_per_jin(self) -> Decimal | None:
        """The price per 斤 typed, or half the price per kg; a mismatch is an error."""
        jin, kg = self.price_jin.data, self.price_kg.data
        if jin is not None and kg is not None and jin * 2 != kg:
            self.price_kg.errors = [*self.price_kg.errors,
                                    _("Per kg must be twice the price per jin; "
                                      "clear one of them.")]
            return None
        if jin is not None:
            return jin
        return kg / 2 if kg is not None else None

    def terms(self) -> dict:
        """What `create_listing` takes: prices per `unit` (converted from 元/斤)."""
        unit = self.unit.data if self.unit.data in ("jin", "kg") else "jin"
        factor = GRAMS_PER_UNIT[unit] / GRAMS_PER_UNIT["jin"]

        def price(per_jin):
            return None if per_jin is None else per_jin * factor

        tiers = [{"min_quantity": qty.data, "price": price(value.data)}
                 for qty, value in self.tier_fields()
                 if qty.data is not None or value.data is not None]
        contracts = []
        if (self.contract_phone.data or "").strip() or self.contract_price.data is not None:
            contracts = [{"buyer_phone": (self.contract_phone.data or "").replace(" ", ""),
                          "price": price(self.contract_price.data)}]
        return {"unit": unit, "price": price(self.price_per_jin()),
                "min_order": self.min_order.data, "quantity": self.quantity.data,
                "available_from": self.available_from.data,
                "available_to": self.available_to.data,
                "specification": self.specification.data, "tiers": tiers,
                "contract_prices": contracts}

    def fill(self, data: dict) -> None:
        """Fill in from `listing_browse.current_terms(..., unit="jin")`."""
        self.unit.data = "jin"
        self.price_jin.data, self.price_kg.data = data["price"], data["price"] * 2
        for name in ("min_order", "quantity", "available_from", "available_to",
                     "specification"):
            getattr(self, name).data = data[name]
        for (qty, value), tier in zip(self.tier_fields(), data["tiers"], strict=False):
            qty.data, value.data = tier["min_quantity"], tier["price"]
        if data["contract_prices"]:
            first = data["contract_prices"][0]
            self.contract_phone.data, self.contract_price.data = first["buyer_phone"], \
                first["price"]


def _show_service_errors(form: ListingForm, error: InvalidInput) -> None:
    """Per-field messages; tier and contract messages (per row) go under that row."""
    errors = dict(error.errors or {})
    if "price" in errors:
        errors["price_jin"] = errors.pop("price")
    for name, target in (("tiers", "tier{}_qty"), ("contract_prices", "contract_phone")):
        messages = errors.pop(name, None)
        if isinstance(messages, dict):
            for index, texts in messages.items():
                field = getattr(form, target.format(int(index) + 1), form.contract_phone)
                field.errors = [*field.errors, *(str(t) for t in texts)]
        elif messages:
            form.tier1_qty.errors = [*form.tier1_qty.errors, *(str(t) for t in messages)]
    show_errors(form, InvalidInput(error.message, errors))


def _page(batch, listing, form, error: DomainError | None = None, status: int = 200):
    if error is not None:
        status = error.status_code
        if isinstance(error, InvalidInput):
            _show_service_errors(form, error)
        else:
            form.form_errors.append(str(error.message))
    elif form.errors:
        status = 422
    stock = lot_stock.remaining(db.session, batch)
    sold = listing.sold_g if listing is not None and listing.status != ListingStatus.CLOSED else 0
    left = stock.remaining_g
    actions = []
    if listing is not None and listing.status != ListingStatus.CLOSED:
        actions = [(s, text) for s, text in STATUS_ACTIONS.items() if s != listing.status]
    refusal = None
    if listing is None:
        refusal = listings.listing_refusal(db.session, batch) or (NOTHING_LEFT if left <= 0
                                                                  else None)
    return render_template(
        "market/listings/form.html", batch=batch, listing=listing, form=form, left_g=left,
        sold_g=sold,
        refusal=refusal,
        actions=actions, status_label=STATUS_LABELS.get(listing.status) if listing else None,
    ), status


def _batch_and_listing(batch_id: int):
    user = actor()
    batch = batch_service.get_batch(db.session, user, batch_id)
    if user.role not in (*FARM_ROLES, Role.ADMIN):
        from freshcircle.platform.core.services.errors import PermissionDenied

        raise PermissionDenied()
    listing = db.session.scalar(select(Listing).where(Listing.batch_id == batch.id))
    return user, batch, listing


@bp.get("/batches/<int:batch_id>/listing")
@roles_required(*FARM_ROLES, Role.ADMIN)
def edit(batch_id: int):
    _, batch, listing = _batch_and_listing(batch_id)
    form = ListingForm(formdata=None)
    if listing is not None:
        form.fill(listing_browse.current_terms(db.session, listing))
    else:
        left = batch_service.remaining_grams(db.session, batch)
        form.quantity.data = Decimal(left) / GRAMS_PER_UNIT["jin"]
        form.available_from.data = clock.today_in_china()
        form.available_to.data = clock.today_in_china() + dt.timedelta(days=7)
    return _page(batch, listing, form)


@bp.post("/batches/<int:batch_id>/listing")
@roles_required(*FARM_ROLES, Role.ADMIN)
def save(batch_id: int):
    user, batch, listing = _batch_and_listing(batch_id)
    form = ListingForm()
    valid = form.validate_on_submit()
    data = form.terms()  # checks that the two prices agree
    if not valid or form.errors:
        return _page(batch, listing, form)
    try:
        if listing is None:
            listing = listings.create_listing(db.session, user, batch, data)
            flash(_("Batch %(lot)s is on sale.", lot=batch.lot_code), "success")
        else:
            listings.update_listing(db.session, user, listing, data)
            flash(_("The listing is saved."), "success")
    except DomainError as error:
        return _page(batch, listing, form, refusal(error))
    return redirect(url_for("listing_pages.edit", batch_id=batch.id))


@bp.post("/batches/<int:batch_id>/listing/status")
@roles_required(*FARM_ROLES, Role.ADMIN)
def change_status(batch_id: int):
    user, batch, listing = _batch_and_listing(batch_id)
    target = request.form.get("status")
    if listing is None or target not in set(ListingStatus):
        return redirect(url_for("listing_pages.edit", batch_id=batch_id))
    try:
        listings.set_status(db.session, user, listing, ListingStatus(target))
    except Conflict as error:
        form = ListingForm(formdata=None)
        form.fill(listing_browse.current_terms(db.session, listing))
        return _page(batch, listing, form, error)
    flash(str(STATUS_LABELS[ListingStatus(target)]), "success")
    return redirect(url_for("listing_pages.edit", batch_id=batch_id))


@bp.app_template_global("sell_state")
def sell_state(batch) -> dict:
    """For the batch page's one link: its listing if it has one, else why it may not be sold."""
    listing = db.session.scalar(select(Listing).where(Listing.batch_id == batch.id))
    refusal = None
    if listing is None:
        refusal = listings.listing_refusal(db.session, batch)
        if refusal is None and batch.facts is not None and batch.facts.remaining_g <= 0:
            refusal = NOTHING_LEFT
    return {"listing": listing, "refusal": refusal}
