"""The CJK font the label and certificate PDFs embed, its metrics, and text fitting.

The font is package data (fonts/WenQuanYiMicroHei-GBK.ttf: WenQuanYi Micro Hei cut down to
GBK, ASCII and Latin-1; Apache-2.0; fonts/README.md says how it was made). It is TrueType,
so reportlab embeds it, and PDFs made here print Chinese on machines with no CJK font. The
library never looks for fonts on the system.
"""

from __future__ import annotations

import functools
import io
import math
from importlib import resources

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFile

FONT_FILE = "fonts/WenQuanYiMicroHei-GBK.ttf"
REPORTLAB_FONT_NAME = "FreshCircleHei"
ELLIPSIS = "…"


@functools.cache
def font_bytes() -> bytes:
    """The packaged TrueType file."""
    return resources.files(__package__).joinpath(FONT_FILE).read_bytes()


class CJKFont:
    """Metrics and glyph data of the packaged font (load it once with `load_font()`)."""

    def __init__(self, data: bytes) -> None:
        # reportlab's parser refuses CFF outlines and fonts whose licence forbids embedding.
        self.file = TTFontFile(io.BytesIO(data))
        self.postscript_name = self.file.name.decode("ascii")
        self._widths = self.file.charWidths  # code point -> advance in 1/1000 em
        self.missing_width = self.file.defaultWidth
        self._fit = functools.lru_cache(maxsize=8192)(self._fit_uncached)

    def has_glyph(self, char: str) -> bool:
        return ord(char) in self.file.charToGlyph

    def missing_glyphs(self, text: str) -> set[str]:
        """Characters of `text` the font cannot draw (they print as an empty box)."""
        return {c for c in text if ord(c) not in self.file.charToGlyph and c.isprintable()}

    def advance(self, char: str) -> float:
        """Advance width of one character in 1/1000 em."""
        return float(self._widths.get(ord(char), self.missing_width))

    def string_width(self, text: str, size: float) -> float:
        """Width of `text` in points at `size` points (no kerning: glyphs are placed as is)."""
        widths, missing = self._widths, self.missing_width
        return float(sum(widths.get(ord(c), missing) for c in text) * size / 1000.0)

    def fit(self, text: str, max_width: float, size: float, min_size: float) -> tuple[str, float]:
        """(text, size) that fits `max_width` points: `size` if it fits, else a smaller size
        down to `min_size`, else the text cut at `min_size` and ended with an ellipsis."""
        return self._fit(text, max_width, size, min_size)

    def _fit_uncached(
        self, text: str, max_width: float, size: float, min_size: float
    ) -> tuple[str, float]:
        units = self.string_width(text, 1000.0)
        if units * size / 1000.0 <= max_width:
            return text, size
        shrunk = math.floor(max_width * 1000.0 / units * 20) / 20  # 0.05 pt steps
        if shrunk >= min_size:
            return text, shrunk
        budget = max_width * 1000.0 / min_size - self.advance(ELLIPSIS)
        used = 0.0
        for end, char in enumerate(text):
            used += self.advance(char)
            if used > budget:
                return text[:end].rstrip() + ELLIPSIS, min_size
        return text, min_size  # not reached: the whole text was too wide


@functools.cache
def load_font() -> CJKFont:
    """The packaged CJK font, parsed once per process."""
    return CJKFont(font_bytes())


@functools.cache
def reportlab_font() -> str:
    """Register the packaged font with reportlab (once) and return its name for setFont."""
    pdfmetrics.registerFont(TTFont(REPORTLAB_FONT_NAME, io.BytesIO(font_bytes())))
    return REPORTLAB_FONT_NAME
