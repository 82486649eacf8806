"""QR symbols: qrcode's matrix with a fixed mask, read back by an independent decoder,
drawn with the quiet zone and size a printed trace label needs."""

from __future__ import annotations

import io
import random
import string

import pytest

from freshcircle.traceability import qr
from freshcircle.traceability.pdfstream import PDFStreamWriter
from tests.traceability.pdf_helpers import crop_points, decode_qr, rasterise, require_poppler

MM = 72 / 25.4
URI = (
    "https://trace.example.cn/01/09520123456788/10/FY341222-261126-001/21/A1B2C3"
    "?7007=261126&s=K1.Qx7ZbT0aLm9pVw"
)


def _uris(count: int, shortest: int, longest: int, seed: int) -> list[str]:
    """Digital Link URIs padded with a random serial and signature to lengths in a range."""
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + "-_"
    uris = []
    for i in range(count):
        length = shortest + (longest - shortest) * i // max(1, count - 1)
        stem = f"https://trace.example.cn/01/09520123456788/10/FY341222-261126-{i:03d}/21/"
        filler = max(4, length - len(stem) - len("?7007=261126&s="))
        serial = "".join(rng.choices(string.ascii_uppercase + string.digits, k=min(20, filler)))
        signature = "".join(rng.choices(alphabet, k=max(1, filler - len(serial))))
        uris.append(f"{stem}{serial}?7007=261126&s={signature}")
    return uris


def _format_bits(matrix: qr.QRMatrix) -> int:
    """The 15 format-information bits as a reader takes them: row 8, left to right, skipping
    the timing column (bits 14 down to 7), then column 8 upwards from row 7 (bits 6 to 0)."""
    cells = [(8, c) for c in (0, 1, 2, 3, 4, 5, 7, 8)] + [(r, 8) for r in (7, 5, 4, 3, 2, 1, 0)]
    value = 0
    for row, col in cells:
        value = (value << 1) | matrix.is_dark(row, col)
    return value


