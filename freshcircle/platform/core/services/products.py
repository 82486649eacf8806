"""The product catalog, as readers browse it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from freshcircle.platform.core.services.errors import NotFound
from freshcircle.platform.models import Product, User


def get_product(session: Session, actor: User, product_id: int) -> Product:
    """One catalog entry; every signed-in user may read the catalog."""
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound(_l("No such product."))
    return product


def products_query(
    actor: User,
    *,
    category: str | None = None,
    temp_class: str | None = None,
    q: str | None = None,
) -> Select:
    """Catalog entries by English name, with optional filters.

    `temp_class` matches a storage class exactly (`chilled_0_2`) or every class of a kind
    (`chilled` matches `chilled_0_2` and `chilled_0_4`). `q` searches both names.
    """
    stmt = select(Product).order_by(Product.name_en, Product.id)
    if category:
        stmt = stmt.where(Product.category == category)
    if temp_class:
        stmt = stmt.where(
            or_(
                Product.temp_class == temp_class,
                Product.temp_class.startswith(f"{temp_class}_", autoescape=True),
            )
        )
    if q:
        stmt = stmt.where(
            or_(
                Product.name_zh.contains(q, autoescape=True),
                Product.name_en.icontains(q, autoescape=True),
            )
        )
    return stmt
