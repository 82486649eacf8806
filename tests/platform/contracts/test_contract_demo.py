"""The demo's forward contract: the Shanghai buyer and the Taihe toon co-op, confirmed, on a
spinach planting harvested now; registering a spinach batch from its plot orders the week's
quantity for the buyer; seeding again adds nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from freshcircle.platform.contracts.services import offers
from freshcircle.platform.core.services.clock import today_in_china
from freshcircle.platform.demo import content as c
from freshcircle.platform.demo import seed_demo
from freshcircle.platform.models import Batch, ContractStatus, ForwardContract, User


def test_the_demo_contract_is_confirmed_and_takes_the_plots_harvest_first(session):
    seed_demo(session)
    seed_demo(session)  # again: nothing twice

    (contract,) = session.scalars(select(ForwardContract))
    buyer = session.scalar(select(User).where(User.phone == c.BUYER.phone))
    farmer = session.scalar(select(User).where(User.phone == c.FARMER.phone))
    assert contract.buyer_id == buyer.id and contract.status == ContractStatus.CONFIRMED
    assert contract.product.name_en == c.SPINACH and contract.price_fen_per_jin == 300
    (planting,) = contract.plantings
    assert planting.plot.name == "李营南湖地块2号" and planting.harvest_from <= today_in_china()
    assert session.scalar(select(func.count()).select_from(ForwardContract)) == 1
    batch = Batch(producer_id=contract.producer_id, product_id=contract.product_id,
                  plot_id=planting.plot_id, planting_id=planting.id, lot_code="DEMO-FC-1",
                  harvest_date=today_in_china() - dt.timedelta(days=1), quantity_g=400_000)
    session.add(batch)
    session.flush()
    (order,) = offers.offer_registered_batch(session, farmer, batch)
    assert order.buyer_id == buyer.id and order.lines[0].quantity_g == 150_000
