"""What a trace label shows (`Label`, checked as it is made) and where labels sit on a page
(`LabelLayout`: A4 sheets of 24 or 40, thermal rolls of 60 x 40 and 50 x 30 mm)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

MM = 72 / 25.4
THERMAL_DOT = 25.4 / 203 * MM  # one dot of a 203 dpi thermal printer, in points


@dataclass(frozen=True, slots=True, kw_only=True)
class Label:
    """What one printed label shows. `uri` is what its QR code encodes."""

    uri: str
    product_zh: str
    product_en: str | None = None
    producer: str
    lot: str
    harvest_date: date
    net_weight_kg: Decimal | str
    serial: str | None = None

    def __post_init__(self) -> None:
        if not self.uri:
            raise ValueError("a label needs the URI its QR code encodes")
        for name in ("product_zh", "product_en", "producer", "lot", "serial"):
            value = getattr(self, name)
            if value is not None:  # one line each: newlines and tabs would print as boxes
                object.__setattr__(self, name, " ".join(str(value).split()))
        for name in ("product_zh", "producer", "lot"):
            if not getattr(self, name):
                raise ValueError(f"a label needs {name.replace('_', ' ')}")
        if not isinstance(self.harvest_date, date):
            raise ValueError(f"harvest date {self.harvest_date!r} is not a date")
        try:
            weight = Decimal(self.net_weight_kg)
        except (InvalidOperation, TypeError, ValueError):
            raise ValueError(f"net weight {self.net_weight_kg!r} is not a number") from None
        if not weight.is_finite() or weight < 0:
            raise ValueError(f"net weight {self.net_weight_kg!r} must be zero or more kg")
        object.__setattr__(self, "net_weight_kg", weight)


@dataclass(frozen=True, slots=True)
class LabelLayout:
    """Where labels sit on a page and how a label is laid out. Lengths in points."""

    name: str
    page_width: float
    page_height: float
    label_width: float
    label_height: float
    columns: int
    rows: int
    left: float  # page edge to the first column
    top: float  # page edge to the first row
    padding: float  # label edge to text, and to the QR box at its left
    qr_box: float  # side of the square holding the symbol and its quiet zone
    title_size: float
    english_size: float
    body_size: float
    min_size: float
    snap_to_dots: bool  # thermal rolls: whole printer dots per module

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def text_left(self) -> float:
        return self.padding + self.qr_box + 0.6 * MM

    @property
    def text_width(self) -> float:
        return self.label_width - self.text_left - self.padding


def _layout(name: str, page: tuple[float, float], label: tuple[float, float], grid: tuple[int, int],
            origin: tuple[float, float], padding: float, qr_box: float,
            sizes: tuple[float, float, float, float], snap: bool) -> LabelLayout:
    return LabelLayout(name, page[0] * MM, page[1] * MM, label[0] * MM, label[1] * MM,
                       grid[0], grid[1], origin[0] * MM, origin[1] * MM, padding * MM,
                       qr_box * MM, *sizes, snap)


LAYOUTS: dict[str, LabelLayout] = {
    layout.name: layout
    for layout in (
        # 3 x 8 labels of 70 x 37 mm fill A4 edge to edge (0.5 mm left top and bottom).
        # The QR sits 2.5 mm in so its modules stay clear of a laser printer's ~4.2 mm
        # unprintable margin on the left column and the top and bottom rows.
        _layout("a4-24", (210, 297), (70, 37), (3, 8), (0, 0.5), 2.5, 32.0,
                (13.0, 7.5, 8.0, 6.5), False),
        # 4 x 10 labels of 48.5 x 25.4 mm: 8 mm side and 21.5 mm top margins.
        _layout("a4-40", (210, 297), (48.5, 25.4), (4, 10), (8, 21.5), 1.2, 23.0,
                (9.0, 5.5, 6.0, 5.0), False),
        # Rolls: the QR box leaves the text column room for a 19-character lot.
        _layout("roll-60x40", (60, 40), (60, 40), (1, 1), (0, 0), 2.0, 27.0,
                (12.0, 7.0, 8.0, 6.0), True),
        _layout("roll-50x30", (50, 30), (50, 30), (1, 1), (0, 0), 1.5, 23.0,
                (9.5, 5.5, 6.5, 5.0), True),
    )
}
