"""Plots (地块) of a producer: list, add, change; and picking one for an input or a batch."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from freshcircle.platform.core.services.access import require_member, require_view_internal
from freshcircle.platform.core.services.errors import InvalidInput, NotFound
from freshcircle.platform.models import Plot, Producer, Product, User

NAME_LENGTH = 64
MAX_AREA_MU = Decimal("100000")
PLOT_FIELDS = ("name", "area_mu", "township", "latitude", "longitude", "crop_ids")


def list_plots(session: Session, actor: User, producer_id: int) -> list[Plot]:
    """The producer's plots by name (members, staff)."""
    if session.get(Producer, producer_id or 0) is None:
        raise NotFound()
    require_view_internal(session, actor, producer_id)
    return list(session.scalars(
        select(Plot).options(selectinload(Plot.crops))
        .where(Plot.producer_id == producer_id).order_by(Plot.name)
    ))


def get_plot(session: Session, actor: User, plot_id: int) -> Plot:
    plot = session.get(Plot, plot_id)
    if plot is None:
        raise NotFound()
    require_view_internal(session, actor, plot.producer_id)
    return plot


def _decimal(value, places: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip().replace("，", ".").replace(",", "."))
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number.quantize(Decimal(places))


def _clean(session: Session, producer_id: int, data: dict, plot: Plot | None) -> dict:
    """Checked values of the fields present in `data` (all of them for a new plot)."""
    errors: dict[str, list] = {}
    clean: dict = {}
    if plot is None or "name" in data:
        name = " ".join((data.get("name") or "").split())
        if not name:
            errors["name"] = [_l("This field is required.")]
        elif len(name) > NAME_LENGTH:
            errors["name"] = [_l("At most %(num)d characters.", num=NAME_LENGTH)]
        else:
            same = session.scalar(select(Plot.id).where(Plot.producer_id == producer_id,
                                                        Plot.name == name))
            if same is not None and (plot is None or same != plot.id):
                errors["name"] = [_l("You already have a plot with this name.")]
            clean["name"] = name
    if "area_mu" in data:
        try:
            area = _decimal(data["area_mu"], "0.01")
        except ValueError:
            area = Decimal(-1)
        if area is not None and not 0 < area <= MAX_AREA_MU:
            errors["area_mu"] = [_l("Enter the area in mu, a number above 0.")]
        clean["area_mu"] = area
    if "township" in data:
        township = (data.get("township") or "").strip() or None
        if township and len(township) > NAME_LENGTH:
            errors["township"] = [_l("At most %(num)d characters.", num=NAME_LENGTH)]
        clean["township"] = township
    for key, limit in (("latitude", 90), ("longitude", 180)):
        if key in data:
            try:
                value = _decimal(data[key], "0.000001")
            except ValueError:
                value = Decimal(999)
            if value is not None and not -limit <= value <= limit:
                errors[key] = [_l("Enter a number between %(low)d and %(high)d.",
                                  low=-limit, high=limit)]
            clean[key] = value
    if ("latitude" in clean and "longitude" in clean and not errors
            and (clean["latitude"] is None) != (clean["longitude"] is None)):
        errors["longitude"] = [_l("Give both latitude and longitude, or neither.")]
    if "crop_ids" in data:
        ids = [int(i) for i in data.get("crop_ids") or []]
        crops = list(session.scalars(select(Product).where(Product.id.in_(ids)))) if ids else []
        if len(crops) != len(set(ids)):
            errors["crop_ids"] = [_l("Choose products from the catalog.")]
        clean["crops"] = crops
    if errors:
        raise InvalidInput(errors=errors)
    return clean


def create_plot(session: Session, actor: User, producer_id: int, data: dict) -> Plot:
    """Add a plot to a producer (its members, or an admin)."""
    if session.get(Producer, producer_id or 0) is None:
        raise InvalidInput.field("producer_id", _l("No such producer."))
    require_member(session, actor, producer_id)
    plot = Plot(producer_id=producer_id, **_clean(session, producer_id, data, None))
    session.add(plot)
    session.flush()
    return plot


def update_plot(session: Session, actor: User, plot: Plot, changes: dict) -> Plot:
    require_member(session, actor, plot.producer_id)
    for key, value in _clean(session, plot.producer_id, changes, plot).items():
        setattr(plot, key, value)
    session.flush()
    return plot


def plot_of_producer(session: Session, producer_id: int, plot_id, field: str = "plot_id") -> Plot:
    """The plot `plot_id` if it is `producer_id`'s, else a per-field error on `field`."""
    if plot_id in (None, ""):
        raise InvalidInput.field(field, _l("Choose a plot."))
    try:
        plot = session.get(Plot, int(plot_id))
    except (TypeError, ValueError):
        plot = None
    if plot is None or plot.producer_id != producer_id:
        raise InvalidInput.field(field, _l("Choose one of this producer's plots."))
    return plot


def chosen_plot(session: Session, actor: User, producer_id: int, data: dict, *,
                create: bool = True) -> Plot | None:
    """The plot a form or request chose: `plot_id`, or a new plot from `new_plot_name` (and
    `new_plot_area_mu`) added in the same transaction. Errors name the form's fields.

    A new name that is exactly one of the producer's plots picks that plot (as the migration
    merged exact matches). With `create=False` (the caller already has errors) a new plot is
    only checked, not added.
    """
    name = " ".join((data.get("new_plot_name") or "").split())
    if not name:
        return plot_of_producer(session, producer_id, data.get("plot_id"))
    same = session.scalar(select(Plot).where(Plot.producer_id == producer_id, Plot.name == name))
    if same is not None:
        return same
    producer = session.get(Producer, producer_id)
    fields = {"name": name, "area_mu": data.get("new_plot_area_mu"),
              "township": producer.township if producer is not None else None}
    try:
        if not create:
            _clean(session, producer_id, fields, None)
            return None
        return create_plot(session, actor, producer_id, fields)
    except InvalidInput as error:
        raise InvalidInput(errors={f"new_plot_{k}": v for k, v in error.errors.items()}) from None
