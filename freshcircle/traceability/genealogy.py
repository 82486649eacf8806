"""Lot genealogy: forward and backward trace over a graph of lot-to-lot edges.

Edges come from transformations (split, merge, repack: input lot -> output lot), packing
(lot -> pallet or other container) and deliveries (shipment or order: lot or container -> the
consignee that received it). Origins tie a lot to the farm it was harvested on. The graph is
built from plain iterables (the platform feeds it rows from the database), stored as adjacency
dicts and walked breadth-first without recursion, so it is cycle-safe and linear in the part of
the graph it reaches. Results are ordered by depth, then by node id, each with the path that
reached it. ``verify_chain`` (tamper evidence) lives in ``event_chain`` and is re-exported here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .event_chain import ChainProblem, verify_chain

__all__ = [
    "ChainProblem", "LotEdge", "LotGraph", "LotOrigin", "Trace", "TraceNode", "graph_from_events",
    "records_from_events", "verify_chain",
]

LOT, CONTAINER, PARTY, FARM = "lot", "container", "party", "farm"
TRANSFORMATIONS = frozenset({"split", "merge", "repack", "transformation"})
PACKING = frozenset({"aggregation"})
DELIVERIES = frozenset({"shipment", "order"})


@dataclass(frozen=True)
class LotEdge:
    """``source`` went into ``target``; ``kind`` says how (split, merge, shipment...)."""

    source: str
    target: str
    kind: str = "transformation"
    quantity: Decimal | float | None = None
    event_id: str | None = None


@dataclass(frozen=True)
class LotOrigin:
    """A lot harvested on a farm (or field, plot: any origin id)."""

    lot: str
    farm: str


@dataclass(frozen=True)
class TraceNode:
    """A node reached by a trace: ``path`` runs from the start node to this one.

    ``via`` is the kind of the edge that reached it (``origin`` for a farm) and ``edge`` that
    edge record itself (quantity, event id), None for a farm.
    """

    node: str
    kind: str
    depth: int
    path: tuple[str, ...]
    via: str
    edge: LotEdge | None = None


@dataclass(frozen=True)
class Trace:
    """The nodes a trace reached (the start node excluded), ordered by depth then id."""

    start: str
    direction: str
    nodes: tuple[TraceNode, ...]

    def of_kind(self, kind: str) -> list[str]:
        """Ids of the reached nodes of one kind (lot, container, party, farm), in trace order."""
        return [n.node for n in self.nodes if n.kind == kind]

    @property
    def lots(self) -> list[str]:
        """Lots reached."""
        return self.of_kind(LOT)

    @property
    def parties(self) -> list[str]:
        """Consignees reached (forward trace)."""
        return self.of_kind(PARTY)

    @property
    def farms(self) -> list[str]:
        """Origin farms reached (backward trace)."""
        return self.of_kind(FARM)


def _edge(record: LotEdge | tuple[Any, ...]) -> LotEdge:
    return record if isinstance(record, LotEdge) else LotEdge(*record)


def _origin(record: LotOrigin | tuple[str, str]) -> LotOrigin:
    return record if isinstance(record, LotOrigin) else LotOrigin(*record)


class LotGraph:
    """Adjacency dicts of lot edges and origins; trace with :meth:`forward` and :meth:`backward`.

    Edge records are ``LotEdge`` or tuples ``(source, target[, kind[, quantity[, event_id]]])``;
    origin records are ``LotOrigin`` or ``(lot, farm)`` tuples.
    """

    def __init__(self, edges: Iterable[LotEdge | tuple[Any, ...]] = (),
                 origins: Iterable[LotOrigin | tuple[str, str]] = ()):
        self._out: dict[str, dict[str, LotEdge]] = {}
        self._in: dict[str, dict[str, LotEdge]] = {}
        self._kind: dict[str, str] = {}
        self._origins: dict[str, set[str]] = {}
        self._farms: set[str] = set()
        for record in edges:
            self.add_edge(_edge(record))
        for origin in origins:
            self.add_origin(_origin(origin))

    def add_edge(self, edge: LotEdge) -> None:
        """Add one edge (a repeated source/target pair keeps its first kind)."""
        if edge.kind not in TRANSFORMATIONS | PACKING | DELIVERIES:
            raise ValueError(f"unknown edge kind {edge.kind!r}")
        self._out.setdefault(edge.source, {}).setdefault(edge.target, edge)
        self._in.setdefault(edge.target, {}).setdefault(edge.source, edge)
        self._kind.setdefault(edge.source, LOT)
        target_kind = PARTY if edge.kind in DELIVERIES else (
            CONTAINER if edge.kind in PACKING else LOT)
        if self._kind.get(edge.target, LOT) == LOT:  # a pallet first seen as a source: now known
            self._kind[edge.target] = target_kind

    def add_origin(self, origin: LotOrigin) -> None:
        """Record that ``origin.lot`` was harvested on ``origin.farm``."""
        self._origins.setdefault(origin.lot, set()).add(origin.farm)
        self._kind.setdefault(origin.lot, LOT)
        self._farms.add(origin.farm)

    def kind(self, node: str) -> str:
        """lot, container, party or farm (unknown nodes are lots)."""
        return self._kind.get(node, FARM if node in self._farms else LOT)

    def _walk(self, start: str, direction: str, max_depth: int | None) -> Trace:
        adjacency = self._out if direction == "forward" else self._in
        parent: dict[str, str | None] = {start: None}
        found: list[tuple[int, str, LotEdge | None]] = []
        queue = deque([(start, 0)])
        while queue:
            node, depth = queue.popleft()
            if max_depth is not None and depth >= max_depth:
                continue
            neighbours: list[tuple[str, LotEdge | None]] = sorted(
                adjacency.get(node, {}).items())
            if direction == "backward":
                neighbours = [(n, e) for n, e in neighbours if e and e.kind not in DELIVERIES]
                neighbours += [(farm, None) for farm in sorted(self._origins.get(node, ()))]
            for neighbour, edge in neighbours:
                if neighbour in parent:
                    continue
                parent[neighbour] = node
                found.append((depth + 1, neighbour, edge))
                if edge is not None and self._kind.get(neighbour, LOT) != PARTY:
                    queue.append((neighbour, depth + 1))
        nodes = []
        for depth, node, edge in sorted(found, key=lambda f: (f[0], f[1])):
            path = [node]
            while (up := parent[path[-1]]) is not None:
                path.append(up)
            kind = FARM if edge is None else self._kind.get(node, LOT)
            nodes.append(TraceNode(node, kind, depth, tuple(reversed(path)),
                                   "origin" if edge is None else edge.kind, edge))
        return Trace(start, direction, tuple(nodes))

    def forward(self, lot: str, max_depth: int | None = None) -> Trace:
        """Everything ``lot`` went into (lots, containers) and every consignee that received it."""
        return self._walk(lot, "forward", max_depth)

    def backward(self, lot: str, max_depth: int | None = None) -> Trace:
        """Every input lot of ``lot`` (and of its inputs...) and the farms they came from."""
        return self._walk(lot, "backward", max_depth)


def _ids(event: Mapping[str, Any], epc_key: str, quantity_key: str) -> list[str]:
    return [*event.get(epc_key, ()), *(q["epcClass"] for q in event.get(quantity_key, ()))]


def records_from_events(events: Iterable[Mapping[str, Any]]
                        ) -> Iterator[LotEdge | LotOrigin]:
    """Edges and origins implied by EPCIS JSON events.

    TransformationEvent: every input -> every output (split, merge, repack or transformation);
    AggregationEvent ADD: child -> parentID; an event with a destinationList: each object ->
    each destination (shipment); ObjectEvent ADD with a bizLocation: lot -> origin.
    """
    for event in events:
        kind, event_id = event.get("type"), event.get("eventID")
        if kind == "TransformationEvent":
            inputs = _ids(event, "inputEPCList", "inputQuantityList")
            outputs = _ids(event, "outputEPCList", "outputQuantityList")
            how = ("repack" if len(inputs) == len(outputs) == 1 else "split" if len(inputs) == 1
                   else "merge" if len(outputs) == 1 else "transformation")
            yield from (LotEdge(i, o, how, event_id=event_id) for i in inputs for o in outputs)
            continue
        if kind == "AggregationEvent" and event.get("action") == "ADD" and event.get("parentID"):
            for child in _ids(event, "childEPCs", "childQuantityList"):
                yield LotEdge(child, event["parentID"], "aggregation", event_id=event_id)
        objects = _ids(event, "epcList", "quantityList")
        if event.get("parentID") and kind == "TransactionEvent":
            objects.append(event["parentID"])
        for destination in event.get("destinationList", ()):
            yield from (LotEdge(o, destination["destination"], "shipment", event_id=event_id)
                        for o in objects)
        if kind == "ObjectEvent" and event.get("action") == "ADD" and event.get("bizLocation"):
            yield from (LotOrigin(o, event["bizLocation"]["id"]) for o in objects)


def graph_from_events(events: Iterable[Mapping[str, Any]]) -> LotGraph:
    """A :class:`LotGraph` built from EPCIS JSON events (see :func:`records_from_events`)."""
    graph = LotGraph()
    for record in records_from_events(events):
        if isinstance(record, LotEdge):
            graph.add_edge(record)
        else:
            graph.add_origin(record)
    return graph
