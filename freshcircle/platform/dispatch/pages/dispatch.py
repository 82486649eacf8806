"""调度: a cold-store manager plans tomorrow's reefer trucks in one click.

/dispatch shows the day (confirmed orders, the fleet, earlier plans) with the plan button;
the plan page follows the background job (it refreshes itself while the plan runs) and then
shows the routes on a map, a timeline, every stop with what is unloaded and the life left on
arrival, the orders that cannot go and why, and the button that accepts the plan.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from freshcircle.logistics import planning as lp
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.core.services.errors import DomainError
from freshcircle.platform.core.services.money import format_money
from freshcircle.platform.dispatch import jobs as dispatch_jobs
from freshcircle.platform.dispatch.pages.dispatch_map import plan_map
from freshcircle.platform.dispatch.services import (
    dispatch_plans,
    dispatch_problem,
    fleet,
    plan_summary,
    run_sheets,
)
from freshcircle.platform.extensions import db
from freshcircle.platform.models import DispatchPlan, Place, Role
from freshcircle.platform.web.downloads import pdf_response
from freshcircle.platform.web.pages import actor, roles_required

bp = Blueprint("dispatch_pages", __name__, url_prefix="/dispatch")
MANAGERS = (Role.COOP_ADMIN, Role.FARMER, Role.ADMIN)
REASONS = {
    lp.NO_COMPARTMENT: _l("No compartment in the fleet can carry one of its products (or it "
                          "may not share with the other goods)."),
    lp.TOO_BIG: _l("Larger than any one truck's compartment."),
    lp.SHELF_LIFE: _l("Even driven straight there it would arrive with less shelf life than "
                      "the buyer requires."),
    lp.WINDOW: _l("Even driven straight there it would arrive after receiving closes."),
    lp.SHIFT: _l("The trip does not fit a driver's shift."),
    lp.FLEET: _l("Possible alone, but no truck had room or time left."),
}
STATUS = {
    dispatch_plans.QUEUED: _l("Waiting to start"), dispatch_plans.RUNNING: _l("Planning"),
    dispatch_plans.DONE: _l("Ready"), dispatch_plans.FAILED: _l("Failed"),
    dispatch_plans.ACCEPTED: _l("Accepted"),
}


def _stores() -> list[Place]:
    stores = []
    for producer in fleet.managed_producers(db.session, actor()):
        stores += fleet.depots(db.session, producer.id)
    return stores


@bp.app_context_processor
def _helpers() -> dict:
    return {"yuan_text": lambda fen: format_money(fen, str(get_locale() or "zh"))}


@bp.get("")
@roles_required(*MANAGERS)
def index():
    stores = _stores()
    store = next((s for s in stores if str(s.id) == request.args.get("store")),
                 stores[0] if stores else None)
    try:
        day = dt.date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        day = today_in_china() + dt.timedelta(days=1)
    orders, vehicles, plans = [], [], []
    if store is not None:
        orders = dispatch_problem.day_orders(db.session, store.producer_id, day)
        vehicles = dispatch_problem.fleet(db.session, store.producer_id, store.id)
        plans = dispatch_plans.recent_plans(db.session, store.id)
    return render_template("dispatch/index.html", stores=stores, store=store, day=day,
                           orders=orders, vehicles=vehicles, plans=plans, status=STATUS,
                           limit=dispatch_plans.DEFAULT_LIMIT_S)


@bp.post("/plans")
@roles_required(*MANAGERS)
def create():
    try:
        day = dt.date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        day = None
    try:
        plan = dispatch_plans.request_plan(db.session, actor(), {
            "depot_id": request.form.get("store", type=int), "dispatch_date": day,
            "time_limit_s": request.form.get("time_limit_s", dispatch_plans.DEFAULT_LIMIT_S,
                                             type=int)})
    except DomainError as error:
        flash(" ".join(str(m) for ms in (error.errors or {}).values() for m in ms)
              or str(error.message), "error")
        return redirect(url_for(".index"))
    dispatch_jobs.enqueue(db.session, plan)
    return redirect(url_for(".plan", plan_id=plan.id))


def _get(plan_id: int) -> DispatchPlan:
    try:
        return dispatch_plans.get_plan(db.session, actor(), plan_id)
    except DomainError as error:
        abort(error.status_code)


TICK_HOURS = (1, 2, 3, 4, 6, 12, 24)  # an axis step: the smallest giving at most MAX_TICKS
MAX_TICKS = 8


def _ticks(start: dt.datetime, end: dt.datetime, pct) -> list[dict]:
    """Whole-hour marks along the day's span, in the plan's own (China) time; a mark at
    midnight names the day."""
    hours = (end - start).total_seconds() / 3600
    step = next((h for h in TICK_HOURS if hours / h <= MAX_TICKS), TICK_HOURS[-1])
    first = start.replace(minute=0, second=0, microsecond=0)
    while first < start or first.hour % step:
        first += dt.timedelta(hours=1)
    ticks, at = [], first
    while at <= end:
        label = f"{at:%m-%d}" if at.hour == 0 else f"{at:%H:%M}"
        ticks.append({"at": pct(at.isoformat()), "label": label})
        at += dt.timedelta(hours=step)
    return ticks


def _timeline(result: dict) -> dict:
    """Each route's run and stops as percentages of the day's span, for CSS bars, and the
    time axis under them."""
    routes = result.get("routes") or []
    if not routes:
        return {"routes": []}
    start = min(dt.datetime.fromisoformat(r["departure"]) for r in routes)
    end = max(dt.datetime.fromisoformat(r["finish"]) for r in routes)
    span = max((end - start).total_seconds(), 1)

    def pct(moment: str) -> float:
        return round((dt.datetime.fromisoformat(moment) - start).total_seconds() / span * 100, 2)

    return {"start": start, "end": end, "ticks": _ticks(start, end, pct), "routes": [{
        "no": r["no"], "plate": r["plate"], "left": pct(r["departure"]),
        "width": max(pct(r["finish"]) - pct(r["departure"]), 0.5),
        "stops": [{"n": n, "at": pct(s["start"]), "name": s["site_zh"],
                   "time": dt.datetime.fromisoformat(s["start"]).strftime("%H:%M")}
                  for n, s in enumerate(r["stops"], start=1)]} for r in routes]}


@bp.get("/plans/<int:plan_id>")
@roles_required(*MANAGERS)
def plan(plan_id: int):
    return _plan_page(_get(plan_id))


def _plan_page(record: DispatchPlan, error: str | None = None):
    result = dispatch_plans.result(record)
    route_map = plan_map(result, record.depot, _locale()) if result else None
    return render_template("dispatch/plan.html", plan=record, result=result, route_map=route_map,
                           summary=plan_summary.summary(result) if result else None,
                           fill_percent=plan_summary.fill_percent,
                           timeline=_timeline(result or {}), reasons=REASONS, status=STATUS,
                           parse=dt.datetime.fromisoformat, error=error,
                           travel_failed=(record.error or "").startswith(
                               dispatch_plans.TRAVEL_FAILED))


@bp.post("/plans/<int:plan_id>/accept")
@roles_required(*MANAGERS)
def accept(plan_id: int):
    record = _get(plan_id)
    try:
        shipments = dispatch_plans.accept(db.session, actor(), record)
    except DomainError as error:
        # An error status makes transactions.py roll back whatever accept had flushed.
        db.session.rollback()
        return _plan_page(_get(plan_id), str(error.message)), error.status_code
    flash(_("Plan accepted: %(n)s shipments created; the drivers see their stops.",
            n=len(shipments)), "success")
    return redirect(url_for(".plan", plan_id=plan_id))


def _finished_result(record: DispatchPlan) -> dict:
    """The plan's result, once planning has finished (409 before: nothing to print yet)."""
    result = dispatch_plans.result(record)
    if result is None:
        abort(409, description=_("The plan is not finished yet; its run sheets come when it "
                                 "is."))
    return result


