"""TODO(helper): producers endpoints."""

from flask_smorest import Blueprint

blp = Blueprint("producers", __name__, url_prefix="/producers", description="producers")
