"""Printing from the batch page: the labels form, the run page, the certificate button."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from freshcircle.platform.models import BatchStatus, LabelRun, Role, ScanEvent
from tests.platform.page_helpers import count, element, element_html, field_errors, input_value
from tests.traceability.pdf_helpers import page_count, require_poppler

FORM = {"labels-layout": "a4-40", "labels-count": "40", "labels-net_weight": "2",
        "labels-unit": "kg"}


@pytest.fixture
def farmer(make):
    return make.user()


@pytest.fixture
def batch(make, farmer):
    return make.batch(make.producer(farmer, contact_phone="13912345678"))


def test_batch_page_offers_the_print_form_in_chinese(login, farmer, batch):
    response = login(farmer).get(f"/batches/{batch.id}")

    assert response.status_code == 200
    section = element(response, "print")
    assert "打印标签" in section and "打印合格证" in section
    assert "A4 纸：每张 24 个标签，每个 70 × 37 毫米" in section
    assert "热敏打印机卷纸：60 × 40 毫米标签" in section
    assert input_value(response, "labels-count") == "24"
    assert 'inputmode="numeric"' in element_html(response, "label-form")
    assert "斤" in element(response, "labels-unit")


def test_batch_page_ids_stay_unique_with_the_print_form(login, farmer, batch):
    body = login(farmer).get(f"/batches/{batch.id}").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_small_run_goes_to_its_page_with_the_download(login, farmer, batch, session):
    require_poppler()
    client = login(farmer)

    response = client.post(f"/batches/{batch.id}/labels", data=FORM)

    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "就绪" in element(page, "run-status")
    assert 'http-equiv="refresh"' not in page.get_data(as_text=True)
    pdf = client.get(page.get_data(as_text=True).split('id="download-labels" href="')[1]
                     .split('"')[0])
    assert pdf.mimetype == "application/pdf" and page_count(pdf.get_data()) == 1
    assert "40 个标签" in element(client.get(f"/batches/{batch.id}"), "label-runs")
    # The farmer can look at the first pack's consumer page, as a shopper would see it.
    preview = page.get_data(as_text=True).split('id="scan-preview" href="')[1].split('"')[0]
    assert preview.startswith("/01/") and "/21/" in preview and "sig=" in preview
    scan = client.get(preview.replace("&amp;", "&"))
    assert scan.status_code == 200 and "正品验证通过" in scan.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(ScanEvent)) == 0  # not a shopper


def test_big_run_page_refreshes_while_printing(app, login, farmer, batch, session, monkeypatch):
    monkeypatch.setitem(app.config, "LABEL_SYNC_MAX", 10)
    monkeypatch.setitem(app.config, "LABEL_JOBS_SYNC", False)
    run_ids = []
    # Keep the job from starting (this test's data never commits): the page shows it queued.
    monkeypatch.setattr("freshcircle.platform.batches.label_jobs.enqueue",
                        lambda session, run: run_ids.append(run.id))
    client = login(farmer)

    response = client.post(f"/batches/{batch.id}/labels", data={**FORM, "labels-count": "500"})

    page = client.get(response.headers["Location"])
    body = page.get_data(as_text=True)
    assert run_ids
    assert f'<meta http-equiv="refresh" content="2; url=/label-runs/{run_ids[0]}">' in body
    assert "0 / 500" in element(page, "run-progress") or 'max="500"' in body
    assert "等待开始" in element(page, "run-status")
    assert "download-labels" not in body


def test_form_errors_show_under_the_fields(login, farmer, batch, session):
    response = login(farmer).post(f"/batches/{batch.id}/labels",
                                  data={**FORM, "labels-count": "0", "labels-net_weight": ""})

    assert response.status_code == 422
    assert field_errors(response, "labels-count") and field_errors(response, "labels-net_weight")
    assert count(session, LabelRun) == 0


@pytest.mark.parametrize("state", ["held", "unsafe"])
def test_refused_batch_shows_why_and_offers_no_print(make, login, farmer, batch, session, state):
    if state == "unsafe":
        make.farm_input(batch.producer, applied_on=batch.harvest_date - dt.timedelta(days=1))
    else:
        batch.status = BatchStatus.HELD
        session.commit()
    client = login(farmer)

    page = client.get(f"/batches/{batch.id}")
    posted = client.post(f"/batches/{batch.id}/labels", data=FORM)

    assert "label-form" not in page.get_data(as_text=True)
    assert element(page, "print-refused")
    assert posted.status_code == 409
    assert element(posted, "print-refused")
    assert count(session, LabelRun) == 0


def test_certificate_button_downloads_the_pdf(login, farmer, batch):
    response = login(farmer).get(f"/batches/{batch.id}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"


def test_inspector_sees_the_certificate_button_but_no_label_form(make, login, batch):
    page = login(make.user(Role.INSPECTOR)).get(f"/batches/{batch.id}")
    assert "print-certificate" in page.get_data(as_text=True)
    assert "label-form" not in page.get_data(as_text=True)


def test_outsiders_cannot_print(make, login, batch):
    other = make.user()
    make.producer(other, name="别家合作社")
    assert login(other).post(f"/batches/{batch.id}/labels", data=FORM).status_code == 403
    assert login(make.user(Role.BUYER)).get(
        f"/batches/{batch.id}/certificate.pdf").status_code == 403


def test_the_page_says_when_todays_label_runs_are_used_up(app, login, farmer, batch, session,
                                                        monkeypatch):
    monkeypatch.setitem(app.config, "LABEL_RUNS_PER_DAY", 1)
    client = login(farmer)
    assert client.post(f"/batches/{batch.id}/labels", data=FORM).status_code == 302

    refused = client.post(f"/batches/{batch.id}/labels", data=FORM)

    assert refused.status_code == 429
    assert "今天已打印 1 次标签" in refused.get_data(as_text=True)
    assert count(session, LabelRun) == 1
