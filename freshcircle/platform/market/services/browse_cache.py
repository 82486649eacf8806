"""What the market's browse page may be cached under: the version of everything a card shows.

Every buyer of one delivery site sees the same cards for the same search (listings, stock,
prices, origin, arrival at the site), so the page caches them per site and search, keyed by
`version()`: the market data version (raised in the transaction of any change to a listing,
its stock, tiers, search terms, batch, producer, product or a place, see
`core.services.data_versions`), today's date in China (a listing's last day) and the current
minute (delivery estimates, which depend on the clock through cut-offs). A change shows on
the next page view of every buyer, in every process; the version read is one primary-key
lookup.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services import data_versions
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.core.services.errors import InvalidInput
from freshcircle.platform.market.services import listing_browse
from freshcircle.platform.models import (
    Batch,
    BuyerProfile,
    DataVersion,
    Listing,
    ListingTerm,
    ListingTier,
    Place,
    Producer,
    Product,
    Role,
)

MARKET = "market"
data_versions.watch(MARKET, Listing, ListingTier, ListingTerm, Batch, Producer, Product, Place)


def stamp(market_version: int) -> tuple:
    """(market data version, today in China, minute): equal only while every card is."""
    return (market_version, today_in_china().isoformat(), int(time.time() // 60))


def version(session: Session) -> tuple:
    """`stamp` of the committed market data version."""
    return stamp(data_versions.current(session, MARKET))


@dataclass
class BuyerView:
    """What the browse page needs of its user: their sites, the site chosen (the one asked
    for, else the default), their default site's id and the cache version; for a buyer one
    round trip."""

    sites: list[Place]
    site: Place | None
    version: tuple
    default_site_id: int | None = None


def buyer_view(session: Session, user, site_id: int | None) -> BuyerView:
    """`BuyerView` of `user`; a site_id that is not one of a buyer's sites is the form's
    error, as `listing_browse.buyer_site` says."""
    if user.role != Role.BUYER:
        return BuyerView([], None, version(session))
    default = select(BuyerProfile.default_site_id).where(BuyerProfile.user_id == user.id) \
        .scalar_subquery()
    current = select(DataVersion.version).where(DataVersion.name == MARKET).scalar_subquery()
    rows = session.execute(select(Place, default, current).where(Place.buyer_id == user.id)
                           .order_by(Place.id)).all()
    if not rows:
        site = listing_browse.buyer_site(session, user, site_id)
        return BuyerView([], site, version(session), site.id if site is not None else None)
    sites = [row[0] for row in rows]
    by_id = {place.id: place for place in sites}
    default_id = rows[0][1]
    at = stamp(rows[0][2] or 0)
    if site_id is not None:
        if site_id not in by_id:
            raise InvalidInput.field("site_id", _l("Choose one of your delivery sites."))
        return BuyerView(sites, by_id[site_id], at, default_id)
    site = by_id.get(default_id) if default_id is not None else None
    if default_id is not None and site is None:  # a default that is not among their sites
        site = listing_browse.buyer_site(session, user)
    return BuyerView(sites, site, at, default_id)
