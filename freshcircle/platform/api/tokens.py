"""TODO(helper): tokens endpoints."""

from flask_smorest import Blueprint

blp = Blueprint("tokens", __name__, url_prefix="/tokens", description="tokens")
