"""Where pages send a trace code: the configured resolver, or this server's own.

A GS1 Digital Link names its resolver's domain (TRACE_DOMAIN). The default,
`id.freshcircle.example`, is reserved (RFC 2606) and never resolves: on an install that keeps
it, a link to it leads nowhere. So pages link such a code to this server's resolver path
(the same `/01/...` route answers it), while printed labels, QR codes and certificates keep
the configured domain, which is what the signature and the GS1 standard expect.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for

EXAMPLE_TRACE_DOMAIN = "id.freshcircle.example"


def is_example_domain(domain: str) -> bool:
    """Whether codes on this domain resolve nowhere on the internet (the shipped default)."""
    return domain.lower().rstrip(".") == EXAMPLE_TRACE_DOMAIN


def trace_href(uri: str) -> str:
    """The link a page puts behind a trace code: `uri` itself, or for a code on the example
    domain this server's own resolver path with the same keys and query."""
    parts = urlsplit(uri)
    if not is_example_domain(parts.hostname or ""):
        return uri
    path = url_for("trace.resolve", keys=parts.path.removeprefix("/01/"))
    return path + (f"?{parts.query}" if parts.query else "")
