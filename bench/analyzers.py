"""Peer analyzers for retrieval comparisons, all on cari's tokenizer.

``PEER_ANALYZERS[name]()`` returns a Whoosh analyzer:

- ``nostem``: tokenize, lowercase, split hyphenated words, drop cari's stopwords.
- ``snowball``: the same, then PyStemmer's Indonesian (Snowball) stemmer.
- ``sastrawi``: the same, then PySastrawi with its full dictionary, cached per word.
- ``cari``: cari's own analyzer (``search.analysis.indonesian_analyzer``).
- ``lowercase()``: cari's tokenizer and lowercasing only, the indexing-speed
  baseline (not a retrieval peer).

Only the stemming differs between the first three, so a retrieval difference
is the stemmer's. Classes live in this module so Whoosh can pickle them.
"""
from __future__ import annotations

from whoosh.analysis import Filter

from search.analysis import STOPWORDS, indonesian_analyzer
from search.analysis.chain import IndonesianTermFilter, IndonesianTokenizer, PhraseVariantFilter
from search.analysis.terms import TermMaker

_STEMMERS: dict[str, object] = {}


def _stem_function(name: str):
    """One stemmer per process, created on first use (not pickled)."""
    fn = _STEMMERS.get(name)
    if fn is None:
        if name == "snowball":
            import Stemmer
            fn = Stemmer.Stemmer("indonesian").stemWord
        elif name == "sastrawi":
            from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
            fn = StemmerFactory().create_stemmer().stem      # CachedStemmer
        else:
            fn = _identity
        _STEMMERS[name] = fn
    return fn


def _identity(word: str) -> str:
    return word


class PeerFilter(Filter):
    """Lowercase, split on hyphens, drop stopwords, stem with the named stemmer."""

    def __init__(self, stemmer: str = "none"):
        self.stemmer = stemmer
        self.cache: dict[str, tuple[str, ...]] = {}

    def __getstate__(self):
        return {"stemmer": self.stemmer}

    def __setstate__(self, state):
        self.stemmer = state["stemmer"]
        self.cache = {}

    def __eq__(self, other):
        return isinstance(other, PeerFilter) and other.stemmer == self.stemmer

    # Not named ``_terms``: search.retrieval.highlight takes an item with a ``_terms``
    # attribute for cari's own cached analysis.
    def stems(self, raw: str) -> tuple[str, ...]:
        terms = self.cache.get(raw)
        if terms is None:
            fn = _stem_function(self.stemmer)
            words = [w for w in raw.lower().replace("'", "").split("-") if w and w not in STOPWORDS]
            terms = self.cache[raw] = tuple(fn(w) if w.isalpha() else w for w in words)
        return terms

    def __call__(self, tokens):
        pos = 0
        for token in tokens:
            for term in self.stems(token.text):
                token.text = term
                if token.positions:
                    token.pos = pos
                pos += 1
                yield token


def nostem():
    return IndonesianTokenizer() | PeerFilter("none")


def snowball():
    return IndonesianTokenizer() | PeerFilter("snowball")


def sastrawi():
    return IndonesianTokenizer() | PeerFilter("sastrawi")


def cari():
    return indonesian_analyzer()


PEER_ANALYZERS = {"nostem": nostem, "snowball": snowball, "sastrawi": sastrawi, "cari": cari}


class LowercaseTerms(TermMaker):
    """Each raw token lowercased, nothing else: no stopwords, stems, numbers or variants."""

    def compute(self, raw: str):
        return ((raw.lower(), 0, len(raw)),)


class LowercaseTermFilter(IndonesianTermFilter):
    """cari's term filter with :class:`LowercaseTerms`. It keeps cari's index-time
    fast path (``search/analysis/postings.py``), so a build with it differs from
    cari's own only in the analysis: the speed baseline of the analysis issue."""

    def __init__(self, stemmer=None):
        self.stemmer = None
        self._terms = LowercaseTerms()

    def __eq__(self, other):
        return isinstance(other, LowercaseTermFilter)


def lowercase():
    return IndonesianTokenizer() | LowercaseTermFilter() | PhraseVariantFilter()
