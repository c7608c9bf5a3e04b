"""Run queries against an index and return plain dataclasses.

An ``Engine`` belongs to one index directory and may be shared by threads. A
Whoosh ``Searcher`` is not thread-safe, so each thread gets its own, reused
while the index has not changed and replaced (the old one closed) when it has.
What can be shared (column arrays for facets and filters, the spelling and
autocomplete vocabularies) is built once per index generation.

One search, in order: parse (every word must match) → the matching document
set (for the total and the facets; ``scoring.py``) → when it is empty, the
spelling correction if a word is unknown, else OR → filters and facet counts
(``facets.py``) → the top of the page, ranked by BM25F or by date → snippets
for the page's hits only (``highlight.py``).
"""
from __future__ import annotations

import html
import math
import re
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from whoosh import collectors

from search.columns import check_columns
from search.errors import QueryError
from search.fields import SPELL_FIELD, WORD_PATTERN
from search.retrieval.facets import FACET_FIELDS, ColumnView, intersect
from search.retrieval.highlight import SNIPPET_CHARS, Highlighter, clip
from search.retrieval.query import Budget, normalize_filters, parse_query
from search.retrieval.result_cache import ResultCache
from search.retrieval.spelling import spell_words
from search.settings import default as default_setting
from search.store import live_dir, open_index, read_meta
from search.retrieval.scoring import WARM_MIN_DF, Evaluator, Match, OutOfTime, Stats, score, top

MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_DEPTH = 1000            # page * per_page: deeper results are not ranked
TIME_LIMIT = 2.0            # seconds per query: parsing, expansion, spelling, matching, ranking, snippets
WRITTEN_FORM_DEPTH = 50     # results re-ranked by the query's written words (prefer_written_forms)
WRITTEN_FORM_WEIGHT = 4.0   # score added per unit of idf of a query word the title/lede holds as typed
SORTS = ("relevance", "newest")
SPELL_WORD = re.compile(WORD_PATTERN)


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
    # Added after the first contract (names above are stable):
    sort: str = "relevance"
    corrected: bool = False         # hits are for ``correction``, the typed query found nothing
    notes: list[str] = field(default_factory=list)   # why results are partial, for the user
    total_exact: bool = True        # False: the time limit stopped the count (total is a lower bound)
    terms: list[str] = field(default_factory=list)   # analysed terms the hits matched on, to mark

    def to_dict(self) -> dict:
        return asdict(self)


def bm25_idf(docs: int, df: int) -> float:
    """BM25's idf (never negative): how much finding a word in a document says."""
    return math.log(1 + (docs - df + 0.5) / (df + 0.5))


