"""Marketplace listings: list a batch, read and change a listing, pause or close it, search."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_smorest import Blueprint

from freshcircle.platform.batches.services import batches
from freshcircle.platform.core.services.quantities import GRAMS_PER_UNIT
from freshcircle.platform.extensions import db
from freshcircle.platform.market.schemas.listings import (
    ListingChangeSchema,
    ListingPageSchema,
    ListingQuerySchema,
    ListingSchema,
    ListingStatusSchema,
    ListingTermsSchema,
    facets_json,
)
from freshcircle.platform.market.services import listing_browse, listing_facets, listings
from freshcircle.platform.web.api import actor

blp = Blueprint("listings", __name__, description="Marketplace listings and search")


def _with_estimate(listing, site):
    """The listing with its delivery estimate to `site` attached for the schema, if known."""
    if site is not None:
        found = listing_browse.estimates_for(db.session, site, [listing.producer_id])
        listing.estimate = found.get(listing.producer_id)
    return listing


@blp.post("/batches/<int:batch_id>/listing")
@blp.arguments(ListingTermsSchema)
@blp.response(201, ListingSchema)
@blp.alt_response(409, description="Batch held, recalled, failed a test, inside its safety "
                                   "interval, or already listed")
def create_listing(data, batch_id):
    """List a batch on the marketplace (members of its producer).

    Prices are in 元 per `unit` (斤 or kg) and both are shown to buyers; `quantity` defaults to
    everything the batch has left and may never be more. Tiers start above the minimum order.
    """
    user = actor()
    batch = batches.get_batch(db.session, user, batch_id)
    if data.get("quantity") is None:
        left = batches.remaining_grams(db.session, batch)
        data["quantity"] = Decimal(left) / GRAMS_PER_UNIT[data.get("unit") or "jin"]
    return listings.create_listing(db.session, user, batch, data), 201


@blp.get("/listings/<int:listing_id>")
@blp.response(200, ListingSchema)
def get_listing(listing_id):
    """One listing: any state for its producer's members and staff, else only while on sale.

    A buyer gets the delivery estimate to their default site when one can be made."""
    user = actor()
    listing = listing_browse.visible_listing(db.session, user, listing_id)
    return _with_estimate(listing, listing_browse.buyer_site(db.session, user))


@blp.patch("/listings/<int:listing_id>")
@blp.arguments(ListingChangeSchema)
@blp.response(200, ListingSchema)
@blp.alt_response(409, description="The listing is closed")
def update_listing(changes, listing_id):
    """Change a listing's terms; fields left out keep their values.

    The quantity can grow up to what the batch has left and never drop below what is sold.
    Giving `tiers` or `contract_prices` replaces them all."""
    user = actor()
    listing = listings.get_listing(db.session, listing_id)
    batches.get_batch(db.session, user, listing.batch_id)  # members and staff only
    data = listing_browse.current_terms(db.session, listing, changes.get("unit") or "jin")
    data.update(changes)
    return listings.update_listing(db.session, user, listing, data)


@blp.post("/listings/<int:listing_id>/status")
@blp.arguments(ListingStatusSchema)
@blp.response(200, ListingSchema)
@blp.alt_response(409, description="Closed, or the batch may not be sold now")
def change_status(data, listing_id):
    """Pause (`paused`), resume (`active`) or close (`closed`) a listing.

    Closing gives back to the batch what was not sold; a closed listing stays closed."""
    user = actor()
    listing = listings.get_listing(db.session, listing_id)
    batches.get_batch(db.session, user, listing.batch_id)
    return listings.set_status(db.session, user, listing, data["status"])


@blp.get("/listings")
@blp.arguments(ListingQuerySchema, location="query", as_kwargs=True)
@blp.response(200, ListingPageSchema)
def search_listings(site_id=None, price_min=None, price_max=None, facets=False, **filters):
    """Search listings on sale: text, filters, sort, and a keyset cursor for the next page.

    `q` matches product names (Chinese by character pairs, so 大蒜 and 蒜 both find garlic),
    variety, producer and county. Sorts: `price` (cheapest 元/斤 first), `fresh` (latest harvest
    first), `arrival` (soonest at your site; needs a site). Pass `next_cursor` back as `cursor`
    for the next page: pages never repeat or skip a listing when others are added meanwhile.

    With `facets=true` the answer also counts, for each value of county, product, grade,
    certified, price band and arrive-by (with a site), the results that value would leave with
    every other filter kept (`market.services.listing_facets`)."""
    user = actor()
    site = listing_browse.buyer_site(db.session, user, site_id)
    query = listing_browse.BrowseQuery(
        price_min=_fen(price_min), price_max=_fen(price_max), **filters)
    now = dt.datetime.now(dt.UTC)
    page = listing_browse.browse(db.session, query, site=site, now=now)
    for item in page.listings:
        item.estimate = page.estimates.get(item.producer_id)
    answer = {"items": page.listings, "next_cursor": page.next_cursor}
    if facets:
        answer["facets"] = facets_json(listing_facets.facet_counts(db.session, query, site=site,
                                                                   now=now))
    return answer


def _fen(yuan: Decimal | None) -> int | None:
    if yuan is None:
        return None
    return int((yuan * 100).to_integral_value())
