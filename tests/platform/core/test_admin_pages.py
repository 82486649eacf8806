"""Inspector and administrator pages: batch search, hold/release/recall, accounts, lists."""

from __future__ import annotations

from sqlalchemy import select

from freshcircle.platform.models import BatchStatus, Role, User
from tests.platform.page_helpers import count, field_errors, input_value, text


def test_inspector_searches_all_producers_by_county_status_product_and_lot(make, login):
    inspector = make.user(Role.INSPECTOR)
    taihe = make.producer(make.user(), name="太和合作社", county_code="341222")
    linquan = make.producer(make.user(), name="临泉农场", county_code="341221")
    make.batch(taihe, lot_code="FY341222-AAA-001")
    make.batch(linquan, lot_code="FY341221-BBB-001", status=BatchStatus.LISTED,
               product=make.product("Watermelon"))
    client = login(inspector)

    everything = text(client.get("/inspector/batches"))
    assert "FY341222-AAA-001" in everything and "FY341221-BBB-001" in everything
    assert "太和合作社" in everything  # the producer is named on each result

    def lots(query):
        page = text(client.get("/inspector/batches?" + query))
        return {lot for lot in ("FY341222-AAA-001", "FY341221-BBB-001") if lot in page}

    assert lots("county=341221") == {"FY341221-BBB-001"}
    assert lots("status=registered") == {"FY341222-AAA-001"}
    assert lots(f"product={make.product('Watermelon').id}") == {"FY341221-BBB-001"}
    assert lots("lot=aaa") == {"FY341222-AAA-001"}
    assert lots("county=341202") == set()


def test_farmer_cannot_use_the_inspector_search(make, login):
    assert login(make.user()).get("/inspector/batches").status_code == 403


def test_inspector_holds_with_a_reason_then_releases(make, login, session):
    inspector = make.user(Role.INSPECTOR)
    batch = make.batch(make.producer(make.user()))
    client = login(inspector)

    page = client.get(f"/batches/{batch.id}").get_data(as_text=True)
    assert 'value="held"' in page and 'value="recalled"' in page
    assert 'value="listed"' not in page

    refused = client.post(f"/batches/{batch.id}/status", data={"status": "held", "reason": ""})
    assert refused.status_code == 422
    assert field_errors(refused, "reason") == ["请填写暂扣或召回的原因。"]
    session.refresh(batch)
    assert batch.status == BatchStatus.REGISTERED

    held = client.post(f"/batches/{batch.id}/status",
                       data={"status": "held", "reason": "快检阳性，送实验室复检"})
    assert held.status_code == 302
    page = text(client.get(held.location))
    assert "状态已改为：已暂扣" in page and "原因：快检阳性，送实验室复检" in page
    assert client.post(f"/batches/{batch.id}/status",
                       data={"status": "registered"}).status_code == 302
    session.refresh(batch)
    assert batch.status == BatchStatus.REGISTERED


def test_inspector_recalls(make, login, session):
    batch = make.batch(make.producer(make.user()), status=BatchStatus.LISTED)
    response = login(make.user(Role.INSPECTOR)).post(
        f"/batches/{batch.id}/status", data={"status": "recalled", "reason": "实验室检出超标",
                                  "confirmed": "1"})
    assert response.status_code == 302
    session.refresh(batch)
    assert batch.status == BatchStatus.RECALLED and batch.status_reason == "实验室检出超标"


def test_admin_creates_a_farmer_account(make, login, session):
    client = login(make.user(Role.ADMIN))
    assert "新建用户" in text(client.get("/admin/users/new"))

    response = client.post("/admin/users/new", data={
        "phone": "139 0000 1234", "name": "赵大娘", "role": "farmer", "password": "good-pass-1"})

    assert response.status_code == 302
    user = session.scalar(select(User).where(User.phone == "13900001234"))
    assert user.name == "赵大娘" and user.role == Role.FARMER
    page = text(client.get(response.location))
    assert "已为 赵大娘 创建账号" in page and "139 0000 1234" in page


def test_admin_sees_each_bad_field_and_nothing_is_created(make, login, session):
    existing = make.user()
    client = login(make.user(Role.ADMIN))
    before = count(session, User)

    short = client.post("/admin/users/new", data={
        "phone": "12345", "name": "赵大娘", "role": "farmer", "password": "short"})
    assert short.status_code == 422
    assert field_errors(short, "phone") == ["请填写 11 位手机号，例如 138 1234 5678。"]
    assert field_errors(short, "password") == ["密码至少 10 位。"]
    assert input_value(short, "name") == "赵大娘"
    assert input_value(short, "password") in (None, "")  # never echoed back

    taken = client.post("/admin/users/new", data={
        "phone": existing.phone, "name": "重复", "role": "farmer", "password": "good-pass-1"})
    assert taken.status_code == 422
    assert field_errors(taken, "phone") == ["这个手机号已经注册过了。"]
    assert count(session, User) == before


def test_admin_lists_producers_and_places(make, login):
    make.producer(make.user(), name="颍上县稻虾共作合作社")
    client = login(make.user(Role.ADMIN))
    assert "颍上县稻虾共作合作社" in text(client.get("/admin/producers"))
    places = text(client.get("/admin/places"))
    assert "太和县" in places and "341222" in places


def test_only_admins_reach_admin_pages(make, login):
    for role in (Role.FARMER, Role.INSPECTOR, Role.BUYER):
        client = login(make.user(role))
        for url in ("/admin/users", "/admin/users/new", "/admin/producers", "/admin/places"):
            assert client.get(url).status_code == 403, (role, url)
