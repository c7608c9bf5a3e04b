"""Run queries against an index and return plain dataclasses.

An ``Engine`` belongs to one index directory and may be shared by threads. A
Whoosh ``Searcher`` is not thread-safe, so each thread gets its own, reused
while the index has not changed and replaced (the old one closed) when it has.
"""
from __future__ import annotations

import html
import re
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from whoosh import highlight
from whoosh.filedb.filestore import FileStorage
from whoosh.index import EmptyIndexError

from search.meta import check_version, read_meta
from search.query import QueryError, parse_query

SNIPPET_CHARS = 240
MAX_PER_PAGE = 100
MAX_PAGE = 1000


class IndexNotFound(RuntimeError):
    """There is no index at the given path."""


@dataclass
class Hit:
    id: str
    title: str
    url: str
    source: str
    category: str
    date: str | None
    score: float
    snippet: str
    snippet_text: str


@dataclass
class SearchResults:
    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    hits: list[Hit] = field(default_factory=list)
    partial: bool = False
    correction: str | None = None
    matched_all: bool = True
    facets: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def plain_excerpt(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of ``text``, cut at a word boundary (not escaped)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit] + " …"


def strip_marks(snippet: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", snippet))


def iso_date(value) -> str | None:
    return value.isoformat() if value is not None else None


class Engine:
    """Search one index. Safe to share between threads."""

    def __init__(self, index_dir, check_analysis: bool = True):
        self.index_dir = Path(index_dir)
        storage = FileStorage(str(self.index_dir), supports_mmap=False)
        try:
            if not self.index_dir.is_dir():
                raise EmptyIndexError
            self.ix = storage.open_index()
        except EmptyIndexError:
            raise IndexNotFound(
                f"no index at {self.index_dir}: build one with `cari index DIR --index {self.index_dir}`"
            ) from None
        if check_analysis:
            from search.analysis import ANALYSIS_VERSION

            check_version(self.index_dir, ANALYSIS_VERSION)
        self._lock = threading.Lock()
        self._searchers: dict[int, object] = {}

    # -- searchers ---------------------------------------------------------
    def searcher(self):
        """This thread's searcher, reopened when the index changed.

        ``Searcher.refresh()`` is avoided on purpose: some Whoosh forks return
        stale documents from it after merges.
        """
        ident = threading.get_ident()
        with self._lock:
            current = self._searchers.get(ident)
        if current is not None and current.up_to_date():
            return current
        fresh = self.ix.searcher()
        with self._lock:
            self._searchers[ident] = fresh
            self._close_dead_threads()
        if current is not None:
            current.close()
        return fresh

    def _close_dead_threads(self) -> None:
        alive = {t.ident for t in threading.enumerate()}
        for ident in [i for i in self._searchers if i not in alive]:
            self._searchers.pop(ident).close()

    def close(self) -> None:
        with self._lock:
            for s in self._searchers.values():
                s.close()
            self._searchers.clear()

    # -- queries -----------------------------------------------------------
    def search(self, q: str, page: int = 1, per_page: int = 10, highlight: bool = True,
               sort: str = "relevance", filters: dict | None = None) -> SearchResults:
        started = time.perf_counter()
        page, per_page = check_paging(page, per_page)
        searcher = self.searcher()
        query = parse_query(q, self.ix.schema, match_all=True)
        results = searcher.search_page(query, page, pagelen=per_page, terms=highlight)
        matched_all = True
        if results.total == 0:
            query = parse_query(q, self.ix.schema, match_all=False)
            results = searcher.search_page(query, page, pagelen=per_page, terms=highlight)
            matched_all = False
        hits = [self._hit(hit, highlight) for hit in results]
        return SearchResults(
            query=q, total=results.total, page=page, per_page=per_page,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            hits=hits, matched_all=matched_all,
        )

    def _hit(self, hit, with_highlight: bool) -> Hit:
        fields = hit.fields()
        snippet = ""
        if with_highlight:
            snippet = highlight_body(hit)
        if not snippet:
            snippet = html.escape(plain_excerpt(fields.get("body", "")))
        return Hit(
            id=fields["id"], title=fields.get("title", ""), url=fields.get("url", ""),
            source=fields.get("source", ""), category=fields.get("category", ""),
            date=iso_date(fields.get("date")), score=round(float(hit.score or 0.0), 4),
            snippet=snippet, snippet_text=strip_marks(snippet),
        )

    def article(self, article_id: str) -> dict | None:
        fields = self.searcher().document(id=article_id)
        if fields is None:
            return None
        fields = dict(fields)
        fields["date"] = iso_date(fields.get("date"))
        fields.setdefault("related", [])
        return fields

    def stats(self) -> dict:
        meta = read_meta(self.index_dir)
        size = sum(p.stat().st_size for p in self.index_dir.iterdir() if p.is_file())
        return {
            "documents": self.searcher().doc_count(),
            "index_size_bytes": size,
            "last_indexed": meta.get("built_at"),
            "analysis_version": meta.get("analysis_version"),
            "index": str(self.index_dir),
        }


def check_paging(page, per_page) -> tuple[int, int]:
    try:
        page, per_page = int(page), int(per_page)
    except (TypeError, ValueError):
        raise QueryError("page and per_page must be whole numbers") from None
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE}")
    if not 1 <= page <= MAX_PAGE:
        raise QueryError(f"page must be between 1 and {MAX_PAGE}")
    return page, per_page


def highlight_body(hit) -> str:
    """HTML snippet with <mark>ed terms; "" when nothing in the body matched.

    HtmlFormatter escapes the document text; the ``between`` string is not
    escaped, so it is a fixed safe string.
    """
    results = hit.results
    results.fragmenter = highlight.SentenceFragmenter(maxchars=SNIPPET_CHARS, charlimit=100_000)
    results.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
    return hit.highlights("body", top=2) or ""
