"""承诺达标合格证: every required field and word, the ticks, an embedded font, a readable QR."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest

from freshcircle.traceability.certificate import (
    COMMITMENTS,
    Basis,
    CertificateData,
    render_certificate,
)
from tests.traceability.pdf_helpers import (
    crop_points,
    decode_qr,
    fonts,
    page_count,
    page_size,
    rasterise,
    require_poppler,
    text,
    words,
)

TRACE_URI = (
    "https://trace.example.cn/01/09520123456788/10/FY341222-261126-001"
    "?7007=261126&s=K1.Qx7ZbT0aLm9pVw"
)
A6 = (105 * 72 / 25.4, 148 * 72 / 25.4)


def _data(**changes) -> CertificateData:
    fields = dict(
        product_name="有机西红柿",
        quantity_kg="500.000",
        origin="安徽省阜阳市太和县宫集镇王庄村",
        issue_date=date(2026, 11, 26),
        producer="太和县绿源果蔬种植专业合作社",
        phone="138 1234 5678",
        trace_uri=TRACE_URI,
        basis=Basis.SELF_TESTED,
        number="FC-2026-000123",
    )
    fields.update(changes)
    return CertificateData(**fields)


def test_every_required_field_and_word_is_printed():
    require_poppler()
    pdf = render_certificate(_data())
    assert page_count(pdf) == 1
    flat = text(pdf).replace("\n", "").replace(" ", "")
    for expected in (
        "承诺达标合格证",
        "产品名称", "有机西红柿",
        "数量（重量）", "500千克",
        "产地", "安徽省阜阳市太和县宫集镇王庄村",
        "开具日期", "2026年11月26日",
        "生产者", "太和县绿源果蔬种植专业合作社",
        "联系方式", "13812345678",
        *COMMITMENTS,
        "承诺依据", "质量安全控制符合要求", "自行检测合格", "委托检测合格",
        "签名",
        "编号：FC-2026-000123",
    ):
        assert expected in flat, expected
    assert "不使用禁用农药兽药、停用兽药和非法添加物" in COMMITMENTS
    assert "常规农药兽药残留不超标" in COMMITMENTS
    assert "遵守农药安全间隔期、兽药休药期规定" in COMMITMENTS


def test_page_is_a6_and_the_only_font_is_the_embedded_cjk_subset():
    require_poppler()
    pdf = render_certificate(_data())
    (font,) = fonts(pdf)
    assert "WenQuanYiMicroHei" in font.name
    assert font.embedded and font.subset
    assert page_size(pdf) == pytest.approx(A6, abs=0.01)


def test_qr_code_decodes_to_the_trace_uri_and_carries_the_caption():
    require_poppler()
    pdf = render_certificate(_data())
    (page,) = rasterise(pdf, dpi=300)
    assert decode_qr(page) == [TRACE_URI]
    # the words "承诺达标合格证" sit right under the code, not only as the title
    captions = [w for w in words(pdf) if w.text == "承诺达标合格证"]
    assert len(captions) == 2
    title, caption = sorted(captions, key=lambda w: w.y_min)
    assert title.y_min < A6[1] * 0.15
    assert caption.y_min > A6[1] * 0.75


def _ink(image, box) -> int:
    return sum(crop_points(image, 150, *box).histogram()[:128])  # pixels darker than mid-grey


@pytest.mark.parametrize(
    "chosen",
    [(Basis.QUALITY_CONTROL,), (Basis.SELF_TESTED,), (Basis.ENTRUSTED_TESTING,),
     (Basis.SELF_TESTED, Basis.ENTRUSTED_TESTING)],
)
def test_the_chosen_basis_and_all_three_commitments_are_ticked(chosen):
    """The box left of each statement holds a tick exactly where it applies."""
    require_poppler()
    pdf = render_certificate(_data(basis=chosen))
    (page,) = rasterise(pdf, dpi=150)
    found = words(pdf)

    def box_left_of(statement: str):
        """Inside the 3 mm (8.5 pt) box drawn 14 pt left of the statement, clear of its border:
        the box spans 0.8 pt below the baseline to 7.7 pt above it."""
        (word,) = [w for w in found if w.text == statement]
        # pdftotext's box runs from the font's ascent (0.765 em) to its descent (0.240 em)
        baseline = word.y_min + (word.y_max - word.y_min) * 0.765 / 1.005
        return (word.x_min - 12.8, baseline - 6.5, 6.0, 6.0)

    empty = _ink(page, (0, 0, 6.0, 6.0))
    assert empty == 0
    ticks = {b: _ink(page, box_left_of(b.value)) for b in Basis}
    for basis, ink in ticks.items():
        if basis in chosen:
            assert ink > 8, (basis, ticks)
        else:
            assert ink <= 2, (basis, ticks)
    for statement in COMMITMENTS:
        assert _ink(page, box_left_of(statement)) > 8, statement


def test_long_values_stay_inside_the_page():
    require_poppler()
    long = "安徽省阜阳市太和县宫集镇王庄村东南角第三生产队蔬菜大棚种植基地一号棚至十二号棚"
    pdf = render_certificate(_data(origin=long, producer=long, product_name=long))
    flat = text(pdf).replace("\n", "")
    assert "…" in flat
    assert long not in flat
    margin = 6 * 72 / 25.4
    for word in words(pdf):
        assert margin - 0.5 <= word.x_min and word.x_max <= A6[0] - margin + 0.5, word


def test_writes_to_a_stream_too():
    out = io.BytesIO()
    pdf = render_certificate(_data(), out)
    assert out.getvalue() == pdf
    assert pdf.startswith(b"%PDF-")


def test_same_data_gives_the_same_bytes():
    assert render_certificate(_data()) == render_certificate(_data())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"basis": ()}, "Basis"),
        ({"basis": ("自行检测合格",)}, "Basis"),
        ({"quantity_kg": "0"}, "more than 0"),
        ({"quantity_kg": "five"}, "not a number"),
        ({"phone": " "}, "phone"),
        ({"origin": ""}, "origin"),
    ],
)
def test_incomplete_data_is_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        _data(**changes)


def test_single_basis_is_normalised_to_a_tuple():
    data = _data(basis=Basis.QUALITY_CONTROL)
    assert data.basis == (Basis.QUALITY_CONTROL,)
    assert replace(data, basis=[Basis.SELF_TESTED]).basis == (Basis.SELF_TESTED,)
