"""Ranking producers for a standing demand: shelf life on arrival, supply, distance, weight."""

from __future__ import annotations

import datetime as dt

from freshcircle.platform.demand.services.ranking import (
    Candidate,
    fulfilment_weight,
    life_on_arrival_days,
    rank,
)

WEEK = (dt.date(2026, 12, 7),)


def _c(producer_id, hours, jin=0.0, listed=0.0):
    return Candidate(producer_id, distance_km=hours * 65, transit_hours=hours,
                     planting_count=1 if jin else 0, planting_jin=jin,
                     planting_weeks=WEEK if jin else (),
                     listing_count=1 if listed else 0, listing_jin=listed, listed_jin=listed)


def test_a_producer_whose_drive_eats_the_shelf_life_is_not_matched():
    assert life_on_arrival_days(10, 11.4) == 9
    assert life_on_arrival_days(10, 66) == 7
    ranked = rank([_c(1, 11.4, 3000), _c(2, 66, 30000)], needed_jin=10000,
                  storage_life_days=10, min_days=8)
    assert [r.candidate.producer_id for r in ranked] == [1]
    transit = ranked[0].reasons[-1]
    assert transit == {"kind": "transit", "km": 741, "hours": 11.4, "life_days": 9,
                       "min_days": 8}


def test_more_supply_ranks_first_then_the_nearer():
    ranked = rank([_c(1, 10, 2000), _c(2, 10, 6000), _c(3, 5, 2000)], needed_jin=10000,
                  storage_life_days=30, min_days=1)
    assert [(r.candidate.producer_id, r.rank) for r in ranked] == [(2, 1), (3, 2), (1, 3)]
    assert ranked[0].score > ranked[1].score > ranked[2].score


def test_supply_beyond_the_demand_counts_no_more_and_the_fulfilment_weight_counts():
    enough = rank([_c(1, 10, 50000), _c(2, 10, 10000)], needed_jin=10000,
                  storage_life_days=30, min_days=1)
    assert enough[0].score == enough[1].score  # both cover it all: the older producer first
    weighted = rank([_c(1, 10, 10000), _c(2, 10, 10000)], needed_jin=10000,
                    storage_life_days=30, min_days=1, weights={1: 0.5, 2: 1.0})
    assert [r.candidate.producer_id for r in weighted] == [2, 1]


def test_a_forward_contract_record_moves_a_producer_up_or_down():
    assert fulfilment_weight(None, None) == 1.0  # no contract week ended yet: neutral
    assert fulfilment_weight(1.0, 1.0) == 1.1
    assert fulfilment_weight(1.3, 1.0) == 1.1  # delivering more than contracted counts no more
    assert fulfilment_weight(0.0, 0.0) == 0.5
    assert fulfilment_weight(0.9, 0.5) == 0.77  # 0.5 + 0.6 × 0.45
    assert fulfilment_weight(0.8, None) == 0.98
