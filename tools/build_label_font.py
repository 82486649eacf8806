"""Build the CJK font the label and certificate PDFs embed.

Run once, commit the output: `.venv/bin/pip install 'fonttools>=4.47,<5'` then
`.venv/bin/python tools/build_label_font.py` (needs Debian's fonts-wqy-microhei).

Takes the "WenQuanYi Micro Hei" face (TrueType outlines; Apache-2.0 or GPLv3 with the font
exception) out of the Debian collection and keeps only what a label needs:

- every character of GBK (GB2312's 6,763 hanzi plus the 14,240 more that GBK adds: names
  of people and villages often use characters outside GB2312, such as 喆, 堃 or 珺),
- ASCII, Latin-1 and a few symbols (℃ № € ‘’ “” … – — • ✓) where the font has them.

It drops OpenType layout tables (the PDFs place glyphs one by one, no shaping), hinting
(print rasterisers ignore it) and glyph names, and records the change in the name table as
Apache-2.0 section 4(b) asks. The result is about 3 MB; the PDFs embed only the glyphs they
use. The library never reads /usr/share/fonts at run time: it loads the committed file.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

SOURCE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
TARGET = (
    Path(__file__).resolve().parent.parent
    / "freshcircle/traceability/fonts/WenQuanYiMicroHei-GBK.ttf"
)
EXTRA = "℃№€‘’“”…–—•✓·°¥×÷±"
NOTICE = (
    "Subset of WenQuanYi Micro Hei 0.2.0-beta made by FreshCircle "
    "(tools/build_label_font.py): GBK, ASCII and Latin-1 only; OpenType layout tables, "
    "hinting and glyph names removed. Apache License 2.0."
)


def gbk_characters() -> set[str]:
    """Every character GBK encodes (double-byte area)."""
    chars = set()
    for high in range(0x81, 0xFF):
        for low in range(0x40, 0xFF):
            try:
                chars.add(bytes((high, low)).decode("gbk"))
            except UnicodeDecodeError:
                continue
    return chars


def wanted_characters() -> set[str]:
    chars = gbk_characters()
    chars.update(chr(c) for c in range(0x20, 0x7F))
    chars.update(chr(c) for c in range(0xA0, 0x100))
    chars.update(EXTRA)
    return chars


def build(source: Path, target: Path) -> None:
    font = TTFont(source, fontNumber=0, recalcTimestamp=False)
    family = font["name"].getDebugName(1)
    if family != "WenQuanYi Micro Hei":
        raise SystemExit(f"face 0 of {source} is {family!r}, not WenQuanYi Micro Hei")
    cmap = font.getBestCmap()
    chars = {c for c in wanted_characters() if ord(c) in cmap}

    options = subset.Options()
    options.hinting = False
    options.glyph_names = False
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "vhea", "vmtx", "gasp", "FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars))
    subsetter.subset(font)
    font["post"].formatType = 3.0
    font["name"].setName(NOTICE, 10, 3, 1, 0x409)
    font["name"].setName(NOTICE, 10, 1, 0, 0)

    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(target)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    print(f"{target}: {len(chars)} characters, {target.stat().st_size} bytes, sha256 {digest}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--target", type=Path, default=TARGET)
    args = parser.parse_args()
    build(args.source, args.target)


if __name__ == "__main__":
    main()
