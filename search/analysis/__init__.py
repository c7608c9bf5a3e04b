"""Indonesian analysis for cari: tokenizer, normaliser, stopwords, stemmer, Whoosh chain.

Public API (other modules code against these names):

- ``ANALYSIS_VERSION``: changes whenever the terms an index stores, or the schema
  (field classes included, which Whoosh pickles by module path), would change.
- ``indonesian_analyzer()``: the Whoosh analyzer for ``title`` and ``body``.
- ``analyze(text)``: what the index stores for ``text`` (``cari analyze``).
- ``stem(word)``: the stemmer on one lowercase word.
- ``STOPWORDS``: cari's stopword list.
"""
from __future__ import annotations

from search.analysis.chain import indonesian_analyzer
from search.analysis.stemmer import stem
from search.analysis.stopwords import STOPWORDS

ANALYSIS_VERSION = "id-11"


def analyze(text: str) -> list[dict]:
    """One dict per indexed token: ``term``, ``position``, ``start``, ``end``."""
    analyzer = indonesian_analyzer()
    return [
        {"term": t.text, "position": t.pos, "start": t.startchar, "end": t.endchar}
        for t in analyzer(text, positions=True, chars=True, mode="index")
    ]


__all__ = ["ANALYSIS_VERSION", "STOPWORDS", "analyze", "indonesian_analyzer", "stem"]
