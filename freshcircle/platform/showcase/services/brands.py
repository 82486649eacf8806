"""The region's brands and Fuyang's counties, from the reference data shipped with the package
(data/brands.csv, data/places.csv; sources in brands.SOURCE.md)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from freshcircle.platform.core.services.identifiers import FUYANG_COUNTIES

DATA = Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True)
class Brand:
    slug: str
    name_zh: str
    name_en: str
    county_code: str
    products_en: tuple[str, ...]
    months: frozenset[int]
    summary_zh: str
    summary_en: str


@dataclass(frozen=True)
class County:
    code: str
    name_zh: str
    name_en: str


@cache
def all_brands() -> tuple[Brand, ...]:
    with (DATA / "brands.csv").open(encoding="utf-8", newline="") as f:
        return tuple(
            Brand(row["slug"], row["name_zh"], row["name_en"], row["county_code"],
                  tuple(row["products_en"].split(";")),
                  frozenset(int(m) for m in row["season_months"].split(";")),
                  row["summary_zh"], row["summary_en"])
            for row in csv.DictReader(f))


def brand(slug: str) -> Brand | None:
    return next((b for b in all_brands() if b.slug == slug), None)


def brands_of_county(code: str) -> list[Brand]:
    return [b for b in all_brands() if b.county_code == code]


def brands_of_product(name_en: str, county_code: str) -> list[Brand]:
    return [b for b in all_brands() if name_en in b.products_en and b.county_code == county_code]


@cache
def all_counties() -> tuple[County, ...]:
    """Fuyang's county-level divisions, in code order, with their English names."""
    with (DATA / "places.csv").open(encoding="utf-8", newline="") as f:
        english = {row["name_zh"]: row["name_en"] for row in csv.DictReader(f)
                   if row["kind"] == "origin_county"}
    return tuple(County(code, name, english.get(name, name))
                 for code, name in sorted(FUYANG_COUNTIES.items()))


def county(code: str) -> County | None:
    return next((c for c in all_counties() if c.code == code), None)
