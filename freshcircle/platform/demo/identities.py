"""Invented but well-formed identities for the sample producers (labelled 示例 elsewhere)."""

from __future__ import annotations

import hashlib

from freshcircle.platform.core.services.identifiers import (
    CREDIT_CODE_CHARSET,
    credit_code_check_char,
)
from freshcircle.platform.demo.content import ProducerSpec
from freshcircle.platform.models import ProducerKind


def credit_code(spec: ProducerSpec) -> str | None:
    """A well-formed, invented unified social credit code for a sample cooperative.

    93 = farmers' specialised cooperative, then the county code, then nine characters taken
    from a digest of the producer's key, then the GB 32100-2015 check character.
    """
    if spec.kind != ProducerKind.COOPERATIVE:
        return None
    digest = hashlib.sha256(spec.key.encode()).digest()
    body = "MA2" + "".join(CREDIT_CODE_CHARSET[b % len(CREDIT_CODE_CHARSET)] for b in digest[:6])
    first17 = "93" + spec.county_code + body
    return first17 + credit_code_check_char(first17)
