"""TODO(helper): tests endpoints."""

from flask_smorest import Blueprint

blp = Blueprint("tests", __name__, url_prefix="/tests", description="tests")