def _decoded_symbol(matrix: qr.QRMatrix, module_px: int = 4):
    """The matrix as a bitmap with a 4-module quiet zone, read by zxing-cpp."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    side = (matrix.size + 2 * qr.QUIET_ZONE_MODULES) * module_px
    image = Image.new("L", (side, side), 255)
    for row, col, length in qr.dark_runs(matrix):
        x = (col + qr.QUIET_ZONE_MODULES) * module_px
        y = (row + qr.QUIET_ZONE_MODULES) * module_px
        image.paste(0, (x, y, x + length * module_px, y + module_px))
    return zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)


def test_symbols_read_back_as_their_text_at_error_correction_m():
    # Lengths across versions 1 to 40, with bytes outside ASCII (Chinese is UTF-8 encoded).
    texts = ["a", URI, "阜阳 颍上县 FY341226", "x" * 2331, *_uris(12, 20, 1500, seed=7)]
    for text in texts:
        matrix = qr.encode(text)
        (result,) = _decoded_symbol(matrix)
        assert result.text == text, (len(text), matrix.version)
        assert result.ec_level == "M"


@pytest.mark.parametrize("mask", [*range(8), None])
def test_the_symbol_carries_the_mask_it_reports(mask):
    matrix = qr.encode(URI, mask_pattern=mask)
    expected = qr.MASK_PATTERN if mask == qr.MASK_PATTERN else matrix.mask_pattern
    if mask is not None:
        assert matrix.mask_pattern == mask
    format_info = qr.util.BCH_type_info((qr.ERROR_CORRECTION << 3) | expected)
    assert _format_bits(matrix) == format_info
    (result,) = _decoded_symbol(matrix)
    assert result.text == URI


def test_default_is_error_correction_m_with_the_fixed_mask():
    matrix = qr.encode(URI)
    assert matrix.mask_pattern == qr.MASK_PATTERN == 2
    assert qr.ERROR_CORRECTION == qr.constants.ERROR_CORRECT_M
    format_info = qr.util.BCH_type_info((qr.constants.ERROR_CORRECT_M << 3) | 2)
    assert _format_bits(matrix) == format_info


def test_automatic_mask_is_the_qrcode_package_choice():
    code = qr.qrcode.QRCode(error_correction=qr.ERROR_CORRECTION)
    code.add_data(qr.util.QRData(URI.encode(), mode=qr.util.MODE_8BIT_BYTE))
    code.best_fit()
    assert qr.encode(URI, mask_pattern=None).mask_pattern == code.best_mask_pattern()


def test_the_version_chosen_once_per_length_is_the_one_qrcode_fits():
    """encode() caches the version by payload length; qrcode's make(fit=True) searches each
    time. Same symbols, also where UTF-8 makes bytes outnumber characters."""
    for text in ["a", "阜阳" * 5, "阜阳" * 6, URI, "x" * 14, "x" * 15, *_uris(8, 40, 900, 3)]:
        assert qr.encode(text) == qr.encode_with_qrcode(text, mask_pattern=qr.MASK_PATTERN)


def test_smallest_version_that_fits_and_a_clear_error_beyond_version_40():
    assert qr.encode("x" * 14).version == 1
    assert qr.encode("x" * 15).version == 2
    assert qr.encode("x" * 2331).version == 40
    with pytest.raises(ValueError, match="do not fit"):
        qr.encode("x" * 2332)
    with pytest.raises(ValueError, match="do not fit"):
        qr.encode("阜" * 778)  # 2,334 bytes


def test_a_mask_pattern_outside_0_to_7_is_refused():
    with pytest.raises(ValueError):
        qr.encode(URI, mask_pattern=8)


def test_dark_runs_cover_exactly_the_dark_modules():
    matrix = qr.encode(URI)
    covered = set()
    for row, col, length in qr.dark_runs(matrix):
        assert length >= 1
        assert col + length <= matrix.size
        for c in range(col, col + length):
            assert (row, c) not in covered
            covered.add((row, c))
        # merged: a run never continues into the next module
        assert col + length == matrix.size or not matrix.is_dark(row, col + length)
        assert col == 0 or not matrix.is_dark(row, col - 1)
    dark = {
        (r, c) for r in range(matrix.size) for c in range(matrix.size) if matrix.is_dark(r, c)
    }
    assert covered == dark


def test_one_path_of_merged_runs_per_symbol():
    matrix = qr.encode(URI)
    ops = qr.path_operators(matrix, 10, 20, 1.5)
    assert ops.count(" re") == len(list(qr.dark_runs(matrix)))
    assert ops.count("\nf Q") == 1  # one fill
    assert "Do" not in ops and "BI" not in ops  # no images


@pytest.mark.parametrize("box_mm", [14.2 + 4.1, 19.0, 23.0, 33.0])
def test_module_size_keeps_the_quiet_zone_and_the_minimum_size(box_mm):
    for text in _uris(6, 60, 200, seed=1):
        matrix = qr.encode(text)
        module = qr.module_size(box_mm * MM, matrix)
        quiet = (box_mm * MM - module * matrix.size) / 2
        assert quiet >= qr.QUIET_ZONE_MODULES * module - 1e-6
        assert quiet >= 2 * MM - 1e-6
        assert (module * matrix.size / MM) ** 2 >= 199.9  # mm², i.e. 2 cm²


def test_module_size_refuses_a_box_too_small_or_data_too_long():
    with pytest.raises(ValueError, match="2 cm²"):
        qr.module_size(16 * MM, qr.encode(URI))
    with pytest.raises(ValueError, match=r"0\.25 mm"):
        qr.module_size(23 * MM, qr.encode("x" * 800))


def test_fixed_mask_symbols_all_decode_at_300_dpi():
    """Forty URIs of 100 to 360 characters (versions 6 to 14), each in the 23 mm box of the
    smallest label, rendered to PDF, rasterised at 300 dpi and read by zxing-cpp."""
    require_poppler()
    uris = _uris(40, 100, 360, seed=42)
    cell, columns = 28 * MM, 7
    page_height = 297 * MM
    ops = ["0 g"]
    writer_out = io.BytesIO()
    writer = PDFStreamWriter(writer_out)
    boxes = []
    for i, uri in enumerate(uris):
        matrix = qr.encode(uri)
        module = qr.module_size(23 * MM, matrix)
        x = 8 * MM + (i % columns) * cell
        y_top = 8 * MM + (i // columns) * cell
        side = module * matrix.size
        ops.append(qr.path_operators(matrix, x + (cell - side) / 2,
                                     page_height - y_top - (cell + side) / 2, module))
        boxes.append((x, y_top))
    writer.add_page(210 * MM, page_height, "\n".join(ops))
    writer.close()
    versions = {qr.encode(u).version for u in uris}
    assert min(versions) <= 6 and max(versions) >= 13

    (page,) = rasterise(writer_out.getvalue(), dpi=300)
    for uri, (x, y_top) in zip(uris, boxes, strict=True):
        assert decode_qr(crop_points(page, 300, x, y_top, cell, cell)) == [uri]


def test_draw_qr_on_a_reportlab_canvas_decodes():
    require_poppler()
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(60 * MM, 60 * MM))
    matrix = qr.encode(URI)
    module = qr.module_size(40 * MM, matrix)
    qr.draw_qr(canvas, matrix, 10 * MM, 10 * MM, module)
    canvas.showPage()
    canvas.save()
    (page,) = rasterise(buffer.getvalue(), dpi=300)
    assert decode_qr(page) == [URI]
