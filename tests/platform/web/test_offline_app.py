"""The installable farmer app as the server serves it: manifest, service worker, which pages
the phone may keep, and the API fields the phone's forms send (issue 15).

What the phone does with them (offline, the outbox, sync) is in
tests/platform/batches/test_browser_offline.py, in a real Chromium.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from sqlalchemy import select

from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.models import Batch, FarmInput, Plot, Role

YESTERDAY = (today_in_china() - dt.timedelta(days=1)).isoformat()


def test_manifest_installs_the_app_in_chinese_with_its_icons(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.json
    assert manifest["name"] == "鲜链圈" and manifest["lang"] == "zh-CN"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"  # 我的批次 for a farmer
    image = pytest.importorskip("PIL.Image")
    sizes = set()
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as picture:
            assert picture.status_code == 200 and picture.mimetype == "image/png"
            width, height = image.open(io.BytesIO(picture.data)).size
        assert f"{width}x{height}" == icon["sizes"]
        sizes.add((icon["sizes"], icon["purpose"]))
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes


def test_manifest_in_english_after_the_switch(client):
    client.get("/lang/en")

    manifest = client.get("/manifest.webmanifest").json

    assert manifest["name"] == "FreshCircle" and manifest["lang"] == "en"


def test_service_worker_is_served_from_the_root_with_a_policy_that_lets_it_fetch(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"  # a new release is seen at once
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "'none'" not in policy.split(";")[0]
    source = response.get_data(as_text=True)
    release = re.search(r'const RELEASE = "([0-9a-f]{12})";', source)
    assert release, "the release name the caches are named by"
    shell = re.search(r"const SHELL = (\[.*?\]);", source).group(1)
    urls = re.findall(r'"([^"]+)"', shell)
    assert "/offline" in urls and any("offline/app.js" in u for u in urls)
    for url in urls:  # the install fails if any one of them is missing
        with client.get(url) as shell_file:
            assert shell_file.status_code == 200, url


def test_offline_page_says_what_needs_a_network(client):
    page = client.get("/offline").get_data(as_text=True)

    assert "没有网络" in page
    assert "打印标签和市场需要联网" in page


def test_a_farmers_pages_may_be_kept_for_that_farmer_only(make, login):
    farmer = make.user(Role.FARMER)
    producer = make.producer(farmer)
    batch = make.batch(producer, harvest_date=today_in_china())
    client = login(farmer)

    for path in ("/", "/batches/new", f"/batches/{batch.id}", "/inputs/new",
                 f"/batches/{batch.id}/tests/new", f"/batches/{batch.id}/lots"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers.get("X-Offline-User") == str(farmer.id), path
        page = response.get_data(as_text=True)
        assert 'id="offline-strings"' in page and "offline/app.js" in page
    assert 'data-offline="batch"' in client.get("/batches/new").get_data(as_text=True)
    assert 'data-offline="test"' in client.get(
        f"/batches/{batch.id}/tests/new").get_data(as_text=True)
    # Label printing stays online-only: the section says so when the phone is offline.
    assert "data-online-only" in client.get(f"/batches/{batch.id}").get_data(as_text=True)


def test_pages_of_other_roles_are_never_kept(make, login):
    for role in (Role.BUYER, Role.INSPECTOR, Role.CARRIER):
        client = login(make.user(role))
        response = client.get("/", follow_redirects=True)
        assert response.status_code == 200
        assert "X-Offline-User" not in response.headers
        assert "offline/app.js" not in response.get_data(as_text=True)


def test_the_scripts_words_are_chinese_from_the_catalog(make, login):
    client = login(make.user(Role.FARMER))

    page = client.get("/").get_data(as_text=True)

    strings = html.unescape(re.search(r"data-strings='([^']*)'", page).group(1))
    assert "待同步" in strings and "需处理" in strings and "立即同步" in strings


def test_batch_api_adds_the_new_plot_the_phone_form_named(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)

    response = client.post("/api/v1/batches", json={
        "producer_id": producer.id, "product_id": make.product().id,
        "new_plot_name": " 河滩 地 ", "new_plot_area_mu": "2.5",
        "harvest_date": YESTERDAY, "quantity": "80", "unit": "jin"})

    assert response.status_code == 201, response.json
    plot = session.scalar(select(Plot).where(Plot.producer_id == producer.id,
                                             Plot.name == "河滩 地"))
    assert plot is not None and float(plot.area_mu) == 2.5
    assert response.json["plot"]["id"] == plot.id


def test_input_api_takes_an_existing_plot_by_its_name(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    existing = make.plot(producer, "南湖1号地")
    client = login(farmer)

    response = client.post("/api/v1/inputs", json={
        "producer_id": producer.id, "kind": "fertiliser", "product_name": "尿素",
        "dose": "10 kg/亩", "new_plot_name": "南湖1号地", "applied_on": YESTERDAY})

    assert response.status_code == 201, response.json
    assert session.get(FarmInput, response.json["id"]).plot_id == existing.id
    assert session.scalar(select(Plot.id).where(Plot.name == "南湖1号地")) == existing.id


def test_a_record_with_no_plot_at_all_is_refused_per_field(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)

    response = client.post("/api/v1/batches", json={
        "producer_id": producer.id, "product_id": make.product().id,
        "harvest_date": YESTERDAY, "quantity": "80", "unit": "jin"},
        headers={"Accept-Language": "zh-CN"})

    assert response.status_code == 422
    assert "plot_id" in response.json["errors"]
    assert session.scalar(select(Batch.id)) is None


def test_the_snapshot_holds_the_farmers_own_records_only(make, login):
    farmer, neighbour = make.user(), make.user()
    mine, theirs = make.producer(farmer), make.producer(neighbour, name="隔壁合作社")
    plot = make.plot(mine, "东地块")
    make.plot(theirs, "他家地")
    today = today_in_china()
    recent = make.farm_input(mine, plot=plot, applied_on=today - dt.timedelta(days=3),
                             interval_days=7, product_name="吡虫啉")
    make.farm_input(mine, plot=plot, applied_on=today - dt.timedelta(days=300),
                    interval_days=7, product_name="旧药")  # long over: only a record
    make.farm_input(theirs, plot="他家地", applied_on=today, interval_days=7,
                    product_name="别人的药")
    batch = make.batch(mine, plot=plot)
    make.batch(theirs, plot="他家地")

    response = login(farmer).get("/api/v1/offline/snapshot")

    assert response.status_code == 200
    data = response.json
    assert data["user"]["id"] == farmer.id and data["today"] == today.isoformat()
    assert [p["id"] for p in data["producers"]] == [mine.id]
    assert [p["name"] for p in data["plots"]] == ["东地块"]
    assert data["plots"][0]["first_pesticide_on"] == (today - dt.timedelta(days=300)).isoformat()
    assert [i["id"] for i in data["inputs"]] == [recent.id]
    assert data["inputs"][0]["safe_harvest_date"] == (today + dt.timedelta(days=4)).isoformat()
    assert [b["id"] for b in data["batches"]] == [batch.id]
    assert data["batches"][0]["url"] == f"/batches/{batch.id}"
    assert data["csrf_token"] and data["products"]


def test_only_farm_members_get_a_snapshot(make, login, client):
    assert client.get("/api/v1/offline/snapshot").status_code == 401
    for role in (Role.BUYER, Role.INSPECTOR, Role.CARRIER, Role.ADMIN):
        assert login(make.user(role)).get("/api/v1/offline/snapshot").status_code == 403
