"""Temperature alerts on shipments: raised from the readings, acknowledged with a comment.

After every ingest the shipment's readings are checked against its temperature class's band
(frozen at most -18 °C, chilled 0-4 °C, cool 8-15 °C; ambient has none) by
`freshcircle.logistics.excursions.load_excursions` (the one rule the consumer page uses too),
each logger (sensor) on its own: a spell outside the band longer than ALERT_AFTER (a door
opened for loading is not an excursion) becomes one alert; spells of several loggers that
overlap make one alert, and a spell that overlaps an existing alert updates it (start, end,
extreme), so re-sent or later readings never raise it twice. Acknowledging needs a
comment (what was done) and is done by the carrier, the shipper's members or staff.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.logistics import excursions as excursion_rule
from freshcircle.platform.core.services.errors import Conflict, InvalidInput, NotFound
from freshcircle.platform.dispatch.services.shipment_access import require_view
from freshcircle.platform.dispatch.services.shipments import SET_POINT_RANGES
from freshcircle.platform.models import Shipment, ShipmentAlert, TemperatureReading, User, utcnow

ALERT_AFTER = excursion_rule.EXCURSION_AFTER


def excursion_band(shipment: Shipment) -> tuple[float, float] | None:
    """The band a shipment's readings are judged against (its temperature class's), or None."""
    return excursion_rule.band(*SET_POINT_RANGES[shipment.temp_class])


def raise_alerts(session: Session, shipment: Shipment) -> list[ShipmentAlert]:
    """Create or update the shipment's alerts from all its readings; returns the new ones."""
    band = excursion_band(shipment)
    if band is None:
        return []
    by_sensor: dict[str, list[tuple[dt.datetime, float]]] = {}
    for sensor, at, celsius in session.execute(
            select(TemperatureReading.sensor_id, TemperatureReading.recorded_at,
                   TemperatureReading.celsius)
            .where(TemperatureReading.shipment_id == shipment.id)
            .order_by(TemperatureReading.recorded_at)):
        by_sensor.setdefault(sensor, []).append((_aware(at), float(celsius)))
    spells = excursion_rule.load_excursions(by_sensor.values(), band[0], band[1], ALERT_AFTER)
    existing = list(session.scalars(
        select(ShipmentAlert).where(ShipmentAlert.shipment_id == shipment.id)))
    new = []
    for spell in spells:
        extreme = Decimal(str(round(spell.extreme_c, 2)))
        alert = next((a for a in existing if a.side == spell.side
                      and _aware(a.started_at) <= spell.end
                      and spell.start <= _aware(a.ended_at)), None)
        if alert is None:
            alert = ShipmentAlert(shipment_id=shipment.id, side=spell.side,
                                  started_at=spell.start, ended_at=spell.end, extreme_c=extreme)
            session.add(alert)
            existing.append(alert)
            new.append(alert)
        else:  # the spell grew, or another logger saw more of it
            alert.started_at = min(_aware(alert.started_at), spell.start)
            alert.ended_at = max(_aware(alert.ended_at), spell.end)
            alert.extreme_c = (max if spell.side == "above" else min)(alert.extreme_c, extreme)
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
