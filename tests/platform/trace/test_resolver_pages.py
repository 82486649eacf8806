"""GS1 resolver behaviour on the Digital Link paths (DOMAIN.md section 2)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from freshcircle.platform.models import ScanEvent
from tests.platform.trace_helpers import forge, path_of, printed_codes

LINKSET = "application/linkset+json"
VOC = "https://gs1.org/voc/"


@pytest.fixture
def code(app, make, session):
    producer = make.producer(make.user(), name="李庄蔬菜合作社")
    batch = make.batch(producer)
    return path_of(printed_codes(app, session, batch)[0])


def _gtin(path: str) -> str:
    return path.split("/")[2]


def test_plain_get_is_the_story_page_with_cors_and_a_linkset_link(client, code):
    response = client.get(code)

    assert response.status_code == 200
    assert response.content_type.startswith("text/html")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert 'rel="linkset"' in response.headers["Link"]


@pytest.mark.parametrize("link_type", ["gs1:traceability", "gs1:pip", "gs1:certificationInfo"])
def test_each_link_type_redirects_with_the_query_passed_through(client, code, link_type):
    response = client.get(code + "&linkType=" + link_type)

    assert response.status_code in (302, 307)
    location = response.headers["Location"]
    assert "linkType" not in location
    assert "sig=t1." in location and "7007=" in location  # the scanned query passes through
    if link_type == "gs1:pip":
        assert location.startswith(f"/01/{_gtin(code)}?")
    if link_type == "gs1:certificationInfo":
        assert location.endswith("#certifications")


def test_traceability_link_leads_back_to_the_page(client, code):
    location = client.get(code + "&linkType=gs1:traceability").headers["Location"]

    assert client.get(location).status_code == 200


def test_epcis_link_points_at_the_lot_query(client, code):
    location = client.get(code + "&linkType=gs1:epcis").headers["Location"]

    assert location.startswith("/api/v1/epcis/events?")
    assert "lot=" in location and f"gtin={_gtin(code)}" in location


def test_unknown_link_type_is_404(client, code):
    assert client.get(code + "&linkType=gs1:recipeInfo").status_code == 404


def test_forged_code_has_no_epcis_or_certification_link(client, code):
    assert client.get(forge(code) + "&linkType=gs1:epcis").status_code == 404
    assert client.get(forge(code) + "&linkType=gs1:certificationInfo").status_code == 404


def test_accept_language_picks_the_english_link(client, code):
    location = client.get(code + "&linkType=gs1:pip",
                          headers={"Accept-Language": "en-GB,en;q=0.9"}).headers["Location"]
    chinese = client.get(code + "&linkType=gs1:pip",
                         headers={"Accept-Language": "zh-CN,zh;q=0.9"}).headers["Location"]

    assert "lang=en" in location and "lang=" not in chinese


@pytest.mark.parametrize(
    "bad",
    [
        "/01/09520000001049?10=LOT1",  # lot in the query
        "/01/09520000001048/10/LOT1",  # bad check digit
        "/01/9520000001049/10/LOT1",  # 13-digit GTIN
        "/01/09520000001049/21/1/10/LOT1",  # qualifiers out of order
        "/01/09520000001049/10/LOT1?17=261301",  # month 13
        "/01/09520000001049/10/LOT1?3103=000500&3103=000600",  # duplicate AI
    ],
)
def test_malformed_uris_are_400(client, bad):
    response = client.get(bad)

    assert response.status_code == 400
    assert "GS1" in response.get_data(as_text=True)
    linkset = client.get(bad, headers={"Accept": LINKSET})
    assert linkset.status_code == 400 and linkset.is_json


def test_linkset_by_parameter_lists_types_and_languages(client, code):
    response = client.get(code + "&linkType=linkset")

    assert response.status_code == 200
    assert response.content_type == LINKSET
    (entry,) = response.get_json()["linkset"]
    assert entry["anchor"].startswith("https://id.freshcircle.example/01/")
    for link_type in ("traceability", "pip", "certificationInfo", "epcis", "defaultLink"):
        assert VOC + link_type in entry
    languages = {lang for target in entry[VOC + "pip"] for lang in target["hreflang"]}
    assert languages == {"zh-CN", "en"}
    titles = {target["title"] for target in entry[VOC + "pip"]}
    assert "产品信息" in titles and "Product information" in titles


def test_linkset_by_accept_header_and_no_scan_logged(client, code, session):
    before = session.scalar(select(func.count(ScanEvent.id)))

    response = client.get(code, headers={"Accept": LINKSET})

    assert response.content_type == LINKSET
    assert VOC + "traceability" in response.get_json()["linkset"][0]
    assert session.scalar(select(func.count(ScanEvent.id))) == before


def test_gtin_only_linkset_offers_product_information_only(client, code):
    entry = client.get(f"/01/{_gtin(code)}?linkType=linkset").get_json()["linkset"][0]

    assert VOC + "pip" in entry and VOC + "epcis" not in entry


def test_well_known_resolver_description(client):
    response = client.get("/.well-known/gs1resolver")

    assert response.status_code == 200
    body = response.get_json()
    assert body["resolverRoot"] == "https://id.freshcircle.example"
    assert "01" in body["supportedPrimaryKeys"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_head_and_options_with_cors(client, code, session):
    before = session.scalar(select(func.count(ScanEvent.id)))
    head = client.head(code)
    options = client.options(code)

    assert head.status_code == 200 and head.data == b""
    assert options.status_code == 204
    assert "GET" in options.headers["Allow"] and "OPTIONS" in options.headers["Allow"]
    assert options.headers["Access-Control-Allow-Origin"] == "*"
    assert "HEAD" in options.headers["Access-Control-Allow-Methods"]
    assert session.scalar(select(func.count(ScanEvent.id))) == before


def test_product_information_link_opens_the_product_page(client, code):
    location = client.get(code + "&linkType=gs1:pip").headers["Location"]

    response = client.get(location)

    assert response.status_code == 200 and "李庄蔬菜合作社" not in response.get_data(as_text=True)


def test_variant_paths_resolve_too(client, code):
    gtin = _gtin(code)

    assert client.get(f"/01/{gtin}/22/A1").status_code == 200
    assert "此码非鲜链圈签发" in client.get(f"/01/{gtin}/22/A1/10/L1").get_data(as_text=True)


def test_unknown_gtin_is_404_with_a_page(client):
    response = client.get("/01/09520000099992")  # a valid GTIN FreshCircle never assigned

    assert response.status_code == 404
    assert "鲜链圈未分配过此商品条码" in response.get_data(as_text=True)


def test_a_client_that_takes_anything_gets_the_default_link(client, code, session):
    """With no linkType and `Accept: */*` (curl, most scanner apps) the resolver serves the
    default link, the page, as the GS1 Conformant Resolver standard says; it is a scan."""
    before = session.scalar(select(func.count(ScanEvent.id)))

    response = client.get(code, headers={"Accept": "*/*"})

    assert response.status_code == 200
    assert response.content_type.startswith("text/html")
    assert "正品验证通过" in response.get_data(as_text=True)
    assert session.scalar(select(func.count(ScanEvent.id))) == before + 1


@pytest.mark.parametrize("accept", [LINKSET, "text/html;q=0.5, application/linkset+json",
                                    "application/json"])
def test_the_linkset_is_for_clients_that_name_it(client, code, accept):
    response = client.get(code, headers={"Accept": accept})

    assert response.status_code == 200 and response.is_json
    assert VOC + "traceability" in response.get_json()["linkset"][0]


@pytest.mark.parametrize(("accept", "query", "json"), [
    ("*/*", "", False),
    ("text/html", "", False),
    (LINKSET, "", True),
    ("application/json", "", True),
    ("*/*", "?linkType=linkset", True),
    ("*/*", "?linkType=gs1:pip", False),
])
def test_an_unknown_gtin_is_404_in_the_type_asked_for(client, accept, query, json):
    response = client.get("/01/09520000099992" + query, headers={"Accept": accept})

    assert response.status_code == 404
    if json:
        assert response.is_json and response.get_json()["error"] == "unknown_key"
    else:
        assert "鲜链圈未分配过此商品条码" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/01//09520123456788", "/01/09520123456788//10/L1",
                                  "/01/09520123456788/10//21/1"])
def test_an_empty_path_segment_is_400(client, path):
    response = client.get(path)

    assert response.status_code == 400
    assert client.get(path, headers={"Accept": LINKSET}).is_json
