"""TODO(helper): files endpoints."""

from flask_smorest import Blueprint

blp = Blueprint("files", __name__, url_prefix="/files", description="files")
