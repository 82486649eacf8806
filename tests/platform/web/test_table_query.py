"""List pages' sorting and paging from the query string (web/table_query.py): a bad sort key
or page is the default order with a message, never a 500; every link keeps the search."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from freshcircle.platform.models import BatchStatus, Role, User
from freshcircle.platform.web.table_query import BAD_SORT, TableQuery, back_url
from tests.platform.page_helpers import element_html, text

SORTS = {"created": (User.created_at,), "name": (User.name,)}


def query(app, qs: str, **options) -> TableQuery:
    with app.test_request_context("/admin/users?" + qs):
        return TableQuery("admin.users", SORTS, default="created", **options)


def args_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_sort_direction_and_page_are_read_from_the_query(app):
    table = query(app, "sort=name&dir=asc&page=3&q=王")
    assert (table.sort, table.descending, table.page, table.note) == ("name", False, 3, None)
    assert table.args == {"q": "王"}
    sql = str(table.order_by(select(User), User.id).compile())
    assert "ORDER BY users.name ASC, users.id ASC" in sql


@pytest.mark.parametrize("qs", ["sort=password_hash", "sort=name&dir=sideways",
                                "sort=name%00", "dir=DROP"])
def test_an_unknown_sort_is_the_default_order_with_a_message(app, qs):
    table = query(app, qs)
    assert (table.sort, table.descending) == ("created", True)
    assert table.note == BAD_SORT


@pytest.mark.parametrize("page", ["0", "-2", "abc", "²", "9" * 5000, ""])
def test_a_bad_page_is_the_first(app, page):
    assert query(app, "page=" + page).page == 1


def test_a_page_past_the_limit_is_the_last_allowed(app):
    assert query(app, "page=999999").page == 10_000


def test_links_keep_the_search_and_the_sort(app):
    with app.test_request_context("/admin/users?q=王&role=buyer&sort=name&dir=asc&page=2"):
        table = TableQuery("admin.users", SORTS, default="created")
        assert args_of(table.page_url(3)) == {"q": "王", "role": "buyer", "sort": "name",
                                              "dir": "asc", "page": "3"}
        # The current column's header turns it round and starts at page 1.
        assert args_of(table.sort_url("name")) == {"q": "王", "role": "buyer", "sort": "name",
                                                   "dir": "desc"}
        assert args_of(table.sort_url("created"))["dir"] == "desc"
        assert table.hidden_fields() == {"sort": "name", "dir": "asc"}
        assert table.aria_sort("name") == "ascending" and table.aria_sort("created") is None
        detail = table.detail_url("admin.user", user_id=7)
        assert urlsplit(detail).path == "/admin/users/7"
        kept = args_of(detail)["back"]
    with app.test_request_context("/admin/users/7?back=" + kept.replace("&", "%26")):
        assert args_of(back_url("admin.users")) == {"q": "王", "role": "buyer", "sort": "name",
                                                    "dir": "asc", "page": "2"}


def test_the_default_order_leaves_the_url_plain(app):
    with app.test_request_context("/admin/users"):
        table = TableQuery("admin.users", SORTS, default="created")
        assert table.page_url(1) == "/admin/users"
        assert table.detail_url("admin.user", user_id=7) == "/admin/users/7"


def test_back_never_leaves_the_list_page(app):
    with app.test_request_context("/admin/users/7?back=//evil.example/x%3Fq%3D1"):
        assert urlsplit(back_url("admin.users")).path == "/admin/users"
        assert "evil" not in urlsplit(back_url("admin.users")).netloc


def test_admin_users_sort_by_name_keeps_the_search_in_every_link(make, login):
    admin = make.user(Role.ADMIN, name="管理员")
    for name in ("王五", "王一", "王三"):
        make.user(Role.BUYER, name=name)
    client = login(admin)

    page = client.get("/admin/users?q=王&sort=name&dir=asc")

    assert page.status_code == 200
    body = text(page)
    assert body.index("王一") < body.index("王三") < body.index("王五")
    header = element_html(page, "sort-name")
    assert "q=%E7%8E%8B" in header and "dir=desc" in header
    form = element_html(page, "user-search")
    assert 'name="sort" value="name"' in form and 'name="dir" value="asc"' in form
    row = element_html(page, "users")
    assert "back=" in row  # a row's page comes back to this search


def test_admin_users_bad_sort_is_a_message_not_an_error(make, login):
    client = login(make.user(Role.ADMIN))
    page = client.get("/admin/users?sort=password_hash&dir=up")
    assert page.status_code == 200
    assert "此列表不能按该方式排序" in text(page)


@pytest.mark.parametrize("path", ["/orders", "/sales", "/inspector/batches",
                                  "/inspector/recalls", "/admin/producers", "/admin/places",
                                  "/admin/audit"])
def test_every_list_page_answers_a_bad_sort_and_page(make, login, path):
    role = {"/orders": Role.BUYER, "/sales": Role.ADMIN}.get(path, Role.ADMIN)
    client = login(make.user(role))
    page = client.get(path + "?sort=nope&dir=x&page=%C2%B2")
    assert page.status_code == 200
    assert "此列表不能按该方式排序" in text(page)


def test_recall_records_search_by_lot_and_status_and_rows_keep_it(make, login, session):
    from freshcircle.platform.trace.services import recalls

    inspector = make.user(Role.INSPECTOR)
    producer = make.producer(make.user())
    for lot, status in (("FY341222-HELD-01", BatchStatus.HELD),
                        ("FY341222-OTHER-1", BatchStatus.HELD),
                        ("FY341222-HELD-02", BatchStatus.RECALLED)):
        recalls.restrict(session, inspector, make.batch(producer, lot_code=lot), status, "复检")
    client = login(inspector)

    page = client.get("/inspector/recalls?lot=held&status=held")

    assert page.status_code == 200
    rows = element_html(page, "recalls")
    assert "FY341222-HELD-01" in rows
    assert "FY341222-OTHER-1" not in rows and "FY341222-HELD-02" not in rows
    assert "back=lot%3Dheld%26status%3Dheld" in rows
    link = rows.split('class="row-link lot" href="')[1].split('"')[0].replace("&amp;", "&")
    record = client.get(link)
    assert 'href="/inspector/recalls?lot=held&amp;status=held"' in record.get_data(True)
