"""Normalise raw tokens that are not ordinary words: currency signs, numbers, acronyms.

Numbers stay searchable as typed by a reader: ``10.000`` (Indonesian thousands
separator) becomes ``10000`` so it matches ``10000``; decimals (``1,5``) and
dates (``10/9/2019``) keep their punctuation so they stay one token.
"""
from __future__ import annotations

import re

CURRENCY_TERMS = {
    "US$": "usd", "$": "usd", "S$": "sgd", "A$": "aud", "HK$": "hkd",
    "€": "eur", "£": "gbp", "¥": "jpy", "Rp": "rp", "Rp.": "rp",
}

# Acronyms spelled like an ordinary word get a term of their own, so a search
# for the country AS (Amerika Serikat) does not match the word "as" (axle).
ACRONYM_TERMS = {
    "AS": "amerika_serikat",
}

_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")


def currency_term(raw: str) -> str | None:
    return CURRENCY_TERMS.get(raw)


def number_term(raw: str) -> str:
    """``10.000`` -> ``10000``; anything else is kept as written."""
    if _THOUSANDS.fullmatch(raw):
        return raw.replace(".", "")
    return raw


def is_acronym(raw: str) -> bool:
    """All capitals, 2-5 letters: KPK, DPR, ICC, AS. Acronyms are never stemmed."""
    return 2 <= len(raw) <= 5 and raw.isalpha() and raw.isupper()


def acronym_term(raw: str) -> str:
    return ACRONYM_TERMS.get(raw, raw.lower())


def fold_word(raw: str) -> str:
    """Lowercase and drop inner apostrophes: Jum'at -> jumat, Qur’an -> quran."""
    word = raw.lower()
    if "'" in word or "’" in word:
        word = word.replace("'", "").replace("’", "")
    return word
