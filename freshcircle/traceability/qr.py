"""QR symbols for trace labels: the `qrcode` package's matrix, drawn as one vector path.

A symbol is byte mode, error correction M, the smallest version that fits, with a fixed mask
pattern (`MASK_PATTERN`). `encode()` asks the qrcode package for it and reads its modules:

    code = qrcode.QRCode(version=v, error_correction=ERROR_CORRECT_M,
                         mask_pattern=MASK_PATTERN, box_size=1, border=0)
    code.add_data(util.QRData(uri_bytes, mode=MODE_8BIT_BYTE))
    code.make(fit=False)

Codeword packing, Reed-Solomon, module placement and masking are all qrcode's; this module
writes none of them. What it saves is repeated work around them: the version (qrcode's own
`best_fit()`) is found once per payload length and cached, since in byte mode it depends on
the length only (a pure-byte segment also keeps qrcode from splitting a URI into
numeric/alphanumeric chunks, which would make the version depend on the content), and qrcode
itself caches the function patterns of each version. Qrcode's Reed-Solomon in pure Python
is then most of the cost, about 600 to 1,200 symbols a second on one core, so
labels.render_label_sheet() spreads big runs over a process pool.

Why a fixed mask: qrcode's automatic choice renders all eight masks and scores them, which
is most of its cost (about 175 codes/s against about 1,250 with a fixed mask, DOMAIN.md
section 2). ISO/IEC 18004 lets an encoder use any mask; the score only steers away from
patterns some readers find hard (large blocks, finder look-alikes). bench/qr_masks.py scores
2,000 trace URIs of 81 to 182 characters with qrcode's own penalty (`lost_point`): the
automatic choice picks mask 2 for about four in five of them, and always using mask 2 scores
on average about 1 % worse than the automatic choice (the next best fixed mask, 6, about
15 %). The tests rasterise every symbol they print at 300 dpi and decode it with zxing-cpp,
an independent reader. `encode(..., mask_pattern=None)` takes qrcode's automatic choice.

Drawing: each horizontal run of dark modules becomes one `re` rectangle in module units, all
of one symbol in one path filled once, under a `cm` that scales modules to points. One path
per symbol leaves no hairline seams between rows when a viewer anti-aliases, and costs a
small fraction of one rectangle (or one image) per module. The quiet zone (at least 4
modules and 2 mm) and the 2 cm² minimum are kept by `module_size()`.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import qrcode
from qrcode import constants, exceptions, util

ERROR_CORRECTION = constants.ERROR_CORRECT_M
MASK_PATTERN = 2
QUIET_ZONE_MODULES = 4
MIN_QUIET_ZONE_PT = 2.0 * 72 / 25.4  # Chinese trace-label practice: at least 2 mm
MIN_SYMBOL_PT = math.sqrt(200.0) * 72 / 25.4  # at least 2 cm²: 14.14 mm a side
MIN_MODULE_PT = 0.25 * 72 / 25.4  # smaller modules blur on office printers and phone cameras

_BYTE_MODE = util.MODE_8BIT_BYTE
_DARK_RUN = re.compile("1+")
_MODULE_CHARS = bytes.maketrans(b"\x00\x01", b"01")


@dataclass(frozen=True, slots=True)
class QRMatrix:
    """A QR symbol without its quiet zone: `size` × `size` modules, row 0 at the top."""

    version: int
    mask_pattern: int
    size: int
    packed: str  # row-major '1' (dark) / '0' (light), each row followed by one '0'

    @property
    def rows(self) -> tuple[str, ...]:
        step = self.size + 1
        return tuple(self.packed[i : i + self.size] for i in range(0, len(self.packed), step))

    def is_dark(self, row: int, col: int) -> bool:
        return self.packed[row * (self.size + 1) + col] == "1"


def encode(data: str, *, mask_pattern: int | None = MASK_PATTERN, min_version: int = 1) -> QRMatrix:
    """The qrcode package's QR matrix for `data` (UTF-8, byte mode, error correction M,
    the smallest version from `min_version` up that fits).

    `mask_pattern=None` lets the qrcode package choose the mask (slower, see module notes);
    the matrix reports the mask it carries either way. Raises ValueError when the data does
    not fit a version 40 symbol, or for a mask pattern outside 0-7.
    """
    payload = data.encode("utf-8")
    version = _version_for(len(payload), min_version)
    code = qrcode.QRCode(version=version, error_correction=ERROR_CORRECTION,
                         mask_pattern=mask_pattern, box_size=1, border=0)
    code.add_data(util.QRData(payload, mode=_BYTE_MODE, check_data=False))
    if mask_pattern is None:
        code.mask_pattern = code.best_mask_pattern()  # qrcode's automatic choice, kept
    code.make(fit=False)
    packed = b"\x00".join(map(bytes, code.modules)) + b"\x00"
    return QRMatrix(version, code.mask_pattern, code.modules_count,
                    packed.translate(_MODULE_CHARS).decode("ascii"))


def encode_with_qrcode(
    data: str, *, version: int | None = None, mask_pattern: int | None = None
) -> QRMatrix:
    """The symbol from qrcode's own `make(fit=True)` (version search each time, automatic
    mask unless one is given): the plain use of the package, for comparison."""
    code = qrcode.QRCode(version=version, error_correction=ERROR_CORRECTION,
                         mask_pattern=mask_pattern, box_size=1, border=0)
    code.add_data(util.QRData(data.encode("utf-8"), mode=_BYTE_MODE))
    if version is None:
        code.best_fit()
    if mask_pattern is None:
        code.mask_pattern = code.best_mask_pattern()
    code.make(fit=False)
    packed = "".join("".join("1" if m else "0" for m in row) + "0" for row in code.modules)
    return QRMatrix(code.version, code.mask_pattern, code.modules_count, packed)


def dark_runs(matrix: QRMatrix) -> Iterator[tuple[int, int, int]]:
    """(row, first column, length) of every horizontal run of dark modules, top row first."""
    step = matrix.size + 1
    for match in _DARK_RUN.finditer(matrix.packed):
        row, col = divmod(match.start(), step)
        yield row, col, match.end() - match.start()


def module_size(box: float, matrix: QRMatrix) -> float:
    """The module size that fits the symbol and its quiet zone in a square of side `box`.

    The quiet zone is the larger of 4 modules and 2 mm. Raises ValueError when the symbol
    would come out smaller than 2 cm² (about 14.2 mm a side) or its modules under 0.25 mm
    (the data is too long for the box).
    """
    module = box / (matrix.size + 2 * QUIET_ZONE_MODULES)
    if module * QUIET_ZONE_MODULES < MIN_QUIET_ZONE_PT:
        module = (box - 2 * MIN_QUIET_ZONE_PT) / matrix.size
    if module * matrix.size < MIN_SYMBOL_PT - 1e-6:
        raise ValueError(
            f"a {box / 72 * 25.4:.1f} mm square leaves a {module * matrix.size / 72 * 25.4:.1f}"
            " mm symbol, under the 2 cm² minimum"
        )
    if module < MIN_MODULE_PT - 1e-9:
        raise ValueError(
            f"a version {matrix.version} symbol ({matrix.size} modules) in a "
            f"{box / 72 * 25.4:.1f} mm square has {module / 72 * 25.4:.2f} mm modules, under "
            "0.25 mm: shorten the URI"
        )
    return module


def path_operators(matrix: QRMatrix, x: float, y: float, module: float) -> str:
    """PDF content-stream operators that fill every dark module as one path.

    (x, y) is the lower-left corner of the symbol (inside its quiet zone), in points.
    """
    top = y + module * matrix.size
    prefixes = _run_prefixes(matrix.size)
    rects = [
        prefixes[start] + _RUN_LENGTHS[end - start]
        for start, end in map(re.Match.span, _DARK_RUN.finditer(matrix.packed))
    ]
    return (
        f"q 0 g {module:.5f} 0 0 {-module:.5f} {x:.3f} {top:.3f} cm\n"
        + "\n".join(rects)
        + "\nf Q"
    )


def draw_qr(canvas: Any, matrix: QRMatrix, x: float, y: float, module: float) -> None:
    """Draw the symbol on a reportlab canvas as one filled path (black on white)."""
    top = y + module * matrix.size
    path = canvas.beginPath()
    for row, col, length in dark_runs(matrix):
        path.rect(x + col * module, top - (row + 1) * module, length * module, module)
    canvas.saveState()
    canvas.setFillGray(0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


@functools.cache
def _run_prefixes(size: int) -> tuple[str, ...]:
    """"column row " for every index of a packed matrix of this size."""
    step = size + 1
    return tuple(f"{i % step} {i // step} " for i in range(size * step))


_RUN_LENGTHS = tuple(f"{n} 1 re" for n in range(178))


@functools.cache
def _version_for(length: int, min_version: int) -> int:
    """qrcode's `best_fit()` for `length` bytes in byte mode (the content does not matter)."""
    util.check_version(min_version)
    code = qrcode.QRCode(version=None, error_correction=ERROR_CORRECTION)
    code.add_data(util.QRData(bytes(length), mode=_BYTE_MODE, check_data=False))
    try:
        return int(code.best_fit(start=min_version))
    except (exceptions.DataOverflowError, ValueError):  # qrcode 8 may also say "version 41"
        raise ValueError(
            f"{length} bytes do not fit a QR code (version 40, error correction M)"
        ) from None
