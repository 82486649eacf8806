"""Lot genealogy traces and the tamper-evident event chain."""

from __future__ import annotations

import dataclasses
from itertools import pairwise

import pytest

from freshcircle.traceability.epcis import build_event
from freshcircle.traceability.event_chain import (
    GENESIS,
    chain_events,
    chain_record,
    link_hash,
)
from freshcircle.traceability.genealogy import (
    ChainProblem,
    LotEdge,
    LotGraph,
    LotOrigin,
    TraceNode,
    graph_from_events,
    verify_chain,
)
from tests.traceability.epcis_samples import (
    ALL,
    BUYER,
    CONFIG,
    FARM_GLN,
    GTIN,
    LOT,
    PACK_GTIN,
    PACKS,
    PALLET,
    harvest,
    packing,
    shipping,
    split,
)


def _summary(trace):
    return [(n.node, n.kind, n.depth, n.path, n.via) for n in trace.nodes]


def test_split_into_three_packs_forward_and_backward():
    graph = LotGraph([("L", p, "split") for p in ("L-3", "L-1", "L-2")],
                     [LotOrigin("L", "farm-A")])
    assert _summary(graph.forward("L")) == [
        ("L-1", "lot", 1, ("L", "L-1"), "split"),
        ("L-2", "lot", 1, ("L", "L-2"), "split"),
        ("L-3", "lot", 1, ("L", "L-3"), "split")]
    assert _summary(graph.backward("L-2")) == [
        ("L", "lot", 1, ("L-2", "L"), "split"),
        ("farm-A", "farm", 2, ("L-2", "L", "farm-A"), "origin")]
    assert graph.forward("L-1").nodes == ()


def test_two_lots_merged_into_one():
    graph = LotGraph([LotEdge("A", "M", "merge", 30), LotEdge("B", "M", "merge", 20)],
                     [("A", "farm-A"), ("B", "farm-B"), ("B", "farm-B2")])
    backward = graph.backward("M")
    assert backward.lots == ["A", "B"]
    assert backward.farms == ["farm-A", "farm-B", "farm-B2"]
    assert [n.depth for n in backward.nodes] == [1, 1, 2, 2, 2]
    assert _summary(graph.forward("A")) == [("M", "lot", 1, ("A", "M"), "merge")]
    assert graph.forward("A").nodes[0].edge.quantity == 30
    assert graph.forward("B").lots == ["M"]


def test_chain_of_five_levels_with_depth_limit():
    lots = [f"L{i}" for i in range(6)]
    graph = LotGraph(zip(lots, lots[1:], ["repack"] * 5, strict=False), [("L0", "farm")])
    forward = graph.forward("L0")
    assert [(n.node, n.depth) for n in forward.nodes] == [(lots[i], i) for i in range(1, 6)]
    assert forward.nodes[-1].path == tuple(lots)
    backward = graph.backward("L5")
    assert backward.lots == ["L4", "L3", "L2", "L1", "L0"]
    assert backward.nodes[-1] == TraceNode("farm", "farm", 6, (*reversed(lots), "farm"), "origin")
    assert backward.nodes[0].edge == LotEdge("L4", "L5", "repack")
    assert graph.forward("L0", max_depth=2).lots == ["L1", "L2"]


def test_a_cycle_terminates_and_visits_each_lot_once():
    graph = LotGraph([("A", "B", "repack"), ("B", "C", "repack"), ("C", "A", "repack"),
                      ("C", "D", "split")])
    assert _summary(graph.forward("A")) == [
        ("B", "lot", 1, ("A", "B"), "repack"),
        ("C", "lot", 2, ("A", "B", "C"), "repack"),
        ("D", "lot", 3, ("A", "B", "C", "D"), "split")]
    assert graph.backward("A").lots == ["C", "B"]


def test_forward_reaches_pallets_and_consignees_backward_ignores_them():
    graph = LotGraph([("L", "P1", "split"), ("L", "P2", "split"), ("P1", "pallet", "aggregation"),
                      ("P2", "shop-2", "order"), ("pallet", "buyer-1", "shipment")],
                     [("L", "farm")])
    forward = graph.forward("L")
    assert forward.lots == ["P1", "P2"]
    assert forward.of_kind("container") == ["pallet"]
    assert forward.parties == ["shop-2", "buyer-1"]
    assert forward.nodes[-1].path == ("L", "P1", "pallet", "buyer-1")
    assert graph.backward("pallet").lots == ["P1", "L"]
    assert graph.backward("pallet").farms == ["farm"]
    with pytest.raises(ValueError, match="unknown edge kind"):
        LotGraph([("a", "b", "teleport")])


def test_the_same_edge_twice_and_a_pallet_first_seen_as_a_source():
    graph = LotGraph([("pallet", "buyer", "shipment"), ("L", "pallet", "aggregation"),
                      ("L", "pallet", "aggregation")])
    assert graph.kind("pallet") == "container"
    assert _summary(graph.forward("L")) == [
        ("pallet", "container", 1, ("L", "pallet"), "aggregation"),
        ("buyer", "party", 2, ("L", "pallet", "buyer"), "shipment")]


