"""The reference implementation's published test vectors run against our EPCIS event hash.

The vectors are RalphTro/epcis-event-hash-generator's ``tests/examples`` (see
data/epcis_hash_reference/README.md for commit and licence): each EPCIS document with the
expected hash of every event (``.hashes``, one a line) and, for most, the expected pre-hash
strings (``.prehashes``). Every event of every JSON / JSON-LD document must give the reference's
pre-hash and hash, unless it is listed in KNOWN_DIFFERENCES (an error of the reference, explained
in freshcircle/traceability/README.md, "Known differences from the event-hash reference"); then
it must still differ, so a fixed reference or a change of ours shows up. XML documents are out of
scope: FreshCircle takes EPCIS in JSON-LD only.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from freshcircle.traceability.epcis_hash import (
    HASH_VERSION,
    context_prefixes,
    document_events,
    event_hash,
    prehash_string,
)

DATA = Path(__file__).parent / "data" / "epcis_hash_reference"
SOURCES = sorted(p for p in DATA.iterdir() if p.suffix in (".json", ".jsonld", ".xml"))

def _source_before_destination(prehash: str) -> str:
    """The reference writes ``destinationList`` before ``sourceList``."""
    match = re.search(r"(sourceList.*?)(destinationList.*?)(?=sensorElementList|ilmd|\{|$)",
                      prehash)
    assert match, "no sourceList followed by destinationList"
    return prehash[:match.start()] + match[2] + match[1] + prehash[match.end():]


def _cbvmda_prefix_iri(prehash: str) -> str:
    """The reference names ILMD by the JSON-LD prefix IRI, trailing colon included."""
    assert "{urn:epcglobal:cbv:mda}" in prehash
    return prehash.replace("{urn:epcglobal:cbv:mda}", "{urn:epcglobal:cbv:mda:}")


def _ignore_fields(prehash: str) -> str:
    """The reference drops the extensions the document lists in ``repository-x:ignoreFields``."""
    pattern = r"\{https://(ns\.example\.com/epcis/\}captureID|repository-x\.example\.com/\}hash)=[^{]*"
    assert re.search(pattern, prehash)
    return re.sub(pattern, "", prehash)


KNOWN_DIFFERENCES: dict[str, Callable[[str], str]] = {
    "ReferenceEventHashAlgorithm3.jsonld#0": _source_before_destination,
    "epcisDocWithShippingAndTransportingEvent.jsonld#0": _source_before_destination,
    "epcisDocWithVariousEventTypes.jsonld#0": _source_before_destination,
    "epcisDocWithVariousEventTypes.jsonld#1": _source_before_destination,
    "epcisDocWithVariousEventTypes.jsonld#3": _cbvmda_prefix_iri,
    "epcisDocHavingEventWithIgnoreFields.jsonld#0": _ignore_fields,
    "epcisQueryDocHavingEventWithIgnoreFields.jsonld#0": _ignore_fields,
}
"""``file#index`` of an event where the reference is wrong -> what turns our pre-hash into the
reference's (each is explained in the README); the rest of the pre-hash must agree."""

STALE_PREHASHES = {"epcisDocWithAllGS1Keys.jsonld#0", "epcisDocWithCustomSchemaInContext.jsonld#1",
                   "epcisDocWithDefaultSchemaInContext.jsonld#1"}
"""Pre-hash lines the reference did not regenerate: they do not hash to its own ``.hashes`` line
(which its test suite checks and its code still computes), so only the hash is compared."""

OUT_OF_SCOPE_XML = "EPCIS XML: FreshCircle parses EPCIS JSON-LD only (no XML capture or parser)"
NO_SOURCE = "the reference ships only this pre-hash file, no input document"


def _lines(path: Path) -> list[str] | None:
    """One entry a line; a trailing blank line (one .prehashes file has it) is no entry."""
    if not path.exists():
        return None
    return path.read_text(encoding="utf-8").rstrip("\n").split("\n")


def _vectors() -> list[Any]:
    params = []
    for source in SOURCES:
        hashes = _lines(source.with_suffix(".hashes")) or []
        prehashes = _lines(source.with_suffix(".prehashes"))
        assert hashes, f"{source.name} has no .hashes file"
        assert prehashes is None or len(prehashes) == len(hashes), source.name
        for index, expected in enumerate(hashes):
            vector_id = f"{source.name}#{index}"
            marks = []
            if source.suffix == ".xml":
                marks.append(pytest.mark.skip(reason=OUT_OF_SCOPE_XML))
            params.append(pytest.param(source, index, expected,
                                       prehashes[index] if prehashes else None,
                                       id=vector_id, marks=marks))
    return params


VECTORS = _vectors()


def _event(source: Path, index: int) -> tuple[Mapping[str, Any], dict[str, str]]:
    document = json.loads(source.read_text(encoding="utf-8"))
    return document_events(document)[index], context_prefixes(document.get("@context"))


def test_every_vector_file_is_accounted_for():
    """Every file of the reference folder is a source, its hashes or pre-hashes, or listed."""
    stems = {p.stem for p in SOURCES}
    orphans = sorted(p.name for p in DATA.glob("*.prehashes") if p.stem not in stems)
    assert orphans == ["epcisDocHavingTooManyUserExtensions.prehashes"], NO_SOURCE
    ids = {vector.id for vector in VECTORS}
    assert set(KNOWN_DIFFERENCES) <= ids
    assert STALE_PREHASHES.issubset(ids)
    json_sources = [p for p in SOURCES if p.suffix != ".xml"]
    assert len(json_sources) == 22
    assert len(SOURCES) - len(json_sources) == 17


def test_every_json_document_gives_as_many_events_as_the_reference_hashes():
    for source in SOURCES:
        if source.suffix == ".xml":
            continue
        document = json.loads(source.read_text(encoding="utf-8"))
        expected = _lines(source.with_suffix(".hashes")) or []
        assert len(document_events(document)) == len(expected), source.name


def _digest(hash_id: str) -> str:
    return hash_id.partition(";")[2].partition("?")[0]


def test_stale_prehash_lines_are_exactly_those_listed():
    stale = {vector.id for vector in VECTORS if vector.values[3] is not None
             and hashlib.sha256(vector.values[3].encode()).hexdigest() != _digest(vector.values[2])}
    assert stale == STALE_PREHASHES


@pytest.mark.parametrize(("source", "index", "expected_hash", "expected_prehash"), VECTORS)
def test_hash_matches_the_reference(source, index, expected_hash, expected_prehash):
    event, prefixes = _event(source, index)
    ours_prehash, ours_hash = prehash_string(event, prefixes), event_hash(event, prefixes)
    vector_id = f"{source.name}#{index}"
    if vector_id in STALE_PREHASHES:
        expected_prehash = None
    reference_error = KNOWN_DIFFERENCES.get(vector_id)
    if reference_error:
        assert ours_hash != expected_hash, "now agrees with the reference: drop it from the list"
        if expected_prehash is not None:
            assert reference_error(ours_prehash) == expected_prehash
        return
    if expected_prehash is not None:
        assert ours_prehash == expected_prehash
    assert ours_hash == expected_hash


def test_label_is_the_reference_algorithm_version():
    """The reference labels every hash it computes with the CBV version of its rules."""
    labels = {line.rpartition("?")[2] for source in SOURCES
              for line in _lines(source.with_suffix(".hashes")) or []}
    assert labels == {f"ver={HASH_VERSION}"}
