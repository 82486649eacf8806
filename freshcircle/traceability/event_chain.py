"""Tamper evidence: the events of a lot (or a producer) as a hash chain.

Each record stores its event, the event's EPCIS hash, the link of the record before it
(``GENESIS`` for the first) and its own link ``sha256(previous_link + event_hash)``. Changing
an event breaks its hash; deleting, reordering or inserting records breaks the links around them.
``verify_chain`` rebuilds the true order from the links and reports every kind of tampering with
the index where it shows and a reason. Deleting the newest records leaves a valid shorter chain:
pass the separately stored latest link as ``head`` to catch that too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .epcis_hash import context_prefixes, event_hash

GENESIS = "0" * 64
MODIFIED, DELETED, REORDERED, INSERTED = "modified", "deleted", "reordered", "inserted"


@dataclass(frozen=True)
class ChainRecord:
    """One stored event with its hash and its place in the chain."""

    event: Mapping[str, Any]
    event_hash: str
    previous_link: str
    link: str


@dataclass(frozen=True)
class ChainProblem:
    """A sign of tampering: ``kind`` is modified, deleted, reordered or inserted."""

    index: int
    kind: str
    reason: str


def link_hash(previous_link: str, event_hash_id: str) -> str:
    """The link of a record: ``sha256(previous_link + event_hash)`` as hex."""
    return hashlib.sha256(f"{previous_link}{event_hash_id}".encode()).hexdigest()


def _hash(event: Mapping[str, Any], prefixes: Mapping[str, str] | None) -> str:
    return event_hash(event, {**context_prefixes(event.get("@context")), **(prefixes or {})})


def chain_record(event: Mapping[str, Any], previous_link: str = GENESIS,
                 prefixes: Mapping[str, str] | None = None) -> ChainRecord:
    """The record for ``event`` appended after the record whose link is ``previous_link``."""
    hash_id = _hash(event, prefixes)
    return ChainRecord(event, hash_id, previous_link, link_hash(previous_link, hash_id))


def chain_events(events: Iterable[Mapping[str, Any]],
                 prefixes: Mapping[str, str] | None = None) -> list[ChainRecord]:
    """Chain events in the order given, starting from ``GENESIS``."""
    records: list[ChainRecord] = []
    for event in events:
        records.append(chain_record(event, records[-1].link if records else GENESIS, prefixes))
    return records


def _record(item: ChainRecord | Mapping[str, Any]) -> ChainRecord:
    if isinstance(item, ChainRecord):
        return item
    return ChainRecord(item["event"], item["event_hash"], item["previous_link"], item["link"])


class _Links:
    """Who follows whom according to the stored links."""

    def __init__(self, records: Sequence[ChainRecord]):
        self.records = records
        self.by_link: dict[str, int] = {}
        self.children: dict[str, list[int]] = {}
        for index, record in enumerate(records):
            self.by_link.setdefault(record.link, index)
            self.children.setdefault(record.previous_link, []).append(index)
        self._length: dict[int, int] = {}

    def length(self, start: int) -> int:
        """Records in the longest run of links from ``start`` (iterative, cycle-safe)."""
        stack, on_stack = [start], {start}
        while stack:
            index = stack[-1]
            kids = [k for k in self.children.get(self.records[index].link, ())
                    if k not in self._length and k not in on_stack]
            if kids:
                stack.extend(kids)
                on_stack.update(kids)
                continue
            stack.pop()
            on_stack.discard(index)
            self._length[index] = 1 + max(
                (self._length.get(k, 0) for k in self.children.get(self.records[index].link, ())),
                default=0)
        return self._length[start]

    def leads_to(self, start: int, head: str | None) -> bool:
        seen, index = set(), start
        while head is not None and index not in seen:
            seen.add(index)
            if self.records[index].link == head:
                return True
            kids = self.children.get(self.records[index].link, [])
            if not kids:
                return False
            index = kids[0]
        return False


def _content_problems(records: Sequence[ChainRecord],
                      prefixes: Mapping[str, str] | None) -> list[ChainProblem]:
    problems = []
    for index, record in enumerate(records):
        if _hash(record.event, prefixes) != record.event_hash:
            problems.append(ChainProblem(index, MODIFIED,
                                         "event content does not match its recorded hash"))
        elif link_hash(record.previous_link, record.event_hash) != record.link:
            problems.append(ChainProblem(index, MODIFIED,
                                         "record link does not match its event hash and "
                                         "previous link"))
    return problems


def verify_chain(records: Iterable[ChainRecord | Mapping[str, Any]],
                 prefixes: Mapping[str, str] | None = None, *,
                 head: str | None = None) -> list[ChainProblem]:
    """Check a chain in its stored order; an empty list means nothing was tampered with.

    ``records`` are :class:`ChainRecord` or mappings with ``event``, ``event_hash``,
    ``previous_link`` and ``link``. ``prefixes`` are the CURIE prefixes used when hashing.
    ``head`` is the expected link of the newest record, kept apart from the chain.
    """
    chain = [_record(r) for r in records]
    problems = _content_problems(chain, prefixes)
    links = _Links(chain)
    visited: set[int] = set()
    order: list[int] = []
    current, last = GENESIS, -1
    while True:
        candidates = [i for i in links.children.get(current, []) if i not in visited]
        if not candidates:
            heads = [i for i in range(len(chain)) if i not in visited and i > last
                     and chain[i].previous_link not in links.by_link
                     and chain[i].previous_link != GENESIS]
            if not heads:
                break
            candidates = heads[:1]
            problems.append(ChainProblem(
                heads[0], DELETED, "its previous link matches no event: one or more events "
                "before it were deleted (or the one before it was rewritten)"))
        best = max(candidates, key=lambda i: (links.leads_to(i, head), links.length(i), i))
        for other in candidates:
            if other != best and other not in visited:
                visited.add(other)
                problems.append(ChainProblem(
                    other, INSERTED, f"it claims the same predecessor as the event at index "
                    f"{best}, which the rest of the chain follows"))
        visited.add(best)
        order.append(best)
        current, last = chain[best].link, best
    for index in range(len(chain)):
        if index not in visited:
            problems.append(ChainProblem(index, INSERTED, "no event links to it and its "
                                         "previous link is not in the chain"))
    for position, (index, expected) in enumerate(zip(order, sorted(order), strict=True)):
        if index != expected:
            after = (f"the event at index {order[position - 1]}" if position
                     else "the start of the chain")
            problems.append(ChainProblem(index, REORDERED,
                                         f"out of order: its link says it follows {after}"))
    if head is not None and current != head:
        if head in links.by_link:
            anchor = order.index(links.by_link[head]) if links.by_link[head] in order else -1
            problems.extend(ChainProblem(i, INSERTED, "appended after the recorded head")
                            for i in order[anchor + 1:])
        else:
            problems.append(ChainProblem(len(chain), DELETED, "the chain ends before its "
                                         "recorded head: events were deleted from the end"))
    return sorted(problems, key=lambda p: (p.index, p.kind))
