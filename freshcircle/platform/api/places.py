"""TODO(helper): places endpoints."""

from flask_smorest import Blueprint

blp = Blueprint("places", __name__, url_prefix="/places", description="places")
