"""TODO(helper): temperatures endpoints."""

from flask_smorest import Blueprint

blp = Blueprint("temperatures", __name__, url_prefix="/temperatures", description="temperatures")
