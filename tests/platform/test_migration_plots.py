"""Migration 3b7e1a9c5d20: free-text plot names become plot records, merged per producer."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from freshcircle.platform import create_app
from freshcircle.platform.extensions import db
from tests.platform.test_migrations import postgresql_url, sqlite_url  # noqa: F401 (fixtures)

NOW = "2026-12-01 08:00:00"


def _seed_before(conn) -> None:
    conn.execute(sa.text(
        "INSERT INTO producers (id, kind, name, county_code, county_name, township, is_sample,"
        " order_cutoff, dispatch_weekdays, created_at) VALUES"
        " (1, 'family_farm', '李营家庭农场', '341204', '颍泉区', '闻集镇', false, '16:00:00',"
        " '1234567', :now), (2, 'cooperative', '绿源合作社', '341222', '太和县', NULL, false,"
        " '16:00:00', '1234567', :now)"), {"now": NOW})
    conn.execute(sa.text(
        "INSERT INTO products (id, name_en, name_zh, category, temp_class, temp_min_c,"
        " temp_max_c, storage_life_days, ethylene_producer, ethylene_sensitive,"
        " chilling_sensitive) VALUES (1, 'Spinach', '菠菜', 'leafy', 'chilled-veg', 0, 2, 10,"
        " false, true, false), (2, 'Toon', '香椿', 'leafy', 'chilled-veg', 0, 2, 7, false,"
        " false, false)"))
    inputs = [(1, "李营南湖地块1号"), (1, " 北大棚 "), (2, "北大棚")]
    for i, (producer, plot) in enumerate(inputs, start=1):
        conn.execute(sa.text(
            "INSERT INTO farm_inputs (id, producer_id, kind, product_name, dose, plot,"
            " applied_on, pre_harvest_interval_days, created_at) VALUES (:id, :p, 'pesticide',"
            " '阿维菌素', '30 mL/亩', :plot, '2026-11-20', 7, :now)"),
            {"id": i, "p": producer, "plot": plot, "now": NOW})
    batches = [(1, 1, "南湖1号地"), (1, 2, "北大棚"), (2, 2, "北大棚"), (2, 1, "东地块")]
    for i, (producer, product, plot) in enumerate(batches, start=1):
        conn.execute(sa.text(
            "INSERT INTO batches (id, producer_id, product_id, lot_code, plot, harvest_date,"
            " quantity_g, status, serials_issued, created_at, updated_at) VALUES (:id, :p, :pr,"
            " :lot, :plot, '2026-11-25', 1000, 'registered', 0, :now, :now)"),
            {"id": i, "p": producer, "pr": product, "lot": f"L{i}", "plot": plot, "now": NOW})


@pytest.mark.no_db_isolation
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_free_text_plot_names_become_plot_records_per_producer(backend, request):
    url = request.getfixturevalue(f"{backend}_url")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        try:
            upgrade(revision="7c8d75c43658")
            with db.engine.begin() as conn:
                _seed_before(conn)
            upgrade(revision="3b7e1a9c5d20")
            with db.engine.connect() as conn:
                plots = {(p, n): (i, t) for i, p, n, t in conn.execute(sa.text(
                    "SELECT id, producer_id, name, township FROM plots"))}
                # Exact (trimmed) matches merge per producer; different names stay apart.
                assert sorted(plots) == [(1, "北大棚"), (1, "南湖1号地"), (1, "李营南湖地块1号"),
                                         (2, "东地块"), (2, "北大棚")]
                assert plots[(1, "北大棚")][1] == "闻集镇"
                input_plots = dict(conn.execute(sa.text(
                    "SELECT id, plot_id FROM farm_inputs")).all())
                batch_plots = dict(conn.execute(sa.text("SELECT id, plot_id FROM batches")).all())
                assert input_plots == {1: plots[(1, "李营南湖地块1号")][0],
                                       2: plots[(1, "北大棚")][0], 3: plots[(2, "北大棚")][0]}
                assert batch_plots == {1: plots[(1, "南湖1号地")][0], 2: plots[(1, "北大棚")][0],
                                       3: plots[(2, "北大棚")][0], 4: plots[(2, "东地块")][0]}
                crops = set(conn.execute(sa.text("SELECT plot_id, product_id FROM plot_crops")))
                assert (plots[(1, "北大棚")][0], 2) in crops
            downgrade(revision="7c8d75c43658")
            with db.engine.connect() as conn:
                names = dict(conn.execute(sa.text("SELECT id, plot FROM batches")).all())
                assert names == {1: "南湖1号地", 2: "北大棚", 3: "北大棚", 4: "东地块"}
        finally:
            db.session.remove()
            db.engine.dispose()
