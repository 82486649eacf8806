"""Pinyin search terms: the market found as buyers type on a phone keyboard.

A listing's product name, variety and county are indexed (beside their characters, see
listing_search) by the pinyin of each character and of each pair of neighbouring characters,
and by the initials of each pair (pypinyin, in context, so 重庆 is chongqing):

    大蒜   ->  py:da  py:suan  py:dasuan  pi:ds

A query with Latin letters is read three ways and a listing matches any of them: as words
(garlic), as pinyin cut into syllables, characters in the query read as their pinyin (suan,
dasuan, "da suan", xiang椿 give py:dasuan or py:xiangchun), and, when it has no vowel, as
initials (ds, xc). A query that is neither yields no pinyin terms, so "qqq" finds nothing
rather than everything. The prefixes keep pinyin apart from English words (py:china is 吃拿,
not the word "china").
"""

from __future__ import annotations

import re
from functools import cache

from pypinyin import Style, lazy_pinyin, pinyin_dict
from pypinyin.style import convert

PINYIN = "py:"
INITIALS = "pi:"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[a-z]+")
_VOWELS = set("aeiouv")
MAX_INITIALS = 8


@cache
def _syllable_set() -> frozenset[str]:
    """Every toneless syllable of pypinyin's dictionary that has a vowel (not m, n, ng, hm)."""
    found = set()
    for readings in pinyin_dict.pinyin_dict.values():
        for reading in readings.split(","):
            plain = convert(reading, Style.NORMAL, strict=True)
            if _VOWELS & set(plain) and plain.isascii() and plain.isalpha():
                found.add(plain)
    return frozenset(found)


def syllables(letters: str) -> list[str] | None:
    """`letters` cut into pinyin syllables, fewest syllables first (xian, not xi an); None
    when they are not pinyin."""
    known, longest = _syllable_set(), 6
    best: list[list[str] | None] = [[]] + [None] * len(letters)
    for end in range(1, len(letters) + 1):
        for start in range(max(0, end - longest), end):
            head = best[start]
            if head is not None and letters[start:end] in known and (
                    best[end] is None or len(head) + 1 < len(best[end])):
                best[end] = [*head, letters[start:end]]
    return best[-1]


def _pairs(prefix: str, parts: list[str]) -> set[str]:
    return {prefix + parts[i] + parts[i + 1] for i in range(len(parts) - 1)}


def index_terms(text: str) -> set[str]:
    """The pinyin and initials terms of `text`'s Chinese (empty for other text)."""
    terms: set[str] = set()
    for run in _CJK.findall(text or ""):
        spoken = [s for s in lazy_pinyin(run, errors="ignore") if s.isascii() and s.isalpha()]
        if len(spoken) != len(run):
            continue  # a character pypinyin cannot read: its characters are indexed anyway
        terms |= {PINYIN + s for s in spoken} | _pairs(PINYIN, spoken)
        terms |= _pairs(INITIALS, [s[0] for s in spoken])
    return terms


def query_alternatives(query: str) -> list[set[str]]:
    """The pinyin reading and the initials reading of a query that has Latin letters (each a
    set of terms a listing must all have); [] for a query without, or that is neither."""
    text = (query or "").lower()
    if not _LATIN.search(text):
        return []
    spoken: list[str] = []
    for piece in re.findall(r"[a-z]+|[\u3400-\u9fff\uf900-\ufaff]+|\S", text):
        if _CJK.fullmatch(piece):
            spoken += lazy_pinyin(piece, errors="ignore")
        elif _LATIN.fullmatch(piece) and (cut := syllables(piece)) is not None:
            spoken += cut
        else:
            spoken = []
            break
    alternatives = []
    if spoken:
        alternatives.append({PINYIN + spoken[0]} if len(spoken) == 1 else _pairs(PINYIN, spoken))
    letters = "".join(_LATIN.findall(text))
    if (letters == text.replace(" ", "") and not _VOWELS & set(letters)
            and 2 <= len(letters) <= MAX_INITIALS):
        alternatives.append(_pairs(INITIALS, list(letters)))
    return alternatives
