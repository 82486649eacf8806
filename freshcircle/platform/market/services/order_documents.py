"""An order's invoice (结算单) and packing list (装箱单) as PDFs, and the packing list as data.

The invoice lists every line with its ordered and delivered weight (catch-weight), the price
per 斤 and per kg and the amount, then goods, freight and the total: the same sums as
`orders.totals`, so the PDF, the pages and the API never disagree. The packing list groups
the lines of one or more orders by batch (lot code, product, weight, which order), which is
also what the cut-off notice carries (`packing_groups`).

Both are drawn with reportlab's platypus tables in the project's packaged CJK font
(`freshcircle.traceability.pdffont`, embedded as a subset), never a system font, so Chinese
prints on any machine. Labels come from the message catalogs in the caller's language; money
is formatted by Babel (¥1,234.50 in Chinese, CN¥1,234.50 in English).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from babel.numbers import format_decimal
from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from freshcircle.platform.core.services.clock import CHINA
from freshcircle.platform.core.services.identifiers import format_mobile
from freshcircle.platform.core.services.money import amount_fen, fen_per_kg, format_money
from freshcircle.platform.core.services.pdf_documents import (
    escape,
    facts_table,
    grid,
    pdf_styles,
    render_pdf,
)
from freshcircle.platform.core.services.quantities import grams_to_jin, grams_to_kg
from freshcircle.platform.market.services.orders import (
    line_grams,
    order_status_label,
    ordered_totals,
    totals,
)
from freshcircle.platform.models import BuyerProfile, Order, OrderStatus


def _babel_locale(locale: str) -> str:
    return "zh_CN" if locale == "zh" else locale


def weight_parts(grams: int, locale: str) -> tuple[str, str]:
    """('120 斤', '（60 kg）') / ('120 jin', '(60 kg)'): the two units, for a narrow cell."""
    jin = format_decimal(grams_to_jin(grams), locale=_babel_locale(locale))
    kg = format_decimal(grams_to_kg(grams), locale=_babel_locale(locale))
    return (f"{jin} jin", f"({kg} kg)") if locale == "en" else (f"{jin} 斤", f"（{kg} kg）")


def weight_text(grams: int, locale: str) -> str:
    """'120 斤（60 kg）' / '120 jin (60 kg)'."""
    jin, kg = weight_parts(grams, locale)
    return f"{jin} {kg}" if locale == "en" else f"{jin}{kg}"


def product_text(product, variety: str | None, locale: str) -> str:
    name = product.name_en if locale == "en" else product.name_zh
    return f"{name} · {variety}" if variety else name


def date_text(day: dt.date | None, locale: str) -> str:
    if day is None:
        return ""
    if locale == "en":
        return day.isoformat()
    return f"{day.year}年{day.month}月{day.day}日"


def buyer_company(order: Order, session) -> str:
    profile = session.get(BuyerProfile, order.buyer_id)
    return profile.company if profile is not None else order.buyer.name


@dataclass
class PackingOrder:
    order: int
    grams: int
    buyer: str
    site_zh: str
    site_en: str


@dataclass
class PackingGroup:
    """One batch on a packing list: what to pick from it and for which orders."""

    batch_id: int
    lot: str
    product_zh: str
    product_en: str
    variety: str | None
    grams: int = 0
    orders: list[PackingOrder] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"batch_id": self.batch_id, "lot": self.lot, "product_zh": self.product_zh,
                "product_en": self.product_en, "variety": self.variety, "grams": self.grams,
                "orders": [vars(o) for o in self.orders]}


def packing_groups(session, orders: Iterable[Order]) -> list[PackingGroup]:
    """The lines of `orders` per batch (by lot code), ordered weights, cancelled orders left out."""
    groups: dict[int, PackingGroup] = {}
    for order in orders:
        if order.status in (OrderStatus.CANCELLED, OrderStatus.DECLINED):
            continue
        company = buyer_company(order, session)
        for line in order.lines:
            batch = line.batch
            group = groups.get(batch.id)
            if group is None:
                group = groups[batch.id] = PackingGroup(
                    batch.id, batch.lot_code, batch.product.name_zh, batch.product.name_en,
                    batch.variety)
            group.grams += line.quantity_g
            group.orders.append(PackingOrder(order.id, line.quantity_g, company,
                                             order.site.name_zh, order.site.name_en))
    return sorted(groups.values(), key=lambda g: g.lot)


def _order_facts(session, order: Order, locale: str) -> list[tuple[str, str]]:
    site = order.site
    phone = order.producer.contact_phone
    seller = order.producer.name + (f" · {format_mobile(phone)}" if phone else "")
    hours = ""
    if site.receiving_from and site.receiving_to:
        hours = f" ({site.receiving_from:%H:%M}-{site.receiving_to:%H:%M})"
    return [
        (_("Order"), f"#{order.id} · {order_status_label(order.status)}"),
        (_("Seller"), f"{seller} · {order.producer.county_name}"),
        (_("Buyer"), f"{buyer_company(order, session)} · {order.buyer.name}"),
        (_("Delivery site"), (site.name_en if locale == "en" else site.name_zh) + hours),
        (_("Dispatch day"), date_text(order.dispatch_date, locale)),
    ]


def invoice_pdf(session, order: Order, locale: str) -> bytes:
    """The order's invoice: each line ordered and delivered, prices per 斤 and per kg, sums."""
    styles = pdf_styles()
    title = _("Invoice for order #%(id)d", id=order.id)
    money = lambda fen: format_money(fen, locale)  # noqa: E731
    delivered = order.delivered_at is not None or any(
        line.delivered_g is not None for line in order.lines)
    facts = _order_facts(session, order, locale)
    if order.delivered_at:
        facts.append((_("Delivered on"),
                      date_text(order.delivered_at.astimezone(CHINA).date(), locale)))
    head = [_("Lot"), _("Product"), _("Ordered"), _("Delivered"), _("Price per jin"),
            _("Price per kg"), _("Amount")]
    rows = [[line.batch.lot_code, product_text(line.batch.product, line.batch.variety, locale),
             weight_parts(line.quantity_g, locale),
             weight_parts(line.delivered_g, locale) if line.delivered_g is not None else "-",
             money(line.price_fen_per_jin), money(fen_per_kg(line.price_fen_per_jin)),
             money(amount_fen(line_grams(line), line.price_fen_per_jin))]
            for line in order.lines]
    final, ordered = totals(order), ordered_totals(order)
    sums = [[_("Goods"), money(final.goods_fen)], [_("Freight"), money(final.freight_fen)],
            [_("Total"), money(final.total_fen)]]
    if delivered and ordered.total_fen != final.total_fen:
        sums.insert(0, [_("Ordered total (before weighing)"), money(ordered.total_fen)])
    basis = (_("Amounts are for the weight delivered (catch-weight).") if delivered
             else _("Amounts are for the weight ordered; the weight delivered may change them."))
    story = [Paragraph(escape(title), styles["title"]), facts_table(facts, styles), Spacer(1, 6),
             grid(head, rows, [24 * mm, 36 * mm, 26 * mm, 26 * mm, 20 * mm, 20 * mm, 26 * mm],
                   {2, 3, 4, 5, 6}, styles),
             Spacer(1, 6),
             grid(None, sums, [130 * mm, 48 * mm], {1}, styles, bold_last=True),
             Spacer(1, 6), Paragraph(escape(basis), styles["small"]),
             Paragraph(escape(_("This statement is not a VAT invoice (发票).")),
                       styles["small"])]
    return render_pdf(title, order.producer.name, story)


