"""Chinese identifiers: mobile numbers, unified social credit codes, vehicle plates, GB/T 2260."""

from __future__ import annotations

import re

import phonenumbers

# GB 32100-2015: 31 characters (no I, O, Z, S, V), weights 3^i mod 31 for positions 1..17.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Ordinary plates: province, letter, 5 characters; new-energy plates have 6 after the letter.
PLATE_RE = re.compile(rf"^[{PLATE_PROVINCES}][A-HJ-NP-Z][A-HJ-NP-Z0-9]{{5,6}}$")

# Fuyang's county-level divisions (GB/T 2260). Codes change over the years: store name with code.
FUYANG_COUNTIES = {
    "341202": "颍州区",
    "341203": "颍东区",
    "341204": "颍泉区",
    "341221": "临泉县",
    "341222": "太和县",
    "341225": "阜南县",
    "341226": "颍上县",
    "341282": "界首市",
}


def normalise_mobile(raw: str) -> str | None:
    """Return the 11-digit mainland mobile number, or None if `raw` is not one.

    Accepts spaces, dashes and a +86 prefix as people type them.
    """
    digits = re.sub(r"[\s\-()]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not re.fullmatch(r"1\d{10}", digits):
        return None
    try:
        parsed = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    if phonenumbers.number_type(parsed) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return None
    return digits


def format_mobile(phone: str, masked: bool = False) -> str:
    """'13812345678' -> '138 1234 5678', or '138****5678' for public pages."""
    if not phone or len(phone) != 11:
        return phone or ""
    if masked:
        return f"{phone[:3]}****{phone[7:]}"
    return f"{phone[:3]} {phone[3:7]} {phone[7:]}"


def credit_code_check_char(first17: str) -> str:
    pairs = zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    total = sum(CREDIT_CODE_CHARSET.index(ch) * weight for ch, weight in pairs)
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    """Unified social credit code: 18 characters, check character per GB 32100-2015."""
    if len(code) != 18 or any(ch not in CREDIT_CODE_CHARSET for ch in code):
        return False
    return credit_code_check_char(code[:17]) == code[17]


def is_valid_plate(plate: str) -> bool:
    return bool(PLATE_RE.match(plate))
