"""Temperature alerts on shipments: raised from the readings, acknowledged with a comment.

After every ingest the shipment's readings are checked against its temperature class's band
(frozen at most -18 °C, chilled 0-4 °C, cool 8-15 °C; ambient has none) by
`freshcircle.logistics.shelf_life.excursions`: a spell outside the band longer than
ALERT_AFTER (the tolerance consumers' pages use too: a door opened for loading is not an
excursion) becomes one alert, keyed by its start so re-sent readings never raise it twice; a
spell that grows with later readings updates its end and extreme. Acknowledging needs a
comment (what was done) and is done by the carrier, the shipper's members or staff.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.logistics.shelf_life import excursions

from ..models import Shipment, ShipmentAlert, TemperatureReading, User, utcnow
from .errors import Conflict, InvalidInput, NotFound
from .shipment_access import require_view
from .shipments import SET_POINT_RANGES

ALERT_AFTER = dt.timedelta(minutes=30)
OPEN_ENDED = 1000.0


def _band(shipment: Shipment) -> tuple[float, float] | None:
    low, high = SET_POINT_RANGES[shipment.temp_class]
    if low is None and high is None:
        return None
    return (float(low) if low is not None else -OPEN_ENDED,
            float(high) if high is not None else OPEN_ENDED)


def raise_alerts(session: Session, shipment: Shipment) -> list[ShipmentAlert]:
    """Create or update the shipment's alerts from all its readings; returns the new ones."""
    band = _band(shipment)
    if band is None:
        return []
    readings = [(at if at.tzinfo else at.replace(tzinfo=dt.UTC), float(c))
                for at, c in session.execute(
                    select(TemperatureReading.recorded_at, TemperatureReading.celsius)
                    .where(TemperatureReading.shipment_id == shipment.id)
                    .order_by(TemperatureReading.recorded_at))]
    existing = {_aware(a.started_at): a for a in session.scalars(
        select(ShipmentAlert).where(ShipmentAlert.shipment_id == shipment.id))}
    new = []
    for spell in excursions(readings, band[0], band[1], ALERT_AFTER):
        extreme = Decimal(str(round(spell.extreme_c, 2)))
        alert = existing.get(spell.start)
        if alert is None:
            alert = ShipmentAlert(shipment_id=shipment.id, side=spell.side,
                                  started_at=spell.start, ended_at=spell.end, extreme_c=extreme)
            session.add(alert)
            new.append(alert)
        else:
            alert.ended_at, alert.extreme_c = spell.end, extreme
    session.flush()
    return new


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def alerts_for(session: Session, actor: User, shipment: Shipment) -> list[ShipmentAlert]:
    return alerts_by_shipment(session, actor, [shipment])[shipment.id]


def alerts_by_shipment(session: Session, actor: User,
                       shipments: list[Shipment]) -> dict[int, list[ShipmentAlert]]:
    """The alerts of each shipment (one query for a page of them), oldest first."""
    for shipment in shipments:
        require_view(session, actor, shipment)
    found: dict[int, list[ShipmentAlert]] = {s.id: [] for s in shipments}
    for alert in session.scalars(select(ShipmentAlert).where(
            ShipmentAlert.shipment_id.in_(list(found))).order_by(ShipmentAlert.started_at)):
        found[alert.shipment_id].append(alert)
    return found


def acknowledge(session: Session, actor: User, alert_id: int, comment: str,
                shipment_id: int | None = None) -> ShipmentAlert:
    alert = session.get(ShipmentAlert, alert_id)
    if alert is None or shipment_id not in (None, alert.shipment_id):
        raise NotFound(_l("No such alert."))
    require_view(session, actor, session.get(Shipment, alert.shipment_id))
    comment = (comment or "").strip()
    if not comment:
        raise InvalidInput.field("comment", _l("Say what was done about it."))
    if alert.acknowledged_at is not None:
        raise Conflict(_l("This alert was already acknowledged."))
    alert.acknowledged_at, alert.acknowledged_by_id = utcnow(), actor.id
    alert.comment = comment[:500]
    session.flush()
    return alert
