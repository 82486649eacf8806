"""Matching producers to a standing demand, keeping the matches and telling the producers.

Candidates are producers with a planting of the product whose harvest window meets the
demand's weeks (not reported lost; its expected 斤 per week as the supply forecast computes it,
corrected by the producer's own planned-against-actual record) or with an active listing of the
product (of the grade asked for, when one is) that still has some left. Each is placed by its
own coordinates, else its county's centre, and its road time to the delivery site is the
cold-chain estimate the delivery promises use (`freshcircle.logistics.travel.road_leg`).
`ranking` drops and orders them.

Matches are stored (re-matching keeps when each producer was first told) and every member of a
newly matched producer gets a notice with a link to the demand.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.forecasting.weekly_supply import PlannedHarvest, weekly_supply
from freshcircle.logistics.travel import road_leg
from freshcircle.platform.contracts.services.fulfilment import Fulfilment, fulfilment_by_producer
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.demand.services.ranking import (
    Candidate,
    Ranked,
    fulfilment_weight,
    rank,
)
from freshcircle.platform.models import (
    Listing,
    ListingStatus,
    Membership,
    Notice,
    Place,
    Planting,
    Producer,
    SeasonStatus,
    StandingDemand,
    StandingDemandMatch,
)
from freshcircle.platform.plantings.services.planting_yields import GRAMS_PER_JIN
from freshcircle.platform.plantings.services.supply_forecast import learned_correction

WEEK = dt.timedelta(weeks=1)
NOTICE_KIND = "demand_match"


def contract_records(session: Session, producer_ids) -> dict[int, Fulfilment]:
    """The producers' forward-contract fulfilment (contracts' report), for those with a record
    of ended delivery weeks."""
    return {producer_id: record for producer_id, record
            in fulfilment_by_producer(session, producer_ids).items()
            if record.delivered_share is not None}


def _plantings(session: Session, demand: StandingDemand) -> list[Planting]:
    return list(session.scalars(select(Planting).where(
        Planting.product_id == demand.product_id,
        Planting.harvest_to >= demand.first_week,
        Planting.harvest_from < demand.last_week + WEEK,
        (Planting.status.is_(None)) | (Planting.status != SeasonStatus.LOST))))


def _listings(session: Session, demand: StandingDemand) -> list[Listing]:
    stmt = select(Listing).where(Listing.product_id == demand.product_id,
                                 Listing.status == ListingStatus.ACTIVE,
                                 Listing.offered_g > Listing.sold_g,
                                 Listing.available_to >= today_in_china())
    if demand.grade:
        stmt = stmt.where(Listing.grade == demand.grade)
    return list(session.scalars(stmt))


def _origin(session: Session, producer: Producer) -> tuple[float, float] | None:
    """The producer's coordinates, else its county's centre, else None (not placed)."""
    if producer.latitude is not None and producer.longitude is not None:
        return float(producer.latitude), float(producer.longitude)
    centre = session.scalar(select(Place).where(Place.admin_code == producer.county_code)
                            .order_by(Place.id).limit(1))
    return (float(centre.latitude), float(centre.longitude)) if centre is not None else None


def candidates(session: Session, demand: StandingDemand) -> list[Candidate]:
    """Every producer growing or selling the demand's product, with its facts."""
    plantings = _plantings(session, demand)
    listings = _listings(session, demand)
    weeks = demand.weeks
    correction, _ = learned_correction(session, today_in_china())
    harvests = [PlannedHarvest(p.producer_id, p.product_id, p.producer_id, float(p.area_mu),
                               float(p.expected_yield_jin_per_mu), p.harvest_from,
                               p.harvest_to, p.status.value if p.status else None)
                for p in plantings]
    supply: dict[int, float] = defaultdict(float)
    supply_weeks: dict[int, list[dt.date]] = defaultdict(list)
    for cell in weekly_supply(harvests, weeks, correction):
        if cell.expected_jin > 0:
            supply[cell.county] += cell.expected_jin
            supply_weeks[cell.county].append(cell.week)
    listed: dict[int, list[Listing]] = defaultdict(list)
    for listing in listings:
        listed[listing.producer_id].append(listing)
    site = demand.site
    out = []
    for producer_id in sorted({p.producer_id for p in plantings} | set(listed)):
        origin = _origin(session, session.get(Producer, producer_id))
        if origin is None:
            continue
        grown = [p for p in plantings if p.producer_id == producer_id]
        on_sale = listed.get(producer_id, [])
        if not supply.get(producer_id) and not on_sale:
            continue  # its plantings give nothing in the demand's weeks
        leg = road_leg(*origin, float(site.latitude), float(site.longitude))
        lasting = [x for x in on_sale if x.available_to >= demand.first_week]
        out.append(Candidate(
            producer_id, leg.distance_km, leg.hours,
            planting_count=len(grown) if supply.get(producer_id) else 0,
            planting_area_mu=float(sum(p.area_mu for p in grown)),
            planting_jin=supply.get(producer_id, 0.0),
            planting_weeks=tuple(supply_weeks.get(producer_id, ())),
            listing_count=len(on_sale),
            listing_jin=sum(x.left_g for x in lasting) / GRAMS_PER_JIN,
            listed_jin=sum(x.left_g for x in on_sale) / GRAMS_PER_JIN))
    return out


