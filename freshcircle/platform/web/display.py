"""How pages show values: dates, weights in 斤 and kg, °C, statuses, products, places, roles."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_skeleton
from babel.numbers import format_decimal
from flask import Flask, g
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from freshcircle.platform.batches.services.batches import batch_status_label
from freshcircle.platform.core.services import notices
from freshcircle.platform.core.services.durations import hours_as_days
from freshcircle.platform.core.services.quantities import grams_to_jin, grams_to_kg
from freshcircle.platform.dispatch.services.shipments import status_label as shipment_status_label
from freshcircle.platform.extensions import db
from freshcircle.platform.market.services.orders import order_status_label
from freshcircle.platform.models import (
    BatchStatus,
    InputKind,
    MemberRole,
    OrderStatus,
    PlaceKind,
    ProducerKind,
    Role,
    ShipmentStatus,
    TestMethod,
    TestResult,
)
from freshcircle.platform.web.forms import CERTIFICATION_KINDS, ROLE_LABELS
from freshcircle.platform.web.pages import FARM_ROLES, place_label, product_label
from freshcircle.platform.web.table_query import back_url, kept_back

STATUS_CLASSES = {
    BatchStatus.REGISTERED: "badge",
    BatchStatus.LISTED: "badge badge-ok",
    BatchStatus.SOLD_OUT: "badge",
    BatchStatus.USED_UP: "badge",
    BatchStatus.HELD: "badge badge-warn",
    BatchStatus.RECALLED: "badge badge-bad",
}
SHIPMENT_STATUS_CLASSES = {
    ShipmentStatus.PLANNED: "badge",
    ShipmentStatus.IN_TRANSIT: "badge badge-warn",
    ShipmentStatus.DELIVERED: "badge badge-ok",
    ShipmentStatus.CANCELLED: "badge",
}
LABELS = {
    ProducerKind.FAMILY_FARM: _l("Family farm"),
    ProducerKind.COOPERATIVE: _l("Cooperative"),
    MemberRole.MEMBER: _l("Member"),
    MemberRole.MANAGER: _l("Manager"),
    InputKind.PESTICIDE: _l("Pesticide"),
    InputKind.FERTILISER: _l("Fertiliser"),
    TestMethod.RAPID: _l("Rapid test"),
    TestMethod.LAB: _l("Lab report"),
    TestResult.PASS: _l("Pass"),
    TestResult.FAIL: _l("Fail"),
    PlaceKind.FARM: _l("Farm"),
    PlaceKind.COLD_STORE: _l("Cold store"),
    PlaceKind.HUB: _l("Logistics hub"),
    PlaceKind.BUYER_SITE: _l("Buyer site"),
    PlaceKind.WHOLESALE_MARKET: _l("Wholesale market"),
    PlaceKind.CITY: _l("City"),
    **CERTIFICATION_KINDS,
    # How a lot reached another in a trace (freshcircle.traceability.genealogy edge kinds).
    "split": _l("split"),
    "merge": _l("merged"),
    "repack": _l("repacked"),
    "transformation": _l("processed"),
    "aggregation": _l("palletised"),
    "shipment": _l("shipped"),
}


def long_date(value: dt.date | None) -> str:
    """'2026年11月26日' in Chinese, 'November 26, 2026' in English."""
    return format_date(value, "long") if value else ""


def month_day(value: dt.date | None) -> str:
    """'1月18日' in Chinese, 'Jan 18' in English."""
    return format_skeleton("MMMd", value, locale=str(get_locale())) if value else ""


def long_datetime(value: dt.datetime | None) -> str:
    """'2026年11月26日 14:40' in Asia/Shanghai time."""
    if value is None:
        return ""
    return f"{format_date(value, 'long')} {format_datetime(value, 'HH:mm')}"


def number(value) -> str:
    return format_decimal(value, locale=str(get_locale()))


def celsius(value) -> str:
    """'3.8 °C' (a no-break space keeps the number with its unit)."""
    return f"{number(value)}\u00a0°C"


def weight(grams: int) -> str:
    """Both units, as farmers and buyers count: '120 斤（60 kg）'."""
    jin, kg = number(grams_to_jin(grams)), number(grams_to_kg(grams))
    # No-break spaces keep each number with its unit on a narrow screen.
    if str(get_locale()) == "en":
        return f"{jin}\u00a0jin ({kg}\u00a0kg)"
    return f"{jin}\u00a0斤（{kg}\u00a0kg）"


def label(value) -> str:
    if isinstance(value, BatchStatus):
        return str(batch_status_label(value))
    if isinstance(value, ShipmentStatus):
        return str(shipment_status_label(value))
    if isinstance(value, OrderStatus):
        return str(order_status_label(value))
    if isinstance(value, Role):
        return str(ROLE_LABELS[value])
    return str(LABELS.get(value, value))


def nav_links() -> list[tuple[str, str, object]]:
    """(endpoint, id, label) of the main pages for the signed-in user's role; everyone who
    is signed in has an inbox (recall notices reach buyers, carriers and producers)."""
    if not current_user.is_authenticated or current_user.must_set_password:
        return []
    role = current_user.role
    links: list[tuple[str, str, object]] = []
    if role in FARM_ROLES:
        links = [("home.index", "nav-batches", _l("My batches")),
                 ("record_pages.inputs", "nav-inputs", _l("Inputs")),
                 ("producer_pages.mine", "nav-producers", _l("Producers")),
                 ("sales_pages.index", "nav-sales", _l("Sales orders"))]
    elif role == Role.INSPECTOR:
        links = [("inspector.batches", "nav-search", _l("Batch search")),
                 ("inspector.recalls", "nav-records", _l("Recall records"))]
    elif role == Role.ADMIN:
        links = [("admin.users", "nav-users", _l("Users")),
                 ("admin.producers", "nav-producers", _l("Producers")),
                 ("admin.places", "nav-places", _l("Places")),
                 ("search_synonyms.index", "nav-synonyms", _l("Search synonyms")),
                 ("admin.audit_log", "nav-audit", _l("Audit log")),
                 ("inspector.batches", "nav-search", _l("Batch search")),
                 ("inspector.recalls", "nav-records", _l("Recall records"))]
    elif role == Role.BUYER:
        links = [("market_pages.index", "nav-market", _l("Market")),
                 ("supply_forecast_pages.forecast", "nav-forecast", _l("Supply forecast")),
                 ("cart_pages.index", "nav-cart", _l("Cart")),
                 ("buyer_orders.index", "nav-orders", _l("My orders")),
                 ("account_pages.index", "nav-account", _l("Account"))]
    elif role == Role.CARRIER:
        links = [("carrier_pages.shipments", "nav-shipments", _l("My shipments"))]
    if role in (Role.COOP_ADMIN, Role.ADMIN):  # 调度 (dispatch/pages/dispatch.py)
        links.append(("dispatch_pages.index", "nav-dispatch", _l("Dispatch planning")))
        links.append(("fleet_pages.index", "nav-fleet", _l("Fleet")))
    if role == Role.CARRIER:  # 今日路线 (dispatch/pages/driver.py)
        links.append(("driver_pages.index", "nav-driver", _l("My route")))
    if role == Role.BUYER:  # 询价 (market/pages/quotes.py)
        links.append(("quote_pages.mine", "nav-quotes", _l("Quotes")))
        links.append(("demand_pages.mine", "nav-demands", _l("Standing demands")))  # 求购
    elif role in FARM_ROLES:  # 询价单
        links.append(("quote_pages.open_requests", "nav-quote-requests", _l("Quote requests")))
        links.append(("demand_pages.matched", "nav-demands", _l("Demands for you")))
    if role in (Role.BUYER, Role.ADMIN, *FARM_ROLES):  # 订单农业 (contracts/pages/contracts.py)
        links.append(("contract_pages.index", "nav-contracts", _l("Forward contracts")))
    return [*links, ("notice_pages.inbox", "nav-notices", _l("Notices"))]


def unread_notices() -> int:
    """The signed-in user's unread notices for the 通知 link: one count query per page."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notices" not in g:
        g.unread_notices = notices.unread_count(db.session, current_user)
    return g.unread_notices


def register_display(app: Flask) -> None:
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(long_datetime, "long_datetime")
    app.add_template_filter(month_day, "month_day")
    app.add_template_filter(weight, "weight")
    app.add_template_filter(hours_as_days, "hours_as_days")
    app.add_template_filter(celsius, "celsius")
    app.add_template_filter(place_label, "place_label")
    app.add_template_filter(label, "label")
    app.add_template_filter(number, "number")
    app.add_template_filter(product_label, "product_label")
    app.add_template_global(nav_links, "nav_links")
    app.add_template_global(back_url, "back_url")
    app.add_template_global(kept_back, "kept_back")
    app.add_template_global(unread_notices, "unread_notices")
    app.add_template_global(STATUS_CLASSES, "STATUS_CLASSES")
    app.add_template_global(SHIPMENT_STATUS_CLASSES, "SHIPMENT_STATUS_CLASSES")
