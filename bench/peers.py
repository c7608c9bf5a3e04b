"""The engines cari is measured against, each behind the same three calls.

``build(articles, index_dir)`` indexes Article records, ``add(articles, index_dir)``
adds more to an existing index, and ``open_searcher(index_dir)`` returns an
object whose ``search(query, limit, highlight)`` gives ``[(id, snippet)]``.

- ``WhooshTutorial`` is what a tutorial Flask+Whoosh app does: a title/body
  schema with the default ``StandardAnalyzer``, one writer process, a
  ``QueryParser`` (default AND grouping) over both fields, ``hit.highlights``
  and a new searcher for every query.
- ``Tantivy`` is the native-engine anchor: the same two fields with tantivy's
  default tokenizer, BM25, a searcher reused while the index is unchanged, and
  its snippet generator for highlights.
- ``Cari`` is cari itself through its public API (``index_corpus``, ``Engine``).
"""
from __future__ import annotations

import re
from pathlib import Path


class WhooshTutorial:
    name = "Whoosh tutorial"

    @staticmethod
    def schema():
        from whoosh.fields import ID, TEXT, Schema
        return Schema(id=ID(stored=True, unique=True), title=TEXT(stored=True), body=TEXT(stored=True))

    def build(self, articles, index_dir: Path) -> None:
        from whoosh import index
        Path(index_dir).mkdir(parents=True, exist_ok=True)
        ix = index.create_in(str(index_dir), self.schema())
        self._write(ix, articles)

    def add(self, articles, index_dir: Path) -> None:
        from whoosh import index
        self._write(index.open_dir(str(index_dir)), articles)

    @staticmethod
    def _write(ix, articles) -> None:
        writer = ix.writer()
        for a in articles:
            writer.add_document(id=a.id, title=a.title, body=a.body)
        writer.commit()

    def open_searcher(self, index_dir: Path, per_query: bool = True) -> "WhooshTutorialSearcher":
        return WhooshTutorialSearcher(index_dir, per_query)


class WhooshTutorialSearcher:
    """``per_query=False`` keeps one searcher: same ranking, for quality runs
    where the cost of opening a searcher per query is not what is measured."""

    def __init__(self, index_dir: Path, per_query: bool = True):
        from whoosh import index
        from whoosh.qparser import MultifieldParser
        self.ix = index.open_dir(str(index_dir))
        self.parser = MultifieldParser(["title", "body"], self.ix.schema)
        self.kept = None if per_query else self.ix.searcher()

    def search(self, query: str, limit: int = 10, highlight: bool = True) -> list[tuple[str, str]]:
        if self.kept is not None:
            return self._search(self.kept, query, limit, highlight)
        with self.ix.searcher() as searcher:  # a searcher per query, as in the tutorials
            return self._search(searcher, query, limit, highlight)

    def _search(self, searcher, query, limit, highlight):
        results = searcher.search(self.parser.parse(query), limit=limit)
        return [(hit["id"], hit.highlights("body") if highlight else "") for hit in results]

    def close(self) -> None:
        if self.kept is not None:
            self.kept.close()


class Tantivy:
    name = "tantivy"
    heap_bytes = 128 * 2**20
    threads = 2

    @staticmethod
    def schema():
        import tantivy
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", stored=True)
        builder.add_text_field("body", stored=True)
        return builder.build()

    def build(self, articles, index_dir: Path) -> None:
        Path(index_dir).mkdir(parents=True, exist_ok=True)
        self._write(self._index(index_dir), articles)

    def add(self, articles, index_dir: Path) -> None:
        self._write(self._index(index_dir), articles)

    def _index(self, index_dir: Path):
        import tantivy
        return tantivy.Index(self.schema(), path=str(index_dir))

    def _write(self, index, articles) -> None:
        import tantivy
        writer = index.writer(self.heap_bytes, self.threads)
        for a in articles:
            writer.add_document(tantivy.Document(id=a.id, title=a.title, body=a.body))
        writer.commit()
        writer.wait_merging_threads()

    def open_searcher(self, index_dir: Path) -> "TantivySearcher":
        return TantivySearcher(self._index(index_dir), self.schema())


class TantivySearcher:
    def __init__(self, index, schema):
        index.reload()
        self.index, self.schema = index, schema
        self.searcher = index.searcher()

    def search(self, query: str, limit: int = 10, highlight: bool = True) -> list[tuple[str, str]]:
        import tantivy
        # The query language treats ":" "(" "-" specially: search the words only.
        words = " ".join(re.findall(r"\w+", query))
        if not words:
            return []
        parsed = self.index.parse_query(words, ["title", "body"])
        hits = self.searcher.search(parsed, limit).hits
        snippets = tantivy.SnippetGenerator.create(self.searcher, parsed, self.schema, "body") if highlight else None
        out = []
        for _score, address in hits:
            doc = self.searcher.doc(address)
            snippet = snippets.snippet_from_doc(doc).to_html() if snippets else ""
            out.append((doc["id"][0], snippet))
        return out

    def close(self) -> None:
        pass


class Cari:
    """cari through its public API; ``analyzer`` swaps in a peer analyzer."""

    name = "cari"

    def __init__(self, analyzer=None, procs: int | None = None):
        self.analyzer, self.procs = analyzer, procs

    def index(self, corpus: Path, index_dir: Path, rebuild: bool = True):
        from search.indexing.indexer import index_corpus
        # The benchmark corpora are links to ../shared (common.linked_corpus): follow them.
        return index_corpus(corpus, index_dir, rebuild=rebuild, procs=self.procs, analyzer=self.analyzer,
                            follow_symlinks=True)

    def open_searcher(self, index_dir: Path) -> "CariSearcher":
        return CariSearcher(index_dir, check_analysis=self.analyzer is None)


class CariSearcher:
    def __init__(self, index_dir: Path, check_analysis: bool = True):
        from search.retrieval.result_cache import ResultCache
        from search.retrieval.engine import Engine
        self.engine = Engine(index_dir, check_analysis=check_analysis)
        self.engine.results = ResultCache(0)    # time the search, not a lookup of an earlier answer
        self.engine.warm(settle=True)   # as each gunicorn worker does before serving (web/gunicorn_config.py)

    def search(self, query: str, limit: int = 10, highlight: bool = True) -> list[tuple[str, str]]:
        from search.retrieval.query import QueryError
        try:
            results = self.engine.search(query, per_page=limit, highlight=highlight)
        except QueryError:  # e.g. only stopwords: the app answers with a message, no hits
            return []
        return [(hit.id, hit.snippet) for hit in results.hits]

    def close(self) -> None:
        self.engine.close()


PEERS = {"whoosh": WhooshTutorial, "tantivy": Tantivy}
