"""Peer analyzers for retrieval comparisons, all on cari's tokenizer.

``PEER_ANALYZERS[name]()`` returns a Whoosh analyzer:

- ``nostem``: tokenize, lowercase, split hyphenated words, drop cari's stopwords.
- ``snowball``: the same, then PyStemmer's Indonesian (Snowball) stemmer.
- ``sastrawi``: the same, then PySastrawi with its full dictionary, cached per word.
- ``cari``: cari's own analyzer (``search.analysis.indonesian_analyzer``).

Only the stemming differs between the first three, so a retrieval difference
is the stemmer's. Classes live in this module so Whoosh can pickle them.
"""
from __future__ import annotations

from whoosh.analysis import Filter

from search.analysis import STOPWORDS, indonesian_analyzer
from search.analysis.chain import IndonesianTokenizer

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

    # Not named ``_terms``: search.highlight takes an item with a ``_terms``
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


def lowercase():
    """The speed baseline of issue 4: Whoosh's own regex tokenizer + lowercase, nothing else."""
    from whoosh.analysis import LowercaseFilter, RegexTokenizer
    return RegexTokenizer() | LowercaseFilter()


def indexing_speed(articles: list[tuple[str, str, str]], names=("lowercase", "cari")) -> dict[str, float]:
    """Articles per second indexing ``(id, title, body)`` into an in-memory
    title+body index, once per analyzer, same schema shape as cari's."""
    import time

    from whoosh import fields
    from whoosh.filedb.filestore import RamStorage

    makers = dict(PEER_ANALYZERS, lowercase=lowercase)
    speeds = {}
    for name in names:
        analyzer = makers[name]()
        schema = fields.Schema(id=fields.ID(stored=True, unique=True),
                               title=fields.TEXT(analyzer=analyzer, stored=True, phrase=True, field_boost=2.5),
                               body=fields.TEXT(analyzer=analyzer, stored=True, phrase=True))
        ix = RamStorage().create_index(schema)
        start = time.perf_counter()
        writer = ix.writer()
        for doc_id, title, body in articles:
            writer.add_document(id=doc_id, title=title, body=body)
        writer.commit()
        speeds[name] = len(articles) / (time.perf_counter() - start)
    return speeds


def sample_articles(limit: int = 2000) -> list[tuple[str, str, str]]:
    """The first ``limit`` CLICK-ID articles, read from ../shared (never copied)."""
    import json
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "clickid"
    articles = []
    for path in sorted(folder.glob("*.jsonl")):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                articles.append((record["id"], record.get("title") or "", record.get("body") or ""))
                if len(articles) >= limit:
                    return articles
    return articles


def main() -> int:
    import sys

    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    articles = sample_articles(limit)
    # Two rounds: in the first cari's caches start empty; in the second they
    # are full, as they are for most of a long indexing run.
    for round_name in ("cold caches", "warm caches"):
        speeds = indexing_speed(articles)
        ratio = speeds["cari"] / speeds["lowercase"]
        print(f"{round_name}: lowercase {speeds['lowercase']:.1f} articles/s, "
              f"cari {speeds['cari']:.1f} articles/s, cari/lowercase {ratio:.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
