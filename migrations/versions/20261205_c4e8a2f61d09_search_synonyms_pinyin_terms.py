"""Market search: synonyms (seeded with local names of the catalogue's produce), and the
pinyin terms of every listing already stored

Revision ID: c4e8a2f61d09
Revises: c4e9a2f7b183

Listings written from now on get their pinyin and initials terms when they are indexed
(market/services/pinyin_terms.py); this adds them to the listings already in the database,
from their product's Chinese name, their batch's variety and their producer's county.
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

from freshcircle.platform.market.services import pinyin_terms

revision = "c4e8a2f61d09"
down_revision = "c4e9a2f7b183"
branch_labels = None
depends_on = None

# name -> what it means (the catalogue's Chinese name, freshcircle/platform/data/produce.csv)
SEEDS = {
    "蒜头": "大蒜", "大蒜头": "大蒜", "葱头": "洋葱", "圆葱": "洋葱", "土豆": "马铃薯",
    "洋芋": "马铃薯", "藕": "莲藕", "西红柿": "番茄", "地瓜": "红薯", "菜椒": "甜椒",
}
BATCH = 1000


def upgrade():
    synonyms = op.create_table(
        "search_synonyms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("means", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_synonyms")),
        sa.UniqueConstraint("name", name=op.f("uq_search_synonyms_name")),
    )
    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(synonyms, [{"name": name, "means": means, "created_at": now}
                              for name, means in SEEDS.items()])
    _index_pinyin()


def _index_pinyin() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT l.id, p.name_zh, b.variety, r.county_name FROM listings l "
        "JOIN products p ON p.id = l.product_id JOIN batches b ON b.id = l.batch_id "
        "JOIN producers r ON r.id = l.producer_id ORDER BY l.id")).all()
    terms = sa.table("listing_terms", sa.column("term"), sa.column("listing_id"))
    pending: list[dict] = []
    for listing_id, *spoken in rows:
        text = " ".join(part for part in spoken if part)
        pending += [{"term": term, "listing_id": listing_id}
                    for term in sorted(pinyin_terms.index_terms(text))]
        if len(pending) >= BATCH:
            op.bulk_insert(terms, pending)
            pending = []
    if pending:
        op.bulk_insert(terms, pending)


def downgrade():
    op.execute("DELETE FROM listing_terms WHERE term LIKE 'py:%' OR term LIKE 'pi:%'")
    op.drop_table("search_synonyms")
