"""Sending e-mail through the SMTP server named by FRESHCIRCLE_SMTP_URL (the stdlib's smtplib).

`smtp://user:password@host:587` talks plain SMTP and upgrades with STARTTLS when the server
offers it; `smtps://...:465` is TLS from the start; no user means no login. Nothing here runs
inside a request's database transaction: callers commit first, so a slow or failing mail
server never holds the database.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit


def send(url: str, sender: str, to: str, subject: str, body: str, timeout: float = 20) -> None:
    """Send one plain-text (UTF-8) message; raises smtplib/OSError errors to the caller."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"FRESHCIRCLE_SMTP_URL must start with smtp:// or smtps://: {url!r}")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content(body)
    client_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    with client_class(parts.hostname, port, timeout=timeout) as client:
        if parts.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)
