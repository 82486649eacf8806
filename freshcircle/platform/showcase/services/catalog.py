"""What each showcase page shows, as plain records: listings on sale without their prices, the
producers that sell them, the certifications producers recorded, the region's brands.

Only public facts: a listing appears only while buyers could order it (market's `on_sale`)
and its batch is neither held nor recalled; no price, no stock figure, no internal record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.core.services.errors import NotFound
from freshcircle.platform.market.services.listing_browse import on_sale
from freshcircle.platform.models import (
    Batch,
    BatchPhoto,
    BatchStatus,
    Certification,
    CertificationKind,
    Listing,
    Producer,
    Product,
    TradeItem,
)
from freshcircle.platform.showcase.services import brands as brand_data
from freshcircle.platform.showcase.services import supply
from freshcircle.platform.showcase.services.brands import Brand, County
from freshcircle.platform.showcase.services.supply import ProductOutlook

HOME_LISTINGS = 12
PAGE_LISTINGS = 48
PAGE_PRODUCERS = 60
SHOWN_CERTIFICATIONS = (CertificationKind.GEO_INDICATION, CertificationKind.GREEN_FOOD,
                        CertificationKind.ORGANIC)


@dataclass(frozen=True)
class PublicListing:
    """A listing as a visitor sees it: origin, grade, season; never a price."""

    id: int
    product_zh: str
    product_en: str
    variety: str | None
    grade: str | None
    specification: str | None
    county: County | None
    producer_id: int
    producer_name: str
    harvest_date: dt.date
    available_to: dt.date
    certified: bool
    photo_id: int | None


@dataclass(frozen=True)
class PublicCertification:
    kind: CertificationKind
    product_zh: str | None
    product_en: str | None
    number: str
    issuer: str
    valid_to: dt.date
    producer_id: int
    producer_name: str


@dataclass(frozen=True)
class ProducerCard:
    id: int
    name: str
    county: County | None
    township: str | None
    listings: int


def public_listings(session: Session, *, county_code: str | None = None,
                    producer_id: int | None = None, products_en: tuple[str, ...] = (),
                    limit: int = PAGE_LISTINGS) -> list[PublicListing]:
    """Listings on sale, latest harvest first, optionally of one county, producer or products."""
    stmt = (select(Listing).join(Batch, Batch.id == Listing.batch_id)
            .where(on_sale(), Batch.status.not_in((BatchStatus.HELD, BatchStatus.RECALLED)))
            .options(selectinload(Listing.product), selectinload(Listing.producer),
                     selectinload(Listing.batch))
            .order_by(Listing.harvest_date.desc(), Listing.id.desc()).limit(limit))
    if county_code:
        stmt = stmt.where(Listing.county_code == county_code)
    if producer_id is not None:
        stmt = stmt.where(Listing.producer_id == producer_id)
    if products_en:
        stmt = stmt.join(Product, Product.id == Listing.product_id).where(
            Product.name_en.in_(products_en))
    rows = session.scalars(stmt).all()
    photos = _public_photos(session, [row.batch_id for row in rows])
    return [PublicListing(
        row.id, row.product.name_zh, row.product.name_en, row.batch.variety, row.grade,
        row.specification, brand_data.county(row.county_code), row.producer_id,
        row.producer.name, row.harvest_date, row.available_to, row.certified,
        photos.get(row.batch_id)) for row in rows]


def _public_photos(session: Session, batch_ids: list[int]) -> dict[int, int]:
    """batch id -> its latest photo anyone may see (trace's `public_photo` rule: the batch's
    product has a trade item, so the batch has a consumer page)."""
    if not batch_ids:
        return {}
    rows = session.execute(
        select(BatchPhoto.batch_id, func.max(BatchPhoto.id))
        .join(Batch, Batch.id == BatchPhoto.batch_id)
        .join(TradeItem, and_(TradeItem.producer_id == Batch.producer_id,
                              TradeItem.product_id == Batch.product_id))
        .where(BatchPhoto.batch_id.in_(batch_ids)).group_by(BatchPhoto.batch_id)).all()
    return {batch_id: photo_id for batch_id, photo_id in rows}


def certifications(session: Session, *, producer_id: int | None = None,
                   county_code: str | None = None,
                   products_en: tuple[str, ...] = ()) -> list[PublicCertification]:
    """Certifications producers recorded that are valid today (GI, green food, organic)."""
    stmt = (select(Certification).join(Producer, Producer.id == Certification.producer_id)
            .where(Certification.kind.in_(SHOWN_CERTIFICATIONS),
                   Certification.valid_from <= today_in_china(),
                   Certification.valid_to >= today_in_china())
            .options(selectinload(Certification.product), selectinload(Certification.producer))
            .order_by(Certification.kind, Certification.id))
    if producer_id is not None:
        stmt = stmt.where(Certification.producer_id == producer_id)
    if county_code:
        stmt = stmt.where(Producer.county_code == county_code)
    if products_en:
        stmt = stmt.join(Product, Product.id == Certification.product_id).where(
            Product.name_en.in_(products_en))
    return [PublicCertification(
        c.kind, c.product.name_zh if c.product else None,
        c.product.name_en if c.product else None, c.number, c.issuer, c.valid_to,
        c.producer_id, c.producer.name) for c in session.scalars(stmt)]


def producer_cards(session: Session, producer_ids=None, county_code: str | None = None,
                   limit: int = PAGE_PRODUCERS) -> list[ProducerCard]:
    """Producers (of a county, or these ids) with how many listings they have on sale, those
    with the most first."""
    on_sale_count = (select(func.count(Listing.id)).where(
        Listing.producer_id == Producer.id, on_sale()).correlate(Producer).scalar_subquery())
    stmt = (select(Producer, on_sale_count).order_by(on_sale_count.desc(), Producer.id)
            .limit(limit))
    if county_code:
        stmt = stmt.where(Producer.county_code == county_code)
    if producer_ids is not None:
        stmt = stmt.where(Producer.id.in_(list(producer_ids)))
    return [ProducerCard(p.id, p.name, brand_data.county(p.county_code), p.township, n)
            for p, n in session.execute(stmt)]


@dataclass(frozen=True)
class HomePage:
    counties: list[tuple[County, int]]  # county, producers in it
    brands: list[Brand]
    listings: list[PublicListing]
    supply: dict[str, list[ProductOutlook]]  # county code: its next 12 weeks, largest first


def home(session: Session) -> HomePage:
    counts = dict(session.execute(
        select(Producer.county_code, func.count(Producer.id)).group_by(Producer.county_code)
    ).all())
    return HomePage([(c, counts.get(c.code, 0)) for c in brand_data.all_counties()],
                    list(brand_data.all_brands()),
                    public_listings(session, limit=HOME_LISTINGS),
                    supply.by_county(session))


@dataclass(frozen=True)
class CountyPage:
    county: County
    brands: list[Brand]
    producers: list[ProducerCard]
    listings: list[PublicListing]
    supply: list[ProductOutlook]  # the next 12 weeks, the largest first


def county_page(session: Session, code: str) -> CountyPage:
    county = brand_data.county(code)
    if county is None:
        raise NotFound()
    return CountyPage(county, brand_data.brands_of_county(code),
                      producer_cards(session, county_code=code),
                      public_listings(session, county_code=code),
                      supply.of_county(session, code))


@dataclass(frozen=True)
class BrandPage:
    brand: Brand
    county: County | None
    certifications: list[PublicCertification]
    producers: list[ProducerCard]
    listings: list[PublicListing]


def brand_page(session: Session, slug: str) -> BrandPage:
    """A brand: the certifications its producers recorded, its season, who sells it."""
    brand = brand_data.brand(slug)
    if brand is None:
        raise NotFound()
    listings = public_listings(session, county_code=brand.county_code,
                               products_en=brand.products_en)
    certs = certifications(session, county_code=brand.county_code,
                           products_en=brand.products_en)
    sellers = {item.producer_id for item in listings} | {c.producer_id for c in certs}
    return BrandPage(brand, brand_data.county(brand.county_code), certs,
                     producer_cards(session, producer_ids=sellers), listings)


@dataclass(frozen=True)
class ProducerProfile:
    id: int
    name: str
    kind: str
    county: County | None
    township: str | None
    service_phone: str | None
    certifications: list[PublicCertification]
    in_season: list[tuple[str, str]]  # (product zh, en) on sale now
    brands: list[Brand]
    photos: list[int]
    listings: list[PublicListing]


def producer_profile(session: Session, producer_id: int) -> ProducerProfile:
    producer = session.get(Producer, producer_id)
    if producer is None:
        raise NotFound()
    listings = public_listings(session, producer_id=producer_id)
    products: dict[str, str] = {}
    for item in listings:
        products.setdefault(item.product_en, item.product_zh)
    brand_hits: dict[str, Brand] = {}
    for name_en in products:
        for b in brand_data.brands_of_product(name_en, producer.county_code):
            brand_hits[b.slug] = b
    return ProducerProfile(
        producer.id, producer.name, producer.kind.value, brand_data.county(producer.county_code),
        producer.township, producer.service_phone,
        certifications(session, producer_id=producer_id),
        [(zh, en) for en, zh in products.items()], list(brand_hits.values()),
        [item.photo_id for item in listings if item.photo_id is not None][:6], listings)
