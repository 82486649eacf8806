"""Inbox notices about forward contracts: a proposal or change waiting for the other side, a
confirmation, a shortfall (to the buyer, with the quantity and the weeks), a release.

The facts are kept as JSON; the inbox words them in the reader's language
(`contracts/_notice.html`).
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from freshcircle.platform.models import ForwardContract, Membership, Notice

TO_BUYER_KINDS = ("contract_shortfall",)
KINDS = ("contract_proposed", "contract_confirmed", "contract_shortfall", "contract_released")


def producer_users(session: Session, producer_id: int) -> list[int]:
    return list(session.scalars(select(Membership.user_id).where(
        Membership.producer_id == producer_id).order_by(Membership.user_id)))


def tell(session: Session, contract: ForwardContract, kind: str, user_ids, **extra) -> None:
    """One notice of `kind` to each of `user_ids` (each once)."""
    if kind not in KINDS:
        raise ValueError(kind)
    facts = {"contract": contract.id, "producer": contract.producer.name,
             "buyer": contract.buyer.name, "product_zh": contract.product.name_zh,
             "product_en": contract.product.name_en, **extra}
    payload = json.dumps(facts, ensure_ascii=False)
    for user_id in dict.fromkeys(user_ids):
        session.add(Notice(user_id=user_id, kind=kind, subject=f"contract #{contract.id}",
                           batch_id=None, payload=payload))


def tell_other_side(session: Session, contract: ForwardContract, kind: str, actor_id: int,
                    **extra) -> None:
    """Tell the side that did not act: the buyer, or the producer's members."""
    users = [contract.buyer_id, *producer_users(session, contract.producer_id)]
    tell(session, contract, kind, [u for u in users if u != actor_id], **extra)


def settle_requests(session: Session, contract: ForwardContract, now: dt.datetime) -> None:
    """The contract's "waiting for your confirmation" notices are answered (it was confirmed,
    changed again or released): marked read, so no inbox still asks for what is done."""
    session.execute(update(Notice).where(
        Notice.kind == "contract_proposed", Notice.subject == f"contract #{contract.id}",
        Notice.read_at.is_(None)).values(read_at=now).execution_options(
        synchronize_session=False))
