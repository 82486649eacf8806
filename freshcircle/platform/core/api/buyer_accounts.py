"""The buyer's account: company, default delivery site, and the delivery sites themselves."""

from __future__ import annotations

from flask_smorest import Blueprint

from freshcircle.platform.core.schemas.buyer_accounts import (
    AccountChangeSchema,
    AccountSchema,
    SiteInputSchema,
    SiteSchema,
)
from freshcircle.platform.core.services import buyer_accounts
from freshcircle.platform.extensions import db
from freshcircle.platform.models import Role
from freshcircle.platform.web.api import actor_with_role

blp = Blueprint("buyer_accounts", __name__, url_prefix="/account",
                description="The buyer's company and delivery sites")


@blp.get("")
@blp.response(200, AccountSchema)
def get_account():
    """The caller's company, delivery sites and default site (buyers)."""
    return buyer_accounts.get_account(db.session, actor_with_role(Role.BUYER))


@blp.put("")
@blp.arguments(AccountChangeSchema)
@blp.response(200, AccountSchema)
def update_account(data):
    """Change the company name and/or the default site (one of the caller's own)."""
    return buyer_accounts.update_account(db.session, actor_with_role(Role.BUYER), data)


@blp.get("/sites")
@blp.response(200, SiteSchema(many=True))
def list_sites():
    """The caller's delivery sites."""
    return buyer_accounts.sites(db.session, actor_with_role(Role.BUYER))


@blp.post("/sites")
@blp.arguments(SiteInputSchema)
@blp.response(201, SiteSchema)
def add_site(data):
    """Add a delivery site: a name, coordinates (or a reference place to copy them from) and
    receiving hours (both or neither). The first site becomes the default."""
    return buyer_accounts.add_site(db.session, actor_with_role(Role.BUYER), data), 201


@blp.patch("/sites/<int:site_id>")
@blp.arguments(SiteInputSchema)
@blp.response(200, SiteSchema)
def update_site(data, site_id):
    """Change one of the caller's sites; another buyer's is 404."""
    user = actor_with_role(Role.BUYER)
    site = buyer_accounts.get_site(db.session, user, site_id)
    return buyer_accounts.update_site(db.session, user, site, data)
