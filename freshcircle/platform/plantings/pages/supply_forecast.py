"""预计供应: the supply forecast for buyers (and every signed-in role): a chart per product and
a table by week, from the plantings on record."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import login_required

from freshcircle.platform.extensions import db
from freshcircle.platform.plantings.pages.forecast_chart import supply_chart_svg
from freshcircle.platform.plantings.services import supply_forecast
from freshcircle.platform.web.pages import product_label

bp = Blueprint("supply_forecast_pages", __name__)


@bp.get("/forecast")
@login_required
def forecast():
    result = supply_forecast.supply_forecast(db.session)
    charts = {
        supply.product.id: supply_chart_svg(
            supply, title=product_label(supply.product), expected_label=_("Expected"),
            band_label=_("Likely range"))
        for supply in result.products}
    return render_template("plantings/forecast.html", forecast=result, charts=charts)
