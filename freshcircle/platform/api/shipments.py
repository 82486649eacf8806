"""TODO(helper): shipments endpoints."""

from flask_smorest import Blueprint

blp = Blueprint("shipments", __name__, url_prefix="/shipments", description="shipments")
