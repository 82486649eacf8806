"""How much of each batch its marketplace listing sets aside (for the batch's stock left).

Apart from `market.services.listings` because the batch service needs it and the listing service
needs the batch service.
"""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from freshcircle.platform.models import Listing, ListingStatus


def committed_by_listings(session: Session, batch_ids: list[int]) -> dict[int, int]:
    """Grams of each batch set aside on the marketplace: the whole offer while a listing is
    open, what it sold once closed."""
    if not batch_ids:
        return {}
    grams = case((Listing.status == ListingStatus.CLOSED, Listing.sold_g),
                 else_=Listing.offered_g)
    rows = session.execute(select(Listing.batch_id, func.sum(grams))
                           .where(Listing.batch_id.in_(batch_ids))
                           .group_by(Listing.batch_id))
    return {batch_id: int(total or 0) for batch_id, total in rows}
