"""GS1 identification keys: mod-10 check digits, GTIN/GLN/SSCC validation, GTIN assignment.

GTIN-8/12/13/14, GLN (13 digits) and SSCC (18 digits) share one check digit: drop it, weight
the remaining digits 3, 1, 3, 1... starting from the right, and the check digit is
(10 - sum mod 10) mod 10. A GTIN of any length is normalised to 14 digits by left-padding
with zeros, the form the Digital Link path and the EPCIS URIs use.

Errors are `GS1KeyError` (a `ValueError`) with a stable `code`: "bad_characters",
"bad_length", "check_digit", "bad_prefix", "bad_indicator", "does_not_fit".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GTIN_LENGTHS = (8, 12, 13, 14)
GLN_LENGTH = 13
SSCC_LENGTH = 18
DEMO_PREFIX = "952"
"""GS1 prefix reserved for demonstrations: demo data must never look like a real company's."""

_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() accepts "²" and Arabic-Indic digits


class GS1KeyError(ValueError):
    """A GS1 key or company prefix is malformed; `code` says how, the message says where."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _require_digits(value: str, what: str) -> None:
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        raise GS1KeyError("bad_characters", f"{what} {value!r} must contain only the digits 0-9")


def _in_range(number: object, highest: int) -> bool:
    return type(number) is int and 0 <= number <= highest  # bool is an int subclass: excluded


def check_digit(payload: str) -> str:
    """Return the mod-10 check digit for `payload`, a key without its check digit.

    >>> check_digit("0952012345678")
    '8'
    """
    _require_digits(payload, "key payload")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return str((10 - total % 10) % 10)


def complete(payload: str) -> str:
    """Append the check digit to `payload` (e.g. a GTIN-13 given as 12 digits)."""
    return payload + check_digit(payload)


def has_valid_check_digit(key: str) -> bool:
    """True when `key` is at least two ASCII digits and its last digit is the mod-10 check."""
    if not isinstance(key, str) or len(key) < 2 or not _DIGITS.fullmatch(key):
        return False
    return check_digit(key[:-1]) == key[-1]


def _validate(key: str, lengths: tuple[int, ...], what: str) -> str:
    _require_digits(key, what)
    if len(key) not in lengths:
        allowed = " or ".join(str(n) for n in lengths)
        raise GS1KeyError("bad_length", f"{what} {key!r} has {len(key)} digits; expected {allowed}")
    expected = check_digit(key[:-1])
    if key[-1] != expected:
        raise GS1KeyError(
            "check_digit",
            f"{what} {key!r} has check digit {key[-1]}; the correct check digit is {expected}",
        )
    return key


def validate_gtin(gtin: str) -> str:
    """Return `gtin` unchanged if it is a valid GTIN-8, -12, -13 or -14; raise if not."""
    return _validate(gtin, GTIN_LENGTHS, "GTIN")


def normalize_gtin(gtin: str) -> str:
    """Validate a GTIN of any length and return it as 14 digits (left-padded with zeros)."""
    return validate_gtin(gtin).zfill(14)


def is_valid_gtin(gtin: str) -> bool:
    """True when `gtin` is a valid GTIN-8, -12, -13 or -14."""
    try:
        validate_gtin(gtin)
    except GS1KeyError:
        return False
    return True


def validate_gln(gln: str) -> str:
    """Return `gln` if it is a valid 13-digit Global Location Number; raise GS1KeyError if not."""
    return _validate(gln, (GLN_LENGTH,), "GLN")


def validate_sscc(sscc: str) -> str:
    """Return `sscc` if it is a valid 18-digit Serial Shipping Container Code; raise if not."""
    return _validate(sscc, (SSCC_LENGTH,), "SSCC")


def assign_gtin(company_prefix: str, item_reference: int, *, indicator: int = 0) -> str:
    """Build the GTIN for `item_reference` under a GS1 company prefix, with its check digit.

    The prefix and the item reference together fill 12 digits, so a 7-digit prefix leaves
    5 digits (item references 0-99999). `indicator` 0 gives a GTIN-13; 1-9 gives a GTIN-14
    for a packaging level (1-8) or a variable-measure item (9). An item reference that does
    not fit raises GS1KeyError("does_not_fit") naming the largest one that does.
    """
    _require_digits(company_prefix, "company prefix")
    if not 3 <= len(company_prefix) <= 11:
        raise GS1KeyError(
            "bad_prefix",
            f"company prefix {company_prefix!r} has {len(company_prefix)} digits; "
            "expected 3 to 11 so at least one digit is left for the item reference",
        )
    if isinstance(indicator, bool) or not isinstance(indicator, int) or not 0 <= indicator <= 9:
        raise GS1KeyError("bad_indicator", f"indicator {indicator!r} must be an integer 0-9")
    width = 12 - len(company_prefix)
    if not _in_range(item_reference, 10**width - 1):
        raise GS1KeyError(
            "does_not_fit",
            f"item reference {item_reference!r} does not fit in the {width} digits that "
            f"company prefix {company_prefix} leaves; use 0 to {10**width - 1}",
        )
    payload = f"{company_prefix}{item_reference:0{width}d}"
    if indicator:
        payload = f"{indicator}{payload}"
    return complete(payload)


@dataclass(frozen=True)
class GtinScheme:
    """Numbering of products under one company prefix: item reference = producer, product.

    The item reference digits are split: the last `product_digits` number a producer's
    products, the ones before number the producer. With prefix "9520123" (5 digits left)
    and 2 product digits, producer 42's product 7 is item reference 04207.
    """

    company_prefix: str = DEMO_PREFIX + "0000"
    product_digits: int = 2

    def __post_init__(self) -> None:
        assign_gtin(self.company_prefix, 0)  # validates the prefix
        width = 12 - len(self.company_prefix)
        if not 1 <= self.product_digits < width:
            raise GS1KeyError(
                "does_not_fit",
                f"product_digits must be 1 to {width - 1} with prefix {self.company_prefix}",
            )

    @property
    def max_producer(self) -> int:
        """The largest producer number this scheme can hold."""
        return int(10 ** (12 - len(self.company_prefix) - self.product_digits)) - 1

    @property
    def max_product(self) -> int:
        """The largest product number per producer."""
        return int(10**self.product_digits) - 1

    def gtin_for(self, producer: int, product: int, *, indicator: int = 0) -> str:
        """The GTIN-13 (or GTIN-14 with an indicator) of a producer's product."""
        if not _in_range(producer, self.max_producer):
            raise GS1KeyError(
                "does_not_fit",
                f"producer number {producer} does not fit; this scheme holds 0 to "
                f"{self.max_producer}",
            )
        if not _in_range(product, self.max_product):
            raise GS1KeyError(
                "does_not_fit",
                f"product number {product} does not fit; this scheme holds 0 to "
                f"{self.max_product} per producer",
            )
        reference = producer * 10**self.product_digits + product
        return assign_gtin(self.company_prefix, reference, indicator=indicator)
