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
        farm_records,
        feedback,
        files,
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
    register_display(app)
    labels.register_label_display(app)
