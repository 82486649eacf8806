"""Trace labels: a QR code and the pack's facts, printed on A4 sheets or thermal rolls.

`render_label_sheet()` streams any number of labels (100,000 in bench/labels.py) into one
PDF with bounded memory: labels are taken from the iterable as they are needed and each page
is written as soon as it is full (see pdfstream.py). Text is drawn in the packaged CJK font,
embedded as a subset; each QR symbol is one vector path (see qr.py).

The text of a label that does not depend on the URI or the serial (product, producer, lot,
date, weight) is laid out once per run and reused while it repeats, which it does for every
pack of a batch.

Encoding the QR codes (the qrcode package, pure Python) is nearly all the cost, so a run of
more than PARALLEL_THRESHOLD labels sends the URIs in chunks of _CHUNK to a process pool
(min(CPUs, MAX_WORKERS) workers, started with "forkserver" or "spawn", never "fork", since
the platform renders from a thread of a web process) and gets back each symbol's path
operators. This process keeps the labels, the text, the page order and the progress
callback, so the PDF is byte for byte the one a single process writes. At most
_CHUNKS_PER_WORKER chunks per worker are in flight, which bounds the labels held at once.
"""

from __future__ import annotations

import functools
import itertools
import math
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from decimal import Decimal
from typing import BinaryIO

from . import qr
from .label_layouts import LAYOUTS, THERMAL_DOT, Label, LabelLayout
from .pdffont import ELLIPSIS, load_font
from .pdfstream import PDFStreamWriter

LINE_GAP = 1.22  # baseline-to-baseline distance as a multiple of the font size
_STATIC_CACHE_SIZE = 512
PARALLEL_THRESHOLD = 200  # runs longer than this encode their QR codes in a process pool
MAX_WORKERS = 4
_CHUNK = 64  # labels per task sent to a worker
_CHUNKS_PER_WORKER = 3  # tasks in flight per worker: keeps workers busy, bounds memory


def render_label_sheet(
    labels: Iterable[Label],
    layout: str,
    out: BinaryIO,
    progress: Callable[[int], None] | None = None,
    *,
    progress_every: int = 100,
    workers: int | None = None,
) -> int:
    """Write a PDF of `labels` in `layout` (a key of LAYOUTS) to `out`; return the count.

    `labels` is consumed lazily (read ahead a bounded number, see `workers`); `out` only
    needs `write()`. `progress(n)` is called after
    every `progress_every` labels and once at the end with the total. Raises ValueError for
    an unknown layout or no labels (before anything is written).

    `workers`: processes that encode the QR codes. None (the default) looks up to
    PARALLEL_THRESHOLD + 1 labels ahead: a run longer than that uses min(CPUs, MAX_WORKERS)
    worker processes, a shorter one stays in this process. 1 always stays in this process;
    2 or more always uses a pool of that size. The PDF is byte for byte the same either way;
    with a pool, at most workers × _CHUNKS_PER_WORKER × _CHUNK labels are read ahead of the
    page being written. The pool's processes start with "forkserver" (or "spawn" where that
    is missing), never "fork": the platform renders from a thread of a web process. Should
    the pool break (a worker killed, or a main script that starts work on import without
    the `if __name__ == "__main__"` guard), the rest of the run is encoded in this process.
    """
    try:
        spec = LAYOUTS[layout]
    except KeyError:
        raise ValueError(f"unknown label layout {layout!r}; use one of {sorted(LAYOUTS)}") from None
    if progress_every < 1:
        raise ValueError("progress_every must be at least 1")
    if workers is not None and workers < 1:
        raise ValueError("workers must be at least 1")
    iterator: Iterator[Label] = iter(labels)
    if workers is None:
        ahead = list(itertools.islice(iterator, PARALLEL_THRESHOLD + 1))
        workers = auto_workers() if len(ahead) > PARALLEL_THRESHOLD else 1
        iterator = itertools.chain(ahead, iterator)
    first = next(iterator, None)
    if first is None:
        raise ValueError("no labels to print")
    iterator = itertools.chain((first,), iterator)

    writer = PDFStreamWriter(out, title=f"FreshCircle labels ({layout})")
    painter = _LabelPainter(spec, writer)
    page: list[str] = ["0 g 0 G"]
    count = 0
    pool = _pool(workers) if workers > 1 else None
    try:
        symbols = _serial(spec, iterator) if pool is None else _pooled(pool, spec, iterator,
                                                                        workers)
        for label, symbol in symbols:
            slot = count % spec.per_page
            column, row = slot % spec.columns, slot // spec.columns
            x = spec.left + column * spec.label_width
            y = spec.page_height - spec.top - (row + 1) * spec.label_height
            page.append(painter.paint(label, x, y, symbol))
            count += 1
            if slot == spec.per_page - 1:
                writer.add_page(spec.page_width, spec.page_height, "\n".join(page))
                page = ["0 g 0 G"]
            if progress is not None and count % progress_every == 0:
                progress(count)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    if len(page) > 1:
        writer.add_page(spec.page_width, spec.page_height, "\n".join(page))
    writer.close()
    if progress is not None and count % progress_every:
        progress(count)
    return count


