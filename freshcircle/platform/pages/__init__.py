"""Server-rendered pages (mobile-first, Chinese first)."""

from __future__ import annotations

from flask import Flask


def register_pages(app: Flask) -> None:
    from . import (
        account,
        admin,
        auth,
        batches,
        buyer_orders,
        carrier,
        cart,
        certifications,
        dispatch,
        driver,
        farm_records,
        feedback,
        files,
        fleet,
        home,
        inspector,
        labels,
        listings,
        lots,
        market,
        notices,
        producers,
        quotes,
        sales,  # the producer's side of orders (issue 4)
        trace,
    )
    from .display import register_display

    for module in (auth, home, producers, certifications, batches, farm_records, files,
                   inspector, carrier, admin, labels, trace, notices, lots, listings, market):
        app.register_blueprint(module.bp)
    sales.register(app)
    app.register_blueprint(cart.bp)
    app.register_blueprint(buyer_orders.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(quotes.bp)
    app.register_blueprint(feedback.bp)
    app.register_blueprint(fleet.bp)  # 车队 (cold-chain dispatch)
    app.register_blueprint(driver.bp)  # 今日路线
    app.register_blueprint(dispatch.bp)  # 调度 (dispatch planning)
    register_display(app)
    labels.register_label_display(app)