def strip_marks(snippet: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", snippet))


def iso_date(value) -> str | None:
    return value.isoformat() if value is not None else None


def plain_excerpt(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of ``text`` cut between words (not escaped)."""
    return clip(" ".join(text.split()), [], limit)


class Engine:
    """Search one index. Safe to share between threads."""

    def __init__(self, index_dir, check_analysis: bool = True, background_warm: bool = False,
                 result_cache_size: int = default_setting("CARI_RESULT_CACHE")):
        # After a rebuild swap the live index is a generation directory (search/indexing/generations.py).
        self.index_dir = live_dir(Path(index_dir))
        self.ix = open_index(self.index_dir, check_analysis)
        with self.ix.reader() as reader:
            check_columns(reader)
        self.schema = self.ix.schema
        self.analyzer = self.schema["body"].analyzer
        self.highlighter = Highlighter(self.analyzer)
        self._lock = threading.Lock()
        self._searchers: dict[int, object] = {}
        self._views: dict[object, ColumnView] = {}
        self._extras: dict[tuple, object] = {}
        self.results = ResultCache(result_cache_size)   # 0: off (CARI_RESULT_CACHE for the web app)
        # A server warms each new index generation in the background; a
        # one-shot command would only pay for it.
        self.background_warm = background_warm
        self._warming = threading.Lock()
        # One heavy search at a time in this process (see query.Budget).
        self.heavy_gate = threading.Lock()

    # -- searchers and per-generation caches -----------------------------------------
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

    def view(self, searcher) -> ColumnView:
        """Column arrays of the searcher's index generation (built once)."""
        reader = searcher.reader()
        key = reader.generation()
        found = self._views.get(key)
        if found is None:
            found = ColumnView(reader)
            with self._lock:
                self._views = {key: found}      # older generations are no longer searched
        return found

    def cached(self, name: str, searcher, build):
        """A per-generation object (spelling vocabulary, autocomplete lists)."""
        key = (name, searcher.reader().generation())
        found = self._extras.get(key)
        if found is None:
            found = build(searcher.reader())
            with self._lock:
                for old in [k for k in self._extras if k[0] == name and k != key]:
                    del self._extras[old]
                self._extras[key] = found
        return found

    def new_stats(self, searcher, view) -> Stats:
        """Scoring statistics for a new index generation; its frequent terms'
        postings are decoded in the background, with a reader of its own
        (a reader is not shared between threads)."""
        stats = Stats(searcher, view)
        if not self.background_warm or searcher.reader().doc_count_all() < WARM_MIN_DF:
            return stats                    # not a server, or no posting list long enough to matter
        generation = searcher.reader().generation()

        def warm():
            if not self._warming.acquire(blocking=False):
                return                      # one at a time: commits may come faster than warm-ups
            try:
                with self.ix.reader() as reader:
                    if reader.generation() == generation:
                        stats.warm(reader)
            except Exception:  # noqa: BLE001 - warming only saves time; queries read postings anyway
                pass
            finally:
                self._warming.release()

        threading.Thread(target=warm, name="cari-warm-postings", daemon=True).start()
        return stats

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            for s in self._searchers.values():
                s.close()
            self._searchers.clear()
            self._views.clear()
            self._extras.clear()
        self.results.clear()

    # -- search -------------------------------------------------------------------------
    def search(self, q, page=1, per_page=10, highlight: bool = True, sort: str = "relevance",
               filters: dict | None = None, facets: bool = True, recency: bool = False) -> SearchResults:
        started = time.perf_counter()
        page, per_page = check_paging(page, per_page)
        if sort not in SORTS:
            raise QueryError(f"sort must be one of: {', '.join(SORTS)}", "bad_sort")
        wanted = normalize_filters(filters)
        searcher = self.searcher()
        key = (searcher.reader().generation(), q if isinstance(q, str) else repr(q), page, per_page,
               bool(highlight), sort, repr(sorted(wanted.items())), bool(facets), bool(recency))
        cached = self.results.get(key)
        if cached is not None:
            cached.took_ms = round((time.perf_counter() - started) * 1000, 2)
            cached.terms = list(cached.terms)       # the caller's own list, as for hits and notes
            return cached
        results = self._search(q, page, per_page, highlight, sort, wanted, facets, recency, searcher)
        results.took_ms = round((time.perf_counter() - started) * 1000, 2)
        self.results.put(key, replace(results, terms=list(results.terms)))
        return results

    def _search(self, q, page, per_page, highlight, sort, wanted, facets, recency, searcher) -> SearchResults:
        started = time.perf_counter()
        view = self.view(searcher)
        run = _Run(self, searcher, view)
        # The clock starts once this generation's caches exist (the first query
        # after an index change builds them); from here every stage draws on
        # the one budget, and only a per-generation vocabulary built on first
        # use (Budget.excuse) is not counted.
        run.budget = Budget(TIME_LIMIT, vocabulary=lambda: spell_words(self, searcher), gate=self.heavy_gate)
        try:
            return self._run(q, page, per_page, highlight, sort, wanted, facets, recency, searcher, run, started)
        finally:
            run.budget.release()

    def _run(self, q, page, per_page, highlight, sort, wanted, facets, recency, searcher, run, started):
        view = run.view
        parsed, matched, outcome = self.resolve(q, searcher, run)
        matched_all, correction, corrected = outcome
        selected = run.select(matched, wanted)
        facet_counts = run.facets(matched, wanted) if facets else {}
        depth = page * per_page
        if sort == "newest" or not parsed.has_text:
            ranked = [(n, 0.0) for n in view.newest(selected, depth)]
        else:
            ranked = run.rank(parsed, selected, depth, recency)
        page_docs = ranked[(page - 1) * per_page:depth]
        forms = self.highlighter.forms(parsed.terms) if highlight and page_docs else None
        hits = []
        for n, score in page_docs:
            if forms is not None and run.budget.expired():
                run.out_of_time("the search took too long: snippets are not marked")
                forms = None
            hits.append(self.hit(searcher, n, score, forms))
        notes = list(dict.fromkeys(list(parsed.notes) + run.notes))
        return SearchResults(
            query=clean_query(q), total=len(selected), page=page,
            per_page=per_page, took_ms=round((time.perf_counter() - started) * 1000, 2),
            hits=hits, partial=parsed.partial or run.partial, correction=correction,
            matched_all=matched_all, facets=facet_counts, sort=sort, corrected=corrected, notes=notes,
            total_exact=run.counted and not parsed.cut_short, terms=sorted(parsed.terms),
        )

    def resolve(self, q, searcher, run):
        """The query to show results for and its matching documents.

        Every word first; when nothing matches, the spelling correction (if a
        word is unknown), then OR. Returns (parsed, matched, (matched_all,
        correction, corrected)).
        """
        budget = run.budget
        parsed = self.parse(q, searcher, budget=budget)
        base = run.filter_docs(parsed)
        matched = run.matching(parsed, base)
        if matched or not parsed.has_text:
            correction = self.suggest_correction(parsed, searcher, budget) if parsed.has_text else None
            return parsed, matched, (True, correction, False)
        if not run.counted or budget.expired():
            return parsed, matched, (True, None, False)     # no time for retries
        correction = self.correct(parsed, searcher, budget)
        if correction is not None:
            for match_all in (True, False):
                fixed = self.parse(correction, searcher, match_all=match_all, budget=budget)
                fixed_matched = run.matching(fixed, base)
                if fixed_matched:
                    return fixed, fixed_matched, (match_all, correction, True)
        if parsed.positives > 1 and not budget.expired():
            loose = self.parse(q, searcher, match_all=False, budget=budget)
            loose_matched = run.matching(loose, base)
            if loose_matched:
                return loose, loose_matched, (False, correction, False)
        return parsed, matched, (True, correction, False)

    def parse(self, q, searcher, match_all: bool = True, budget: Budget | None = None):
        """``budget``: the request's, shared by its reparses (see query.Budget)."""
        return parse_query(q, searcher.reader(), self.schema, self.analyzer, match_all=match_all,
                           budget=budget)

    def query_terms(self, q: str) -> set[str]:
        """The analysed terms a search for ``q`` matches on (what to mark in a
        text), without searching: no negated words, no filters; prefixes
        stand for their expansions. Empty when ``q`` has nothing to search."""
        searcher = self.searcher()
        budget = Budget(TIME_LIMIT, vocabulary=lambda: spell_words(self, searcher), gate=self.heavy_gate)
        try:
            return set(self.parse(q, searcher, budget=budget).terms)
        except QueryError:
            return set()
        finally:
            budget.release()

    def correct(self, parsed, searcher, budget: Budget | None = None) -> str | None:
        """The typed query with unknown words replaced, or None."""
        from search.retrieval.spelling import correct_query

        return correct_query(self, parsed, searcher, force=True, budget=budget)

    def suggest_correction(self, parsed, searcher, budget: Budget | None = None) -> str | None:
        """A "did you mean" for a query that found something but looks misspelt."""
        from search.retrieval.spelling import correct_query

        return correct_query(self, parsed, searcher, force=False, budget=budget)

    def hit(self, searcher, docnum: int, score: float, forms=None) -> Hit:
        """One result; ``forms`` (the query's terms, see highlight.Forms) marks the snippet."""
        fields = searcher.stored_fields(docnum)
        body = fields.get("body", "")
        snippet = ""
        if forms is not None:
            snippet, _ = self.highlighter.snippet(body, forms.terms, forms=forms)
        if not snippet:
            snippet = "" if not body else html.escape(plain_excerpt(body))
        return Hit(
            id=fields["id"], title=fields.get("title", ""), url=fields.get("url", "") or "",
            source=fields.get("source", ""), category=fields.get("category", ""),
            date=iso_date(fields.get("date")), score=round(float(score or 0.0), 4),
            snippet=snippet, snippet_text=strip_marks(snippet),
        )

    # -- articles and the rest of the contract --------------------------------------------
    def article(self, article_id: str) -> dict | None:
        if not isinstance(article_id, str) or not article_id:
            return None
        fields = self.searcher().document(id=article_id)
        if fields is None:
            return None
        fields = dict(fields)
        fields["date"] = iso_date(fields.get("date"))
        fields.setdefault("related", [])
        return fields

    def related(self, article_id: str, limit: int = 5) -> list[Hit]:
        from search.retrieval.related import related_docs

        searcher = self.searcher()
        return [self.hit(searcher, n, score, None) for n, score in related_docs(self, searcher, article_id, limit)]

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        from search.retrieval.suggest import suggest

        return suggest(self, self.searcher(), prefix, limit)

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

    def warm(self) -> None:
        """Build this generation's caches now (columns, norms, autocomplete
        lists) rather than in the first request; call it after forking."""
        searcher = self.searcher()
        view = self.view(searcher)
        stats = self.cached("stats", searcher, lambda reader: Stats(searcher, view))
        if not stats.warmed:
            stats.warm(searcher.reader())
        from search.retrieval.suggest import vocabulary

        vocabulary(self, searcher)
        from search.retrieval.spelling import spell_words

        words = spell_words(self, searcher)
        words.deletes()
        # The written words of titles and ledes, as they start and continue
        # sentences: most words a snippet meets are then analysed already.
        self.highlighter.learn({form for w in words.words for form in (w, w.capitalize())})

    def healthy(self) -> bool:
        """The index is open and answers a query."""
        try:
            searcher = self.searcher()
            from whoosh.query import Every

            searcher.search(Every(), limit=1)
            return True
        except Exception:  # health checks report, they do not raise
            return False


class _Run:
    """The state of one search: its budget, partial flag, notes."""

    def __init__(self, engine: Engine, searcher, view: ColumnView, budget: Budget | None = None):
        self.engine = engine
        self.searcher = searcher
        self.view = view
        self.stats = engine.cached("stats", searcher, lambda reader: engine.new_stats(searcher, view))
        self.match: Match | None = None
        self.budget = budget if budget is not None else Budget()
        self.partial = False
        self.counted = True          # False: matching ran out of time (the total is not known)
        self.notes: list[str] = []

    @property
    def deadline(self) -> float:
        return self.budget.deadline

    def out_of_time(self, note: str = "the search took too long: results are incomplete") -> None:
        self.partial = True
        if self.budget.shed:
            note = note.replace("the search took too long", "the server is busy with other long searches")
        if note not in self.notes:
            self.notes.append(note)

    def out_of_time_counting(self) -> None:
        """Matching stopped: the documents found so far are not the answer."""
        self.counted = False
        self.out_of_time("the search took too long: the articles found could not all be counted, "
                         "so the total is not the number of matching articles")

    def filter_docs(self, parsed):
        """Documents allowed by the filters typed in the query, or None for all."""
        if parsed.filter is None:
            return None
        return self.docs(parsed.filter)

    def docs(self, query) -> set:
        return self.evaluate(query).ids

    def evaluate(self, query) -> Match:
        """The documents matching ``query`` and the terms that score them."""
        if self.stats.usable:
            try:
                return Evaluator(self.searcher, self.view, self.stats, self.deadline, self.budget).evaluate(query)
            except OutOfTime:
                self.out_of_time_counting()
                return Match(set())
        found = set()
        for count, docnum in enumerate(self.searcher.docs_for_query(query), 1):
            found.add(docnum)
            if not count & 0xFFF and time.perf_counter() > self.deadline:
                self.out_of_time_counting()
                break
        return Match(found)

    def matching(self, parsed, base):
        """Documents matching the query and the typed filters (kept for ranking)."""
        if parsed.query is None:
            return set(base) if base is not None else set(self.view.live)
        match = self.evaluate(parsed.query)
        self.match = match
        found = match.ids
        return set(found) & base if base is not None else set(found)

    def filter_sets(self, wanted: dict) -> dict:
        view = self.view
        return {
            "source": view.docs_any("source", wanted["source"]),
            "category": view.docs_any("category", wanted["category"]),
            "month": view.docs_between(*wanted["date"]),
        }

    def select(self, matched, wanted: dict):
        sets = self.filter_sets(wanted)
        return intersect(matched, *sets.values())

    def facets(self, matched, wanted: dict) -> dict:
        """Counts per facet; a facet's own filter is left out of its counts, so a
        user can see (and add) the other sources while one is selected."""
        sets = self.filter_sets(wanted)
        counts = {}
        for name in FACET_FIELDS:
            others = [s for other, s in sets.items() if other != name]
            counts[name] = self.view.count(name, intersect(matched, *others))
        return counts

    def rank(self, parsed, selected, depth: int, recency: bool) -> list[tuple[int, float]]:
        if not selected:
            return []
        wanted = depth
        if recency:
            from search.retrieval.recency import CANDIDATE_FACTOR

            depth = min(MAX_DEPTH, depth * CANDIDATE_FACTOR)
        if self.stats.usable and self.match is not None:
            try:
                scores = score(self.match, selected, self.stats, self.deadline, self.budget)
            except OutOfTime:
                self.out_of_time("the search took too long: results are not ranked by relevance")
                return [(n, 0.0) for n in self.view.newest(selected, wanted)]
            ranked = top(scores, max(depth, WRITTEN_FORM_DEPTH))
            if not self.budget.expired():
                ranked = self.prefer_written_forms(parsed, ranked)
            ranked = ranked[:depth]
        else:
            ranked = self.whoosh_rank(parsed, selected, depth)
        if recency:
            from search.retrieval.recency import boost

            ranked = boost(ranked, self.view)[:wanted]
        return ranked

    def prefer_written_forms(self, parsed, ranked: list) -> list:
        """Among the best ``WRITTEN_FORM_DEPTH`` results, lift those whose title
        or lede holds the query's words as typed.

        Stemming makes ``menilai`` and ``nilai`` one term, which finds more,
        but a story that uses the reader's own words is the likelier target.
        The ``spell`` field already lists each article's written words (title
        and lede), so each word costs a postings lookup. Each word found adds
        its idf in that field times ``WRITTEN_FORM_WEIGHT``: a rare form
        (``berlayar``) says more than a common one (``akan``), as in BM25.
        The weight was chosen on the eval sets of ../shared/eval (see
        docs/benchmarks.md). Scores only rise and only in the head, so pages
        stay consistent.
        """
        reader = self.searcher.reader()
        if SPELL_FIELD not in reader.schema or not WRITTEN_FORM_WEIGHT:
            return ranked
        words = {w.text.lower() for w in parsed.words}
        words = [w for w in words if SPELL_WORD.fullmatch(w)]
        if not words:
            return ranked
        docs = reader.doc_count()
        postings = [self.stats.postings(reader, SPELL_FIELD, w) for w in words]
        # A word's document frequency is its postings' length: no second lookup.
        weighted = [(WRITTEN_FORM_WEIGHT * bm25_idf(docs, len(found)), found) for found in postings if found]
        head = [(d, s + sum(weight for weight, found in weighted if d in found))
                for d, s in ranked[:WRITTEN_FORM_DEPTH]]
        head.sort(key=lambda item: (-item[1], item[0]))
        return head + ranked[WRITTEN_FORM_DEPTH:]

    def whoosh_rank(self, parsed, selected, depth: int) -> list[tuple[int, float]]:
        """Whoosh's own collector, for a weighting model scoring.py does not mirror."""
        top_collector = collectors.TopCollector(depth, usequality=True)
        timed = BoundedCollector(top_collector, selected, self.deadline)
        try:
            self.searcher.search_with_collector(parsed.query, timed)
        except collectors.TimeLimit:
            self.out_of_time()
        return [(hit.docnum, hit.score) for hit in timed.results()]


class BoundedCollector(collectors.WrappingCollector):
    """Lets through only the allowed documents and stops at the deadline.

    Whoosh's FilterCollector and TimeLimitCollector do not stack (the time
    limit iterates the child's raw matches, skipping the filter), and the time
    limit starts a timer thread per query; one loop does both here.
    """

    CHECK_EVERY = 512

    def __init__(self, child, allow, deadline: float):
        self.child = child
        self.allow = allow
        self.deadline = deadline

    def collect_matches(self):
        child = self.child
        allow = self.allow
        offset = child.offset
        clock = time.perf_counter
        for count, sub_docnum in enumerate(child.matches(), 1):
            if offset + sub_docnum in allow:
                child.collect(sub_docnum)
            if not count % self.CHECK_EVERY and clock() > self.deadline:
                raise collectors.TimeLimit

    def results(self):
        return self.child.results()


def clean_query(q) -> str:
    from search.retrieval.query import clean_text

    return clean_text(q)


def check_paging(page, per_page) -> tuple[int, int]:
    try:
        page, per_page = int(page), int(per_page)
    except (TypeError, ValueError, OverflowError):
        raise QueryError("page and per_page must be whole numbers", "bad_page") from None
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE}", "bad_page")
    if not 1 <= page <= MAX_PAGE:
        raise QueryError(f"page must be between 1 and {MAX_PAGE}", "bad_page")
    if page * per_page > MAX_DEPTH:
        raise QueryError(f"only the first {MAX_DEPTH} results can be paged through: refine the query",
                         "page_too_deep")
    return page, per_page
