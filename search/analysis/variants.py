"""Spelling variants and synonyms mapped to one term, applied after stemming.

Single words are replaced (praktek -> praktik, tiongkok/cina -> china), so
both spellings index and query as one term. Multi-word names add their short
form at the position of their first word (Joko Widodo -> + jokowi), so a
search for the short form finds articles that spell the name out; the words
themselves stay indexed for phrase search.
"""
from __future__ import annotations

WORD_VARIANTS = {
    "tiongkok": "china",
    "cina": "china",
    "praktek": "praktik",
    "apotik": "apotek",
    "aktifitas": "aktivitas",
    "kwalitas": "kualitas",
    "nafas": "napas",
    "resiko": "risiko",
    "sekedar": "sekadar",
    "analisa": "analisis",
    "jadual": "jadwal",
    "ijin": "izin",
    "propinsi": "provinsi",
    "hutang": "utang",
    "undang-undang": "uu",
}

# Sequences of final terms (after stemming) -> the term added for the phrase.
PHRASE_VARIANTS = {
    ("joko", "widodo"): "jokowi",
    ("komisi", "berantas", "korupsi"): "kpk",
    ("amerika", "serikat"): "amerika_serikat",
    ("republik", "rakyat", "china"): "china",
    ("dewan", "wakil", "rakyat"): "dpr",
    ("susilo", "bambang", "yudhoyono"): "sby",
}

PHRASE_FIRST_WORDS = frozenset(key[0] for key in PHRASE_VARIANTS)
MAX_PHRASE = max(len(key) for key in PHRASE_VARIANTS)


def word_variant(term: str) -> str:
    return WORD_VARIANTS.get(term, term)
