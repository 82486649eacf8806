"""Consumer scans: an append-only log, and the rule that flags a serial as possibly copied.

Each scan is one INSERT and nothing else (no counter row to update), so concurrent scans never
queue on one lock. The client's address is reduced to its /24 (IPv4) or /48 (IPv6) network and
hashed with a secret salt: enough to tell "scanned from several places" apart, never the address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import ScanEvent

NETWORK_HASH_CHARS = 16  # ScanEvent.network is String(16)


@dataclass(frozen=True)
class CopyRule:
    """Many scans of one serial within `window` from at least `min_networks` networks."""

    window: dt.timedelta = dt.timedelta(hours=24)
    min_scans: int = 5
    min_networks: int = 3

    @classmethod
    def from_config(cls, config) -> CopyRule:
        """From SCAN_COPY_WINDOW_HOURS, SCAN_COPY_MIN_SCANS and SCAN_COPY_MIN_NETWORKS."""
        return cls(
            window=dt.timedelta(hours=float(config.get("SCAN_COPY_WINDOW_HOURS", 24))),
            min_scans=int(config.get("SCAN_COPY_MIN_SCANS", 5)),
            min_networks=int(config.get("SCAN_COPY_MIN_NETWORKS", 3)),
        )


@dataclass(frozen=True)
class CopySuspicion:
    """The scan history that made the rule fire (shown as "scanned N times from M places")."""

    scans: int
    networks: int
    since: dt.datetime
    hours: int


def network_hash(address: str | None, salt: str) -> str | None:
    """A short salted hash of the client's /24 (IPv4) or /48 (IPv6) network; None if unknown."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    digest = hashlib.blake2b(str(network).encode(), key=salt.encode()[:64], digest_size=8)
    return digest.hexdigest()[:NETWORK_HASH_CHARS]


def record_scan(session: Session, *, gtin: str, lot: str | None, serial: str | None,
                batch_id: int | None, verdict: str, network: str | None,
                now: dt.datetime | None = None) -> ScanEvent:
    """Append one scan (a single INSERT; nothing is read or locked)."""
    scan = ScanEvent(gtin=gtin, lot=lot, serial=serial, batch_id=batch_id, verdict=verdict,
                     network=network, scanned_at=now or dt.datetime.now(dt.UTC))
    session.add(scan)
    session.flush()
    return scan


def copy_suspicion(session: Session, gtin: str, serial: str, now: dt.datetime,
                   rule: CopyRule) -> CopySuspicion | None:
    """Whether this serial's recent scans look like a copied code (one indexed query).

    A genuine pack is scanned a few times by one household; a photocopied label turns up
    on many phones in many places. Scans with no known network do not count as a place.
    """
    since = now - rule.window
    scans, networks = session.execute(
        select(func.count(ScanEvent.id), func.count(func.distinct(ScanEvent.network)))
        .where(ScanEvent.gtin == gtin, ScanEvent.serial == serial,
               ScanEvent.scanned_at >= since, ScanEvent.scanned_at <= now)
    ).one()
    if scans >= rule.min_scans and networks >= rule.min_networks:
        return CopySuspicion(scans=scans, networks=networks, since=since,
                             hours=round(rule.window.total_seconds() / 3600))
    return None
