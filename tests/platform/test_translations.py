"""Every message the code and templates can show has a Chinese translation, and the compiled
catalog the app reads is up to date.

Messages are extracted from the source exactly as `make translations` does (babel.cfg, the same
keywords), so a new `_()` / `_l()` anywhere fails here until it is translated.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "freshcircle" / "platform" / "translations"
ZH_PO = CATALOGS / "zh" / "LC_MESSAGES" / "messages.po"
ZH_MO = CATALOGS / "zh" / "LC_MESSAGES" / "messages.mo"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
HOW_TO_FIX = (f"run `make translations`, fill the zh msgstr in {ZH_PO.relative_to(ROOT)}, "
              "then `make compile-translations`")


def _msgid(message):
    return message if isinstance(message, str) else message[0]


@pytest.fixture(scope="module")
def extracted() -> dict[tuple[str | None, str], str]:
    """(context, msgid) -> where it was first found."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[tuple[str | None, str], str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        found.setdefault((context, _msgid(message)), f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def zh_catalog():
    with ZH_PO.open("rb") as po:
        return read_po(po, locale="zh")


def test_extraction_sees_pages_templates_services_and_schemas(extracted):
    ids = {msgid for _ctx, msgid in extracted}
    assert "Register a new batch" in ids  # templates
    assert "This field is required." in ids  # services and forms
    assert "Not a valid decimal value." in ids  # WTForms' messages listed in web/forms.py
    assert "Missing data for required field." in ids  # marshmallow's, web/messages.py
    assert len(ids) > 200


def test_every_message_has_a_chinese_translation(extracted, zh_catalog):
    problems = []
    for (context, msgid), where in sorted(extracted.items(), key=lambda item: item[1]):
        entry = zh_catalog.get(msgid, context=context)
        strings = [] if entry is None else (
            [entry.string] if isinstance(entry.string, str) else list(entry.string))
        if entry is None:
            problems.append(f"not in the zh catalog: {msgid!r} ({where})")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {msgid!r} ({where})")
        elif not all(s.strip() for s in strings):
            problems.append(f"no zh translation: {msgid!r} ({where})")
    assert not problems, f"{len(problems)} message(s) need work; {HOW_TO_FIX}:\n" + "\n".join(
        problems)


def test_translations_keep_every_placeholder(zh_catalog):
    problems = [
        f"{_msgid(message.id)!r}: {error}"
        for message, errors in zh_catalog.check()
        for error in errors
    ]
    assert not problems, "\n".join(problems)


def _forms(string) -> tuple:
    """A translation's forms: one for a message, one per plural form for a plural (the .po
    reader gives those as a tuple, the .mo reader as a list)."""
    return tuple(string) if isinstance(string, (list, tuple)) else (string,)


def test_compiled_catalog_matches_the_po_file(zh_catalog):
    """The app reads the .mo; a stale one shows English or old wording to farmers."""
    assert ZH_MO.exists(), f"{ZH_MO.relative_to(ROOT)} is missing; {HOW_TO_FIX}"
    with ZH_MO.open("rb") as mo:
        compiled = read_mo(mo)
    stale = [
        _msgid(message.id)
        for message in zh_catalog
        if message.id and message.string and not message.fuzzy
        and (compiled.get(message.id, context=message.context) is None
             or _forms(compiled.get(message.id, context=message.context).string)
             != _forms(message.string))
    ]
    assert not stale, f"{ZH_MO.name} is out of date for {len(stale)} message(s) ({stale[:5]}...); "\
        f"{HOW_TO_FIX}"
