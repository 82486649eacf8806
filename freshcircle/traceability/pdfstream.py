"""A PDF writer that streams pages to a binary stream and embeds a subset of the CJK font.

Why not reportlab's canvas for label runs: it keeps every finished page's content in memory
until `save()`, so 100,000 labels held hundreds of megabytes. Here each page is compressed
and written as soon as it is complete; what stays in memory is one integer per object (for
the cross-reference table) and the set of characters used. Fonts are written at the end:
one Type 0 font (Identity-H, CIDFontType2) whose TrueType program is reportlab's subset of
the packaged font with only the glyphs used, a width array and a ToUnicode map so text can
be searched and extracted. The output needs no seeking: an HTTP response or a pipe will do.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from array import array
from typing import BinaryIO

from .pdffont import CJKFont, load_font

FONT_RESOURCE = "/F1"
_KIDS_PER_NODE = 64


class PDFStreamWriter:
    """Write pages with `add_page()`, text with `show_text()`, then `close()`."""

    def __init__(self, out: BinaryIO, *, title: str = "", compress_level: int = 6) -> None:
        self._out = out
        self._position = 0
        self._offsets = array("q", [0])
        self._level = compress_level
        self._font: CJKFont = load_font()
        self._cids: dict[str, str] = {}  # character -> 4 hex digits of its CID
        self._chars: list[str] = ["\0"]  # CID -> character; CID 0 is .notdef
        self._nodes: list[tuple[int, list[int]]] = []  # intermediate page-tree nodes
        self.pages = 0
        self._title = title
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        self._catalog = self._reserve()
        self._root = self._reserve()
        self._resources = self._reserve()
        self._type0 = self._reserve()

    def hex_cids(self, text: str) -> str:
        """The CIDs of `text` as a hex string for `Tj` (registers new characters)."""
        cids = self._cids
        try:
            return "".join([cids[c] for c in text])
        except KeyError:
            for c in text:
                if c not in cids:
                    cids[c] = f"{len(self._chars):04X}"
                    self._chars.append(c)
            return "".join([cids[c] for c in text])

    def show_text(self, text: str, x: float, y: float, size: float) -> str:
        """Operators that draw one line of text with its baseline starting at (x, y)."""
        return f"BT {FONT_RESOURCE} {size:.2f} Tf {x:.2f} {y:.2f} Td <{self.hex_cids(text)}> Tj ET"

    def add_page(self, width: float, height: float, content: str) -> None:
        """Compress and write one page whose content stream is `content`."""
        if not self._nodes or len(self._nodes[-1][1]) == _KIDS_PER_NODE:
            self._nodes.append((self._reserve(), []))
        node, kids = self._nodes[-1]
        stream = self._reserve()
        self._write_stream(stream, b"", content.encode("latin-1"))
        page = self._reserve()
        self._write_object(
            page,
            f"<< /Type /Page /Parent {node} 0 R /MediaBox [0 0 {width:.3f} {height:.3f}] "
            f"/Resources {self._resources} 0 R /Contents {stream} 0 R >>".encode(),
        )
        kids.append(page)
        self.pages += 1

    def close(self) -> None:
        """Write the font, the page tree, the cross-reference table and the trailer."""
        if not self.pages:
            raise ValueError("a PDF needs at least one page")
        self._write_font()
        self._write_object(
            self._resources,
            f"<< /ProcSet [/PDF /Text] /Font << {FONT_RESOURCE} {self._type0} 0 R >> >>".encode(),
        )
        for node, kids in self._nodes:
            refs = " ".join(f"{k} 0 R" for k in kids)
            self._write_object(
                node,
                f"<< /Type /Pages /Parent {self._root} 0 R /Kids [{refs}] "
                f"/Count {len(kids)} >>".encode(),
            )
        refs = " ".join(f"{node} 0 R" for node, _ in self._nodes)
        self._write_object(
            self._root, f"<< /Type /Pages /Kids [{refs}] /Count {self.pages} >>".encode()
        )
        self._write_object(self._catalog, f"<< /Type /Catalog /Pages {self._root} 0 R >>".encode())
        info = self._new_object(
            f"<< /Producer (FreshCircle) /Title <FEFF{self._title.encode('utf-16-be').hex()}> >>"
            .encode()
        )
        xref = self._position
        lines = [f"xref\n0 {len(self._offsets)}\n0000000000 65535 f \n"]
        lines += [f"{offset:010d} 00000 n \n" for offset in self._offsets[1:]]
        self._write("".join(lines).encode())
        self._write(
            f"trailer\n<< /Size {len(self._offsets)} /Root {self._catalog} 0 R "
            f"/Info {info} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
        )

    def _write_font(self) -> None:
        font = self._font
        chars = self._chars
        program = font.file.makeSubset([ord(c) for c in chars])
        gids = _format6_glyph_ids(program)
        tag = "".join(
            chr(65 + b % 26) for b in hashlib.sha256("".join(chars).encode()).digest()[:6]
        )
        name = f"/{tag}+{font.postscript_name}"
        widths = " ".join(str(round(font.advance(c))) for c in chars)
        fontfile = self._new_stream(f"/Length1 {len(program)}".encode(), program)
        cid_to_gid = self._new_stream(b"", struct.pack(f">{len(gids)}H", *gids))
        to_unicode = self._new_stream(b"", _to_unicode_cmap(chars))
        f = font.file
        bbox = " ".join(str(round(v)) for v in f.bbox)
        descriptor = self._new_object(
            f"<< /Type /FontDescriptor /FontName {name} /Flags 4 /FontBBox [{bbox}] "
            f"/ItalicAngle {f.italicAngle:.0f} /Ascent {f.ascent:.0f} /Descent {f.descent:.0f} "
            f"/CapHeight {f.capHeight:.0f} /StemV {f.stemV:.0f} /FontFile2 {fontfile} 0 R >>"
            .encode()
        )
        cidfont = self._new_object(
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont {name} "
            f"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            f"/FontDescriptor {descriptor} 0 R /DW 1000 /W [0 [{widths}]] "
            f"/CIDToGIDMap {cid_to_gid} 0 R >>".encode()
        )
        self._write_object(
            self._type0,
            f"<< /Type /Font /Subtype /Type0 /BaseFont {name} /Encoding /Identity-H "
            f"/DescendantFonts [{cidfont} 0 R] /ToUnicode {to_unicode} 0 R >>".encode(),
        )

    def _reserve(self) -> int:
        self._offsets.append(0)
        return len(self._offsets) - 1

    def _new_object(self, body: bytes) -> int:
        number = self._reserve()
        self._write_object(number, body)
        return number

    def _new_stream(self, extra: bytes, data: bytes) -> int:
        number = self._reserve()
        self._write_stream(number, extra, data)
        return number

    def _write_object(self, number: int, body: bytes) -> None:
        self._offsets[number] = self._position
        self._write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def _write_stream(self, number: int, extra: bytes, data: bytes) -> None:
        packed = zlib.compress(data, self._level)
        self._offsets[number] = self._position
        self._write(
            b"%d 0 obj\n<< /Length %d /Filter /FlateDecode %s>>\nstream\n"
            % (number, len(packed), extra + b" " if extra else b"")
        )
        self._write(packed)
        self._write(b"\nendstream\nendobj\n")

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._position += len(data)


def _format6_glyph_ids(program: bytes) -> list[int]:
    """Glyph ids of reportlab's subset, in the order of the codes it was given.

    reportlab's `makeSubset` writes a single format 6 cmap whose n-th entry is the glyph of
    the n-th code; reading it back keeps CIDs and glyphs in step whatever order it chose.
    """
    (tables,) = struct.unpack_from(">H", program, 4)
    for i in range(tables):
        tag, _, offset, _ = struct.unpack_from(">4sLLL", program, 12 + 16 * i)
        if tag == b"cmap":
            break
    else:
        raise ValueError("the font subset has no cmap")
    (subtables,) = struct.unpack_from(">H", program, offset + 2)
    for i in range(subtables):
        (sub_offset,) = struct.unpack_from(">L", program, offset + 4 + 8 * i + 4)
        start = offset + sub_offset
        fmt, _, _, first, count = struct.unpack_from(">5H", program, start)
        if fmt == 6 and first == 0:
            return list(struct.unpack_from(f">{count}H", program, start + 10))
    raise ValueError("the font subset has no format 6 cmap")


def _to_unicode_cmap(chars: list[str]) -> bytes:
    entries = [
        f"<{cid:04X}> <{c.encode('utf-16-be').hex().upper()}>"
        for cid, c in enumerate(chars)
        if cid
    ]
    blocks = []
    for start in range(0, len(entries), 100):
        chunk = entries[start : start + 100]
        blocks.append(f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar")
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")
