"""Buyer accounts: the company name, delivery sites and the default site.

A delivery site is a place of kind `buyer_site` whose `buyer_id` is the buyer; a buyer sees and
changes only their own. A buyer types no address: the coordinates (what the delivery estimate
needs) are entered, or copied from one of the reference cities, hubs and wholesale markets.
Receiving hours are China time; a site without them takes deliveries at any time. The first
site a buyer adds becomes the default.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.access import require_role
from freshcircle.platform.core.services.errors import InvalidInput, NotFound
from freshcircle.platform.models import BuyerProfile, Place, PlaceKind, Role, User

REFERENCE_KINDS = (PlaceKind.CITY, PlaceKind.HUB, PlaceKind.WHOLESALE_MARKET)
# Mainland China, roughly: a point outside is a typo (or longitude and latitude swapped).
LATITUDES, LONGITUDES = (Decimal(18), Decimal(54)), (Decimal(73), Decimal(136))


@dataclass(frozen=True)
class Account:
    user: User
    company: str
    sites: list[Place]
    default_site_id: int | None


def _profile(session: Session, buyer: User) -> BuyerProfile | None:
    return session.get(BuyerProfile, buyer.id)


def sites(session: Session, buyer: User) -> list[Place]:
    return list(session.scalars(select(Place).where(Place.buyer_id == buyer.id)
                                .order_by(Place.id)))


def get_account(session: Session, buyer: User) -> Account:
    """The buyer's company, sites and default site (a new buyer has none of them yet)."""
    require_role(buyer, Role.BUYER)
    profile = _profile(session, buyer)
    return Account(buyer, profile.company if profile else "", sites(session, buyer),
                   profile.default_site_id if profile else None)


def get_site(session: Session, buyer: User, site_id: int) -> Place:
    """One of the buyer's own sites; anyone else's is 404."""
    require_role(buyer, Role.BUYER)
    site = session.get(Place, site_id)
    if site is None or site.buyer_id != buyer.id:
        raise NotFound(_l("No such delivery site."))
    return site


def reference_places(session: Session) -> list[Place]:
    """Cities, hubs and wholesale markets whose coordinates a new site may copy."""
    return list(session.scalars(
        select(Place).where(Place.kind.in_(REFERENCE_KINDS), Place.buyer_id.is_(None),
                            Place.producer_id.is_(None))
        .order_by(Place.kind, Place.name_zh)))


def _ensure_profile(session: Session, buyer: User) -> BuyerProfile:
    profile = _profile(session, buyer)
    if profile is None:
        profile = BuyerProfile(user_id=buyer.id, company=buyer.name)
        session.add(profile)
    return profile


def update_account(session: Session, buyer: User, data: dict) -> Account:
    """Change the company name and/or the default site (one of the buyer's own)."""
    require_role(buyer, Role.BUYER)
    errors: dict[str, list] = {}
    company = data.get("company")
    if "company" in data:
        company = (company or "").strip()
        if not company or len(company) > 100:
            errors["company"] = [_l("Between 1 and 100 characters.")]
    site_id = data.get("default_site_id")
    if site_id is not None:
        site = session.get(Place, site_id)
        if site is None or site.buyer_id != buyer.id:
            errors["default_site_id"] = [_l("Choose one of your delivery sites.")]
    if errors:
        raise InvalidInput(errors=errors)
    profile = _ensure_profile(session, buyer)
    if company:
        profile.company = company
    if site_id is not None:
        profile.default_site_id = site_id
    session.flush()
    return get_account(session, buyer)


def _coordinate(value, bounds: tuple[Decimal, Decimal]) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or not bounds[0] <= number <= bounds[1]:
        return None
    return number.quantize(Decimal("0.000001"))


def _check_site(session: Session, data: dict, site: Place | None) -> dict:
    """Every field checked before anything is written; errors per field."""
    errors: dict[str, list] = {}
    clean: dict = {}
    if "name" in data or site is None:
        name = (data.get("name") or "").strip()
        if not name or len(name) > 100:
            errors["name"] = [_l("Between 1 and 100 characters.")]
        clean["name_zh"] = name
    reference_id = data.get("reference_place_id")
    if reference_id:
        reference = session.get(Place, reference_id)
        if reference is None or reference.kind not in REFERENCE_KINDS or reference.buyer_id:
            errors["reference_place_id"] = [_l("Not a valid choice.")]
        else:
            clean["latitude"], clean["longitude"] = reference.latitude, reference.longitude
    else:
        for key, bounds, message in (
            ("latitude", LATITUDES, _l("A latitude in China, between 18 and 54 degrees north.")),
            ("longitude", LONGITUDES,
             _l("A longitude in China, between 73 and 136 degrees east.")),
        ):
            if (key in data and data[key] not in (None, "")) or site is None:
                value = _coordinate(data.get(key), bounds)
                if value is None:
                    errors[key] = [message if data.get(key) not in (None, "")
                                   else _l("Enter the coordinates or choose a city.")]
                clean[key] = value
    opens = data.get("receiving_from", site.receiving_from if site else None)
    closes = data.get("receiving_to", site.receiving_to if site else None)
    if (opens is None) != (closes is None):
        errors["receiving_to" if opens else "receiving_from"] = [
            _l("Give both receiving times, or neither (any time).")]
    elif opens is not None and opens >= closes:
        errors["receiving_to"] = [_l("The closing time must be after the opening time.")]
    clean["receiving_from"], clean["receiving_to"] = opens, closes
    if errors:
        raise InvalidInput(errors=errors)
    return clean


def _unique_english_name(session: Session, buyer: User, name: str, site: Place | None) -> str:
    """places.name_en is unique and required; a buyer types only the Chinese name."""
    candidate, n = name, 1
    while True:
        clash = select(Place.id).where(Place.name_en == candidate)
        if site is not None:
            clash = clash.where(Place.id != site.id)
        if session.scalar(clash) is None:
            return candidate
        n += 1
        candidate = f"{name} ({buyer.id}-{n})"


def add_site(session: Session, buyer: User, data: dict) -> Place:
    """Add a delivery site; the first (or one marked `make_default`) becomes the default."""
    require_role(buyer, Role.BUYER)
    clean = _check_site(session, data, None)
    site = Place(kind=PlaceKind.BUYER_SITE, buyer_id=buyer.id,
                 name_en=_unique_english_name(session, buyer, clean["name_zh"], None), **clean)
    session.add(site)
    session.flush()
    profile = _ensure_profile(session, buyer)
    if data.get("make_default") or profile.default_site_id is None:
        profile.default_site_id = site.id
    session.flush()
    return site


def update_site(session: Session, buyer: User, site: Place, data: dict) -> Place:
    """Change a site's name, coordinates or receiving hours (only the buyer's own)."""
    site = get_site(session, buyer, site.id)
    clean = _check_site(session, data, site)
    if "name_zh" in clean and clean["name_zh"] != site.name_zh:
        clean["name_en"] = _unique_english_name(session, buyer, clean["name_zh"], site)
    for key, value in clean.items():
        setattr(site, key, value)
    if data.get("make_default"):
        _ensure_profile(session, buyer).default_site_id = site.id
    session.flush()
    return site

