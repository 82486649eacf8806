"""Label sheets: pages, embedded font, every QR readable, text inside its label."""

from __future__ import annotations

import io
import math
from datetime import date
from decimal import Decimal

import pytest

from freshcircle.traceability import labels as labels_module
from freshcircle.traceability.label_layouts import LAYOUTS, Label
from freshcircle.traceability.labels import LINE_GAP, render_label_sheet
from tests.traceability.pdf_helpers import (
    crop_points,
    decode_qr,
    fonts,
    page_count,
    rasterise,
    require_poppler,
    text,
    words,
)

MM = 72 / 25.4
LONG_PRODUCER = "阜阳市颍州区绿源果蔬种植专业合作社联合社第一分社生产基地（王家庄村）"


def _uri(i: int, extra: str = "") -> str:
    return (
        f"https://trace.example.cn/01/09520123456788/10/FY341222-261126-001/21/A{i:05d}"
        f"?7007=261126&s=K1.Qx7ZbT0aLm9pVw{extra}"
    )


def _label(i: int, **changes) -> Label:
    fields = dict(
        uri=_uri(i, "x" * (i % 7) * 9),  # several lengths, so several QR versions per sheet
        product_zh="有机西红柿",
        product_en="Organic tomato",
        producer="太和县绿源果蔬种植专业合作社",
        lot="FY341222-261126-001",
        harvest_date=date(2026, 11, 26),
        net_weight_kg=Decimal("5.000"),
        serial=f"A{i:05d}",
    )
    fields.update(changes)
    return Label(**fields)


def _render(labels, layout: str, **options) -> bytes:
    out = io.BytesIO()
    render_label_sheet(labels, layout, out, **options)
    return out.getvalue()


