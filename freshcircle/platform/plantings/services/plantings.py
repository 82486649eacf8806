"""Plantings of a producer: list, record, change, season updates; and which planting a
newly registered batch harvests.

Members of the producer (and an admin acting for them) write; they, inspectors and admins read.
Every check runs before anything is written, and every refusal names its field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from freshcircle.platform.core.services.access import require_member, require_view_internal
from freshcircle.platform.core.services.clock import today_in_china, too_early
from freshcircle.platform.core.services.errors import InvalidInput, NotFound
from freshcircle.platform.farms.services.plots import plot_of_producer
from freshcircle.platform.models import (
    Planting,
    PlantingUpdate,
    Producer,
    Product,
    SeasonStatus,
    User,
)
from freshcircle.platform.plantings.services.planting_yields import default_yield

VARIETY_LENGTH = 64
REASON_LENGTH = 200
MAX_AREA_MU = Decimal("100000")
MAX_YIELD = 100_000  # 斤/亩
MAX_SEASON_DAYS = 400  # planting to the end of the harvest
PLAN_AHEAD_DAYS = 366
FIELDS = ("plot_id", "product_id", "variety", "area_mu", "planted_on", "harvest_from",
          "harvest_to", "expected_yield_jin_per_mu")


def list_plantings(session: Session, actor: User, producer_id: int) -> list[Planting]:
    """The producer's plantings, latest harvest first (members, staff)."""
    if session.get(Producer, producer_id or 0) is None:
        raise NotFound()
    require_view_internal(session, actor, producer_id)
    return list(session.scalars(
        select(Planting).options(selectinload(Planting.product), selectinload(Planting.plot))
        .where(Planting.producer_id == producer_id)
        .order_by(Planting.harvest_from.desc(), Planting.id.desc())))


def get_planting(session: Session, actor: User, planting_id: int) -> Planting:
    planting = session.get(Planting, planting_id)
    if planting is None:
        raise NotFound(_l("No such planting."))
    require_view_internal(session, actor, planting.producer_id)
    return planting


def _area(value) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip().replace("，", ".").replace(",", "."))
    except InvalidOperation:
        return Decimal(-1)
    return number.quantize(Decimal("0.01")) if number.is_finite() else Decimal(-1)


def _whole(value) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return -1
    return int(number) if number.is_finite() and number == number.to_integral_value() else -1


def _clean(session: Session, producer_id: int, data: dict, planting: Planting | None) -> dict:
    """Checked values of the fields in `data` (all of them for a new planting)."""
    errors: dict[str, list] = {}
    clean: dict = {}

    def given(name: str) -> bool:
        return planting is None or name in data

    def current(name: str):
        return clean.get(name, getattr(planting, name, None))

    if given("plot_id"):
        try:
            clean["plot"] = plot_of_producer(session, producer_id, data.get("plot_id"))
        except InvalidInput as error:
            errors.update(error.errors)
    if given("product_id"):
        product = session.get(Product, data.get("product_id") or 0)
        if product is None:
            errors["product_id"] = [_l("Choose a product from the catalog.")]
        clean["product"] = product
    if given("variety"):
        variety = " ".join((data.get("variety") or "").split()) or None
        if variety and len(variety) > VARIETY_LENGTH:
            errors["variety"] = [_l("At most %(num)d characters.", num=VARIETY_LENGTH)]
        clean["variety"] = variety
    if given("area_mu"):
        area = _area(data.get("area_mu"))
        plot = clean.get("plot") or (planting.plot if planting is not None else None)
        if area is None or not 0 < area <= MAX_AREA_MU:
            errors["area_mu"] = [_l("Enter the area in mu, a number above 0.")]
        elif plot is not None and plot.area_mu is not None and area > plot.area_mu:
            errors["area_mu"] = [_l("More than the plot's %(mu)s mu.",
                                    mu=f"{plot.area_mu.normalize():f}")]
        clean["area_mu"] = area
    today = today_in_china()
    for name in ("planted_on", "harvest_from", "harvest_to"):
        if given(name):
            day = data.get(name)
            if not isinstance(day, dt.date):
                errors[name] = [_l("This field is required.")]
            elif too_early(day):
                errors[name] = [_l("Enter a date from 2000-01-01 on.")]
            clean[name] = day
    planted, start, end = current("planted_on"), current("harvest_from"), current("harvest_to")
    if "planted_on" not in errors and isinstance(planted, dt.date) and (
            planted - today).days > PLAN_AHEAD_DAYS:
        errors["planted_on"] = [_l("Plan at most a year ahead.")]
    if not {"planted_on", "harvest_from", "harvest_to"} & set(errors) and all(
            isinstance(d, dt.date) for d in (planted, start, end)):
        if start < planted:
            errors["harvest_from"] = [_l("The harvest cannot start before the planting date.")]
        elif end < start:
            errors["harvest_to"] = [_l("The harvest cannot end before it starts.")]
        elif (end - planted).days > MAX_SEASON_DAYS:
            errors["harvest_to"] = [_l("A planting's harvest ends at most %(days)d days after "
                                       "planting.", days=MAX_SEASON_DAYS)]
    if given("expected_yield_jin_per_mu") or "product" in clean:
        value = _whole(data.get("expected_yield_jin_per_mu")) if given(
            "expected_yield_jin_per_mu") else current("expected_yield_jin_per_mu")
        product = clean.get("product") or (planting.product if planting else None)
        if value is None and product is not None:
            value = default_yield(session, producer_id, product, today)
        if value is None:
            if product is not None:
                errors["expected_yield_jin_per_mu"] = [
                    _l("Give the expected yield in jin per mu: this product has no usual one.")]
        elif not 0 < value <= MAX_YIELD:
            errors["expected_yield_jin_per_mu"] = [
                _l("Enter a whole number of jin per mu, from 1 to %(max)d.", max=MAX_YIELD)]
        clean["expected_yield_jin_per_mu"] = value
    if errors:
        raise InvalidInput(errors=errors)
    return clean


