"""Produce model: storage conditions per product, and which products may share a compartment.

The data is `data/produce.csv` (sources and caveats in `data/produce.SOURCE.md`), the same table
the platform loads into its products catalog, so `by_name` takes the catalog's English names.
Units: temperatures in °C (product pulp temperature), relative humidity in %, storage life in
days at the recommended conditions (`storage_life_days` is the conservative lower end), Q10 the
dimensionless rate ratio for a 10 °C rise.

Blank cells stay `None` ("not recorded or not applicable": ethylene data for meat, fish, eggs
and two produce rows; Q10 for frozen goods and eggs). Compatibility treats an unrecorded
ethylene flag as false; the rows concerned are listed by `unrecorded_ethylene()`.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Produce:
    """One row of produce.csv, typed. Column names are kept as in the CSV."""

    key: str  # stable slug of name_en, e.g. "pak-choi-bok-choy"
    name_en: str
    name_zh: str
    scientific_name: str
    category: str
    temp_class: str  # routing label: frozen, chilled_0_2, cool_10_13, dry_cold, ...
    temp_min_c: float
    temp_max_c: float
    rh_pct: float  # representative RH, midpoint of rh_min_pct..rh_max_pct
    rh_min_pct: float
    rh_max_pct: float
    storage_life_days: int  # conservative (lower end) at the recommended conditions
    storage_life_days_max: int | None
    ethylene_production_class: str | None  # VL < 0.1, L, M, H, VH > 100 µL C2H4/kg·h at 20 °C
    ethylene_producer: bool | None  # class M, H or VH
    ethylene_sensitivity_class: str | None  # L, M, H (L-M for bell pepper)
    ethylene_sensitive: bool | None
    chilling_sensitive: bool  # below temp_min_c it is injured (potato: sweetening)
    q10: float | None  # rate ratio per 10 °C; None where it does not apply
    confidence: str  # high, medium, low
    source: str

    @property
    def storage_life(self) -> timedelta:
        return timedelta(days=self.storage_life_days)

    @property
    def reference_temp_c(self) -> float:
        """The temperature at which `storage_life_days` holds: the recommended minimum.

        Storage tables quote life at the optimum, which is the coldest safe temperature
        (lettuce at 0 °C, cucumber at 10 °C); warmer, even inside the range, is faster.
        """
        return self.temp_min_c


@dataclass(frozen=True)
class Compatibility:
    """Whether two products may share one compartment; `reasons` explains every refusal."""

    ok: bool
    reasons: list[str]


def _key(name_en: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name_en.lower()).strip("-")


def _opt_bool(value: str) -> bool | None:
    value = value.strip().lower()
    if not value:
        return None
    if value not in ("true", "false"):
        raise ValueError(f"not a boolean: {value!r}")
    return value == "true"


def _opt_int(value: str) -> int | None:
    return int(value) if value.strip() else None


def _opt_str(value: str) -> str | None:
    return value.strip() or None


def _row(row: dict[str, str]) -> Produce:
    return Produce(
        key=_key(row["name_en"]),
        name_en=row["name_en"],
        name_zh=row["name_zh"],
        scientific_name=row["scientific_name"],
        category=row["category"],
        temp_class=row["temp_class"],
        temp_min_c=float(row["temp_min_c"]),
        temp_max_c=float(row["temp_max_c"]),
        rh_pct=float(row["rh_pct"]),
        rh_min_pct=float(row["rh_min_pct"]),
        rh_max_pct=float(row["rh_max_pct"]),
        storage_life_days=int(row["storage_life_days"]),
        storage_life_days_max=_opt_int(row["storage_life_days_max"]),
        ethylene_production_class=_opt_str(row["ethylene_production_class"]),
        ethylene_producer=_opt_bool(row["ethylene_producer"]),
        ethylene_sensitivity_class=_opt_str(row["ethylene_sensitivity_class"]),
        ethylene_sensitive=_opt_bool(row["ethylene_sensitive"]),
        chilling_sensitive=bool(_opt_bool(row["chilling_sensitive"])),
        q10=float(row["q10"]) if row["q10"].strip() else None,
        confidence=row["confidence"],
        source=row["source"],
    )


@cache
def all_produce() -> tuple[Produce, ...]:
    """Every product in produce.csv, in file order (read once per process)."""
    text = resources.files("freshcircle.logistics").joinpath("data", "produce.csv")
    rows = csv.DictReader(text.read_text("utf-8").splitlines())
    products = tuple(_row(row) for row in rows)
    keys = [p.key for p in products]
    if len(set(keys)) != len(keys):
        raise ValueError("produce.csv: two English names give the same key")
    return products


@cache
def _index() -> tuple[dict[str, Produce], dict[str, Produce]]:
    products = all_produce()
    return {p.key: p for p in products}, {p.name_en.casefold(): p for p in products}


def by_key(key: str) -> Produce:
    """The product with this stable key; KeyError if there is none."""
    return _index()[0][key]


def by_name(name_en: str) -> Produce:
    """The product with this English name (as in the platform's products table), any case."""
    return _index()[1][name_en.strip().casefold()]


def unrecorded_ethylene() -> tuple[Produce, ...]:
    """Products whose ethylene production or sensitivity is blank in the table."""
    return tuple(
        p for p in all_produce() if p.ethylene_producer is None or p.ethylene_sensitive is None
    )


def _fmt(value: float) -> str:
    return f"{value:g}"


def compatible(a: Produce, b: Produce) -> Compatibility:
    """Whether `a` and `b` may travel in one compartment.

    Both temperature ranges and both humidity ranges must overlap (touching ends count), and an
    ethylene producer never travels with an ethylene-sensitive product, either way round. A
    product is always compatible with itself (apples with apples), although an apple is both a
    producer and sensitive.
    """
    reasons: list[str] = []
    if max(a.temp_min_c, b.temp_min_c) > min(a.temp_max_c, b.temp_max_c):
        reasons.append(
            f"temperature ranges do not overlap: {a.name_en} {_fmt(a.temp_min_c)} to "
            f"{_fmt(a.temp_max_c)} °C, {b.name_en} {_fmt(b.temp_min_c)} to "
            f"{_fmt(b.temp_max_c)} °C"
        )
    if max(a.rh_min_pct, b.rh_min_pct) > min(a.rh_max_pct, b.rh_max_pct):
        reasons.append(
            f"humidity ranges do not overlap: {a.name_en} {_fmt(a.rh_min_pct)}-"
            f"{_fmt(a.rh_max_pct)} % RH, {b.name_en} {_fmt(b.rh_min_pct)}-"
            f"{_fmt(b.rh_max_pct)} % RH"
        )
    if a.key != b.key:
        for producer, sensitive in ((a, b), (b, a)):
            if producer.ethylene_producer and sensitive.ethylene_sensitive:
                reasons.append(
                    f"{producer.name_en} produces ethylene "
                    f"(class {producer.ethylene_production_class}) and {sensitive.name_en} "
                    f"is ethylene-sensitive"
                )
    return Compatibility(ok=not reasons, reasons=reasons)
