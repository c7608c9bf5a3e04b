"""From one raw token to the terms the index stores for it (cached per raw token).

This is the whole per-token decision, in order: currency sign, number,
hyphenated word, acronym, stopword, stem, spelling variant. The Whoosh filter
in ``chain.py`` only adds positions and offsets around it.
"""
from __future__ import annotations

from search.analysis.compounds import hyphen_terms
from search.analysis.normalizer import (
    acronym_term,
    currency_term,
    fold_word,
    is_acronym,
    number_term,
)
from search.analysis.stemmer import DEFAULT_STEMMER, Stemmer, memo
from search.analysis.stopwords import STOPWORDS
from search.analysis.variants import word_variant

def root(word: str, stem=None) -> str:
    """The root of one word as the analysis reads it, hyphenated words
    included (negara-negara -> negara, kupu-kupu kept whole); ``stem`` is a
    stemmer's ``stem`` (cari's own by default)."""
    stem = stem or DEFAULT_STEMMER.stem
    word = word.lower()
    if "-" not in word:
        return stem(word)
    parts, whole = hyphen_terms(word, stem)
    if whole:
        return parts[0][0]
    return "-".join(stem(part.lower()) for part, _, _ in parts)


# A term and its character span relative to the start of the raw token.
Piece = tuple[str, int, int]

NUMBER_CHARS = frozenset("0123456789.,/:")


class TermMaker:
    """Raw token -> final terms, with one stemmer and a cache per raw token."""

    CACHE_LIMIT = 1_000_000

    def __init__(self, stemmer: Stemmer = DEFAULT_STEMMER):
        self.stemmer = stemmer
        self._cache: dict[str, tuple[Piece, ...]] = {}
        # The cache's get, for callers that look up millions of raw tokens
        # (``postings.py``): None when ``pieces`` has not computed it yet.
        self.cached = self._cache.get

    def pieces(self, raw: str) -> tuple[Piece, ...]:
        """The terms for ``raw`` with their spans; empty for a stopword."""
        return memo(self._cache, self.CACHE_LIMIT, raw, self.compute)

    def word_term(self, raw: str) -> str | None:
        """The term for one word without hyphens, or None for a stopword."""
        if is_acronym(raw):
            term = acronym_term(raw)
            return None if term in STOPWORDS else word_variant(term)
        word = fold_word(raw)
        if word in STOPWORDS:
            return None
        if not word.isalpha():
            return word                               # letters and digits: covid19, 5g
        return word_variant(self.stemmer.stem(word))

    def compute(self, raw: str) -> tuple[Piece, ...]:
        end = len(raw)
        currency = currency_term(raw)
        if currency:
            return ((currency, 0, end),)
        if raw[0].isdigit() and NUMBER_CHARS.issuperset(raw):
            return ((number_term(raw), 0, end),)
        if "-" in raw:
            parts, whole = hyphen_terms(raw, self.stemmer.stem)
            if whole:
                term, start, stop = parts[0]
                return ((word_variant(term), start, stop),)
            pieces = []
            for part, start, _ in parts:
                for term, s, e in self.pieces(part):
                    pieces.append((term, start + s, start + e))
            return tuple(pieces)
        term = self.word_term(raw)
        return ((term, 0, end),) if term else ()


DEFAULT_TERMS = TermMaker()
