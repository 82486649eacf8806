"""A plan on paper and in a spreadsheet: each driver's run sheet (PDF) and the plan as CSV.

A run sheet is one truck's day, on pages of its own: the truck, driver, compartments with the
range each keeps and what it holds, then every stop in order with its arrival, unloading and
receiving hours, the receiving contact, and what to unload from which compartment (lot,
product, weight, shelf life left on arrival), with a box to tick. The CSV has one row per lot
unloaded at a stop, the same facts, for the office's own tools. Both come from the plan's
stored result, so they say exactly what the plan page says.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer

from freshcircle.platform.core.services.csv_files import CsvWriter
from freshcircle.platform.core.services.durations import hours_as_days
from freshcircle.platform.core.services.identifiers import format_mobile
from freshcircle.platform.core.services.pdf_documents import (
    escape,
    facts_table,
    grid,
    pdf_styles,
    render_pdf,
)
from freshcircle.platform.market.services.order_documents import date_text, weight_text


def _time(moment: str) -> str:
    return dt.datetime.fromisoformat(moment).strftime("%H:%M")


def _day_time(moment: str, locale: str) -> str:
    at = dt.datetime.fromisoformat(moment)
    return f"{date_text(at.date(), locale)} {at:%H:%M}"


def _site(stop: dict, locale: str) -> str:
    return stop["site_en"] if locale == "en" else stop["site_zh"]


def _contact(stop: dict) -> str:
    phone = stop.get("buyer_phone")
    return stop["buyer"] + (f" · {format_mobile(phone)}" if phone else "")


def _compartment_names(kinds: dict[str, str], kind: str | None) -> str:
    return kinds.get(kind or "", kind or "-")


def _life(hours) -> str:
    return "-" if hours is None else hours_as_days(hours)


def run_sheets_pdf(plan, routes: Sequence[dict], locale: str,
                   kinds: dict[str, str]) -> bytes:
    """The run sheets of `routes` (one truck's, or every truck's), each from a new page.
    `kinds`: compartment kind -> its name in the reader's language."""
    styles = pdf_styles()
    depot = plan.depot.name_en if locale == "en" else plan.depot.name_zh
    title = _("Run sheets of dispatch plan #%(id)s", id=plan.id)
    story: list = []
    for route in routes:
        if story:
            story.append(PageBreak())
        heading = _("Run sheet: truck %(no)s %(plate)s", no=route["no"], plate=route["plate"])
        facts = [
            (_("Dispatch day"), date_text(plan.dispatch_date, locale)),
            (_("Cold store"), depot),
            (_("Truck"), f"{route['plate']} · {route['vehicle']}"),
            (_("Driver"), route.get("driver") or "-"),
            (_("Leaves"), _day_time(route["departure"], locale)),
            (_("Back at the cold store"), _day_time(route["return"], locale)),
            (_("Distance"), _("%(km)s km including the drive back", km=route["distance_km"])),
        ]
        loads = [[_compartment_names(kinds, c["kind"]),
                  f"{c.get('min_c', '')} – {c.get('max_c', '')} °C" if "min_c" in c else "",
                  f"{c['kg']} / {c['capacity_kg']} kg",
                  ", ".join(f"{p['en'] if locale == 'en' else p['zh']} {p['kg']} kg"
                            for p in c.get("products", []))]
                 for c in route["compartments"]]
        story += [Paragraph(escape(heading), styles["title"]), facts_table(facts, styles),
                  Spacer(1, 4),
                  grid([_("Compartment"), _("Keeps"), _("Load"), _("Products")], loads,
                       [36 * mm, 30 * mm, 30 * mm, 82 * mm], set(), styles),
                  Spacer(1, 6)]
        for n, stop in enumerate(route["stops"], start=1):
            window = f"{_time(stop['window'][0])}–{_time(stop['window'][1])}"
            when = _("Arrives %(a)s, unloads from %(u)s; receiving %(w)s",
                     a=_time(stop["arrival"]), u=_time(stop["start"]), w=window)
            if stop.get("rests"):
                when += " · " + _("Legal rests on the way: %(n)s × 20 min", n=stop["rests"])
            rows = [[item["lot"], item["product_en"] if locale == "en" else item["product_zh"],
                     weight_text(item["grams"], locale),
                     _compartment_names(kinds, item.get("kind")),
                     _life(item.get("life_on_arrival_h")), ""]
                    for item in stop["items"]]
            story += [
                Paragraph(escape(f"{n}. {_site(stop, locale)} · #{stop['order_id']}"),
                          styles["body"]),
                Paragraph(escape(when), styles["small"]),
                Paragraph(escape(_("Receiving contact: %(c)s", c=_contact(stop))),
                          styles["small"]),
                grid([_("Lot"), _("Product"), _("Weight"), _("Compartment"),
                      _("Shelf life on arrival"), _("Unloaded")], rows,
                     [36 * mm, 30 * mm, 36 * mm, 28 * mm, 30 * mm, 18 * mm], {2}, styles),
                Spacer(1, 6)]
    return render_pdf(title, depot, story)


CSV_HEAD = ("truck", "plate", "driver", "stop", "order", "site", "buyer", "contact_phone",
            "arrival", "unload_start", "receiving_from", "receiving_to", "lot", "product",
            "kg", "compartment", "shelf_life_on_arrival_h")


def plan_csv(result: dict, locale: str) -> bytes:
    """One row per lot unloaded at a stop, in route and stop order (UTF-8 with a BOM)."""
    stream = io.StringIO(newline="")
    writer = CsvWriter(stream)
    writer.writerow(CSV_HEAD)
    for route in result.get("routes") or []:
        for n, stop in enumerate(route["stops"], start=1):
            for item in stop["items"]:
                writer.writerow((
                    route["no"], route["plate"], route.get("driver") or "", n,
                    stop["order_id"], _site(stop, locale), stop["buyer"],
                    stop.get("buyer_phone") or "", stop["arrival"], stop["start"],
                    stop["window"][0], stop["window"][1], item["lot"],
                    item["product_en"] if locale == "en" else item["product_zh"],
                    item["grams"] / 1000, item.get("kind") or "",
                    item.get("life_on_arrival_h")))
    return stream.getvalue().encode("utf-8")

