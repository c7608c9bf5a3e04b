"""cari's Whoosh field classes, in one module because Whoosh pickles the
schema, field classes included, by module path.

- :class:`IndonesianText`: title and body. A TEXT field whose index-time
  postings skip the Token chain when its analyzer is cari's own chain
  (``search/analysis/postings.py`` computes them).
- :class:`WordSetField` and :func:`spelling_field`: the ``spell`` field,
  surface words of the title and lede with document frequency only. Whoosh
  indexes such a field by running its analyzer (a regex tokenizer and a
  lowercase filter), building a Token per word, and keeping the set of
  texts; ``WordSetField`` gets the same set from one ``findall`` when the
  analyzer is exactly that pair and the format is ``Existence``.

Moving a class out of here changes the pickled path: bump ANALYSIS_VERSION.
"""
from __future__ import annotations

from whoosh import fields, formats
from whoosh.analysis import LowercaseFilter, RegexTokenizer

import re

from search.analysis.chain import IndonesianTermFilter, IndonesianTokenizer, PhraseVariantFilter
from search.analysis.postings import encode_positions, plain_index_call, term_positions
from search.analysis.terms import TermMaker

SPELL_FIELD = "spell"
SPELL_WORD_MAX = 24        # letters: no longer word is kept for spelling and prefix expansion
# A word of the spelling vocabulary: 3 to SPELL_WORD_MAX letters, no digits
# (the tokenizer's words are search.analysis.tokenizer.WORD).
WORD_PATTERN = rf"[^\W\d_]{{3,{SPELL_WORD_MAX}}}"
SPELL_LEDE_CHARS = 400     # the body's start that joins the title in ``spell``
_WORDS = re.compile(WORD_PATTERN)


class WordSetField(fields.FieldType):
    def index(self, value, **kwargs):
        findall = self._findall()
        if findall is None or not plain_index_call(value, kwargs):
            return super().index(value, **kwargs)
        boost = self.format.field_boost
        return [(word.encode("utf-8"), 1, boost, b"")
                for word in {match.lower() for match in findall(value)}]

    def _findall(self):
        """The tokenizer pattern's ``findall`` when the fast path applies, else None."""
        if type(self.format) is not formats.Existence:
            return None
        items = getattr(self.analyzer, "items", None)
        if not items or tuple(type(item) for item in items) != (RegexTokenizer, LowercaseFilter):
            return None
        tokenizer = items[0]
        if tokenizer.gaps or tokenizer.expression.groups:
            return None           # findall would not return the whole matches
        return tokenizer.expression.findall


def spelling_analyzer():
    return RegexTokenizer(WORD_PATTERN) | LowercaseFilter()


def spelling_field() -> fields.FieldType:
    """The schema's ``spell`` field: surface words, document frequency only."""
    # scorable=True only to give the field a lengths column: Whoosh 2.7.4 looks
    # up a missing column on disk for every posting it writes (one stat call
    # each), which made this field a quarter of all indexing time.
    return WordSetField(formats.Existence(), spelling_analyzer(), scorable=True, stored=False)


def spelling_text(title: str, body: str) -> str:
    """What the indexer puts in ``spell`` for one article: each distinct word
    once (the field keeps no counts), which halves the work of indexing it."""
    return " ".join(set(_WORDS.findall(f"{title or ''} {body or ''}".lower())))


class IndonesianText(fields.TEXT):
    """A TEXT field whose index-time postings skip the Token chain when its
    analyzer is cari's own chain (``indonesian_analyzer``)."""

    def index(self, value, **kwargs):
        terms = self._term_maker()
        if terms is None or not plain_index_call(value, kwargs):
            return super().index(value, **kwargs)
        boost = self.format.field_boost
        return [
            (term.encode("utf-8"), len(poslist), float(len(poslist)) * boost,
             encode_positions(poslist))
            for term, poslist in term_positions(value, terms).items()
        ]

    def _term_maker(self) -> TermMaker | None:
        """The TermMaker of the chain's term filter; None when the
        analyzer or the format is not the one the fast path reproduces."""
        if type(self.format) is not formats.Positions:
            return None
        items = getattr(self.analyzer, "items", None)
        if not items or len(items) != 3:
            return None
        # A subclass of the term filter may bring its own TermMaker (the
        # benchmarks' lowercase-only baseline does); the rest must be the chain's.
        if (type(items[0]) is not IndonesianTokenizer or type(items[2]) is not PhraseVariantFilter
                or not isinstance(items[1], IndonesianTermFilter)):
            return None
        return items[1]._terms
