"""Reference data shipped with the package: the product catalog and YRD places."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.models import Place, PlaceKind, Product

# GB/T 2260 codes for places in places.csv that are administrative divisions.
ADMIN_CODES = {
    "阜阳市": "341200", "颍州区": "341202", "颍东区": "341203", "颍泉区": "341204",
    "临泉县": "341221", "太和县": "341222", "阜南县": "341225", "颍上县": "341226",
    "界首市": "341282", "上海市": "310000", "南京市": "320100", "杭州市": "330100",
    "合肥市": "340100", "苏州市": "320500", "无锡市": "320200", "宁波市": "330200",
}
PLACE_KINDS = {
    "origin_city": PlaceKind.CITY,
    "origin_county": PlaceKind.CITY,
    "destination_city": PlaceKind.CITY,
    "wholesale_market": PlaceKind.WHOLESALE_MARKET,
}


def _rows(name: str) -> Iterator[dict]:
    text = resources.files("freshcircle.platform").joinpath("data", name).read_text("utf-8")
    yield from csv.DictReader(text.splitlines())


def _bool(value: str) -> bool:
    return value.strip().lower() == "true"


def _int(value: str) -> int | None:
    return int(value) if value.strip() else None


def load_products(session: Session) -> int:
    """Insert or update the catalog from produce.csv; returns how many rows were new."""
    existing = {p.name_en: p for p in session.scalars(select(Product))}
    yields = {row["name_en"]: _int(row["yield_jin_per_mu"]) for row in _rows("crop_yields.csv")}
    added = 0
    for row in _rows("produce.csv"):
        values = {
            "name_zh": row["name_zh"],
            "scientific_name": row["scientific_name"] or None,
            "category": row["category"],
            "temp_class": row["temp_class"],
            "temp_min_c": Decimal(row["temp_min_c"]),
            "temp_max_c": Decimal(row["temp_max_c"]),
            "rh_min_pct": _int(row["rh_min_pct"]),
            "rh_max_pct": _int(row["rh_max_pct"]),
            "storage_life_days": int(row["storage_life_days"]),
            "storage_life_days_max": _int(row["storage_life_days_max"]),
            "q10": Decimal(row["q10"]) if row["q10"] else None,
            "ethylene_producer": _bool(row["ethylene_producer"]),
            "ethylene_sensitive": _bool(row["ethylene_sensitive"]),
            "chilling_sensitive": _bool(row["chilling_sensitive"]),
            "typical_yield_jin_per_mu": yields.get(row["name_en"]),
        }
        product = existing.get(row["name_en"])
        if product is None:
            session.add(Product(name_en=row["name_en"], **values))
            added += 1
        else:
            for key, value in values.items():
                setattr(product, key, value)
    session.flush()
    return added


def load_places(session: Session) -> int:
    """Insert or update the YRD places from places.csv; returns how many rows were new."""
    existing = {p.name_en: p for p in session.scalars(select(Place))}
    added = 0
    for row in _rows("places.csv"):
        values = {
            "name_zh": row["name_zh"],
            "kind": PLACE_KINDS.get(row["kind"], PlaceKind.CITY),
            "latitude": Decimal(row["lat"]),
            "longitude": Decimal(row["lon"]),
            "admin_code": ADMIN_CODES.get(row["name_zh"]),
            "admin_name": row["name_zh"] if row["name_zh"] in ADMIN_CODES else None,
        }
        place = existing.get(row["name_en"])
        if place is None:
            session.add(Place(name_en=row["name_en"], **values))
            added += 1
        else:
            for key, value in values.items():
                setattr(place, key, value)
    session.flush()
    return added
