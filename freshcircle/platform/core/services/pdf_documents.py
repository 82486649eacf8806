"""The parts every PDF document of the platform is laid out with (invoices, packing lists,
drivers' run sheets): paragraph styles, ruled tables and label-value facts in the project's
packaged CJK font (`freshcircle.traceability.pdffont`, embedded as a subset, never a system
font, so Chinese prints on any machine), and A4 pages numbered at the foot."""

from __future__ import annotations

import io
from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from freshcircle.traceability.pdffont import reportlab_font


def pdf_styles() -> dict[str, ParagraphStyle]:
    font = reportlab_font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=4),
        "body": ParagraphStyle("body", fontName=font, fontSize=9, leading=13, wordWrap="CJK"),
        "small": ParagraphStyle("small", fontName=font, fontSize=8, leading=11,
                                wordWrap="CJK", textColor=colors.HexColor("#444444")),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=11,
                               wordWrap="CJK"),
        "num": ParagraphStyle("num", fontName=font, fontSize=8.5, leading=11, alignment=2,
                              wordWrap="CJK"),
    }


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def grid(head: Sequence[str] | None, rows: Sequence[Sequence], widths: Sequence[float],
         numeric: set[int], styles, bold_last: bool = False) -> Table:
    """A ruled table; `numeric` columns align right; long cells wrap (CJK line breaking),
    and a tuple is one line per item."""
    def cell(index: int, value):
        parts = value if isinstance(value, tuple) else (value,)
        return Paragraph("<br/>".join(escape(p) for p in parts),
                         styles["num" if index in numeric else "cell"])

    data = [[cell(i, h) for i, h in enumerate(head)]] if head else []
    data += [[cell(i, v) for i, v in enumerate(row)] for row in rows]
    table = Table(data, colWidths=list(widths), repeatRows=1 if head else 0)
    style = [("FONTNAME", (0, 0), (-1, -1), reportlab_font()),  # else Helvetica is referenced
             ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
             ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if head:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8f2ea")))
    if bold_last:
        style.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f2f2f2")))
    table.setStyle(TableStyle(style))
    return table


def facts_table(pairs: Sequence[tuple[str, str]], styles) -> Table:
    data = [[Paragraph(escape(k), styles["small"]), Paragraph(escape(v), styles["body"])]
            for k, v in pairs]
    table = Table(data, colWidths=[32 * mm, 146 * mm])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), reportlab_font()),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return table


def render_pdf(title: str, author: str, story: list) -> bytes:
    """Lay out `story` on A4 pages (page numbers at the foot) and return the PDF."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm,
                            topMargin=14 * mm, bottomMargin=16 * mm, title=title,
                            author=author, invariant=1, initialFontName=reportlab_font())

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(reportlab_font(), 7.5)
        canvas.drawRightString(A4[0] - 16 * mm, 9 * mm, f"{title} · {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
