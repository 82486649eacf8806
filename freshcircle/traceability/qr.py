"""QR symbols for trace labels: the `qrcode` package's matrix, drawn as one vector path.

A symbol is byte mode, error correction M, the smallest version that fits, with a fixed mask
pattern (`MASK_PATTERN`). `encode()` builds the same matrix that
`qrcode.QRCode(version=v, error_correction=M, mask_pattern=MASK_PATTERN).make(fit=False)`
builds, bit for bit (tests/traceability/test_qr.py compares them), about twenty times faster:

- the function patterns, format and version information come from qrcode's own `setup_*`
  methods, once per version, and qrcode's tables give the block structure, the Galois field
  and the mask functions;
- per symbol it packs the codewords with integer arithmetic instead of a bit list, divides
  by the Reed-Solomon generator with a 256-entry table per generator instead of qrcode's
  recursive polynomial objects, and places and masks all modules with one precomputed
  permutation instead of a Python loop per module.

Why a fixed mask: qrcode's automatic choice renders all eight masks and scores them, which
is most of its cost. ISO/IEC 18004 lets an encoder use any mask; the score only steers away
from patterns some readers find hard (large blocks, finder look-alikes). bench/qr_masks.py
scores 2,000 trace URIs of 81 to 182 characters with qrcode's own penalty (`lost_point`):
the automatic choice picks mask 2 for about four in five of them, and always using mask 2
scores on average about 1 % worse than the automatic choice (the next best fixed mask, 6,
about 15 %). The tests rasterise every symbol they print at 300 dpi and decode it with
zxing-cpp, an independent reader. `encode(..., mask_pattern=None)` takes qrcode's
automatic choice instead.

Drawing: each horizontal run of dark modules becomes one `re` rectangle in module units, all
of one symbol in one path filled once, under a `cm` that scales modules to points. One path
per symbol leaves no hairline seams between rows when a viewer anti-aliases, and costs a
small fraction of one rectangle (or one image) per module.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import qrcode
from qrcode import base, constants, util

ERROR_CORRECTION = constants.ERROR_CORRECT_M
MASK_PATTERN = 2
QUIET_ZONE_MODULES = 4
MIN_QUIET_ZONE_PT = 2.0 * 72 / 25.4  # Chinese trace-label practice: at least 2 mm
MIN_SYMBOL_PT = math.sqrt(200.0) * 72 / 25.4  # at least 2 cm²: 14.14 mm a side
MIN_MODULE_PT = 0.25 * 72 / 25.4  # smaller modules blur on office printers and phone cameras

_BYTE_MODE = util.MODE_8BIT_BYTE
_PADDING = bytes((util.PAD0, util.PAD1)) * 1500
_DARK_RUN = re.compile("1+")


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


@dataclass(frozen=True, slots=True)
class _Plan:
    """Everything about a (version, mask) that does not depend on the data."""

    data_codewords: int
    blocks: tuple[tuple[int, int], ...]  # (data count, ec count) per RS block
    remainder_bits: int
    placement_bits: int
    mask_bits: int
    arrange: Any  # operator.itemgetter: placed bits + "01" -> packed matrix characters


def encode(data: str, *, mask_pattern: int | None = MASK_PATTERN, min_version: int = 1) -> QRMatrix:
    """The QR matrix for `data` (UTF-8, byte mode, error correction M, smallest version).

    `mask_pattern=None` lets the qrcode package choose the mask (slower, see module notes).
    Raises ValueError when the data does not fit a version 40 symbol.
    """
    payload = data.encode("utf-8")
    version = _version_for(len(payload), min_version)
    if mask_pattern is None:
        return encode_with_qrcode(data, version=version)
    plan = _plan(version, mask_pattern)
    count_bits = util.length_in_bits(_BYTE_MODE, version)
    value = (((_BYTE_MODE << count_bits) | len(payload)) << (8 * len(payload))) | int.from_bytes(
        payload, "big"
    )
    bits = 4 + count_bits + 8 * len(payload)
    capacity = plan.data_codewords * 8
    terminator = min(4, capacity - bits)
    bits += terminator
    align = -bits % 8
    value <<= terminator + align
    bits += align
    codewords = value.to_bytes(bits // 8, "big") + _PADDING[: plan.data_codewords - bits // 8]

    data_blocks, ec_blocks = [], []
    offset = 0
    for data_count, ec_count in plan.blocks:
        block = codewords[offset : offset + data_count]
        offset += data_count
        data_blocks.append(block)
        ec_blocks.append(_reed_solomon(block, ec_count))
    final = _interleave(data_blocks) + _interleave(ec_blocks)

    placed = int.from_bytes(final, "big") << plan.remainder_bits
    source = format(placed ^ plan.mask_bits, f"0{plan.placement_bits}b") + "01"
    return QRMatrix(version, mask_pattern, version * 4 + 17, "".join(plan.arrange(source)))


def encode_with_qrcode(
    data: str, *, version: int | None = None, mask_pattern: int | None = None
) -> QRMatrix:
    """The same symbol built by the qrcode package alone (the reference `encode()` matches)."""
    qr = qrcode.QRCode(
        version=version, error_correction=ERROR_CORRECTION, border=0, mask_pattern=mask_pattern
    )
    qr.add_data(util.QRData(data.encode("utf-8"), mode=_BYTE_MODE))
    if version is None:
        qr.best_fit()
    if mask_pattern is None:
        mask_pattern = qr.best_mask_pattern()
    qr.makeImpl(False, mask_pattern)
    packed = "".join("".join("1" if m else "0" for m in row) + "0" for row in qr.modules)
    return QRMatrix(qr.version, mask_pattern, qr.modules_count, packed)


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


def _version_for(length: int, min_version: int) -> int:
    for version in range(max(1, min_version), 41):
        needed = 4 + util.length_in_bits(_BYTE_MODE, version) + 8 * length
        if needed <= util.BIT_LIMIT_TABLE[ERROR_CORRECTION][version]:
            return version
    raise ValueError(f"{length} bytes do not fit a QR code (version 40, error correction M)")


def _reed_solomon(block: bytes, ec_count: int) -> bytes:
    table = _rs_table(ec_count)
    shift = 8 * (ec_count - 1)
    keep = (1 << (8 * ec_count)) - 1
    remainder = 0
    for byte in block:
        remainder = ((remainder << 8) & keep) ^ table[byte ^ (remainder >> shift)]
    return remainder.to_bytes(ec_count, "big")


def _interleave(blocks: list[bytes]) -> bytes:
    """Column by column; blocks differ in length by at most one (the longer ones last)."""
    common = min(len(b) for b in blocks)
    head = bytes(itertools.chain.from_iterable(zip(*(b[:common] for b in blocks), strict=True)))
    return head + bytes(b[common] for b in blocks if len(b) > common)


@functools.cache
def _rs_table(ec_count: int) -> tuple[int, ...]:
    """For each feedback byte f: the generator's coefficients times f, as one integer."""
    generator = base.Polynomial([1], 0)
    for i in range(ec_count):
        generator = generator * base.Polynomial([1, base.gexp(i)], 0)
    coefficients = list(generator)[1:]

    def times(f: int) -> int:
        if f == 0:
            return 0
        log_f = base.glog(f)
        product = bytes(base.gexp(base.glog(c) + log_f) if c else 0 for c in coefficients)
        return int.from_bytes(product, "big")

    return tuple(times(f) for f in range(256))