def auto_workers() -> int:
    """Worker processes for a long run: one per CPU, at most MAX_WORKERS."""
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def _serial(spec: LabelLayout, labels: Iterable[Label]) -> Iterator[tuple[Label, str]]:
    for label in labels:
        yield label, symbol_operators(spec, label.uri)


def _pooled(pool: ProcessPoolExecutor, spec: LabelLayout, labels: Iterator[Label],
            workers: int) -> Iterator[tuple[Label, str]]:
    """Labels with their symbols, in order; chunks go out as earlier ones come back."""
    pending: deque[tuple[list[Label], Future[list[str]] | None]] = deque()
    limit = workers * _CHUNKS_PER_WORKER
    broken = False
    while chunk := list(itertools.islice(labels, _CHUNK)):
        future = None
        if not broken:
            try:
                future = pool.submit(_symbols, spec, [label.uri for label in chunk])
            except BrokenProcessPool:
                broken = True
        pending.append((chunk, future))
        if len(pending) >= limit:
            yield from _collect(spec, *pending.popleft())
    while pending:
        yield from _collect(spec, *pending.popleft())


def _collect(spec: LabelLayout, chunk: list[Label],
             future: Future[list[str]] | None) -> Iterator[tuple[Label, str]]:
    symbols = None
    if future is not None:
        try:
            symbols = future.result()
        except BrokenProcessPool:
            symbols = None
    if symbols is None:
        symbols = _symbols(spec, [label.uri for label in chunk])
    return zip(chunk, symbols, strict=True)


def _symbols(spec: LabelLayout, uris: list[str]) -> list[str]:
    """Runs in a worker process: the symbols of one chunk of labels."""
    return [symbol_operators(spec, uri) for uri in uris]


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=_context())


@functools.cache
def _context() -> multiprocessing.context.BaseContext:
    """"forkserver" where there is one, with this module preloaded (so each worker is a
    cheap fork of a process that has imported it); "spawn" elsewhere. Never "fork"."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


def symbol_operators(spec: LabelLayout, uri: str) -> str:
    """The QR symbol of `uri` as content-stream operators, in a label's own coordinates."""
    matrix = qr.encode(uri)
    module = qr.module_size(spec.qr_box, matrix)
    if spec.snap_to_dots:
        # Whole printer dots per module print every module the same width, unless that
        # shrinks the symbol by more than a tenth.
        snapped = math.floor(module / THERMAL_DOT + 1e-9) * THERMAL_DOT
        if snapped >= 0.9 * module and snapped * matrix.size >= qr.MIN_SYMBOL_PT:
            module = snapped
    side = module * matrix.size
    x = spec.padding + (spec.qr_box - side) / 2
    y = (spec.label_height - side) / 2
    if spec.snap_to_dots:
        x = round(x / THERMAL_DOT) * THERMAL_DOT
        y = round(y / THERMAL_DOT) * THERMAL_DOT
    return qr.path_operators(matrix, x, y, module)


def format_weight(kg: Decimal) -> str:
    """`Decimal('5.000')` -> '5', `Decimal('2.50')` -> '2.5' (kilograms, no exponent)."""
    return format(kg.normalize(), "f")


def net_weight_text(kg: Decimal) -> str:
    """Both units, as shoppers count: `Decimal('2.5')` -> '2.5 kg（5 斤）' (1 斤 = 0.5 kg)."""
    return f"{format_weight(kg)} kg（{format_weight(kg * 2)} 斤）"


