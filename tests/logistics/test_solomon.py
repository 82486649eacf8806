"""The Solomon reader: C101 as published, the three capacities, and malformed files."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from freshcircle.logistics.solomon import Node, distance, read_instance

DATA = Path(__file__).resolve().parents[2] / "bench" / "data" / "solomon"


def test_c101_fleet_depot_and_first_customers():
    c101 = read_instance(DATA / "C101.txt")
    assert c101.name == "C101"
    assert (c101.vehicles, c101.capacity) == (25, 200)
    assert len(c101.customers) == 100
    assert c101.depot == Node(id=0, x=40, y=50, demand=0, ready=0, due=1236, service=0)
    assert c101.customers[:3] == (
        Node(id=1, x=45, y=68, demand=10, ready=912, due=967, service=90),
        Node(id=2, x=45, y=70, demand=30, ready=825, due=870, service=90),
        Node(id=3, x=42, y=66, demand=10, ready=65, due=146, service=90),
    )
    assert c101.customers[-1].id == 100
    assert all(c101.node(i).id == i for i in range(101))


@pytest.mark.parametrize(
    ("name", "capacity", "service"),
    [("C201", 700, 90), ("R101", 200, 10), ("R201", 1000, 10), ("RC208", 1000, 10)],
)
def test_capacity_and_service_time_per_class(name, capacity, service):
    instance = read_instance(DATA / f"{name}.txt")
    assert instance.capacity == capacity
    assert {c.service for c in instance.customers} == {service}


def test_all_56_instances_read_with_100_customers():
    files = sorted(DATA.glob("*.txt"))
    assert len(files) == 56
    for path in files:
        instance = read_instance(path)
        assert instance.name == path.stem
        assert len(instance.customers) == 100


def test_distance_is_unrounded_euclidean():
    a = Node(0, 0, 0, 0, 0, 0, 0)
    assert distance(a, Node(1, 3, 4, 0, 0, 0, 0)) == 5
    assert distance(a, Node(2, 1, 1, 0, 0, 0, 0)) == math.sqrt(2)


def test_lf_line_endings_and_malformed_files(tmp_path):
    text = (DATA / "C101.txt").read_bytes().decode("ascii").replace("\r\n", "\n")
    lf = tmp_path / "lf.txt"
    lf.write_text(text)
    assert len(read_instance(lf).customers) == 100

    short = tmp_path / "short.txt"
    short.write_text(text.replace("    1      45         68         10        912        967",
                                  "    1      45         68         10        912"))
    with pytest.raises(ValueError, match="fields"):
        read_instance(short)
    skipped = tmp_path / "skipped.txt"
    skipped.write_text("\n".join(line for line in text.splitlines()
                                 if not line.lstrip().startswith("2 ")))
    with pytest.raises(ValueError, match="node ids"):
        read_instance(skipped)
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(ValueError, match="empty"):
        read_instance(tmp_path / "empty.txt")
