"""Solomon VRPTW instances (the 56 100-customer files in bench/data/solomon/).

Format: the instance name, a VEHICLE block (fleet size, capacity Q), a CUSTOMER block with one
line per node: id, x, y, demand, ready time, due date, service time. Node 0 is the depot; its due
date is the planning horizon. Travel time equals travel distance (speed 1); the window bounds the
start of service and a vehicle may wait if it arrives early.

Distance convention: the Euclidean distance between the integer coordinates, NOT rounded (double
precision). That is the convention of the distance-only best known solutions in
``bks_distance_only.csv`` (from VROOM's BKS.json) and of the hierarchical ones in ``bks.csv``.
Checked: the classic optimal C101 plan (10 routes, in tests/logistics/test_feasibility.py) costs
828.94 with unrounded distances, the BKS value, against 827.3 with distances truncated to one
decimal (the convention of exact methods, e.g. Kohl et al.), so the files use unrounded distances.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Node:
    """The depot (id 0) or a customer; times in the instance's time units."""

    id: int
    x: int
    y: int
    demand: int
    ready: int
    due: int
    service: int


@dataclass(frozen=True)
class Instance:
    name: str
    vehicles: int
    capacity: int
    depot: Node
    customers: tuple[Node, ...]

    @property
    def nodes(self) -> tuple[Node, ...]:
        """Depot first, then the customers; ``nodes[i].id == i`` in the Solomon files."""
        return (self.depot, *self.customers)

    def node(self, node_id: int) -> Node:
        node = self.nodes[node_id]
        if node.id != node_id:  # pragma: no cover - the reader checks ids are 0..n
            raise KeyError(node_id)
        return node


def distance(a: Node, b: Node) -> float:
    """Euclidean distance, unrounded (the BKS convention; see the module docstring)."""
    return math.hypot(a.x - b.x, a.y - b.y)


def read_instance(path: str | Path) -> Instance:
    """Parse one Solomon file (CRLF or LF); raises ValueError on a malformed file."""
    path = Path(path)
    lines = [line.strip() for line in path.read_text(encoding="ascii").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ValueError(f"{path}: empty file")
    name = lines[0]
    try:
        vehicle_at = lines.index("VEHICLE")
        customer_at = lines.index("CUSTOMER")
    except ValueError as exc:
        raise ValueError(f"{path}: no VEHICLE or CUSTOMER block") from exc
    # VEHICLE, "NUMBER CAPACITY", then the values.
    number, capacity = (int(v) for v in lines[vehicle_at + 2].split())
    nodes: list[Node] = []
    # CUSTOMER, the column header line, then one line per node.
    for lineno, line in enumerate(lines[customer_at + 2 :], start=customer_at + 3):
        fields = line.split()
        if len(fields) != 7:
            raise ValueError(f"{path}: node line {lineno} has {len(fields)} fields, not 7")
        # Solomon files hold integers; int(float()) accepts "40.0" and rejects "40.5" below.
        values = [float(f) for f in fields]
        if any(v != int(v) for v in values):
            raise ValueError(f"{path}: node line {lineno} has a non-integer value")
        nodes.append(Node(*(int(v) for v in values)))
    if not nodes or any(node.id != i for i, node in enumerate(nodes)):
        raise ValueError(f"{path}: node ids must run 0, 1, 2, ... with the depot first")
    return Instance(
        name=name,
        vehicles=number,
        capacity=capacity,
        depot=nodes[0],
        customers=tuple(nodes[1:]),
    )
