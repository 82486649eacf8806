"""A forward contract's terms, checked field by field before anything is written.

Weeks run Monday to Sunday: `first_week` may be any day of the first delivery week. The
quantity is given per week, or as a total spread evenly over the weeks in whole 斤 (the
remainder to the first weeks). The price is fixed (元/斤) or follows the market's going
price of the product inside a band (min and max 元/斤). Linked plantings must be the
producer's own and of the contract's product.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.core.services.errors import InvalidInput
from freshcircle.platform.core.services.money import price_to_fen_per_jin
from freshcircle.platform.core.services.quantities import to_grams
from freshcircle.platform.models import (
    BuyerProfile,
    Place,
    Planting,
    PriceKind,
    Producer,
    Product,
    Role,
    User,
)

JIN = 500
MAX_WEEKS = 52
MAX_WEEK_G = 500_000_000  # 1,000,000 斤 a week: more is a typo
GRADE_LENGTH = 32
NOTES_LENGTH = 500
FIELDS = ("producer_id", "buyer_phone", "product_id", "grade", "site_id", "first_week", "weeks",
          "quantity_per_week", "total_quantity", "price_kind", "price", "band_min", "band_max",
          "residue_test_required", "planting_ids", "notes")


@dataclass(frozen=True)
class Terms:
    """Checked terms: weights in grams, prices in fen per 斤."""

    producer: Producer
    buyer: User
    product: Product
    grade: str | None
    site: Place
    weeks: tuple[tuple[dt.date, int], ...]
    price_kind: PriceKind
    price_fen_per_jin: int | None
    band_min_fen: int | None
    band_max_fen: int | None
    residue_test_required: bool
    plantings: tuple[Planting, ...]
    notes: str | None


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _whole_jin(value) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    grams = to_grams(str(value).strip(), "jin")
    return grams if grams is not None and grams % JIN == 0 else -1


def _buyer(session: Session, actor: User, data: dict, current, errors: dict) -> User | None:
    if actor.role == Role.BUYER:
        return actor
    if "buyer_phone" not in data and current is not None:
        return current.buyer
    phone = (data.get("buyer_phone") or "").strip()
    buyer = session.scalar(select(User).where(User.phone == phone, User.role == Role.BUYER)) \
        if phone else None
    if buyer is None:
        errors["buyer_phone"] = [_l("Give a registered buyer's mobile number.")]
    return buyer


def _site(session: Session, buyer: User | None, data: dict, current, errors: dict):
    if "site_id" not in data and current is not None and (
            buyer is None or current.buyer_id == buyer.id):
        return current.site
    site = session.get(Place, data.get("site_id") or 0) if data.get("site_id") else None
    if site is None and buyer is not None and not data.get("site_id"):
        profile = session.get(BuyerProfile, buyer.id)
        site = profile.default_site if profile is not None else None
    if buyer is not None and (site is None or site.buyer_id != buyer.id):
        errors["site_id"] = [_l("Choose one of the buyer's delivery sites.")]
    return site


def _weeks(data: dict, current, today: dt.date, errors: dict) -> tuple:
    keys = ("first_week", "weeks", "quantity_per_week", "total_quantity")
    if current is not None and not any(key in data for key in keys):
        return tuple((w.week_start, w.quantity_g) for w in current.weeks)
    first = data.get("first_week")
    if not isinstance(first, dt.date):
        errors["first_week"] = [_l("This field is required.")]
    elif monday(first) + dt.timedelta(days=6) < today:
        errors["first_week"] = [_l("The first delivery week has already ended.")]
    elif (first - today).days > 366:
        errors["first_week"] = [_l("Plan at most a year ahead.")]
    try:
        count = int(data.get("weeks") or 0)
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= MAX_WEEKS:
        errors["weeks"] = [_l("Enter a number of weeks from 1 to %(max)d.", max=MAX_WEEKS)]
    per_week, total = _whole_jin(data.get("quantity_per_week")), _whole_jin(
        data.get("total_quantity"))
    if (per_week is None) == (total is None):
        errors["quantity_per_week"] = [_l("Give the quantity per week or the total, not both.")]
    elif per_week == -1:
        errors["quantity_per_week"] = [_l("Enter whole jin above zero.")]
    elif total == -1:
        errors["total_quantity"] = [_l("Enter whole jin above zero.")]
    if errors.keys() & set(keys):
        return ()
    if total is not None:
        jin, extra = divmod(total // JIN, count)
        if jin == 0:
            errors["total_quantity"] = [_l("Less than one jin a week.")]
            return ()
        amounts = [(jin + (1 if i < extra else 0)) * JIN for i in range(count)]
    else:
        amounts = [per_week] * count
    if max(amounts) > MAX_WEEK_G:
        errors["quantity_per_week"] = [_l("At most 1,000,000 jin a week.")]
    start = monday(first)
    return tuple((start + dt.timedelta(weeks=i), grams) for i, grams in enumerate(amounts))


def _price(data: dict, current, errors: dict) -> tuple:
    keys = ("price_kind", "price", "band_min", "band_max")
    if current is not None and not any(key in data for key in keys):
        return (current.price_kind, current.price_fen_per_jin, current.band_min_fen,
                current.band_max_fen)
    try:
        kind = PriceKind(data.get("price_kind") or PriceKind.FIXED)
    except ValueError:
        errors["price_kind"] = [_l("Choose a fixed price or a reference price with a band.")]
        return (None, None, None, None)
    if kind == PriceKind.FIXED:
        price = price_to_fen_per_jin(data.get("price"), "jin")
        if price is None:
            errors["price"] = [_l("Enter a price above zero in 元 per jin, at most two "
                                  "decimals.")]
        return (kind, price, None, None)
    low = price_to_fen_per_jin(data.get("band_min"), "jin")
    high = price_to_fen_per_jin(data.get("band_max"), "jin")
    for name, value in (("band_min", low), ("band_max", high)):
        if value is None:
            errors[name] = [_l("Enter a price above zero in 元 per jin, at most two decimals.")]
    if low is not None and high is not None and high < low:
        errors["band_max"] = [_l("The band's highest price is below its lowest.")]
    return (kind, None, low, high)


def _plantings(session: Session, data: dict, current, producer, product, errors) -> tuple:
    if "planting_ids" not in data and current is not None:
        chosen = tuple(current.plantings)
    else:
        ids = [i for i in dict.fromkeys(data.get("planting_ids") or []) if i]
        chosen = tuple(session.get(Planting, i) for i in ids)
        if any(p is None for p in chosen):
            errors["planting_ids"] = [_l("Choose plantings of this producer.")]
            return ()
    if producer is not None and any(p.producer_id != producer.id for p in chosen):
        errors["planting_ids"] = [_l("Choose plantings of this producer.")]
    elif product is not None and any(p.product_id != product.id for p in chosen):
        errors["planting_ids"] = [_l("Each planting must grow the contract's product.")]
    return chosen


def check_terms(session: Session, actor: User, data: dict, current=None,
                today: dt.date | None = None) -> Terms:
    """Every field checked (all of them for a new contract, those given for a change);
    raises InvalidInput naming each bad field."""
    today = today or today_in_china()
    errors: dict[str, list] = {}

    def given(name: str) -> bool:
        return current is None or name in data

    if given("producer_id"):
        producer = session.get(Producer, data.get("producer_id") or 0)
        if producer is None:
            errors["producer_id"] = [_l("No such producer.")]
    else:
        producer = current.producer
    buyer = _buyer(session, actor, data, current, errors)
    if given("product_id"):
        product = session.get(Product, data.get("product_id") or 0)
        if product is None:
            errors["product_id"] = [_l("Choose a product from the catalog.")]
    else:
        product = current.product
    grade = " ".join((data.get("grade") or "").split()) or None if given("grade") \
        else current.grade
    if grade and len(grade) > GRADE_LENGTH:
        errors["grade"] = [_l("At most %(num)d characters.", num=GRADE_LENGTH)]
    site = _site(session, buyer, data, current, errors)
    weeks = _weeks(data, current, today, errors)
    kind, price, low, high = _price(data, current, errors)
    plantings = _plantings(session, data, current, producer, product, errors)
    notes = " ".join((data.get("notes") or "").split()) or None if given("notes") \
        else current.notes
    if notes and len(notes) > NOTES_LENGTH:
        errors["notes"] = [_l("At most %(num)d characters.", num=NOTES_LENGTH)]
    residue = bool(data.get("residue_test_required")) if given("residue_test_required") \
        else current.residue_test_required
    if errors:
        raise InvalidInput(errors=errors)
    return Terms(producer, buyer, product, grade, site, weeks, kind, price, low, high,
                 residue, plantings, notes)