@bp.get("/plans/<int:plan_id>/run-sheets.pdf")
@roles_required(*MANAGERS)
def run_sheets_pdf(plan_id: int):
    """Every truck's run sheet, each from a new page; ?truck=N: that truck's alone."""
    record = _get(plan_id)
    routes = _finished_result(record).get("routes") or []
    truck = request.args.get("truck", type=int)
    if truck is not None:
        routes = [r for r in routes if r["no"] == truck]
    if not routes:
        abort(404)
    locale = _locale()
    kinds = {c["kind"]: str(fleet.KIND_LABELS.get(c["kind"], c["kind"]))
             for r in routes for c in r["compartments"]}
    name = f"run-sheet-{record.id}" + (f"-{truck}" if truck is not None else "") + ".pdf"
    return pdf_response(run_sheets.run_sheets_pdf(record, routes, locale, kinds), name)


@bp.get("/plans/<int:plan_id>/plan.csv")
@roles_required(*MANAGERS)
def plan_csv(plan_id: int):
    record = _get(plan_id)
    data = run_sheets.plan_csv(_finished_result(record), _locale())
    return Response(data, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=dispatch-plan-{record.id}.csv",
        "Cache-Control": "private, no-store"})


def _locale() -> str:
    return str(get_locale() or "zh")
