"""Forward contract (订单农业) pages: the list per role, proposing one, a contract with its
weeks, shortfalls and actions (confirm, offer now, declare a shortfall, accept partial
delivery, release), and the fulfilment report."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from freshcircle.platform.contracts.forms import (
    SHORTFALL_LABELS,
    STATUS_LABELS,
    ContractForm,
    ReleaseForm,
    ShortfallForm,
)
from freshcircle.platform.contracts.services import (
    contract_access,
    contracts,
    fulfilment,
    offers,
    shortfalls,
)
from freshcircle.platform.contracts.services.contract_weeks import ContractView
from freshcircle.platform.core.services.access import member_producer_ids
from freshcircle.platform.core.services.errors import DomainError
from freshcircle.platform.core.services.quantities import grams_to_jin
from freshcircle.platform.demand.services import demands
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Place, Planting, Producer, Role
from freshcircle.platform.web.forms import options, product_choices
from freshcircle.platform.web.pages import (
    FARM_ROLES,
    actor,
    form_page,
    refusal,
    roles_required,
    show_errors,
)

bp = Blueprint("contract_pages", __name__)
READERS = (Role.BUYER, *FARM_ROLES, Role.INSPECTOR, Role.ADMIN)
PARTIES = (Role.BUYER, *FARM_ROLES, Role.ADMIN)


def _page(template: str, **context):
    return render_template(template, status_labels=STATUS_LABELS,
                           shortfall_labels=SHORTFALL_LABELS, **context)


@bp.get("/contracts")
@roles_required(*READERS)
def index():
    user = actor()
    rows = [ContractView(db.session, c) for c in contracts.list_contracts(db.session, user)]
    return _page("contracts/list.html", contracts=rows,
                 can_propose=user.role in (Role.BUYER, *FARM_ROLES))


def _contract_form() -> ContractForm:
    user = actor()
    form = ContractForm()
    form.product_id.choices = product_choices()
    if user.role == Role.BUYER:
        producers = db.session.scalars(select(Producer).order_by(Producer.name, Producer.id))
        form.producer_id.choices = options([("", _("Choose a producer")),
                                            *((p.id, p.name) for p in producers)])
        sites = db.session.scalars(select(Place).where(Place.buyer_id == user.id)
                                   .order_by(Place.id))
        form.site_id.choices = options([(s.id, s.name_zh if s.name_zh else s.name_en)
                                        for s in sites])
    else:
        mine = member_producer_ids(db.session, user)
        producers = db.session.scalars(select(Producer).where(Producer.id.in_(mine))
                                       .order_by(Producer.name))
        form.producer_id.choices = options([(p.id, p.name) for p in producers])
        plantings = db.session.scalars(select(Planting).where(Planting.producer_id.in_(mine))
                                       .order_by(Planting.harvest_from.desc()))
        form.planting_ids.choices = options([
            (p.id, f"{p.plot.name} · {p.product.name_zh} · "
                   f"{format_date(p.harvest_from, 'short')}–{format_date(p.harvest_to, 'short')}")
            for p in plantings])
    return form


def _answered_demand(user, form: ContractForm):
    """The standing demand a producer offers this contract for (?demand= on the form, then
    its hidden field): a demand the producer is matched to, else 404."""
    raw = form.demand_id.data or request.args.get("demand", "")
    if user.role == Role.BUYER or not str(raw).isdigit():
        return None
    demand = demands.get_demand(db.session, user, int(raw))
    form.demand_id.data = str(demand.id)
    if not form.is_submitted():  # the demand's terms as the proposal's start
        weeks = demand.weeks
        form.product_id.data, form.grade.data = demand.product_id, demand.grade
        form.first_week.data, form.weeks.data = weeks[0], len(weeks)
        form.quantity_per_week.data = f"{grams_to_jin(demand.quantity_g_per_week).normalize():f}"
        form.price.data = _yuan(demand.price_fen_per_jin)
    return demand


@bp.route("/contracts/new", methods=["GET", "POST"])
@roles_required(Role.BUYER, *FARM_ROLES)
def new():
    user = actor()
    form = _contract_form()
    as_buyer = user.role == Role.BUYER
    demand = _answered_demand(user, form)
    if not form.validate_on_submit():
        return form_page("contracts/form.html", form, as_buyer=as_buyer, demand=demand)
    data = form.data_for_service(as_buyer)
    if demand is not None:  # to the demand's buyer, at its site
        data["buyer_phone"], data["site_id"] = demand.buyer.phone, demand.site_id
    try:
        contract = contracts.create_contract(db.session, user, data)
    except DomainError as error:
        return form_page("contracts/form.html", form, refusal(error), as_buyer=as_buyer,
                         demand=demand)
    flash(_("The contract is proposed; the other side is asked to confirm it."), "success")
    return redirect(url_for("contract_pages.detail", contract_id=contract.id))


def _yuan(fen: int | None) -> str | None:
    return None if fen is None else f"{fen / 100:.2f}"


def _fill(form: ContractForm, contract) -> None:
    """The form as the contract stands, to change its terms."""
    weeks = sorted(contract.weeks, key=lambda w: w.week_start)
    form.producer_id.data, form.site_id.data = contract.producer_id, contract.site_id
    form.product_id.data, form.grade.data = contract.product_id, contract.grade
    form.first_week.data = weeks[0].week_start if weeks else None
    form.weeks.data = len(weeks)
    form.quantity_per_week.data = (f"{grams_to_jin(weeks[0].quantity_g).normalize():f}"
                                   if weeks else None)
    form.price_kind.data = contract.price_kind.value
    form.price.data = _yuan(contract.price_fen_per_jin)
    form.band_min.data, form.band_max.data = (_yuan(contract.band_min_fen),
                                              _yuan(contract.band_max_fen))
    form.residue_test_required.data = contract.residue_test_required
    form.planting_ids.data = [p.id for p in contract.plantings]
    form.notes.data = contract.notes


@bp.route("/contracts/<int:contract_id>/edit", methods=["GET", "POST"])
@roles_required(*PARTIES)
def edit(contract_id: int):
    """Change the terms before anything is ordered: the other side confirms them again."""
    user = actor()
    contract = contracts.get_contract(db.session, user, contract_id)
    as_buyer = contract_access.is_buyer_side(user, contract)
    if request.method == "GET" and not contracts.changeable(contract):
        flash(str(contracts.NOT_CHANGEABLE), "error")
        return redirect(url_for("contract_pages.detail", contract_id=contract.id))
    form = _contract_form()
    if not form.is_submitted():
        _fill(form, contract)
    if not form.validate_on_submit():
        return form_page("contracts/form.html", form, as_buyer=as_buyer, contract=contract)
    try:
        contracts.update_contract(db.session, user, contract, form.data_for_service(as_buyer))
    except DomainError as error:
        return form_page("contracts/form.html", form, refusal(error, rollback=True),
                         as_buyer=as_buyer, contract=contract)
    flash(_("The changed terms are sent; the other side is asked to confirm them."), "success")
    return redirect(url_for("contract_pages.detail", contract_id=contract.id))


def _shortfall_form(view: ContractView, form: ShortfallForm | None = None) -> ShortfallForm:
    form = form or ShortfallForm(formdata=None)
    weeks = options([(r.week_start.isoformat(), format_date(r.week_start, "long"))
                     for r in view.weeks])
    form.week_from.choices = weeks
    form.week_to.choices = options([("", "—"), *((c.value, c.label) for c in weeks)])
    return form


@bp.get("/contracts/<int:contract_id>")
@roles_required(*READERS)
def detail(contract_id: int, shortfall_form: ShortfallForm | None = None, status: int = 200):
    user = actor()
    contract = contracts.get_contract(db.session, user, contract_id)
    view = ContractView(db.session, contract)
    side = ("buyer" if contract_access.is_buyer_side(user, contract) else "producer"
            if contract_access.is_producer_side(db.session, user, contract) else None)
    return _page("contracts/detail.html", c=view, side=side,
                 changeable=contracts.changeable(contract),
                 price_fen=offers.contract_price(db.session, contract),
                 shortfall_form=_shortfall_form(view, shortfall_form),
                 release_form=ReleaseForm(formdata=None)), status


def _act(contract_id: int, action, done: str):
    user = actor()
    contract = contracts.get_contract(db.session, user, contract_id)
    try:
        action(user, contract)
    except DomainError as error:
        refusal(error, rollback=True)
        flash(str(error.message), "error")
        return redirect(url_for("contract_pages.detail", contract_id=contract_id)), 303
    flash(done, "success")
    return redirect(url_for("contract_pages.detail", contract_id=contract_id))


@bp.post("/contracts/<int:contract_id>/confirm")
@roles_required(*PARTIES)
def confirm(contract_id: int):
    return _act(contract_id, lambda u, c: contracts.confirm_contract(db.session, u, c),
                _("You confirmed the contract."))


@bp.post("/contracts/<int:contract_id>/offer")
@roles_required(*FARM_ROLES, Role.ADMIN)
def offer(contract_id: int):
    made = []

    def action(user, contract):
        made.append(offers.offer_now(db.session, user, contract))

    response = _act(contract_id, action, _("Done."))
    if made and made[0] is None:
        flash(_("Nothing to order now: nothing is due this week or next, or nothing is "
                "listed from the contract's plantings."), "info")
    elif made:
        flash(_("Order #%(id)d was made for the contract.", id=made[0].id), "info")
    return response


@bp.post("/contracts/<int:contract_id>/shortfalls")
@roles_required(*FARM_ROLES, Role.ADMIN)
def declare_shortfall(contract_id: int):
    user = actor()
    contract = contracts.get_contract(db.session, user, contract_id)
    form = _shortfall_form(ContractView(db.session, contract), ShortfallForm())
    if not form.validate_on_submit():
        return detail(contract_id, form, 422)
    data = {"quantity": form.quantity.data, "reason": form.reason.data,
            "week_from": _day(form.week_from.data), "week_to": _day(form.week_to.data)}
    try:
        shortfalls.declare_shortfall(db.session, user, contract, data)
    except DomainError as error:
        refusal(error, rollback=True)
        show_errors(form, error)
        return detail(contract_id, form, error.status_code)
    flash(_("The shortfall is declared; the buyer is told."), "success")
    return redirect(url_for("contract_pages.detail", contract_id=contract_id))


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.post("/contracts/shortfalls/<int:shortfall_id>/accept")
@roles_required(Role.BUYER, Role.ADMIN)
def accept_partial(shortfall_id: int):
    user = actor()
    shortfall = shortfalls.get_shortfall(db.session, user, shortfall_id)
    return _act(shortfall.contract_id,
                lambda u, c: shortfalls.accept_partial(db.session, u, shortfall),
                _("Partial delivery accepted: the weeks' quantities are lowered."))


@bp.post("/contracts/<int:contract_id>/release")
@roles_required(Role.BUYER, Role.ADMIN)
def release(contract_id: int):
    form = ReleaseForm()
    reason = form.reason.data if form.validate_on_submit() else None
    return _act(contract_id,
                lambda u, c: contracts.release_contract(db.session, u, c, reason),
                _("The contract is released."))


@bp.get("/contracts/report")
@roles_required(*READERS)
def report():
    return _page("contracts/report.html",
                 report=fulfilment.report_for(db.session, actor()))
