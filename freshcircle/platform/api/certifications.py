"""TODO(helper): certifications endpoints."""

from flask_smorest import Blueprint

blp = Blueprint("certifications", __name__, url_prefix="/certifications", description="certifications")
