"""Forward contracts (订单农业): propose, read, change, confirm, offer, shortfalls, release,
and fulfilment per producer and buyer."""

from __future__ import annotations

from flask_smorest import Blueprint

from freshcircle.platform.contracts.schemas.contracts import (
    ContractCreateSchema,
    ContractSchema,
    ContractUpdateSchema,
    FulfilmentReportSchema,
    ReleaseSchema,
    ShortfallCreateSchema,
    ShortfallSchema,
)
from freshcircle.platform.contracts.services import contracts, fulfilment, offers, shortfalls
from freshcircle.platform.contracts.services.contract_weeks import ContractView
from freshcircle.platform.extensions import db
from freshcircle.platform.web.api import actor

blp = Blueprint("contracts", __name__, url_prefix="",
                description="Forward contracts (订单农业): a buyer and a producer agree weekly "
                            "quantities and a price ahead of the harvest; the harvest of the "
                            "contracted plantings becomes ordinary orders")


def _view(contract):
    return ContractView(db.session, contract)


@blp.get("/contracts")
@blp.response(200, ContractSchema(many=True))
def list_contracts():
    """The caller's contracts, newest first: a buyer's own, a producer member's producers',
    every one for staff."""
    return [_view(c) for c in contracts.list_contracts(db.session, actor())]


@blp.post("/contracts")
@blp.arguments(ContractCreateSchema)
@blp.response(201, ContractSchema)
def create_contract(data):
    """Propose a contract; the proposer's side counts as confirmed.

    A buyer names the producer (producer_id); a producer's member names the buyer
    (buyer_phone). Give quantity_per_week or total_quantity, and a fixed price or a band."""
    return _view(contracts.create_contract(db.session, actor(), data))


@blp.get("/contracts/fulfilment")
@blp.response(200, FulfilmentReportSchema)
def fulfilment_report():
    """Delivered against contracted and on-time share, per producer and per buyer, over the
    delivery weeks that have ended (a producer's members their producers, a buyer their own,
    staff all)."""
    report = fulfilment.report_for(db.session, actor())
    return {
        "producers": [{"id": p.id, "name": p.name, **_figures(f)} for p, f in report.producers],
        "buyers": [{"id": u.id, "name": u.name, **_figures(f)} for u, f in report.buyers],
    }


def _figures(f) -> dict:
    return {"contracted_jin": f.contracted_jin, "delivered_jin": f.delivered_jin,
            "on_time_share": f.on_time_share, "contracts": f.contracts}


@blp.get("/contracts/<int:contract_id>")
@blp.response(200, ContractSchema)
def get_contract(contract_id):
    """One contract with its weeks (agreed, ordered, delivered), shortfalls and orders."""
    return _view(contracts.get_contract(db.session, actor(), contract_id))


@blp.patch("/contracts/<int:contract_id>")
@blp.arguments(ContractUpdateSchema)
@blp.response(200, ContractSchema)
def update_contract(changes, contract_id):
    """Change the terms before anything is ordered; the other side must confirm again."""
    user = actor()
    contract = contracts.get_contract(db.session, user, contract_id)
    return _view(contracts.update_contract(db.session, user, contract, changes))


@blp.post("/contracts/<int:contract_id>/confirm")
@blp.response(200, ContractSchema)
def confirm_contract(contract_id):
    """The other side confirms; with both, what is listed from its plantings is ordered."""
    user = actor()
    contract = contracts.get_contract(db.session, user, contract_id)
    return _view(contracts.confirm_contract(db.session, user, contract))


@blp.post("/contracts/<int:contract_id>/offer")
@blp.response(200, ContractSchema)
def offer_now(contract_id):
    """The producer has the due quantity of the current or next week ordered now from the
    listings of its contracted plantings (at the contract price, confirmed)."""
    user = actor()
    contract = contracts.get_contract(db.session, user, contract_id)
    offers.offer_now(db.session, user, contract)
    return _view(contract)


@blp.post("/contracts/<int:contract_id>/shortfalls")
@blp.arguments(ShortfallCreateSchema)
@blp.response(201, ShortfallSchema)
def declare_shortfall(data, contract_id):
    """The producer declares a shortfall early (quantity, weeks, reason); the buyer is told."""
    user = actor()
    contract = contracts.get_contract(db.session, user, contract_id)
    return shortfalls.declare_shortfall(db.session, user, contract, data)


@blp.post("/contract-shortfalls/<int:shortfall_id>/accept")
@blp.response(200, ShortfallSchema)
def accept_partial(shortfall_id):
    """The buyer accepts partial delivery: the weeks' quantities are lowered."""
    user = actor()
    shortfall = shortfalls.get_shortfall(db.session, user, shortfall_id)
    return shortfalls.accept_partial(db.session, user, shortfall)


@blp.post("/contracts/<int:contract_id>/release")
@blp.arguments(ReleaseSchema)
@blp.response(200, ContractSchema)
def release_contract(data, contract_id):
    """The buyer releases the contract; orders made stay, the history stays."""
    user = actor()
    contract = contracts.get_contract(db.session, user, contract_id)
    return _view(contracts.release_contract(db.session, user, contract, data.get("reason")))
