"""Helpers for the page tests: reading pages, counting rows, a real JPEG and PDF to upload."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from html import unescape

from sqlalchemy import func, select

from freshcircle.platform.core.services.clock import today_in_china

# A real, decodable 8x8 JPEG, so uploads go through the same checks as a phone photo.
TINY_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwc"
    "KDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIy"
    "MjIyMjIyMjIyMjIyMjIyMjIyMjL/wAARCAAIAAgDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcI"
    "CQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRol"
    "JicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ip"
    "qrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAA"
    "AAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLR"
    "ChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaX"
    "mJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEA"
    "PwDi6KKK+ZP3E//Z"
)
TINY_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

TODAY = today_in_china()
YESTERDAY = TODAY - dt.timedelta(days=1)


def text(response) -> str:
    """The page's visible text, tags removed and whitespace collapsed, for `in` checks."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def field_errors(response, field_id: str) -> list[str]:
    """Messages shown right under the input with this id (see templates/_macros.html)."""
    body = response.get_data(as_text=True)
    return [unescape(m) for m in re.findall(
        rf'<p class="field-error" id="{re.escape(field_id)}-error\d+">(.*?)</p>', body
    )]


def input_value(response, name: str) -> str | None:
    body = response.get_data(as_text=True)
    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', body)
    if tag is None:
        return None
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return unescape(value.group(1)) if value else ""


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def upload(data: bytes, filename: str):
    return (io.BytesIO(data), filename)


def batch_form(producer, product, **overrides) -> dict:
    data = {
        "producer_id": str(producer.id),
        "product_id": str(product.id),
        "variety": "红油香椿",
        "plot_id": "",
        "new_plot_name": "东地块",  # the phone form's "add a plot" (an existing name picks it)
        "harvest_date": YESTERDAY.isoformat(),
        "quantity": "120",
        "unit": "jin",
        "grade": "一级",
        "notes": "",
        "idempotency_key": "page-test-key-0001",
    }
    _plot_override(data, overrides)
    data.update(overrides)
    return data


def _plot_override(data: dict, overrides: dict) -> None:
    """`plot="北大棚"` in a test means that plot by name, picked or added on the form."""
    if "plot" in overrides:
        data["new_plot_name"] = overrides.pop("plot")


def cert_form(**overrides) -> dict:
    """The add/edit certification form as a member fills it in (a current 绿色食品 certificate)."""
    data = {
        "kind": "green_food",
        "number": "LB-18-24110056",
        "issuer": "中国绿色食品发展中心",
        "valid_from": (TODAY - dt.timedelta(days=365)).isoformat(),
        "valid_to": (TODAY + dt.timedelta(days=2 * 365)).isoformat(),
        "product_id": "",
        "notes": "",
    }
    _plot_override(data, overrides)
    data.update(overrides)
    return data


def edit_form(**overrides) -> dict:
    """The batch edit form as the batch page fills it in for a 500 kg batch, then changed."""
    data = {
        "variety": "",
        "plot_id": "",
        "new_plot_name": "东地块",
        "harvest_date": YESTERDAY.isoformat(),
        "quantity": "1000",
        "unit": "jin",
        "grade": "",
        "grade_other": "",
        "notes": "",
    }
    _plot_override(data, overrides)
    data.update(overrides)
    return data


def element(response, element_id: str) -> str:
    """The visible text of the element with this id."""
    return text_of(element_html(response, element_id))


def element_html(response, element_id: str) -> str:
    """The markup of the element with this id (nested elements of its kind included)."""
    body = response.get_data(as_text=True)
    match = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"', body)
    if match is None:
        return ""
    tag, depth = match.group(1), 0
    for tag_match in re.finditer(rf"<(/?){tag}\b", body[match.start():]):
        depth += -1 if tag_match.group(1) else 1
        if depth == 0:
            return body[match.start():match.start() + tag_match.start()]
    return body[match.start():]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()
