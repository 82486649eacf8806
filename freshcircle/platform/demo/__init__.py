"""Demo data: realistic sample producers, batches and shipments, all labelled 示例.

`seed_demo(session)` writes them through the services and only flushes; `flask seed-demo`
commits and prints the demo sign-ins.
"""

from __future__ import annotations

import unicodedata

from freshcircle.platform.demo.content import DEMO_PASSWORD, SIGN_INS, SignIn
from freshcircle.platform.demo.seed import DemoDataError, DemoResult, seed_demo, seed_reference

__all__ = [
    "DEMO_PASSWORD",
    "SIGN_INS",
    "DemoDataError",
    "DemoResult",
    "SignIn",
    "format_sign_ins",
    "seed_demo",
    "seed_reference",
]


def _width(text: str) -> int:
    """Columns a terminal gives `text`: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_sign_ins(sign_ins: tuple[SignIn, ...]) -> str:
    """The demo sign-ins as a plain-text table (role, phone, password, what to try)."""
    header = ("role", "phone", "password", "what to try")
    rows = [(s.person.role.value, s.person.phone, DEMO_PASSWORD, s.what_to_try) for s in sign_ins]
    widths = [max(_width(row[i]) for row in (header, *rows)) for i in range(3)]
    lines = []
    for row in (header, (*("-" * w for w in widths), "-" * 11), *rows):
        lines.append("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=False))
                     + "  " + row[3])
    return "\n".join(line.rstrip() for line in lines)