def test_wide_graph_is_traced_without_recursion():
    edges = [("root", f"a{i}", "split") for i in range(300)]
    edges += [(f"a{i}", f"b{i}-{j}", "split") for i in range(300) for j in range(100)]
    edges += [(f"b{i}-{j}", f"c{i % 7}", "merge") for i in range(300) for j in range(100)]
    graph = LotGraph(edges)
    forward = graph.forward("root")
    assert len(forward.nodes) == 300 + 30_000 + 7
    assert forward.nodes[-1].depth == 3
    deep = LotGraph((f"n{i}", f"n{i + 1}", "repack") for i in range(5_000))
    assert deep.backward("n5000").nodes[-1].node == "n0"


def test_graph_from_epcis_events():
    events = [build_event(make(), CONFIG) for make in (harvest, split, packing, shipping)]
    graph = graph_from_events(events)
    lot = CONFIG.lot_class(GTIN, LOT)
    packs = [CONFIG.lot_class(PACK_GTIN, p) for p in PACKS]
    forward = graph.forward(lot)
    assert forward.lots == packs
    assert forward.of_kind("container") == [PALLET]
    assert forward.parties == [BUYER]
    backward = graph.backward(packs[1])
    assert backward.lots == [lot]
    assert backward.farms == [CONFIG.location(FARM_GLN)]
    assert backward.nodes[0].edge.event_id == events[1]["eventID"]


# --- tamper-evident chain ---------------------------------------------------------------------

@pytest.fixture
def chain():
    return chain_events([build_event(make(), CONFIG) for make in ALL], CONFIG.prefixes)


def _verify(records, **kwargs):
    return [(p.index, p.kind) for p in verify_chain(records, CONFIG.prefixes, **kwargs)]


def test_an_untouched_chain_passes(chain):
    assert chain[0].previous_link == GENESIS
    assert all(b.previous_link == a.link for a, b in pairwise(chain))
    assert chain[3].link == link_hash(chain[2].link, chain[3].event["eventID"])
    assert verify_chain(chain, CONFIG.prefixes, head=chain[-1].link) == []
    rows = [dataclasses.asdict(r) for r in chain]  # as the platform would load them
    assert verify_chain(rows, CONFIG.prefixes) == []


def test_changed_event_content_is_caught(chain):
    tampered = list(chain)
    event = dict(tampered[2].event, disposition="damaged")
    tampered[2] = dataclasses.replace(tampered[2], event=event)
    assert verify_chain(tampered, CONFIG.prefixes) == [
        ChainProblem(2, "modified", "event content does not match its recorded hash")]
    rehashed = dataclasses.replace(tampered[2], event_hash=chain_record(event).event_hash)
    assert _verify([*chain[:2], rehashed, *chain[3:]]) == [(2, "modified")]
    rewritten = chain_record(event, chain[1].link, CONFIG.prefixes)  # every hash recomputed
    assert _verify([*chain[:2], rewritten, *chain[3:]]) == [(3, "deleted")]


def test_deleted_events_are_caught(chain):
    assert _verify([*chain[:3], *chain[4:]]) == [(3, "deleted")]
    assert _verify(chain[1:]) == [(0, "deleted")]
    assert _verify([*chain[:2], *chain[5:]]) == [(2, "deleted")]
    assert _verify(chain[:-1]) == []  # a shorter chain is still a chain: anchor the head
    assert _verify(chain[:-1], head=chain[-1].link) == [(len(chain) - 1, "deleted")]


def test_reordered_events_are_caught(chain):
    swapped = [chain[0], chain[2], chain[1], *chain[3:]]
    problems = verify_chain(swapped, CONFIG.prefixes)
    assert [(p.index, p.kind) for p in problems] == [(1, "reordered"), (2, "reordered")]
    assert "follows the event at index 2" in problems[0].reason
    assert _verify([chain[1], chain[0], *chain[2:]]) == [(0, "reordered"), (1, "reordered")]


def test_inserted_events_are_caught(chain):
    forged = build_event(dataclasses.replace(harvest(), disposition="recalled"), CONFIG)
    linked = chain_record(forged, chain[3].link, CONFIG.prefixes)
    assert _verify([*chain[:4], linked, *chain[4:]]) == [(4, "inserted")]
    unlinked = chain_record(forged, "f" * 64, CONFIG.prefixes)
    assert _verify([*chain[:4], unlinked, *chain[4:]]) == [(4, "inserted")]
    at_start = chain_record(forged, GENESIS, CONFIG.prefixes)
    assert _verify([at_start, *chain]) == [(0, "inserted")]
    appended = chain_record(forged, chain[-1].link, CONFIG.prefixes)
    assert _verify([*chain, appended], head=chain[-1].link) == [(len(chain), "inserted")]
