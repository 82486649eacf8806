"""The marketplace race, over HTTP: 50 buyers at once order from a listing with 10 units left.

Used by bench/marketplace.py (and runnable alone: `.venv/bin/python bench/market_race.py`).
Each run lists a fresh batch with exactly 10 units of 1 斤 on offer (minimum order 1 斤);
50 buyers, each with their own bearer token and delivery site, POST /api/v1/orders for one
unit at the same moment (a barrier releases 50 threads, each with its own connection).
A run oversells if more than 10 units end up sold or ordered; every loser must get 409 with
the listing's units left in `errors["lines.0"]["left_g"]` and a message.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import secrets
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# bench/ is not a package: its scripts import each other
from benchkit import Goal, finish, load, recreate_database
from scan import free_port, start_gunicorn, stop, wait_ready

UNITS, UNIT_G = 10, 500
RACE_CHECKS = (  # must hold at any size; bench/marketplace.py runs the race too
    Goal("race_oversold_runs", "==", 0, check=True),
    Goal("race_losers_not_told", "==", 0, check=True),
)


def prepare_people(app, buyers: int) -> dict:
    """A farmer with a producer, and `buyers` buyers with a site and a token each."""
    from freshcircle.platform.core.services import accounts, reference_data
    from freshcircle.platform.extensions import db
    from freshcircle.platform.models import (
        BuyerProfile,
        MemberRole,
        Membership,
        Place,
        PlaceKind,
        Producer,
        ProducerKind,
        Role,
    )

    with app.app_context():
        session = db.session
        reference_data.load_products(session)
        reference_data.load_places(session)
        farmer = accounts.create_user(session, phone="13600000000", name="竞速农户",
                                      password="bench-password", role=Role.FARMER)
        producer = Producer(kind=ProducerKind.COOPERATIVE, name="竞速合作社",
                            county_code="341222", county_name="太和县",
                            latitude=33.16, longitude=115.62)
        session.add(producer)
        session.flush()
        session.add(Membership(user_id=farmer.id, producer_id=producer.id,
                               role=MemberRole.MANAGER))
        tokens = []
        for i in range(buyers):
            buyer = accounts.create_user(session, phone=f"136{i + 1:08d}", name=f"买家{i + 1}",
                                         password="bench-password", role=Role.BUYER)
            site = Place(name_zh=f"买家{i + 1}仓", name_en=f"race buyer {i + 1}",
                         kind=PlaceKind.BUYER_SITE, latitude=31.2, longitude=121.4,
                         buyer_id=buyer.id)
            session.add(site)
            session.flush()
            session.add(BuyerProfile(user_id=buyer.id, company=f"买家{i + 1}",
                                     default_site_id=site.id))
            tokens.append((accounts.issue_token(session, buyer, "race")[1], site.id))
        session.commit()
        return {"farmer_id": farmer.id, "producer_id": producer.id, "buyers": tokens}


def new_listing(app, people: dict, run: int) -> int:
    """A fresh batch listed with exactly UNITS units of 1 斤 on offer."""
    from freshcircle.platform.extensions import db
    from freshcircle.platform.market.services import listings
    from freshcircle.platform.models import Batch, Plot, Producer, Product, User

    with app.app_context():
        session = db.session
        producer = session.get(Producer, people["producer_id"])
        batch = Batch(producer=producer, product=session.query(Product).first(),
                      lot_code=f"RACE-{run:04d}", quantity_g=50_000,
                      plot=Plot(producer=producer, name=f"竞速地块{run:04d}"),
                      harvest_date=dt.date.today() - dt.timedelta(days=1))
        session.add(batch)
        session.flush()
        listing = listings.create_listing(session, session.get(User, people["farmer_id"]), batch, {
            "price": "3.00", "unit": "jin", "min_order": "1", "quantity": str(UNITS),
            "available_to": dt.date.today() + dt.timedelta(days=3)})
        session.commit()
        return listing.id


def post_order(base: str, token: str, site_id: int, listing_id: int) -> tuple[int, dict]:
    body = json.dumps({"site_id": site_id, "lines": [
        {"listing_id": listing_id, "quantity": "1", "unit": "jin"}]}).encode()
    request = urllib.request.Request(f"{base}/api/v1/orders", data=body, method="POST",
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def race_once(base: str, people: dict, listing_id: int) -> dict:
    buyers = people["buyers"]
    barrier = threading.Barrier(len(buyers))
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def buy(token: str, site_id: int) -> None:
        barrier.wait(timeout=60)
        outcome = post_order(base, token, site_id, listing_id)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=buy, args=pair) for pair in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    won = [r for s, r in results if s == 201]
    lost = [(s, r) for s, r in results if s != 201]
    told = [r for s, r in lost if s == 409 and "left_g" in (r.get("errors") or {}).get(
        "lines.0", {}) and r.get("message")]
    return {"won": len(won), "lost": len(lost), "told": len(told),
            "statuses": sorted({s for s, _ in results})}


def sold_units(app, listing_id: int) -> tuple[int, int]:
    from sqlalchemy import func, select

    from freshcircle.platform.extensions import db
    from freshcircle.platform.models import Listing, OrderLine

    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        ordered = db.session.scalar(select(func.coalesce(func.sum(OrderLine.quantity_g), 0))
                                    .where(OrderLine.listing_id == listing_id))
        return listing.sold_g // UNIT_G, int(ordered) // UNIT_G


def measure_race(app, base: str, runs: int, buyers: int) -> dict:
    """`runs` races; oversold runs and whether every loser was told why."""
    people = prepare_people(app, buyers)
    oversold, unexplained, sold_each = 0, 0, []
    for run in range(1, runs + 1):
        listing_id = new_listing(app, people, run)
        outcome = race_once(base, people, listing_id)
        sold, ordered = sold_units(app, listing_id)
        sold_each.append(ordered)
        oversold += sold > UNITS or ordered > UNITS or outcome["won"] > UNITS
        unexplained += outcome["lost"] - outcome["told"]
        print(f"race {run:2d}: {outcome['won']} won, {outcome['lost']} lost "
              f"({outcome['told']} told what is left), sold {sold}/{UNITS}, "
              f"statuses {outcome['statuses']}", flush=True)
    return {"race_runs": runs, "race_oversold_runs": oversold, "race_buyers": buyers,
            "race_units": UNITS, "race_sold_min": min(sold_each), "race_sold_max": max(sold_each),
            "race_losers_not_told": unexplained}


def race_with_server(app, args, env: dict[str, str]) -> dict:
    """Start gunicorn on the app's database (settings from `args`) and run the races."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        server = start_gunicorn("freshcircle.platform:create_app()", port, args, env, log)
        try:
            wait_ready(f"http://127.0.0.1:{port}/login", server)
            return measure_race(app, f"http://127.0.0.1:{port}", args.race_runs,
                                args.race_buyers)
        finally:
            stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url",
                        default="postgresql+psycopg://postgres@127.0.0.1/freshcircle_bench_race")
    parser.add_argument("--race-runs", type=int, default=20)
    parser.add_argument("--race-buyers", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    print(f"start: {load()}", flush=True)
    recreate_database(args.database_url)
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    env = {"DATABASE_URL": args.database_url, "SECRET_KEY": secrets.token_hex(32),
           "FRESHCIRCLE_SIGNING_KEYS": f"b1={key}"}
    os.environ.update(env)
    from flask_migrate import upgrade

    from freshcircle.platform import create_app

    app = create_app()
    with app.app_context():
        upgrade()
    figures = race_with_server(app, args, env)
    figures.update(load_end=load())
    finish("market_race", figures, RACE_CHECKS)


if __name__ == "__main__":
    main()
