"""The demo data gives the showcase real content: every brand on sale, the toon's recorded
geographical indication, an expired certificate left out."""

from __future__ import annotations

from freshcircle.platform.demo import seed_demo
from freshcircle.platform.showcase.services import brands, catalog


def test_the_demo_fills_every_brand_page(session):
    seed_demo(session)
    session.commit()
    for brand in brands.all_brands():
        page = catalog.brand_page(session, brand.slug)
        assert page.listings, f"{brand.name_zh} has nothing on sale in the demo"
        assert page.producers
    toon = catalog.brand_page(session, "taihe-xiangchun")
    assert [c.kind.value for c in toon.certifications] == ["geo_indication"]
    lotus = catalog.brand_page(session, "yingshang-ouzi")
    assert lotus.certifications == []  # the demo's lotus certificate has expired
    home = catalog.home(session)
    assert all(producers > 0 for _, producers in home.counties)
    assert len(home.listings) == catalog.HOME_LISTINGS
