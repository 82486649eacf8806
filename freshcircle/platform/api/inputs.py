"""TODO(helper): inputs endpoints."""

from flask_smorest import Blueprint

blp = Blueprint("inputs", __name__, url_prefix="/inputs", description="inputs")
