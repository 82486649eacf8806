"""Certification pages: the list on the producer page (expired ones marked), add, correct."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from freshcircle.platform.core.services import clock
from freshcircle.platform.models import Certification, CertificationKind, Role, StoredFile
from tests.platform.page_helpers import (
    TINY_JPEG,
    TINY_PDF,
    TODAY,
    YESTERDAY,
    cert_form,
    count,
    element,
    field_errors,
    input_value,
    text,
    upload,
)


def _badge(response, cert) -> str:
    """The status badge of a certification on the producer page: 有效 or 已过期."""
    body = response.get_data(as_text=True)
    row = body[body.index(f'id="cert-{cert.id}"'):]
    return re.search(r'<span class="badge badge-(?:ok|bad)">([^<]*)</span>', row).group(1)


def _cert_row(cert) -> tuple:
    return (cert.kind, cert.number, cert.issuer, cert.valid_from, cert.valid_to,
            cert.product_id, cert.file_id, cert.notes)


def test_producer_page_lists_certifications_and_marks_the_expired_ones(make, login):
    farmer = make.user()
    producer = make.producer(farmer)
    scan = make.stored_file(producer)
    current = make.certification(producer, number="LB-CURRENT-1", valid_to=TODAY,
                                 product=make.product("Spinach"), file_id=scan.id)
    expired = make.certification(producer, number="OFDC-OLD-2", kind=CertificationKind.ORGANIC,
                                 valid_from=dt.date(2020, 1, 1), valid_to=YESTERDAY)
    geo = make.certification(producer, number="AGI-00123", kind=CertificationKind.GEO_INDICATION)

    response = login(farmer).get(f"/producers/{producer.id}")

    assert response.status_code == 200
    current_row = element(response, f"cert-{current.id}")
    expired_row = element(response, f"cert-{expired.id}")
    assert _badge(response, current) == "有效"  # valid through its last day
    assert "已过期" not in current_row
    assert "绿色食品" in current_row and "中国绿色食品发展中心" in current_row
    assert "适用产品：菠菜" in current_row
    assert f"{TODAY.year}年{TODAY.month}月{TODAY.day}日" in current_row
    assert _badge(response, expired) == "已过期"
    assert "有机" in expired_row and "OFDC-OLD-2" in expired_row
    assert "有效期 2020年1月1日 至" in expired_row
    assert "地理标志" in element(response, f"cert-{geo.id}")
    body = response.get_data(as_text=True)
    assert f'href="/files/{scan.id}"' in body and "查看证书" in current_row
    assert f'href="/certifications/{current.id}/edit"' in body
    assert "添加认证" in text(response)


def test_expiry_is_judged_by_the_date_in_china(make, login, monkeypatch):
    farmer = make.user()
    producer = make.producer(farmer)
    cert = make.certification(producer, valid_from=dt.date(2029, 1, 1),
                              valid_to=dt.date(2030, 6, 30))
    client = login(farmer)

    monkeypatch.setattr(clock, "today_in_china", lambda: dt.date(2030, 6, 30))
    assert _badge(client.get(f"/producers/{producer.id}"), cert) == "有效"
    monkeypatch.setattr(clock, "today_in_china", lambda: dt.date(2030, 7, 1))
    assert _badge(client.get(f"/producers/{producer.id}"), cert) == "已过期"


def test_add_form_offers_the_four_kinds_and_the_catalog(make, login):
    farmer = make.user()
    producer = make.producer(farmer)

    response = login(farmer).get(f"/producers/{producer.id}/certifications/new")

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "添加认证" in body and "证书编号" in body and "发证机构" in body
    for kind in ("绿色食品", "有机", "地理标志", "其他"):
        assert f">{kind}</option>" in body
    assert '<option selected value="">不指定产品</option>' in body and "菠菜" in body
    assert 'type="file"' in body and 'accept="application/pdf,image/*"' in body
    assert 'type="date"' in body


def test_member_adds_a_certification_with_its_scan(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer, manager=False)  # any member may, not only the manager
    client = login(farmer)
    spinach = make.product("Spinach")
    data = cert_form(product_id=str(spinach.id), file=upload(TINY_PDF, "绿色食品证书.pdf"))

    response = client.post(f"/producers/{producer.id}/certifications/new", data=data,
                           content_type="multipart/form-data")

    assert response.status_code == 302
    cert = session.scalar(select(Certification))
    assert response.location.endswith(f"/producers/{producer.id}#cert-{cert.id}")
    assert cert.producer_id == producer.id and cert.kind == CertificationKind.GREEN_FOOD
    assert cert.number == "LB-18-24110056" and cert.product_id == spinach.id
    assert cert.valid_to == TODAY + dt.timedelta(days=2 * 365)
    stored = session.get(StoredFile, cert.file_id)
    assert stored.producer_id == producer.id and stored.content_type == "application/pdf"
    page = client.get(response.location)
    assert "认证 LB-18-24110056 已添加" in text(page)
    assert _badge(page, cert) == "有效"
    assert client.get(f"/files/{cert.file_id}").data == TINY_PDF


def test_bad_input_is_named_under_each_field_and_nothing_is_saved(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    client = login(farmer)
    url = f"/producers/{producer.id}/certifications/new"

    missing = client.post(url, data=cert_form(number="", kind="", issuer="农业农村部",
                                              file=upload(TINY_PDF, "a.pdf")),
                          content_type="multipart/form-data")
    assert missing.status_code == 422
    assert field_errors(missing, "number") == ["此项为必填项。"]
    assert field_errors(missing, "kind") == ["此项为必填项。"]
    assert field_errors(missing, "file") == ["请重新选择文件。"]
    assert input_value(missing, "issuer") == "农业农村部"

    backwards = client.post(url, data=cert_form(valid_from="2026-05-01", valid_to="2025-05-01",
                                                file=upload(TINY_PDF, "a.pdf")),
                            content_type="multipart/form-data")
    assert backwards.status_code == 422
    assert field_errors(backwards, "valid_to") == ["结束日期早于开始日期。"]
    assert field_errors(backwards, "file") == ["请重新选择文件。"]

    not_a_document = client.post(url, data=cert_form(file=upload(b"GIF89a...", "scan.pdf")),
                                 content_type="multipart/form-data")
    assert not_a_document.status_code == 422
    assert "请上传 PDF、JPEG、PNG 或 WebP 文件。" in field_errors(not_a_document, "file")

    assert count(session, Certification) == 0 and count(session, StoredFile) == 0


def test_member_corrects_a_certification_and_keeps_its_scan(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    scan = make.stored_file(producer)
    cert = make.certification(producer, number="LB-OLD-1", valid_to=YESTERDAY, file_id=scan.id)
    client = login(farmer)
    url = f"/certifications/{cert.id}/edit"

    form = client.get(url)
    assert form.status_code == 200 and "修改认证" in text(form)
    assert input_value(form, "number") == "LB-OLD-1"
    assert input_value(form, "valid_to") == YESTERDAY.isoformat()
    assert '<option selected value="green_food">' in form.get_data(as_text=True)
    assert f'href="/files/{scan.id}"' in form.get_data(as_text=True)

    renewed = TODAY + dt.timedelta(days=3 * 365)
    response = client.post(url, data=cert_form(number="LB-NEW-2",
                                               valid_from=cert.valid_from.isoformat(),
                                               valid_to=renewed.isoformat()))

    assert response.status_code == 302
    session.refresh(cert)
    assert cert.number == "LB-NEW-2" and cert.valid_to == renewed and cert.file_id == scan.id
    page = client.get(response.location)
    assert "认证 LB-NEW-2 已修改" in text(page)
    assert _badge(page, cert) == "有效"  # renewed: no longer marked expired


def test_a_refused_correction_changes_nothing(make, login, session):
    farmer = make.user()
    producer = make.producer(farmer)
    cert = make.certification(producer)
    before = _cert_row(cert)
    client = login(farmer)

    blank = client.post(f"/certifications/{cert.id}/edit", data=cert_form(issuer=" "))
    backwards = client.post(f"/certifications/{cert.id}/edit",
                            data=cert_form(valid_to=(cert.valid_from - dt.timedelta(days=1))
                                           .isoformat(), file=upload(TINY_JPEG, "new.jpg")),
                            content_type="multipart/form-data")

    assert blank.status_code == 422
    assert field_errors(blank, "issuer") == ["此项为必填项。"]
    assert backwards.status_code == 422
    assert field_errors(backwards, "valid_to") == ["结束日期早于开始日期。"]
    session.expire_all()
    assert _cert_row(session.get(Certification, cert.id)) == before
    assert count(session, StoredFile) == 0


def test_another_producers_farmer_gets_403_and_changes_nothing(make, login, session):
    owner, stranger = make.user(), make.user()
    producer = make.producer(owner)
    make.producer(stranger, name="别家农场")
    cert = make.certification(producer)
    before = _cert_row(cert)
    client = login(stranger)

    assert client.get(f"/producers/{producer.id}/certifications/new").status_code == 403
    forged = client.post(f"/producers/{producer.id}/certifications/new",
                         data=cert_form(number="FORGED"))
    assert forged.status_code == 403
    assert client.get(f"/certifications/{cert.id}/edit").status_code == 403
    changed = client.post(f"/certifications/{cert.id}/edit", data=cert_form(number="FORGED"))
    assert changed.status_code == 403
    assert count(session, Certification) == 1
    session.expire_all()
    assert _cert_row(session.get(Certification, cert.id)) == before


def test_buyer_carrier_and_inspector_cannot_add_or_change(make, login):
    producer = make.producer(make.user())
    cert = make.certification(producer)
    for role in (Role.BUYER, Role.CARRIER, Role.INSPECTOR):
        client = login(make.user(role))
        for url in (f"/producers/{producer.id}/certifications/new",
                    f"/certifications/{cert.id}/edit"):
            assert client.get(url).status_code == 403, (role, url)
            assert client.post(url, data=cert_form()).status_code == 403, (role, url)


def test_inspector_sees_the_list_without_the_buttons(make, login):
    producer = make.producer(make.user())
    cert = make.certification(producer, valid_to=YESTERDAY)

    response = login(make.user(Role.INSPECTOR)).get(f"/producers/{producer.id}")

    assert _badge(response, cert) == "已过期"
    assert "添加认证" not in text(response)
    assert f"/certifications/{cert.id}/edit" not in response.get_data(as_text=True)
