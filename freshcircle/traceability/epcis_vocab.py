"""EPCIS 2.0 vocabulary: the bundled official schema files, CBV names and FreshCircle's own URIs.

The CBV short names (bizStep, disposition, measurement types...) are read from the official JSON
schemas shipped as package data, so the builder, the hash and the validator agree on one list.
CBV has no harvesting or cooling step; those are full URIs under the platform's own domain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

EPCIS_CONTEXT_URL = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
CBV_WEB_BASE = "https://ref.gs1.org/cbv/"
GS1_VOC_BASE = "https://gs1.org/voc/"
# Prefixes the standard EPCIS context defines (epcis-context-root.jsonld).
STANDARD_PREFIXES = {
    "epcis": "https://ref.gs1.org/epcis/",
    "cbv": CBV_WEB_BASE,
    "cbvmda": "urn:epcglobal:cbv:mda:",
    "gs1": GS1_VOC_BASE,
}
SCHEMA_PACKAGE_DIR = "epcis_schema"


def schema_resource(relative_path: str) -> Traversable:
    """Return the Traversable for a file under the bundled ``epcis_schema`` directory."""
    root = resources.files("freshcircle.traceability").joinpath(SCHEMA_PACKAGE_DIR)
    for part in relative_path.split("/"):
        root = root.joinpath(part)
    return root


@cache
def _load_json(relative_path: str) -> str:
    return schema_resource(relative_path).read_text(encoding="utf-8")


def load_schema_file(relative_path: str) -> dict[str, Any]:
    """Parse one bundled schema or example file (a fresh copy each call; the text is cached)."""
    parsed: dict[str, Any] = json.loads(_load_json(relative_path))
    return parsed


def _enum(file_name: str, definition: str) -> frozenset[str]:
    schema = load_schema_file(f"schemas/{file_name}")
    for option in schema["definitions"][definition]["anyOf"]:
        if "enum" in option:
            return frozenset(option["enum"])
    raise LookupError(f"{file_name}#{definition} has no enum")  # pragma: no cover


BIZ_STEPS = _enum("bizStep-JSON-Schema.json", "bizStep")
DISPOSITIONS = _enum("disposition-JSON-Schema.json", "disposition")
BIZ_TRANSACTION_TYPES = _enum("bizTransaction-type-JSON-Schema.json", "bizTransaction-type")
SOURCE_DEST_TYPES = _enum("source-dest-type-JSON-Schema.json", "source-dest-type")
ERROR_REASONS = _enum("error-reason-JSON-Schema.json", "error-reason")
COMPONENTS = _enum("component-JSON-Schema.json", "component")
MEASUREMENT_TYPES = _enum("measurement-type-JSON-Schema.json", "measurementType")
SENSOR_ALERT_TYPES = _enum("sensor-alert-type-JSON-Schema.json", "sensorAlertType")

# Custom business steps FreshCircle records that CBV 2.0 does not define.
CUSTOM_BIZ_STEPS = ("harvesting", "cooling")


def is_absolute_uri(value: str) -> bool:
    """True for ``scheme:rest`` strings (URLs, URNs, compact IRIs such as ``gs1:Temperature``)."""
    scheme, sep, rest = value.partition(":")
    return bool(sep and rest and scheme[:1].isalpha()
                and all(c.isalnum() or c in "+-." for c in scheme))


@dataclass(frozen=True)
class EpcisConfig:
    """Where FreshCircle's identifiers live.

    ``domain`` hosts the Digital Link URIs (``https://{domain}/01/{gtin}/10/{lot}``) and the
    platform's own vocabulary (custom bizSteps, ILMD keys under the ``vocab_prefix`` CURIE).
    ``location_style`` picks ``"digital_link"`` (``https://{domain}/414/{gln}/254/{ext}``) or
    ``"sgln"`` (``urn:epc:id:sgln:...``, which needs the company prefix length).
    """

    domain: str = "id.freshcircle.cn"
    vocab_prefix: str = "fc"
    time_zone_offset: str = "+08:00"
    location_style: str = "digital_link"
    company_prefix_length: int = 7
    custom_biz_steps: tuple[str, ...] = field(default=CUSTOM_BIZ_STEPS)

    def __post_init__(self) -> None:
        if self.location_style not in ("digital_link", "sgln"):
            raise ValueError(f"location_style must be 'digital_link' or 'sgln', "
                             f"not {self.location_style!r}")

    @property
    def vocab_namespace(self) -> str:
        """The IRI the ``vocab_prefix`` CURIE expands to."""
        return f"https://{self.domain}/voc/"

    @property
    def context(self) -> list[Any]:
        """The JSON-LD ``@context`` for FreshCircle documents."""
        return [EPCIS_CONTEXT_URL, {self.vocab_prefix: self.vocab_namespace}]

    @property
    def prefixes(self) -> dict[str, str]:
        """CURIE prefixes used to expand keys and values for the event hash."""
        return {**STANDARD_PREFIXES, self.vocab_prefix: self.vocab_namespace}

    def biz_step(self, name: str) -> str:
        """A CBV short name as is, a custom step as a full URI, any other absolute URI as is."""
        if name in BIZ_STEPS:
            return name
        if name in self.custom_biz_steps:
            return f"{self.vocab_namespace}BizStep-{name}"
        if is_absolute_uri(name):
            return name
        raise ValueError(f"unknown bizStep {name!r}: use a CBV name, "
                         f"one of {', '.join(self.custom_biz_steps)}, or a full URI")

    def disposition(self, name: str) -> str:
        """A CBV disposition short name, or any absolute URI."""
        if name in DISPOSITIONS or is_absolute_uri(name):
            return name
        raise ValueError(f"unknown disposition {name!r}: use a CBV name or a full URI")

    def ilmd_key(self, name: str) -> str:
        """An ILMD / extension key in the platform vocabulary (``fc:harvestDate``)."""
        return name if ":" in name else f"{self.vocab_prefix}:{name}"

    def lot_class(self, gtin: str, lot: str | None = None) -> str:
        """The Digital Link for a GTIN, or a lot of it: ``https://{domain}/01/{gtin}/10/{lot}``."""
        uri = f"https://{self.domain}/01/{gtin.zfill(14)}"
        return f"{uri}/10/{_percent_encode(lot)}" if lot else uri

    def location(self, gln: str, extension: str | None = None) -> str:
        """A readPoint/bizLocation id for a GLN (plus optional extension)."""
        if self.location_style == "sgln":
            cpl = self.company_prefix_length
            return f"urn:epc:id:sgln:{gln[:cpl]}.{gln[cpl:12]}.{extension or '0'}"
        uri = f"https://{self.domain}/414/{gln}"
        return f"{uri}/254/{_percent_encode(extension)}" if extension else uri

    def party(self, gln: str) -> str:
        """A party (source/destination owner) id for a party GLN: ``.../417/{gln}``."""
        return f"https://{self.domain}/417/{gln}"

    def local_id(self, kind: str, key: str) -> str:
        """An id under the platform domain for things with no GS1 key (buyers, orders)."""
        return f"https://{self.domain}/{kind}/{_percent_encode(key)}"


_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _percent_encode(value: str) -> str:
    """Percent-encode everything outside RFC 3986 unreserved characters (lot, serial, ids)."""
    return "".join(c if c in _UNRESERVED else "".join(f"%{b:02X}" for b in c.encode())
                   for c in value)