@functools.cache
def _plan(version: int, mask_pattern: int) -> _Plan:
    if not 0 <= mask_pattern <= 7:
        raise ValueError(f"mask pattern must be 0-7, not {mask_pattern}")
    size = version * 4 + 17
    qr = qrcode.QRCode(
        version=version, error_correction=ERROR_CORRECTION, border=0, mask_pattern=mask_pattern
    )
    qr.modules_count = size
    qr.modules = [[None] * size for _ in range(size)]
    qr.setup_position_probe_pattern(0, 0)
    qr.setup_position_probe_pattern(size - 7, 0)
    qr.setup_position_probe_pattern(0, size - 7)
    qr.setup_position_adjust_pattern()
    qr.setup_timing_pattern()
    qr.setup_type_info(False, mask_pattern)
    if version >= 7:
        qr.setup_type_number(False)
    modules = qr.modules

    # The same zig-zag walk as qrcode's map_data: two columns at a time from the right,
    # alternately upwards and downwards, skipping the vertical timing column.
    order: list[tuple[int, int]] = []
    row, step = size - 1, -1
    for col in range(size - 1, 0, -2):
        if col <= 6:
            col -= 1
        while 0 <= row < size:
            for c in (col, col - 1):
                if modules[row][c] is None:
                    order.append((row, c))
            row += step
        row -= step
        step = -step

    placement_bits = len(order)
    mask = util.mask_func(mask_pattern)
    mask_bits = 0
    position = {}
    for k, (r, c) in enumerate(order):
        position[r, c] = k
        if mask(r, c):
            mask_bits |= 1 << (placement_bits - 1 - k)
    light, dark = placement_bits, placement_bits + 1
    indices = []
    for r in range(size):
        for c in range(size):
            module = modules[r][c]
            indices.append(position[r, c] if module is None else (dark if module else light))
        indices.append(light)  # row separator

    blocks = tuple(
        (b.data_count, b.total_count - b.data_count)
        for b in base.rs_blocks(version, ERROR_CORRECTION)
    )
    data_codewords = sum(d for d, _ in blocks)
    total_codewords = sum(d + e for d, e in blocks)
    return _Plan(
        data_codewords=data_codewords,
        blocks=blocks,
        remainder_bits=placement_bits - 8 * total_codewords,
        placement_bits=placement_bits,
        mask_bits=mask_bits,
        arrange=operator.itemgetter(*indices),
    )
