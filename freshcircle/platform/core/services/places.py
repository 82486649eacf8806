"""Places goods move between: farms, cold stores, hubs, buyer sites, markets, cities."""

from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.access import PRODUCER_ROLES, require_manager
from freshcircle.platform.core.services.errors import InvalidInput, NotFound, PermissionDenied
from freshcircle.platform.core.services.identifiers import FUYANG_COUNTIES
from freshcircle.platform.core.services.reference_data import ADMIN_CODES
from freshcircle.platform.models import Place, PlaceKind, Producer, Role, User

# GB/T 2260: two digits of province, two of city, two of county. These are the provinces.
PROVINCE_CODES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
}
ADMIN_CODE_RE = re.compile(r"^[0-9]{6}$")
KNOWN_ADMIN_NAMES = {**{code: name for name, code in ADMIN_CODES.items()}, **FUYANG_COUNTIES}
# Producers may add their own farms and cold stores; hubs, markets and cities are the admin's.
PRODUCER_PLACE_KINDS = (PlaceKind.FARM, PlaceKind.COLD_STORE)
FIELDS = ("name_zh", "name_en", "kind", "latitude", "longitude", "admin_code", "admin_name",
          "producer_id")
REQUIRED = ("name_zh", "kind", "latitude", "longitude")


def get_place(session: Session, actor: User, place_id: int) -> Place:
    """Every signed-in user may read places (they are the ends of shipments)."""
    place = session.get(Place, place_id)
    if place is None:
        raise NotFound(_l("No such place."))
    return place


def places_query(
    actor: User, *, kind: PlaceKind | None = None, q: str | None = None,
    producer_id: int | None = None,
) -> Select:
    """Places by Chinese name, with optional filters on kind, name and producer."""
    stmt = select(Place).order_by(Place.kind, Place.name_zh, Place.id)
    if kind:
        stmt = stmt.where(Place.kind == kind)
    if q:
        stmt = stmt.where(or_(Place.name_zh.contains(q, autoescape=True),
                              Place.name_en.icontains(q, autoescape=True)))
    if producer_id:
        stmt = stmt.where(Place.producer_id == producer_id)
    return stmt


def _require_editor(session: Session, actor: User, kind, producer_id) -> None:
    """Admins edit any place; a producer's managers edit its farms and cold stores."""
    if actor.role == Role.ADMIN:
        return
    if actor.role not in PRODUCER_ROLES:
        raise PermissionDenied(_l("Only an administrator or a producer's manager can do this."))
    if kind not in PRODUCER_PLACE_KINDS:
        raise PermissionDenied(_l("Producers may add only farms and cold stores."))
    if producer_id is None:
        raise InvalidInput.field("producer_id", _l("Choose the producer this place belongs to."))
    require_manager(session, actor, producer_id)


def _in_range(value, low: int, high: int) -> bool:
    return value is None or Decimal(low) <= value <= Decimal(high)


def _check(session: Session, data: dict, place: Place | None = None) -> dict:
    """Validate place fields (merged with `place` for an edit); return them cleaned."""
    clean = {k: (v.strip() or None) if isinstance(v, str) else v
             for k, v in data.items() if k in FIELDS}
    merged = {k: getattr(place, k) for k in FIELDS} if place else {}
    merged.update(clean)
    errors: dict[str, list] = {}
    for name in REQUIRED:
        if merged.get(name) is None:
            errors[name] = [_l("This field is required.")]
    if not _in_range(merged.get("latitude"), -90, 90):
        errors["latitude"] = [_l("Latitude runs from -90 to 90 degrees.")]
    if not _in_range(merged.get("longitude"), -180, 180):
        errors["longitude"] = [_l("Longitude runs from -180 to 180 degrees.")]
    code = merged.get("admin_code")
    if code is not None:
        if not ADMIN_CODE_RE.match(code) or code[:2] not in PROVINCE_CODES:
            errors["admin_code"] = [_l("Enter a 6-digit GB/T 2260 code, e.g. 341222.")]
        elif clean.get("admin_name") is None and (
            "admin_code" in clean or merged.get("admin_name") is None
        ):
            # A new code without a name: fill in the names we know, ask for the others.
            if code in KNOWN_ADMIN_NAMES:
                clean["admin_name"] = KNOWN_ADMIN_NAMES[code]
            else:
                errors["admin_name"] = [_l("Give the name that goes with this code.")]
    producer_id = merged.get("producer_id")
    if producer_id is not None and session.get(Producer, producer_id) is None:
        errors["producer_id"] = [_l("No such producer.")]
    if merged.get("name_zh") and not merged.get("name_en"):
        # name_en is unique and required by the table; a farmer may not type one.
        clean["name_en"] = merged["name_zh"]
    name_en = clean.get("name_en")
    if name_en and "name_en" not in errors:
        clash = select(Place.id).where(Place.name_en == name_en)
        if place is not None:
            clash = clash.where(Place.id != place.id)
        if session.scalar(clash):
            field = "name_en" if data.get("name_en") else "name_zh"
            errors[field] = [_l("Another place already has this name.")]
    if errors:
        raise InvalidInput(errors=errors)
    if "kind" in clean:
        clean["kind"] = PlaceKind(clean["kind"])
    return clean


def create_place(session: Session, actor: User, data: dict) -> Place:
    """Add a place. Admins add any kind; a producer's managers add its farms and cold stores."""
    _require_editor(session, actor, data.get("kind"), data.get("producer_id"))
    place = Place(**_check(session, data))
    session.add(place)
    session.flush()
    return place


def update_place(session: Session, actor: User, place: Place, changes: dict) -> Place:
    """Edit a place; a manager may edit only their producer's farms and cold stores."""
    _require_editor(session, actor, place.kind, place.producer_id)
    _require_editor(session, actor, changes.get("kind", place.kind),
                    changes.get("producer_id", place.producer_id))
    for key, value in _check(session, changes, place).items():
        setattr(place, key, value)
    session.flush()
    return place