class _LabelPainter:
    """Turns a label into content-stream operators in its own coordinates."""

    def __init__(self, spec: LabelLayout, writer: PDFStreamWriter) -> None:
        self.spec = spec
        self.writer = writer
        self.font = load_font()
        self._static: dict[tuple[object, ...], tuple[str, float, float]] = {}

    def paint(self, label: Label, x: float, y: float, symbol: str) -> str:
        """`symbol` is `symbol_operators(spec, label.uri)`, computed wherever suits."""
        spec = self.spec
        key = (label.product_zh, label.product_en, label.producer, label.lot,
               label.harvest_date, label.net_weight_kg, bool(label.serial))
        static = self._static.get(key)
        if static is None:
            if len(self._static) >= _STATIC_CACHE_SIZE:
                self._static.clear()
            static = self._static[key] = self._static_text(label)
        text, serial_top, serial_size = static
        parts = [f"q 1 0 0 1 {x:.3f} {y:.3f} cm", text]
        if label.serial:
            line = self._fit(f"编号 {label.serial}", serial_size)
            parts.append(self._show(line, serial_top, spec.english_size))
        parts.append(symbol)
        parts.append("Q")
        return "\n".join(parts)

    def _static_text(self, label: Label) -> tuple[str, float, float]:
        """Operators for the text all packs of a batch share; top and size of the serial line.

        Each line takes a box LINE_GAP × its nominal size high; the block is centred
        vertically. The layouts leave room for every line (test_labels.py checks).
        """
        spec, font = self.spec, self.font
        lines: list[tuple[tuple[str, float], float]] = []  # ((text, size), nominal size)
        # The product name shrinks no smaller than the body text, then is cut.
        title = self.font.fit(label.product_zh, spec.text_width, spec.title_size, spec.body_size)
        lines.append((title, spec.title_size))
        english = label.product_en
        if english and font.string_width(english, spec.min_size) <= spec.text_width:
            lines.append((self._fit(english, spec.english_size), spec.english_size))
        lines.extend((line, spec.body_size) for line in self._producer_lines(label.producer))
        facts = [
            self._fit_fact("批号", label.lot),
            self._fit_fact("采收", label.harvest_date.isoformat()),
            self._fit_fact("净重", net_weight_text(Decimal(label.net_weight_kg))),
        ]
        size = min(s for _, s in facts)  # one size for the three facts: they read as a table
        lines.extend(((text, size), spec.body_size) for text, _ in facts)

        height = sum(nominal for _, nominal in lines) * LINE_GAP
        if label.serial:
            height += spec.english_size * LINE_GAP
        top = min(spec.label_height - spec.padding, (spec.label_height + height) / 2)
        ops = []
        for index, (line, nominal) in enumerate(lines):
            if index == 0:  # the product name, filled and stroked: a bolder face
                ops.append(f"q 2 Tr {line[1] * 0.03:.3f} w")
                ops.append(self._show(line, top, nominal))
                ops.append("Q")
            else:
                ops.append(self._show(line, top, nominal))
            top -= nominal * LINE_GAP
        return "\n".join(ops), top, min(size, spec.english_size)

    def _producer_lines(self, producer: str) -> list[tuple[str, float]]:
        """The producer on one line, or wrapped onto two at the body size."""
        spec, font = self.spec, self.font
        text = f"生产者 {producer}"
        if font.string_width(text, spec.body_size) <= spec.text_width:
            return [(text, spec.body_size)]
        budget = spec.text_width * 1000 / spec.body_size
        used, cut = 0.0, 0
        for cut, char in enumerate(text):  # noqa: B007 (cut is read after the loop)
            used += font.advance(char)
            if used > budget:
                break
        space = text.rfind(" ", 4, cut)  # keep a Latin word whole where one can
        if space > 4 and cut - space < 12:
            cut = space + 1
        return [(text[:cut], spec.body_size), self._fit(text[cut:].strip(), spec.body_size)]

    def _fit_fact(self, name: str, value: str) -> tuple[str, float]:
        """"批号 value", or the value alone where both do not fit: a code is better whole."""
        line = self._fit(f"{name} {value}", self.spec.body_size)
        if line[0].endswith(ELLIPSIS):
            line = self._fit(value, self.spec.body_size)
        return line

    def _fit(self, text: str, size: float) -> tuple[str, float]:
        return self.font.fit(text, self.spec.text_width, size, self.spec.min_size)

    def _show(self, line: tuple[str, float], top: float, nominal: float) -> str:
        """A fitted line in the box below `top` of a line of size `nominal`."""
        baseline = top - nominal * (LINE_GAP - 0.25)
        return self.writer.show_text(line[0], self.spec.text_left, baseline, line[1])
