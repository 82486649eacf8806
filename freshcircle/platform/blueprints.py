"""Where every feature's pages, API and templates are put on the app: the one place that knows
them all.

Pages register as Flask blueprints (their names are the endpoints' prefixes); API blueprints
register on the flask-smorest Api in the order the OpenAPI document lists them. Templates are
found in web/templates (the base layout and shared macros) and in each feature's
templates/<feature>/.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_smorest import Api
from jinja2 import ChoiceLoader, FileSystemLoader

from freshcircle.platform.web.api import register_api

PLATFORM = Path(__file__).resolve().parent
FEATURES = ("core", "ledger", "farms", "plantings", "batches", "market", "contracts",
            "demand", "showcase", "dispatch", "trace", "demo")


def register_blueprints(app: Flask, api: Api) -> None:
    app.jinja_loader = template_loader()
    register_api(app, api, api_blueprints())
    register_pages(app)


def template_loader() -> ChoiceLoader:
    """web/templates, then every feature's templates folder."""
    folders = [PLATFORM / "web" / "templates",
               *(PLATFORM / f / "templates" for f in FEATURES)]
    return ChoiceLoader([FileSystemLoader(folder) for folder in folders if folder.is_dir()])


def api_blueprints() -> list:
    """Every feature's API blueprints, in the order the OpenAPI document lists them."""
    from freshcircle.platform.batches.api import batches, labels, offline, photo_uploads
    from freshcircle.platform.contracts.api import contracts
    from freshcircle.platform.core.api import (
        buyer_accounts,
        files,
        notices,
        places,
        products,
        tokens,
    )
    from freshcircle.platform.demand.api import demands
    from freshcircle.platform.dispatch.api import dispatch, fleet, shipments, temperatures
    from freshcircle.platform.farms.api import (
        certifications,
        inputs,
        plots,
        producers,
        residue_tests,
    )
    from freshcircle.platform.ledger import api as epcis
    from freshcircle.platform.ledger import queries_api  # noqa: F401  (routes on epcis.blp)
    from freshcircle.platform.market.api import (
        cart,
        feedback,
        listings,
        order_documents,
        orders,
        quotes,
        sales_reports,
    )
    from freshcircle.platform.plantings.api import plantings, supply_forecast
    from freshcircle.platform.trace import api as genealogy

    return [
        tokens.blp, products.blp, producers.blp, plots.blp, plantings.blp, batches.blp, inputs.blp,
        residue_tests.blp, offline.blp,
        certifications.blp, files.blp, places.blp, shipments.blp, temperatures.blp,
        labels.blp, photo_uploads.blp, epcis.blp, genealogy.blp, genealogy.records_blp,
        notices.blp, orders.blp, listings.blp,
        quotes.blp, feedback.blp,
        cart.blp, buyer_accounts.blp,
        order_documents.blp, sales_reports.blp,
        fleet.blp, dispatch.blp, supply_forecast.blp, demands.blp, contracts.blp,
    ]


def register_pages(app: Flask) -> None:
    """Every feature's page blueprints, and the template filters pages share."""
    from freshcircle.platform.batches.pages import batches, labels, lots
    from freshcircle.platform.contracts.pages import contracts
    from freshcircle.platform.core.pages import account, admin, auth, files, home, notices
    from freshcircle.platform.demand.pages import demands
    from freshcircle.platform.dispatch.pages import carrier, dispatch, driver, fleet
    from freshcircle.platform.farms.pages import certifications, farm_records, plots, producers
    from freshcircle.platform.market.pages import (
        buyer_orders,
        cart,
        feedback,
        listings,
        market,
        market_front,
        quotes,
        sales,
        search_synonyms,
    )
    from freshcircle.platform.plantings.pages import plantings, supply_forecast
    from freshcircle.platform.showcase.pages import showcase
    from freshcircle.platform.trace.pages import consumer, inspector, scan_front
    from freshcircle.platform.web import health, metrics, offline
    from freshcircle.platform.web.display import register_display

    for module in (auth, home, producers, plots, certifications, batches, farm_records, files,
                   inspector, carrier, admin, labels, consumer, notices, lots, listings, market):
        app.register_blueprint(module.bp)
    sales.register(app)
    app.register_blueprint(cart.bp)
    app.register_blueprint(buyer_orders.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(quotes.bp)
    app.register_blueprint(feedback.bp)
    app.register_blueprint(search_synonyms.bp)
    app.register_blueprint(plantings.bp)  # 种植计划
    app.register_blueprint(supply_forecast.bp)  # 预计供应
    app.register_blueprint(demands.bp)  # 求购 (standing demand)
    app.register_blueprint(fleet.bp)  # 车队 (cold-chain dispatch)
    app.register_blueprint(driver.bp)  # 今日路线
    app.register_blueprint(dispatch.bp)  # 调度 (dispatch planning)
    app.register_blueprint(contracts.bp)  # 订单农业 (forward contracts)
    app.register_blueprint(showcase.bp)  # 阜阳好物, the public showcase (also / for visitors)
    showcase.init_app(app)  # its front cache: repeats to cookie-less visitors skip the app
    scan_front.init_app(app)  # shoppers' scans through Redis without the app's request work
    market_front.init_app(app)  # a signed-in buyer's market page in one round trip
    app.register_blueprint(health.bp)  # /healthz, /readyz for load balancers
    metrics.init_app(app)  # /metrics for Prometheus (a bearer token), request latency
    register_display(app)
    labels.register_label_display(app)
    offline.init_app(app)  # the installable farmer app: manifest, service worker (web/offline.py)
