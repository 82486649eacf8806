"""Helpers for the tests that commit real transactions (PostgreSQL races, background jobs)."""

from __future__ import annotations

import time

from sqlalchemy import text

from freshcircle.platform.extensions import db


def wait_for_lock_waiters(count: int, timeout: float = 10.0) -> None:
    """Wait until `count` sessions wait for a lock (or give up; the assertions then fail)."""
    deadline = time.monotonic() + timeout
    with db.engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.scalar(text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"))
            conn.rollback()
            if waiting >= count:
                return
            time.sleep(0.05)


def delete_trace_records(conn, batch_id: int) -> None:
    """Remove a committed batch's traceability rows (events, their lot index, genealogy
    links, chain heads left without events) so the batch itself can be deleted, and leave
    no chain head behind that verify-chain would rightly report as truncated."""
    params = {"batch": batch_id}
    conn.execute(text("DELETE FROM lot_links WHERE source_batch_id = :batch "
                      "OR target_batch_id = :batch"), params)
    conn.execute(text("DELETE FROM epcis_events WHERE batch_id = :batch OR id IN ("
                      "SELECT event_record_id FROM epcis_event_lots WHERE batch_id = :batch)"),
                 params)
    conn.execute(text("DELETE FROM epcis_chain_heads WHERE NOT EXISTS (SELECT 1 FROM "
                      "epcis_events e WHERE COALESCE(e.gtin, '-') || '/' || "
                      "COALESCE(e.lot_code, '-') = epcis_chain_heads.chain)"))


def token_client(app, session, user):
    """A test client that acts as `user` with an API token committed in `session`.

    Tests that commit their rows for good sign in this way rather than through the sign-in
    page: a page sign-in is written to the append-only audit log, and the user row it names
    could then never be deleted. Delete the user's api_tokens rows with the rest.
    """
    from freshcircle.platform.core.services import accounts

    _, plain = accounts.issue_token(session, user, "committed-rows test")
    session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {plain}"
    return client


def delete_market_world(conn, ids: dict) -> None:
    """Delete what a committed race test made (market_helpers.market and its buyers): the
    listing's orders, the listing, its batch and trace records, the producer with its plots
    and plantings, each buyer with its site, and the people with their notices. `ids` holds
    listing, batch, producer, farmer, buyers and sites."""
    p = {"listing": ids["listing"], "batch": ids["batch"], "producer": ids["producer"]}
    conn.execute(text("DELETE FROM order_lines WHERE listing_id = :listing"), p)
    conn.execute(text("DELETE FROM orders WHERE producer_id = :producer"), p)
    conn.execute(text("DELETE FROM listing_terms WHERE listing_id = :listing"), p)
    conn.execute(text("DELETE FROM listing_tiers WHERE listing_id = :listing"), p)
    conn.execute(text("DELETE FROM listings WHERE id = :listing"), p)
    delete_trace_records(conn, ids["batch"])
    conn.execute(text("DELETE FROM batches WHERE id = :batch"), p)
    conn.execute(text("DELETE FROM plantings WHERE producer_id = :producer"), p)
    conn.execute(text("DELETE FROM trade_items WHERE producer_id = :producer"), p)
    conn.execute(text("DELETE FROM memberships WHERE producer_id = :producer"), p)
    conn.execute(text("DELETE FROM plot_crops WHERE plot_id IN "
                      "(SELECT id FROM plots WHERE producer_id = :producer)"), p)
    conn.execute(text("DELETE FROM plots WHERE producer_id = :producer"), p)
    conn.execute(text("DELETE FROM producers WHERE id = :producer"), p)
    for buyer_id, site_id in zip(ids["buyers"], ids["sites"], strict=True):
        conn.execute(text("DELETE FROM buyer_profiles WHERE user_id = :id"), {"id": buyer_id})
        conn.execute(text("DELETE FROM places WHERE id = :id"), {"id": site_id})
    people = ", ".join(str(int(i)) for i in [ids["farmer"], *ids["buyers"]])
    conn.execute(text(f"DELETE FROM notices WHERE user_id IN ({people})"))
    conn.execute(text(f"DELETE FROM users WHERE id IN ({people})"))