def create_planting(session: Session, actor: User, producer_id: int, data: dict) -> Planting:
    """Record a planting on one of the producer's plots (its members, or an admin).

    Without an expected yield, the producer's own past yield of the product is used, else the
    product table's usual one."""
    if session.get(Producer, producer_id or 0) is None:
        raise NotFound()
    require_member(session, actor, producer_id)
    planting = Planting(producer_id=producer_id, created_by_id=actor.id,
                        **_clean(session, producer_id, data, None))
    session.add(planting)
    session.flush()
    return planting


def update_planting(session: Session, actor: User, planting: Planting, changes: dict) -> Planting:
    """Change a planting's fields (its producer's members, admins)."""
    require_member(session, actor, planting.producer_id)
    for key, value in _clean(session, planting.producer_id, changes, planting).items():
        setattr(planting, key, value)
    session.flush()
    return planting


def report_season(session: Session, actor: User, planting: Planting, status,
                  reason: str | None) -> PlantingUpdate:
    """A season update: good, poor or lost (poor and lost need a reason). Kept as history;
    the planting shows the latest, and the forecast reads it."""
    require_member(session, actor, planting.producer_id)
    errors: dict[str, list] = {}
    try:
        status = SeasonStatus(status)
    except ValueError:
        errors["status"] = [_l("Choose good, poor or lost.")]
    reason = " ".join((reason or "").split()) or None
    if reason and len(reason) > REASON_LENGTH:
        errors["reason"] = [_l("At most %(num)d characters.", num=REASON_LENGTH)]
    elif not reason and status in (SeasonStatus.POOR, SeasonStatus.LOST):
        errors["reason"] = [_l("Say why the crop is poor or lost.")]
    if errors:
        raise InvalidInput(errors=errors)
    update = PlantingUpdate(planting=planting, status=status, reason=reason,
                            reported_by_id=actor.id)
    session.add(update)
    planting.status, planting.status_reason = status, reason
    session.flush()
    return update


def planting_harvested(session: Session, plot_id: int, product_id: int,
                       harvest_date: dt.date) -> Planting | None:
    """The planting a harvest on this plot and date comes from: same plot, same product, the
    date inside its harvest window; of several, the one planted last."""
    return session.scalar(
        select(Planting).where(Planting.plot_id == plot_id, Planting.product_id == product_id,
                               Planting.harvest_from <= harvest_date,
                               Planting.harvest_to >= harvest_date)
        .order_by(Planting.planted_on.desc(), Planting.id.desc()).limit(1))