def ranked(session: Session, demand: StandingDemand) -> list[Ranked]:
    found = candidates(session, demand)
    needed = demand.quantity_g_per_week / GRAMS_PER_JIN * len(demand.weeks)
    records = contract_records(session, [c.producer_id for c in found])
    weights = {producer_id: fulfilment_weight(r.delivered_share, r.on_time_share)
               for producer_id, r in records.items()}
    results = rank(found, needed_jin=needed, storage_life_days=demand.product.storage_life_days,
                   min_days=demand.min_shelf_life_days, weights=weights)
    for result in results:  # the record that moved it up or down, said beside the others
        record = records.get(result.candidate.producer_id)
        if record is not None:
            result.reasons.append({
                "kind": "contracts", "contracts": record.contracts,
                "delivered_pct": round(min(1.0, record.delivered_share or 0.0) * 100),
                "on_time_pct": (None if record.on_time_share is None
                                else round(record.on_time_share * 100))})
    return results


def match(session: Session, demand: StandingDemand, now: dt.datetime) -> list[StandingDemandMatch]:
    """Compute and store the demand's matches; tell the newly matched producers' members."""
    results = ranked(session, demand)
    old = {m.producer_id: m for m in demand.matches}
    keep = {r.candidate.producer_id for r in results}
    for producer_id, row in old.items():
        if producer_id not in keep:
            demand.matches.remove(row)
    session.flush()
    fresh = []
    for result in results:
        row = old.get(result.candidate.producer_id)
        if row is None:
            row = StandingDemandMatch(producer_id=result.candidate.producer_id, created_at=now)
            demand.matches.append(row)
            fresh.append(row)
        row.rank, row.score = result.rank, result.score
        row.reasons = json.dumps(result.reasons, ensure_ascii=False)
    demand.matched_at = now
    session.flush()
    _tell(session, demand, fresh, now)
    session.refresh(demand, ["matches"])
    return list(demand.matches)


def _tell(session: Session, demand: StandingDemand, rows: list[StandingDemandMatch],
          now: dt.datetime) -> None:
    if not rows:
        return
    product, site = demand.product, demand.site
    members = session.execute(select(Membership.producer_id, Membership.user_id).where(
        Membership.producer_id.in_([r.producer_id for r in rows])))
    users: dict[int, list[int]] = defaultdict(list)
    for producer_id, user_id in members:
        users[producer_id].append(user_id)
    for row in rows:
        facts = {"demand": demand.id, "rank": row.rank, "product_zh": product.name_zh,
                 "product_en": product.name_en, "grade": demand.grade,
                 "quantity_g": demand.quantity_g_per_week,
                 "first_week": demand.first_week.isoformat(),
                 "last_week": demand.last_week.isoformat(),
                 "site_zh": site.name_zh, "site_en": site.name_en,
                 "reasons": json.loads(row.reasons)}
        for user_id in users.get(row.producer_id, []):
            session.add(Notice(user_id=user_id, kind=NOTICE_KIND, subject=f"#{demand.id}",
                               batch_id=None, payload=json.dumps(facts, ensure_ascii=False)))
        row.notified_at = now
    session.flush()
