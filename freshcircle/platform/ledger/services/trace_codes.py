"""Trace codes for packs: GTINs per producer product, per-batch serial blocks, signed URIs.

The GS1 rules, Digital Link syntax and signatures live in the pure library
`freshcircle.traceability`; this module ties them to the database and the app's settings.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.clock import too_early
from freshcircle.platform.core.services.errors import InvalidInput
from freshcircle.platform.core.services.quantities import grams_to_kg
from freshcircle.platform.models import Batch, LabelRun, TradeItem
from freshcircle.traceability.digital_link import DigitalLink, make_link
from freshcircle.traceability.gs1_keys import GtinScheme
from freshcircle.traceability.signing import (
    SERIAL_ALPHABET,
    Keyring,
    encode_serial,
    sign,
    signed_uris,
)

CHINA_ISO_3166 = "156"


@dataclass(frozen=True)
class TraceSettings:
    """Where codes point and how they are numbered and signed (built from the app config)."""

    domain: str
    gtin_scheme: GtinScheme
    keyring: Keyring


def load_keyring(instance_path: str, configured: str | None, current: str | None) -> Keyring:
    """Signing keys from `FRESHCIRCLE_SIGNING_KEYS` ("kid=base64url,kid2=..."), else a key kept
    in the instance folder (made on first use, like the session secret).

    The first configured key signs unless `FRESHCIRCLE_SIGNING_KEY_CURRENT` names another;
    the others still verify codes printed before a rotation.
    """
    if configured:
        pairs = dict(item.strip().split("=", 1) for item in configured.split(",") if item.strip())
        return Keyring.from_base64(pairs, current or next(iter(pairs)))
    path = Path(instance_path) / "signing_keys.json"
    if not path.exists():
        secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
        path.write_text(json.dumps({"current": "1", "keys": {"1": secret}}))
        path.chmod(0o600)
    stored = json.loads(path.read_text())
    return Keyring.from_base64(stored["keys"], current or stored["current"])


def trade_item_for(session: Session, settings: TraceSettings, producer_id: int,
                   product_id: int) -> TradeItem:
    """The producer's GTIN for this product, assigned on first use."""
    item = session.scalar(
        select(TradeItem).where(
            TradeItem.producer_id == producer_id, TradeItem.product_id == product_id
        )
    )
    if item is None:
        gtin = settings.gtin_scheme.gtin_for(producer_id, product_id)
        item = TradeItem(producer_id=producer_id, product_id=product_id, gtin=gtin.zfill(14))
        session.add(item)
        session.flush()
    return item


def require_codable(batch: Batch) -> None:
    """InvalidInput unless the batch's facts fit a GS1 Digital Link (checked before printing)."""
    if too_early(batch.harvest_date):
        raise InvalidInput.field("harvest_date", _l(
            "The harvest date %(day)s cannot be printed in a trace code; correct the batch's "
            "harvest date first.", day=batch.harvest_date.isoformat()))


def lot_link(settings: TraceSettings, item: TradeItem, batch: Batch,
             net_weight_g: int | None = None) -> DigitalLink:
    """The unsigned lot-level Digital Link: GTIN, lot, harvest date, net weight, origin China.

    A harvest date before 2000 (stored before such dates were refused) cannot be a GS1 date
    (YYMMDD covers one century): the batch must be corrected before anything is printed.
    """
    require_codable(batch)
    return make_link(
        settings.domain,
        item.gtin,
        lot=batch.lot_code,
        harvest_date=batch.harvest_date,
        net_weight_kg=grams_to_kg(net_weight_g) if net_weight_g else None,
        origin=CHINA_ISO_3166,
    )


def signed_lot_uri(settings: TraceSettings, item: TradeItem, batch: Batch) -> str:
    """A signed lot-level code (for the certificate and shelf labels without serials)."""
    return sign(lot_link(settings, item, batch), settings.keyring).to_uri()


def reserve_serials(session: Session, batch: Batch, count: int) -> int:
    """Take the next `count` serial numbers of a batch; returns the first.

    The batch row is locked (SELECT ... FOR UPDATE on PostgreSQL), so two print runs started
    at once never share a serial.
    """
    locked = session.scalar(select(Batch).where(Batch.id == batch.id).with_for_update())
    first = locked.serials_issued
    locked.serials_issued = first + count
    session.flush()
    return first


def run_uris(settings: TraceSettings, run: LabelRun) -> Iterator[str]:
    """The signed per-pack URIs of a label run, in serial order (one HMAC each)."""
    link = lot_link(settings, run.trade_item, run.batch, run.net_weight_g)
    serials = (encode_serial(n) for n in range(run.first_serial, run.first_serial + run.count))
    return signed_uris(link, serials, settings.keyring)


def serial_number(serial: str) -> int | None:
    """The number a Crockford base32 serial encodes, or None if it is not one of ours."""
    number = 0
    for char in serial or "":
        index = SERIAL_ALPHABET.find(char)
        if index < 0:
            return None
        number = number * 32 + index
    return number if serial else None


def was_issued(batch: Batch, serial: str) -> bool:
    """Whether a label run of this batch printed this serial."""
    number = serial_number(serial)
    return number is not None and number < batch.serials_issued
