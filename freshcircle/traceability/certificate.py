"""承诺达标合格证: the certificate of commitment a producer issues with each batch.

Fields as the Agricultural Product Quality Safety Law (2022, art. 39) and the 2025 Measures
require: product name, quantity (weight), place of origin, issue date, the committing
producer and a contact, the commitment (the three statements, ticked) and its basis (one or
more of three, ticked). Its QR code is the batch's trace QR, captioned with the words
"承诺达标合格证" as the Measures ask of a certificate in QR form.

One A6 page (105 × 148 mm): thermal printers take 100 × 150 mm labels, and an office
printer prints it on A4 at actual size. Drawn with reportlab in the packaged CJK font,
embedded as a subset, so it prints Chinese on any machine.
"""

from __future__ import annotations

import enum
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from reportlab.lib.pagesizes import A6
from reportlab.pdfgen.canvas import Canvas

from . import qr
from .labels import format_weight
from .pdffont import load_font, reportlab_font

MM = 72 / 25.4
TITLE = "承诺达标合格证"
PLEDGE = "我承诺对产品质量安全以及合格证真实性负责："
COMMITMENTS = (
    "不使用禁用农药兽药、停用兽药和非法添加物",
    "常规农药兽药残留不超标",
    "遵守农药安全间隔期、兽药休药期规定",
)


class Basis(enum.Enum):
    """What the commitment rests on (承诺依据)."""

    QUALITY_CONTROL = "质量安全控制符合要求"
    SELF_TESTED = "自行检测合格"
    ENTRUSTED_TESTING = "委托检测合格"


@dataclass(frozen=True, slots=True, kw_only=True)
class CertificateData:
    """One batch's certificate. `trace_uri` is what the QR code encodes."""

    product_name: str
    quantity_kg: Decimal | str
    origin: str
    issue_date: date
    producer: str
    phone: str
    trace_uri: str
    basis: Basis | tuple[Basis, ...]
    number: str | None = None  # the issuer's certificate number, printed when given

    def __post_init__(self) -> None:
        for name in ("product_name", "origin", "producer", "phone", "trace_uri"):
            if not getattr(self, name).strip():
                raise ValueError(f"a certificate needs {name.replace('_', ' ')}")
        try:
            quantity = Decimal(self.quantity_kg)
        except (InvalidOperation, TypeError, ValueError):
            raise ValueError(f"quantity {self.quantity_kg!r} is not a number") from None
        if not quantity.is_finite() or quantity <= 0:
            raise ValueError(f"quantity {self.quantity_kg!r} must be more than 0 kg")
        object.__setattr__(self, "quantity_kg", quantity)
        basis = (self.basis,) if isinstance(self.basis, Basis) else tuple(self.basis)
        if not basis or not all(isinstance(b, Basis) for b in basis):
            raise ValueError("a certificate needs at least one Basis for its commitment")
        object.__setattr__(self, "basis", basis)


def render_certificate(data: CertificateData, out: BinaryIO | None = None) -> bytes:
    """The certificate as a one-page PDF; also written to `out` when given."""
    buffer = io.BytesIO()
    canvas = Canvas(  # types-reportlab types initialFontName as a number; it is a font name
        buffer, pagesize=A6, pageCompression=1, invariant=1,
        initialFontName=reportlab_font(),  # type: ignore[arg-type]
    )
    canvas.setTitle(f"{TITLE} {data.product_name}")
    canvas.setAuthor(data.producer)
    _draw(canvas, data)
    canvas.showPage()
    canvas.save()
    pdf = buffer.getvalue()
    if out is not None:
        out.write(pdf)
    return pdf


