"""TODO(helper): products endpoints."""

from flask_smorest import Blueprint

blp = Blueprint("products", __name__, url_prefix="/products", description="products")
