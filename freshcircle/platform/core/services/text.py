"""What text the platform accepts and stores: no control characters but tab, newline and
carriage return, no lone surrogates, no noncharacters U+FFFE/U+FFFF.

A vertical tab or a NUL typed (or pasted) into a field is invisible on a page, but openpyxl
refuses it in a spreadsheet cell, PostgreSQL refuses a NUL in any text, and a lone surrogate
cannot even be encoded as UTF-8; so such text is refused where input is parsed (forms and the
API, both through `forbidden_characters`) and cleaned (`clean_text`) where older values are
written out or repaired.
"""

from __future__ import annotations

import re

# C0 controls but \t \n \r, DEL and the C1 controls; surrogates; the two noncharacters that
# XML 1.0 (and so XLSX) forbids.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def forbidden_characters(text: str) -> list[str]:
    """The forbidden characters in `text`, as `U+000B` names, first occurrence first."""
    seen: dict[str, None] = {}
    for match in FORBIDDEN.finditer(text):
        seen.setdefault(f"U+{ord(match.group()):04X}", None)
    return list(seen)


def has_forbidden_characters(text: str) -> bool:
    return FORBIDDEN.search(text) is not None


def clean_text(text: str) -> str:
    """`text` with each control character made a space and each lone surrogate or
    noncharacter made U+FFFD (the replacement character), so a reader sees where it was."""
    return FORBIDDEN.sub("\ufffd", _CONTROL.sub(" ", text))


def clean_value(value):
    """`clean_text` through the strings of a JSON-like value (dicts, lists); keys too."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_value(k): clean_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_value(v) for v in value]
    return value
