"""Label sheet speed against a naive reference, and peak memory for 100,000 labels.

    .venv/bin/python bench/labels.py [--labels 1000] [--big 100000]

- FreshCircle: `render_label_sheet()` on A4 (24 a sheet), vector QR paths, streamed PDF.
- Naive reference, same labels, same text, same embedded font: one `qrcode.make()` PNG per
  label (qrcode's automatic mask) placed with reportlab's `drawImage` on a reportlab canvas.
- Also: our renderer with qrcode's own encoder (fixed mask, `encode_with_qrcode`) in place of
  the fast one, to show what each part buys.
- Peak RSS (ru_maxrss) of a fresh subprocess that renders 10,000 and 100,000 labels to
  /dev/null, and of one that draws 20,000 vector labels on reportlab's canvas (which keeps
  every page in memory until save()), to show why labels are not drawn on that canvas.

Every label has its own serial and signature, so every QR code differs, as on per-pack labels.
Timings include the PDF bytes; the font is loaded and caches warmed before timing. Prints as
it goes; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

from freshcircle.traceability import labels as labels_module
from freshcircle.traceability import qr
from freshcircle.traceability.labels import LAYOUTS, Label, render_label_sheet
from freshcircle.traceability.pdffont import reportlab_font


def make_labels(count: int, start: int = 0):
    """Per-pack labels of one batch: the same facts, a serial and signature each."""
    for i in range(start, start + count):
        serial = f"A{i:07d}"
        yield Label(
            uri=(f"https://trace.example.cn/01/09520123456788/10/FY341222-261126-001/21/{serial}"
                 f"?7007=261126&s=K1.{(i * 2654435761) % 10**16:016d}"),
            product_zh="有机西红柿",
            product_en="Organic tomato",
            producer="太和县绿源果蔬种植专业合作社",
            lot="FY341222-261126-001",
            harvest_date=date(2026, 11, 26),
            net_weight_kg=Decimal("5.000"),
            serial=serial,
        )


class CountingSink:
    def __init__(self, target) -> None:
        self.target, self.size = target, 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return self.target.write(data)


def ours(count: int, layout: str = "a4-24") -> tuple[float, int]:
    out = io.BytesIO()
    start = time.perf_counter()
    render_label_sheet(make_labels(count), layout, out)
    return time.perf_counter() - start, len(out.getvalue())


def naive(count: int) -> tuple[float, int]:
    """One qrcode.make() PNG per label, drawImage on a reportlab canvas (a4-24 geometry)."""
    import qrcode
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    spec = LAYOUTS["a4-24"]
    font = reportlab_font()
    out = io.BytesIO()
    start = time.perf_counter()
    canvas = Canvas(out, pagesize=(spec.page_width, spec.page_height), pageCompression=1)
    for i, label in enumerate(make_labels(count)):
        slot = i % spec.per_page
        x = spec.left + (slot % spec.columns) * spec.label_width
        y = spec.page_height - spec.top - (slot // spec.columns + 1) * spec.label_height
        png = io.BytesIO()
        qrcode.make(label.uri, error_correction=qrcode.constants.ERROR_CORRECT_M).save(png)
        png.seek(0)
        box = spec.qr_box
        canvas.drawImage(ImageReader(png), x + spec.padding, y + (spec.label_height - box) / 2,
                         box, box)
        canvas.setFont(font, spec.title_size)
        top = y + spec.label_height - spec.padding - spec.title_size
        canvas.drawString(x + spec.text_left, top, label.product_zh)
        canvas.setFont(font, spec.body_size)
        for n, line in enumerate((label.product_en, f"生产者 {label.producer}",
                                  f"批号 {label.lot}", f"采收 {label.harvest_date}",
                                  f"净重 {label.net_weight_kg.normalize():f} kg",
                                  f"编号 {label.serial}"), start=1):
            canvas.drawString(x + spec.text_left, top - n * spec.body_size * 1.22, line)
        if slot == spec.per_page - 1:
            canvas.showPage()
    canvas.save()
    return time.perf_counter() - start, len(out.getvalue())


def reportlab_vector(count: int) -> None:
    """Our QR paths and the same text on reportlab's canvas (for its memory, not its speed)."""
    from reportlab.pdfgen.canvas import Canvas

    spec = LAYOUTS["a4-24"]
    font = reportlab_font()
    with open(os.devnull, "wb") as sink:
        canvas = Canvas(sink, pagesize=(spec.page_width, spec.page_height), pageCompression=1)
        for i, label in enumerate(make_labels(count)):
            slot = i % spec.per_page
            x = spec.left + (slot % spec.columns) * spec.label_width
            y = spec.page_height - spec.top - (slot // spec.columns + 1) * spec.label_height
            matrix = qr.encode(label.uri)
            module = qr.module_size(spec.qr_box, matrix)
            canvas.addLiteral(qr.path_operators(matrix, x + spec.padding + 6, y + 8, module))
            canvas.setFont(font, spec.body_size)
            for n, line in enumerate((label.product_zh, label.producer, label.lot,
                                      str(label.harvest_date), label.serial)):
                canvas.drawString(x + spec.text_left, y + 80 - n * 10, line)
            if slot == spec.per_page - 1:
                canvas.showPage()
        canvas.save()


@contextmanager
def plain_qrcode_encoder():
    """Swap the fast encoder for qrcode's own (same fixed mask, same matrix)."""
    fast = labels_module.qr.encode
    labels_module.qr.encode = lambda data: qr.encode_with_qrcode(
        data, mask_pattern=qr.MASK_PATTERN
    )
    try:
        yield
    finally:
        labels_module.qr.encode = fast


def child(kind: str, count: int) -> None:
    """Run in a fresh process: render `count` labels, print one JSON line with the peak RSS."""
    start = time.perf_counter()
    size = 0
    if kind == "ours":
        with open(os.devnull, "wb") as devnull:
            sink = CountingSink(devnull)
            render_label_sheet(make_labels(count), "a4-24", sink)
            size = sink.size
    else:
        reportlab_vector(count)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(json.dumps({"labels": count, "seconds": time.perf_counter() - start,
                      "peak_rss_mb": peak_kb / 1024, "vm_hwm_mb": _vm_hwm_kb() / 1024,
                      "pdf_bytes": size}))


def _vm_hwm_kb() -> float:
    """This process's own high-water RSS (Linux). ru_maxrss also counts what the parent had
    resident when it forked this child, so main() starts the children while it is small."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return float("nan")
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return float(line.split()[1])
    return float("nan")


def measure_child(kind: str, count: int) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--big", str(count)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=1000)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--child", choices=("ours", "reportlab"))
    args = parser.parse_args()
    if args.child:
        child(args.child, args.big)
        return

    # Memory first, while this process is small (see _vm_hwm_kb).
    small = measure_child("ours", args.big // 10)
    big = measure_child("ours", args.big)
    canvas = measure_child("reportlab", args.big // 5)
    n = args.labels
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; a4-24; one unique QR per "
          "label", flush=True)
    for run in (small, big):
        print(f"{run['labels']:>7} labels: peak RSS {run['peak_rss_mb']:.0f} MB "
              f"(VmHWM {run['vm_hwm_mb']:.0f} MB), {run['seconds']:.1f} s "
              f"({run['labels'] / run['seconds']:.0f} labels/s), "
              f"PDF {run['pdf_bytes'] / 2**20:.0f} MiB", flush=True)
    print(f"reportlab canvas, {canvas['labels']} vector labels: peak RSS "
          f"{canvas['peak_rss_mb']:.0f} MB (it holds every page until save)", flush=True)

    ours(48)  # load the font, warm the per-version tables
    naive(24)
    runs = [ours(n) for _ in range(3)]
    best, size = min(runs)
    rate = n / best
    print(f"freshcircle  : {rate:7.0f} labels/s for {n} (best of 3: "
          f"{', '.join(f'{t:.2f}' for t, _ in runs)} s), PDF {size / 1024:.0f} KiB", flush=True)
    rate_40 = n / min(ours(n, "a4-40") for _ in range(3))[0]
    print(f"freshcircle  : {rate_40:7.0f} labels/s on a4-40", flush=True)
    with plain_qrcode_encoder():
        plain_time, _ = ours(n)
    plain_rate = n / plain_time
    print(f"  same with qrcode's own encoder (fixed mask): {plain_rate:.0f} labels/s", flush=True)

    naive_runs = [naive(n) for _ in range(2)]
    naive_best, naive_size = min(naive_runs)
    naive_rate = n / naive_best
    print(f"naive        : {naive_rate:7.0f} labels/s (best of 2: "
          f"{', '.join(f'{t:.2f}' for t, _ in naive_runs)} s), PDF {naive_size / 1024:.0f} KiB",
          flush=True)
    ratio = rate / naive_rate
    print(f"ratio        : {ratio:.1f}x", flush=True)

    print(json.dumps({
        "bench": "labels",
        "labels": n,
        "layout": "a4-24",
        "labels_per_s": round(rate),
        "naive_labels_per_s": round(naive_rate, 1),
        "ratio": round(ratio, 1),
        "peak_rss_mb_100k": round(big["peak_rss_mb"], 1),
        "labels_per_s_a4_40": round(rate_40),
        "labels_per_s_qrcode_encoder": round(plain_rate),
        "peak_rss_mb_10k": round(small["peak_rss_mb"], 1),
        "seconds_100k": round(big["seconds"], 1),
        "reportlab_canvas_peak_rss_mb_20k": round(canvas["peak_rss_mb"], 1),
    }))


if __name__ == "__main__":
    main()