def packing_list_pdf(session, orders: Sequence[Order], locale: str,
                     title: str | None = None) -> bytes:
    """The packing list of one or more orders of one producer, grouped by batch."""
    styles = pdf_styles()
    first = orders[0]
    if title is None:
        title = _("Packing list for order #%(id)d", id=first.id)
    facts = (_order_facts(session, first, locale) if len(orders) == 1 else [
        (_("Seller"), first.producer.name),
        (_("Dispatch day"), date_text(first.dispatch_date, locale)),
        (_("Orders on this list"), ", ".join(f"#{o.id}" for o in orders))])
    head = [_("Lot"), _("Product"), _("Weight"), _("Order"), _("Buyer and site"), _("Checked")]
    rows = []
    for group in packing_groups(session, orders):
        product = group.product_en if locale == "en" else group.product_zh
        if group.variety:
            product = f"{product} · {group.variety}"
        for index, part in enumerate(group.orders):
            site = part.site_en if locale == "en" else part.site_zh
            rows.append([group.lot if index == 0 else "", product if index == 0 else "",
                         weight_text(part.grams, locale), f"#{part.order}",
                         f"{part.buyer} · {site}", ""])
        if len(group.orders) > 1:
            rows.append(["", _("Total of lot %(lot)s", lot=group.lot),
                         weight_text(group.grams, locale), "", "", ""])
    story = [Paragraph(escape(title), styles["title"]), facts_table(facts, styles), Spacer(1, 6),
             grid(head, rows, [26 * mm, 36 * mm, 32 * mm, 16 * mm, 52 * mm, 16 * mm],
                   {2}, styles)]
    return render_pdf(title, first.producer.name, story)
