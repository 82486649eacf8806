"""Read PDFs back the way a user's tools would: poppler to render and extract, zxing-cpp to scan.

Tests that need poppler skip with a reason where it is missing (Debian: poppler-utils,
`make system-deps` installs it); zxing-cpp comes with the project's `test` extra.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import pytest

POPPLER = ("pdftoppm", "pdffonts", "pdftotext", "pdfinfo")


def require_poppler() -> None:
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"poppler-utils not installed ({', '.join(missing)} missing)")


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _with_file(pdf: bytes, *args: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        return _run(*args, str(path))


def page_count(pdf: bytes) -> int:
    info = _with_file(pdf, "pdfinfo")
    return int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1))


def page_size(pdf: bytes) -> tuple[float, float]:
    """Width and height of the first page in points."""
    info = _with_file(pdf, "pdfinfo")
    width, height = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M).groups()
    return float(width), float(height)


@dataclass(frozen=True)
class FontRow:
    name: str
    type: str
    embedded: bool
    subset: bool
    unicode: bool


def fonts(pdf: bytes) -> list[FontRow]:
    """The rows `pdffonts` prints."""
    rows = []
    for line in _with_file(pdf, "pdffonts").splitlines()[2:]:
        # name, type (may hold spaces), encoding, emb, sub, uni, object, generation
        match = re.match(r"(\S+)\s+(.+?)\s+(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$",
                         line)
        assert match, line
        name, kind, _, emb, sub, uni = match.groups()
        rows.append(FontRow(name, kind, emb == "yes", sub == "yes", uni == "yes"))
    return rows


def text(pdf: bytes) -> str:
    """The text pdftotext extracts (through the fonts' ToUnicode maps)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        return _run("pdftotext", "-enc", "UTF-8", str(path), "-")


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x_min: float  # points from the left edge
    y_min: float  # points from the top edge
    x_max: float
    y_max: float


def words(pdf: bytes) -> list[Word]:
    """Every word pdftotext finds, with its box in points (origin at the top left)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        html = _run("pdftotext", "-enc", "UTF-8", "-bbox", str(path), "-")
    result = []
    for page, body in enumerate(re.split(r"<page [^>]*>", html)[1:], start=1):
        for match in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
            body,
        ):
            x0, y0, x1, y1, word = match.groups()
            result.append(Word(page, unescape(word), float(x0), float(y0), float(x1), float(y1)))
    return result


def rasterise(pdf: bytes, dpi: int = 300):
    """Each page as a greyscale PIL image at `dpi`."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        _run("pdftoppm", "-r", str(dpi), "-gray", "-png", str(path), str(Path(tmp) / "page"))
        images = []
        for png in sorted(Path(tmp).glob("page-*.png"), key=lambda p: int(p.stem.split("-")[1])):
            with Image.open(png) as image:
                images.append(image.copy())
        return images


def decode_qr(image) -> list[str]:
    """The text of every QR code zxing-cpp finds in the image."""
    zxingcpp = pytest.importorskip("zxingcpp")
    return [b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def crop_points(image, dpi: int, x: float, y_top: float, width: float, height: float):
    """The part of a page image inside a box given in points (origin at the top left)."""
    scale = dpi / 72
    return image.crop(
        (round(x * scale), round(y_top * scale),
         round((x + width) * scale), round((y_top + height) * scale))
    )
