"""The one check for every redirect target that comes from the request (`?next=`, a
referrer): it must be a path on this site.

Browsers drop tabs and newlines inside a URL and read a backslash as a slash, so
`/\t/evil.example` and `/\\evil.example` both open `//evil.example`, another host. The check
removes whitespace and control characters first (a header break would also make the response
fail), then asks `urlsplit` for a scheme or a host, and accepts only a path that starts with
exactly one slash.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit


def _visible(char: str) -> bool:
    # Cc: control characters (C0, DEL, C1); Cf: format characters (zero-width, bidi marks);
    # Zl/Zp/Zs and the rest of isspace(): any kind of space or line break.
    return not (char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Zs"))


def safe_redirect_target(target: str | None) -> str | None:
    """`target` without whitespace and control characters when it is a path on this site,
    else None (the caller then uses its own default)."""
    if not target:
        return None
    cleaned = "".join(char for char in target if _visible(char))
    if "\\" in cleaned or not cleaned.startswith("/") or cleaned.startswith("//"):
        return None
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return cleaned