def _slots(layout: str, count: int):
    """(page index, x, y from the top) of each label, in points."""
    spec = LAYOUTS[layout]
    for i in range(count):
        slot = i % spec.per_page
        x = spec.left + (slot % spec.columns) * spec.label_width
        y = spec.top + (slot // spec.columns) * spec.label_height
        yield i // spec.per_page, x, y


@pytest.mark.parametrize(("layout", "per_page"),
                         [("a4-24", 24), ("a4-40", 40), ("roll-60x40", 1), ("roll-50x30", 1)])
def test_labels_per_page(layout, per_page):
    require_poppler()
    assert LAYOUTS[layout].per_page == per_page
    for count in (1, per_page, 2 * per_page + 1):
        pdf = _render((_label(i) for i in range(count)), layout)
        assert page_count(pdf) == math.ceil(count / per_page)


def test_page_and_label_sizes():
    a4 = (210 * MM, 297 * MM)
    for name, spec in LAYOUTS.items():
        if name.startswith("a4"):
            assert (spec.page_width, spec.page_height) == pytest.approx(a4)
            assert spec.left + spec.columns * spec.label_width <= a4[0] + 1e-6
            assert spec.top + spec.rows * spec.label_height <= a4[1] + 1e-6
        else:
            assert (spec.page_width, spec.page_height) == (spec.label_width, spec.label_height)
    assert (LAYOUTS["a4-24"].label_width, LAYOUTS["a4-24"].label_height) == pytest.approx(
        (70 * MM, 37 * MM))
    assert (LAYOUTS["a4-40"].label_width, LAYOUTS["a4-40"].label_height) == pytest.approx(
        (48.5 * MM, 25.4 * MM))
    assert LAYOUTS["roll-60x40"].label_height == pytest.approx(40 * MM)
    assert LAYOUTS["roll-50x30"].label_width == pytest.approx(50 * MM)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_line_box_fits_the_label(layout):
    """Title, English name, two producer lines, three facts and the serial stack inside."""
    spec = LAYOUTS[layout]
    height = LINE_GAP * (spec.title_size + 2 * spec.english_size + 5 * spec.body_size)
    assert height <= spec.label_height - 2 * spec.padding
    assert spec.text_width >= 18 * MM


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_cjk_font_is_embedded_and_text_extracts(layout):
    require_poppler()
    pdf = _render([_label(0)], layout)
    (font,) = fonts(pdf)  # the only font: nothing relies on the reader's fonts
    assert "WenQuanYiMicroHei" in font.name
    assert font.embedded and font.subset and font.unicode
    extracted = text(pdf)
    for expected in ("有机西红柿", "生产者", "太和县绿源果蔬种植", "批号 FY341222-261126-001",
                     "采收 2026-11-26", "净重 5 kg（10 斤）", "编号 A00000"):
        assert expected in extracted.replace("\n", ""), expected


@pytest.mark.parametrize(("layout", "count"),
                         [("a4-24", 30), ("a4-40", 48), ("roll-60x40", 3), ("roll-50x30", 3)])
def test_every_qr_code_decodes_to_its_uri(layout, count):
    """Rasterised at 300 dpi, each label's QR code reads (zxing-cpp) as that label's URI."""
    require_poppler()
    labels = [_label(i) for i in range(count)]
    pdf = _render(labels, layout)
    pages = rasterise(pdf, dpi=300)
    spec = LAYOUTS[layout]
    decoded = []
    for page, x, y in _slots(layout, count):
        cell = crop_points(pages[page], 300, x, y, spec.label_width, spec.label_height)
        decoded.append(decode_qr(cell))
    assert decoded == [[label.uri] for label in labels]


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_long_text_is_cut_with_an_ellipsis_and_stays_inside_its_label(layout):
    require_poppler()
    spec = LAYOUTS[layout]
    labels = [
        _label(i, product_zh="阜阳太和县特级有机精品西红柿礼盒装（大果）",
               product_en="Premium organic vine-ripened beefsteak tomatoes, gift box",
               producer=LONG_PRODUCER, lot="FY341222-261126-001-XL", net_weight_kg="12345.678",
               serial="SERIAL-0123456789ABCDEF")
        for i in range(min(spec.per_page, 6))
    ]
    pdf = _render(labels, layout)
    extracted = text(pdf)
    assert "…" in extracted
    assert LONG_PRODUCER not in extracted.replace("\n", "")
    slots = list(_slots(layout, len(labels)))
    found = words(pdf)
    assert found
    for word in found:
        # every word lies in the text column of one label, clear of the QR box
        inside = [
            (x, y) for page, x, y in slots
            if page + 1 == word.page
            and x + spec.text_left - 0.5 <= word.x_min
            and word.x_max <= x + spec.label_width - spec.padding + 0.5
            and y + spec.padding - 0.5 <= word.y_min
            and word.y_max <= y + spec.label_height - spec.padding + 0.5
        ]
        assert inside, word


def test_english_name_only_where_it_fits():
    require_poppler()
    pdf = _render([_label(0, product_en="Tomato"),
                   _label(1, product_en="Organic vine-ripened beefsteak tomato " * 3)], "a4-24")
    extracted = text(pdf)
    assert "Tomato" in extracted
    assert "beefsteak" not in extracted


class _Sink:  # write() only: no seek, no tell, as an HTTP response or a pipe
    def __init__(self) -> None:
        self.written = bytearray()

    def write(self, data: bytes) -> int:
        self.written.extend(data)
        return len(data)

    @property
    def pages(self) -> int:
        return self.written.count(b"/Type /Page /Parent")


def test_labels_are_consumed_lazily_and_pages_written_as_they_fill():
    sink = _Sink()

    def labels():
        for i in range(24 * 3):
            if i == 24 * 2:  # two full pages are out before the third page's first label
                assert sink.pages == 2
            yield _label(i)

    assert render_label_sheet(labels(), "a4-24", sink, workers=1) == 72
    assert sink.pages == 3
    assert sink.written.endswith(b"%%EOF\n")


@pytest.mark.parametrize("workers", [None, 2])
def test_a_pool_reads_a_bounded_number_of_labels_ahead(workers):
    """100,000 labels must not sit in memory: with worker processes the renderer reads at
    most a few chunks per worker ahead of the pages it has written."""
    sink = _Sink()
    bound = max(labels_module.PARALLEL_THRESHOLD + 1,
                4 * labels_module._CHUNKS_PER_WORKER * labels_module._CHUNK)
    most_ahead = 0

    def labels():
        nonlocal most_ahead
        for i in range(1200):
            most_ahead = max(most_ahead, i - sink.pages * 40)
            yield _label(i)

    assert render_label_sheet(labels(), "a4-40", sink, workers=workers) == 1200
    assert sink.pages == 30
    assert 0 < most_ahead <= bound


def test_progress_is_reported_every_n_labels_and_at_the_end():
    seen = []
    count = render_label_sheet((_label(i) for i in range(250)), "a4-40", io.BytesIO(),
                               seen.append, progress_every=100)
    assert count == 250
    assert seen == [100, 200, 250]


def test_unknown_layout_and_empty_input_are_refused_before_writing():
    out = io.BytesIO()
    with pytest.raises(ValueError, match="unknown label layout"):
        render_label_sheet([_label(0)], "a5-8", out)
    with pytest.raises(ValueError, match="no labels"):
        render_label_sheet([], "a4-24", out)
    assert out.getvalue() == b""


@pytest.mark.parametrize("weight", ["abc", "-1", "NaN", None])
def test_label_refuses_a_bad_weight(weight):
    with pytest.raises(ValueError, match="net weight"):
        _label(0, net_weight_kg=weight)


def test_label_refuses_missing_fields_and_flattens_whitespace():
    with pytest.raises(ValueError, match="producer"):
        _label(0, producer="  ")
    with pytest.raises(ValueError, match="harvest date"):
        _label(0, harvest_date="2026-11-26")
    assert _label(0, producer="王家庄\n合作社\t一队").producer == "王家庄 合作社 一队"


def test_weight_prints_without_trailing_zeros_or_exponent():
    require_poppler()
    pdf = _render([_label(0, net_weight_kg="2.500"), _label(1, net_weight_kg=Decimal("500")),
                   _label(2, net_weight_kg="0.750")], "a4-24")
    flat = text(pdf).replace("\n", "")
    assert "净重 2.5 kg" in flat and "净重 500 kg" in flat and "净重 0.75 kg" in flat


def test_characters_outside_the_font_still_extract():
    """A character the font lacks prints as an empty box but the PDF text keeps it."""
    require_poppler()
    pdf = _render([_label(0, producer="𠀋家庄合作社")], "a4-24")
    assert "𠀋家庄合作社" in text(pdf).replace("\n", "")


@pytest.mark.parametrize(("layout", "count"), [("a4-40", 250), ("roll-50x30", 70)])
def test_worker_processes_print_the_same_bytes_and_progress(layout, count):
    """Serial, two workers and the automatic choice: one PDF, byte for byte."""
    outputs, progress = [], []
    for workers in (1, 2, None):
        seen: list[int] = []
        outputs.append(_render((_label(i) for i in range(count)), layout,
                               workers=workers, progress=seen.append, progress_every=30))
        progress.append(seen)
    assert outputs[0] == outputs[1] == outputs[2]
    expected = [*range(30, count + 1, 30)] + ([count] if count % 30 else [])
    assert progress == [expected] * 3


def test_labels_printed_by_worker_processes_decode_in_order():
    require_poppler()
    count = 80
    labels = [_label(i) for i in range(count)]
    pdf = _render(labels, "a4-40", workers=2)
    pages = rasterise(pdf, dpi=300)
    spec = LAYOUTS["a4-40"]
    decoded = [
        decode_qr(crop_points(pages[page], 300, x, y, spec.label_width, spec.label_height))
        for page, x, y in _slots("a4-40", count)
    ]
    assert decoded == [[label.uri] for label in labels]


def test_an_error_in_a_worker_reaches_the_caller_and_the_pool_shuts_down():
    too_long = _label(5, uri=_uri(5, "x" * 900))  # modules under 0.25 mm in any box here
    labels = [_label(i) for i in range(5)] + [too_long] + [_label(i) for i in range(6, 300)]
    with pytest.raises(ValueError, match="shorten the URI"):
        _render(labels, "a4-40", workers=2)


def test_a_broken_pool_falls_back_to_this_process(monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    class BrokenPool:
        shut_down = False

        def submit(self, *args, **kwargs):
            raise BrokenProcessPool("a worker died")

        def shutdown(self, wait=True, cancel_futures=False):
            BrokenPool.shut_down = True

    monkeypatch.setattr(labels_module, "_pool", lambda workers: BrokenPool())
    labels = [_label(i) for i in range(100)]
    assert _render(labels, "a4-40", workers=2) == _render(labels, "a4-40", workers=1)
    assert BrokenPool.shut_down


def test_workers_must_be_at_least_one():
    with pytest.raises(ValueError, match="workers"):
        _render([_label(0)], "a4-24", workers=0)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_net_weight_prints_kg_and_jin(layout):
    """A 5 斤 pack: shoppers read 斤, the scale reads kg; both are printed."""
    require_poppler()
    pdf = _render([_label(0, net_weight_kg=Decimal("2.500"))], layout)
    assert "净重 2.5 kg（5 斤）" in text(pdf).replace("\n", "")
