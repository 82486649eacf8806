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

from sqlalchemy.orm import Session

from freshcircle.platform.core.services import data_versions
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import (
    Batch,
    Listing,
    ListingTerm,
    ListingTier,
    Place,
    Producer,
    Product,
)

MARKET = "market"
data_versions.watch(MARKET, Listing, ListingTier, ListingTerm, Batch, Producer, Product, Place)


def version(session: Session) -> tuple:
    """(market data version, today in China, minute): equal only while every card is."""
    return (data_versions.current(session, MARKET), today_in_china().isoformat(),
            int(time.time() // 60))
