"""The supply forecast: expected 斤 per product (and county) for the next 12 weeks."""

from __future__ import annotations

from flask_smorest import Blueprint

from freshcircle.platform.extensions import db
from freshcircle.platform.plantings.schemas.supply_forecast import (
    SupplyForecastQuerySchema,
    SupplyForecastSchema,
)
from freshcircle.platform.plantings.services import supply_forecast
from freshcircle.platform.web.api import actor

blp = Blueprint("supply_forecast", __name__, url_prefix="/supply-forecast",
                description="Expected supply from the plantings on record, with an 80 % band")


@blp.get("")
@blp.arguments(SupplyForecastQuerySchema, location="query", as_kwargs=True)
@blp.response(200, SupplyForecastSchema)
def get_supply_forecast(county_code=None, by_county=False):
    """The next 12 weeks (this week first) per product, corrected by each producer's record.

    Aggregates only, no producer named: any signed-in account may read it."""
    actor()
    return supply_forecast.supply_forecast(db.session, county_code=county_code,
                                           by_county=by_county)
