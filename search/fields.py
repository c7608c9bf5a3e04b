"""cari's Whoosh field classes, in one module because Whoosh pickles the
schema, field classes included, by module path.

- :class:`IndonesianText`: title and body. A TEXT field whose index-time
  postings skip the Token chain when its analyzer is cari's own chain
  (``search/analysis/postings.py`` computes them), and whose positions are
  stored as :class:`CompactPositions`.
- :class:`WordSetField` and :func:`spelling_field`: the ``spell`` field,
  surface words of the title and lede with document frequency only. Whoosh
  indexes such a field by running its analyzer (a regex tokenizer and a
  lowercase filter), building a Token per word, and keeping the set of
  texts; ``WordSetField`` gets the same set from one ``findall`` when the
  analyzer is exactly that pair and the format is ``Existence``.

Moving a class out of here changes the pickled path: bump ANALYSIS_VERSION.
"""
from __future__ import annotations

import re
from array import array
from itertools import accumulate

from whoosh import fields, formats
from whoosh.analysis import LowercaseFilter, RegexTokenizer

from search.analysis.chain import IndonesianTermFilter, IndonesianTokenizer, PhraseVariantFilter
from search.analysis.postings import plain_index_call, term_positions
from search.analysis.terms import TermMaker
from search.codec import pack_uints, unpack_array

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


def written_words(title: str, lede: str) -> set[str]:
    """The words ``spell`` holds for an article of this title and lede (the
    body's first SPELL_LEDE_CHARS), in one pass: ``spelling_text``'s words,
    which the field's analyzer (WORD_PATTERN, lowercased) finds again as
    they are."""
    return set(_WORDS.findall(f"{title or ''} {lede or ''}".lower()))


ABSOLUTE = ord("a")     # first byte of positions stored as they are, not as deltas


class CompactPositions(formats.Positions):
    """Whoosh's Positions format with positions stored as a packed array.

    Whoosh encodes a term's positions in a document as a 4-byte count and a
    pickled list of deltas: 13 bytes for the commonest case, one position.
    Here they are the deltas in the narrowest unsigned array that holds
    them (2 bytes for one position under 256), or, when a phrase's short
    form was added out of order (a negative delta), the positions themselves
    after an ``a``. Decoding is ``array`` and ``accumulate``, in C.
    """

    def encode(self, poslist):
        return encode_positions(poslist)

    def decode_positions(self, valuestring):
        if valuestring[0] == ABSOLUTE:
            found, _ = unpack_array(valuestring, 1, self.decode_frequency(valuestring))
            return list(found)
        found, _ = unpack_array(valuestring, 0, self.decode_frequency(valuestring))
        return list(accumulate(found))

    def decode_frequency(self, valuestring):
        start = 1 if valuestring[0] == ABSOLUTE else 0
        return (len(valuestring) - start - 1) // array(chr(valuestring[start])).itemsize


# A term seen once in a field value (most of them) has a one-position list;
# their encodings are few and reused across documents.
_SINGLE: dict[int, bytes] = {}


def encode_positions(poslist: list[int]) -> bytes:
    """``CompactPositions.encode``, with single positions cached."""
    if len(poslist) == 1:
        pos = poslist[0]
        encoded = _SINGLE.get(pos)
        if encoded is None:
            encoded = _SINGLE[pos] = pack_uints(poslist)
        return encoded
    deltas = [poslist[0]]
    deltas += [b - a for a, b in zip(poslist, poslist[1:])]
    if min(deltas) < 0:
        return b"a" + pack_uints(poslist)
    return pack_uints(deltas)


class IndonesianText(fields.TEXT):
    """A TEXT field whose index-time postings skip the Token chain when its
    analyzer is cari's own chain (``indonesian_analyzer``), with positions
    stored as :class:`CompactPositions` when it keeps them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if type(self.format) is formats.Positions:
            self.format = CompactPositions(field_boost=self.format.field_boost)

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
        if type(self.format) is not CompactPositions:
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
