"""Which fixed QR mask, what it costs in symbol quality, and what each encoder path costs.

    .venv/bin/python bench/qr_masks.py [--uris 2000]

1. Penalty score (qrcode's `util.lost_point`, the ISO/IEC 18004 rules the automatic mask
   choice minimises) of every mask over trace URIs of realistic shapes and lengths, against
   the automatic choice's. The library fixes the best mask on average (qr.MASK_PATTERN).
2. Encoding speed: qrcode with its automatic mask, qrcode with the fixed mask, and
   `qr.encode()` (qrcode's own encoder with the fixed mask, the version cached per length).
3. If poppler and zxing-cpp are installed: the share of symbols zxing-cpp reads when the
   smallest label's 23 mm box is rasterised at 300, 200 and 150 dpi, fixed mask against
   automatic.

Prints as it goes; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qrcode import util

from freshcircle.traceability import qr
from freshcircle.traceability.pdfstream import PDFStreamWriter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchkit import HIGHER, LOWER, Goal, finish  # bench/ is not a package

MM = 72 / 25.4
GOALS = (
    # The library's mask is the best fixed one on average over realistic trace URIs.
    Goal("best_fixed_mask_is_used", "==", True),
    # Every label's code reads back at print resolution (needs pdftoppm and zxing-cpp).
    Goal("fixed_read_share_300dpi", "==", 1, check=True),
)
WATCH = {"penalty_excess": LOWER, "encode_codes_per_s": HIGHER,
         "fixed_read_share_150dpi": HIGHER}


def trace_uris(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    alphabet = string.ascii_uppercase + string.digits
    uris = []
    for _ in range(count):
        lot = (f"FY{rng.randint(341200, 341299):06d}-{rng.randint(250101, 261231):06d}"
               f"-{rng.randint(1, 999):03d}")
        serial = "".join(rng.choices(alphabet, k=rng.randint(4, 12)))
        signature = "".join(rng.choices(string.ascii_letters + string.digits + "-_",
                                        k=rng.randint(12, 64)))
        domain = rng.choice(["trace.example.cn", "fc.fuyang.example.cn", "t.fc.cn"])
        gtin = f"0952{rng.randint(0, 10**10 - 1):010d}"
        query = rng.choice(["7007=261126", "7007=261120-261126&3103=005000",
                            "7007=261126&422=156&17=261210", ""])
        uris.append(f"https://{domain}/01/{gtin}/10/{lot}/21/{serial}?{query}&s={signature}")
    return uris


def penalties(uris: list[str]) -> tuple[dict[int, list[int]], list[int], list[int]]:
    by_mask: dict[int, list[int]] = {m: [] for m in range(8)}
    best, chosen = [], []
    for uri in uris:
        scores = []
        for mask in range(8):
            matrix = qr.encode(uri, mask_pattern=mask)
            score = util.lost_point([[c == "1" for c in row] for row in matrix.rows])
            by_mask[mask].append(score)
            scores.append(score)
        best.append(min(scores))
        chosen.append(scores.index(min(scores)))
    return by_mask, best, chosen


def rate(function, uris: list[str]) -> float:
    start = time.perf_counter()
    for uri in uris:
        function(uri)
    return len(uris) / (time.perf_counter() - start)


def decode_share(uris: list[str], mask: int | None, dpi: int) -> float:
    import zxingcpp
    from PIL import Image

    cell, columns = 28 * MM, 7
    out = io.BytesIO()
    writer = PDFStreamWriter(out)
    cells = []
    for start in range(0, len(uris), 70):
        ops = ["0 g"]
        for i, uri in enumerate(uris[start:start + 70]):
            matrix = qr.encode(uri, mask_pattern=mask)
            module = qr.module_size(23 * MM, matrix)
            side = module * matrix.size
            x, y_top = 8 * MM + (i % columns) * cell, 8 * MM + (i // columns) * cell
            ops.append(qr.path_operators(matrix, x + (cell - side) / 2,
                                         297 * MM - y_top - (cell + side) / 2, module))
            cells.append((start // 70, x, y_top, uri))
        writer.add_page(210 * MM, 297 * MM, "\n".join(ops))
    writer.close()
    read = 0
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "symbols.pdf"
        pdf.write_bytes(out.getvalue())
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", pdf, Path(tmp) / "p"],
                       check=True)
        pages = sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[1]))
        images = [Image.open(p) for p in pages]
        scale = dpi / 72
        for page, x, y_top, uri in cells:
            crop = images[page].crop((round(x * scale), round(y_top * scale),
                                      round((x + cell) * scale), round((y_top + cell) * scale)))
            found = zxingcpp.read_barcodes(crop, formats=zxingcpp.BarcodeFormat.QRCode)
            read += [b.text for b in found] == [uri]
    return read / len(uris)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uris", type=int, default=2000)
    args = parser.parse_args()
    uris = trace_uris(args.uris)
    print(f"{len(uris)} URIs of {min(map(len, uris))}-{max(map(len, uris))} characters, "
          f"versions {min(qr.encode(u).version for u in uris)}-"
          f"{max(qr.encode(u).version for u in uris)}", flush=True)

    by_mask, best, chosen = penalties(uris)
    excess = {}
    for mask, scores in by_mask.items():
        excess[mask] = statistics.mean(s / b for s, b in zip(scores, best, strict=True)) - 1
        print(f"mask {mask}: mean penalty {statistics.mean(scores):6.0f}, "
              f"{excess[mask]:6.1%} above the automatic choice, "
              f"chosen automatically for {chosen.count(mask) / len(uris):5.1%}", flush=True)
    fixed = min(excess, key=excess.get)
    print(f"best fixed mask: {fixed} (the library uses {qr.MASK_PATTERN})", flush=True)

    sample = uris[:300]
    auto_rate = rate(lambda u: qr.encode_with_qrcode(u), sample)
    fixed_rate = rate(lambda u: qr.encode_with_qrcode(u, mask_pattern=qr.MASK_PATTERN), sample)
    fast_rate = rate(qr.encode, uris)
    print(f"qrcode, automatic mask: {auto_rate:7.0f} codes/s", flush=True)
    print(f"qrcode, fixed mask    : {fixed_rate:7.0f} codes/s", flush=True)
    print(f"qr.encode, fixed mask : {fast_rate:7.0f} codes/s (qrcode's encoder, same matrices)",
          flush=True)

    decoded = {}
    if shutil.which("pdftoppm"):
        try:
            import zxingcpp  # noqa: F401
        except ImportError:
            print("zxing-cpp not installed: decode rates skipped")
        else:
            sample = uris[:140]
            for dpi in (300, 200, 150):
                for name, mask in (("fixed", qr.MASK_PATTERN), ("auto", None)):
                    share = decode_share(sample, mask, dpi)
                    decoded[f"{name}_{dpi}dpi"] = round(share, 4)
                    print(f"read by zxing-cpp at {dpi} dpi, 23 mm box, {name} mask: "
                          f"{share:.1%} of {len(sample)}", flush=True)

    finish("qr_masks", {
        "uris": len(uris),
        "fixed_mask": qr.MASK_PATTERN,
        "best_fixed_mask": fixed,
        "best_fixed_mask_is_used": fixed == qr.MASK_PATTERN,
        "penalty_excess": round(excess[qr.MASK_PATTERN], 4),
        "auto_mask_codes_per_s": round(auto_rate),
        "qrcode_fixed_mask_codes_per_s": round(fixed_rate),
        "encode_codes_per_s": round(fast_rate),
        "fixed_read_share_300dpi": decoded.get("fixed_300dpi"),
        "fixed_read_share_150dpi": decoded.get("fixed_150dpi"),
        "decoded_share": decoded,
    }, GOALS, WATCH)


if __name__ == "__main__":
    main()