def _draw(canvas: Canvas, data: CertificateData) -> None:
    font = reportlab_font()
    width, height = A6
    margin = 6 * MM
    inner = width - 2 * margin
    canvas.setFillGray(0)
    canvas.setStrokeGray(0)

    # Title, a little bolder: fill and stroke the glyphs.
    y = height - margin - 16
    canvas.saveState()  # the render mode is graphics state: keep it to the title
    title = canvas.beginText()
    title.setFont(font, 17)
    title.setTextRenderMode(2)
    canvas.setLineWidth(0.45)
    title.setTextOrigin((width - _width(TITLE, 17)) / 2, y)
    title.textOut(TITLE)
    canvas.drawText(title)
    canvas.restoreState()
    if data.number:
        y -= 11
        _text(canvas, f"编号：{data.number}", width - margin, y, 7.5, inner, align="right")

    # Facts, in a ruled table.
    rows = (
        ("产品名称", data.product_name),
        ("数量（重量）", f"{format_weight(Decimal(data.quantity_kg))} 千克"),
        ("产地", data.origin),
        ("生产者", data.producer),
        ("联系方式", data.phone),
        ("开具日期", f"{data.issue_date.year}年{data.issue_date.month}月{data.issue_date.day}日"),
    )
    row_height, label_width = 6.6 * MM, 22 * MM
    top = y - 6
    canvas.setLineWidth(0.6)
    canvas.rect(margin, top - row_height * len(rows), inner, row_height * len(rows))
    canvas.line(margin + label_width, top, margin + label_width, top - row_height * len(rows))
    for index, (label, value) in enumerate(rows):
        base = top - (index + 1) * row_height
        if index:
            canvas.line(margin, base + row_height, margin + inner, base + row_height)
        _text(canvas, label, margin + 2, base + 6, 8.5, label_width - 4)
        _text(canvas, value, margin + label_width + 2.5, base + 6, 9, inner - label_width - 5)
    y = top - row_height * len(rows) - 13

    # The commitment and its basis, with ticked boxes.
    _text(canvas, PLEDGE, margin, y, 9, inner)
    for line in COMMITMENTS:
        y -= 14
        _checkbox(canvas, margin + 3, y, checked=True)
        _text(canvas, line, margin + 17, y, 9, inner - 17)
    y -= 18
    _text(canvas, "承诺依据：", margin, y, 9, inner)
    chosen = data.basis if isinstance(data.basis, tuple) else (data.basis,)
    for basis in Basis:
        y -= 14
        _checkbox(canvas, margin + 3, y, checked=basis in chosen)
        _text(canvas, basis.value, margin + 17, y, 9, inner - 17)

    # The trace QR with its caption at the bottom right, the signature at the bottom left.
    box = 33 * MM
    matrix = qr.encode(data.trace_uri)
    module = qr.module_size(box, matrix)
    side = module * matrix.size
    caption_y = margin + 2
    qr_x = width - margin - box + (box - side) / 2
    qr_y = caption_y + 18 + (box - side) / 2  # the quiet zone ends above the caption
    qr.draw_qr(canvas, matrix, qr_x, qr_y, module)
    centre = width - margin - box / 2
    _text(canvas, TITLE, centre, caption_y + 10, 8.5, box, align="centre")
    _text(canvas, "扫码查看产品追溯信息", centre, caption_y, 6.5, box, align="centre")

    sign_width = inner - box - 4 * MM
    _text(canvas, "生产者签名（盖章）：", margin, margin + 30, 8.5, sign_width)
    canvas.setLineWidth(0.6)
    canvas.line(margin, margin + 12, margin + sign_width, margin + 12)


def _checkbox(canvas: Canvas, x: float, y: float, *, checked: bool) -> None:
    """A 3 mm box on the text baseline at y; a drawn tick (no font needs to have ☑)."""
    side = 3 * MM
    canvas.setLineWidth(0.6)
    canvas.rect(x, y - 0.8, side, side)
    if checked:
        canvas.setLineWidth(1.1)
        tick = canvas.beginPath()
        tick.moveTo(x + 0.18 * side, y - 0.8 + 0.5 * side)
        tick.lineTo(x + 0.42 * side, y - 0.8 + 0.2 * side)
        tick.lineTo(x + 0.85 * side, y - 0.8 + 0.85 * side)
        canvas.drawPath(tick, stroke=1, fill=0)


def _width(text: str, size: float) -> float:
    return load_font().string_width(text, size)


def _text(
    canvas: Canvas, text: str, x: float, y: float, size: float, max_width: float,
    *, align: str = "left",
) -> None:
    """One line, shrunk (to 70 %) or cut with an ellipsis to stay within max_width."""
    fitted, fitted_size = load_font().fit(text, max_width, size, size * 0.7)
    canvas.setFont(reportlab_font(), fitted_size)
    if align == "right":
        canvas.drawRightString(x, y, fitted)
    elif align == "centre":
        canvas.drawCentredString(x, y, fitted)
    else:
        canvas.drawString(x, y, fitted)

