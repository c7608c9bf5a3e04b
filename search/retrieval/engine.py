"""Run queries against an index and return plain dataclasses (``results.py``).

An ``Engine`` belongs to one index directory and may be shared by threads. A
Whoosh ``Searcher`` is not thread-safe, so each thread gets its own, reused
while the index has not changed and replaced (the old one closed) when it has.
What can be shared (column arrays for facets and filters, scoring statistics,
the spelling and autocomplete vocabularies) is a ``Generation``, built once
per index generation.

One search, in order (the steps are ``run.Run``'s): parse (every word must
match) → the matching document set (for the total and the facets;
``scoring.py``) → when it is empty, the spelling correction if a word is
unknown, else OR → filters and facet counts (``facets.py``) → the top of the
page, ranked by BM25F or by date → snippets for the page's hits only
(``highlight.py``). Only the first ``MAX_RANKED`` results are ranked: a page
past them has no hits, its total still counts every match, and a note says
why.
"""
from __future__ import annotations

import gc
import html
import re
import threading
import time
from dataclasses import replace
from pathlib import Path

from search.analysis import synonyms
from search.columns import check_columns
from search.errors import QueryError
from search.retrieval.facets import ColumnView
from search.retrieval.head_texts import HeadTexts, KeptAnalyses
from search.retrieval.highlight import SNIPPET_CHARS, Highlighter, Marking, clip
from search.retrieval.kept import keep
from search.retrieval.query import Budget, clean_text, normalize_filters, parse_query
from search.retrieval.live import live_reader
from search.retrieval.related import related_docs
from search.retrieval.result_cache import ResultCache
from search.retrieval.results import SORTS, Hit, SearchResults
from search.retrieval.run import Run, SearchRequest
from search.retrieval.spelling import Words
from search.retrieval.stories import arrange, groups_of, ranking_depth
from search.retrieval.timeline import timeline
from search.retrieval.suggest import Vocabulary, suggest
from search.settings import default as default_setting
from search.store import live_dir, open_index, read_meta
from search.retrieval.phrases import warm as warm_phrases
from search.retrieval.scoring import WARM_MIN_DF, Evaluator, OutOfTime, Stats, rank_query

__all__ = ["Engine", "Generation", "Hit", "SearchResults", "SORTS", "MAX_PAGE", "MAX_PER_PAGE", "MAX_RANKED"]

MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_RANKED = 1000           # results ranked per query: a page past them has no hits
TIME_LIMIT = 2.0            # seconds per query: parsing, expansion, spelling, matching, ranking, snippets
MAX_LIMIT = 50              # most related stories or suggestions one call returns
STORED_CACHE_LIMIT = 2048   # documents whose stored fields are kept: hits shown, head documents read as text


def strip_marks(snippet: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", snippet))


def iso_date(value) -> str | None:
    return value.isoformat() if value is not None else None


def plain_excerpt(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of ``text`` cut between words (not escaped)."""
    return clip(" ".join(text.split()), [], limit)


def clamp_limit(limit, default: int) -> int:
    """A caller's ``limit`` as a whole number in 0..MAX_LIMIT (``default`` when it is not a number)."""
    try:
        return max(0, min(int(limit), MAX_LIMIT))
    except (TypeError, ValueError, OverflowError):
        return default


class Generation:
    """What one index generation shares between searches and threads.

    ``view`` (column arrays) and ``stats`` (scoring statistics) are built
    with it; the spelling ``words`` and the autocomplete ``vocabulary`` on
    first use. Each is built once; a commit makes a new generation.
    """

    def __init__(self, number, view: ColumnView, stats: Stats):
        self.number = number
        self.view = view
        self.stats = stats
        self._words: Words | None = None
        self._vocabulary: Vocabulary | None = None
        self._lock = threading.Lock()

    def words(self, reader) -> Words:
        """The ``spell`` field's vocabulary (spelling.Words), from ``reader`` of this generation."""
        if self._words is None:
            with self._lock:
                if self._words is None:
                    self._words = Words(reader, self.stats.live)
        return self._words

    def vocabulary(self, reader) -> Vocabulary:
        """Words and titles for autocomplete (suggest.Vocabulary)."""
        if self._vocabulary is None:
            words = self.words(reader)
            with self._lock:
                if self._vocabulary is None:
                    self._vocabulary = Vocabulary(reader, words)
        return self._vocabulary


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
        self._generation: Generation | None = None
        self._building = threading.Lock()
        self.results = ResultCache(result_cache_size)   # 0: off (CARI_RESULT_CACHE for the web app)
        # (index generation, document number) -> stored fields, oldest first:
        # a hit's fields cost a block's decompression (search/codec.py).
        self._stored: dict[tuple, dict] = {}
        self._analyses = KeptAnalyses()         # the head's documents analysed as text (head_texts.py)
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

    def generation(self, searcher, background: bool | None = None) -> Generation:
        """The shared caches of the searcher's index generation (built once).

        ``background``: warm the new generation's postings in a thread of
        its own (default: ``background_warm``)."""
        reader = searcher.reader()
        number = reader.generation()
        current = self._generation
        if current is not None and current.number == number:
            return current
        with self._building:            # one thread builds it; the others wait and share it
            current = self._generation
            if current is None or current.number != number:
                view = ColumnView(reader)
                warm = self.background_warm if background is None else background
                stats = self.new_stats(searcher, view) if warm else Stats(searcher, view)
                current = Generation(number, view, stats)
                self._generation = current      # older generations are no longer searched
        return current

    def new_stats(self, searcher, view) -> Stats:
        """Scoring statistics for a new index generation; its frequent terms'
        postings are decoded in the background, with a reader of its own
        (a reader is not shared between threads)."""
        stats = Stats(searcher, view)
        if searcher.reader().doc_count_all() < WARM_MIN_DF:
            return stats                    # no posting list long enough to matter
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
            self._generation = None
            self._stored.clear()
            self._analyses = KeptAnalyses()
        self.results.clear()

    # -- search -------------------------------------------------------------------------
    def search(self, q, page=1, per_page=10, highlight: bool = True, sort: str = "relevance",
               filters: dict | None = None, facets: bool = True, group: bool = False,
               diverse: bool = False) -> SearchResults:
        """One page of results for ``q``. Only the first ``MAX_RANKED`` results
        are ranked: a page past them has no hits (``total`` still counts every
        match, and ``notes`` says why)."""
        started = time.perf_counter()
        request = make_request(q, page, per_page, highlight, sort, filters, facets, group, diverse)
        searcher = self.searcher()
        generation = self.generation(searcher)
        # The user's synonym file (CARI_SYNONYMS) changes what a query finds
        # without a new index generation: its stamp is part of the key.
        key = (request.cache_key(generation.number), synonyms.SOURCE.stamp())
        results = self.results.get(key)
        if results is not None:
            results.terms = list(results.terms)     # the caller's own list, as for hits and notes
        else:
            results = self._search(request, searcher, generation)
            self.results.put(key, replace(results, terms=list(results.terms)))
        results.took_ms = round((time.perf_counter() - started) * 1000, 2)
        return results

    def first_results(self, q, limit: int, sort: str = "relevance", filters: dict | None = None,
                      group: bool = False, diverse: bool = False) -> SearchResults:
        """The first ``limit`` results (at most MAX_RANKED) in one search, no
        snippets, no facets: what an export lists. The results of the pages
        of ``search`` one after the other, in their order (stories.py
        arranges a longer ranking with the same prefix), ranked once where
        paging ``MAX_PER_PAGE`` at a time ranked every earlier page again;
        and with grouping, paging stops at a page that collapsed duplicates
        left short, this does not."""
        request = replace(make_request(q, 1, 1, False, sort, filters, False, group, diverse),
                          per_page=max(1, min(int(limit), MAX_RANKED)))
        started = time.perf_counter()
        searcher = self.searcher()
        results = self._search(request, searcher, self.generation(searcher))
        results.took_ms = round((time.perf_counter() - started) * 1000, 2)
        return results

    def _search(self, request: SearchRequest, searcher, generation: Generation) -> SearchResults:
        # The clock starts once this generation's caches exist (the first query
        # after an index change builds them); from here every stage draws on
        # the one budget, and only a per-generation vocabulary built on first
        # use (Budget.excuse) is not counted.
        budget = self._budget(searcher, generation)
        run = Run(searcher, generation, self.analyzer, budget, self.head_texts(searcher))
        try:
            return self._run(request, run)
        finally:
            budget.release()

    def _budget(self, searcher, generation: Generation) -> Budget:
        """A request's time budget (query.Budget), from now on."""
        reader = searcher.reader()
        return Budget(TIME_LIMIT, vocabulary=lambda: generation.words(reader), gate=self.heavy_gate)

    def _run(self, request: SearchRequest, run: Run) -> SearchResults:
        found = run.resolve(request.q, request.filters if request.sort == "relevance" else None)
        parsed = found.parsed
        selected = run.narrow(found.matched, request.filters)
        # The tail (articles holding half the words or more) ranks after every
        # all-words article, by relevance only: "newest" lists all-words articles.
        tail = found.tail if request.sort == "relevance" else None
        tail_selected = run.narrow(tail.docs, request.filters) if tail is not None else set()
        # Disjoint parts, counted without building their union (docsets.Parts).
        listed = run.union(selected, tail_selected)
        matched = run.union(found.matched, tail.docs) if tail is not None else run.union(found.matched)
        facet_counts = run.facets(matched, request.filters) if request.facets else {}
        # When the matches were published (timeline.py), under every filter but the dates.
        periods = timeline(run.view.dates, run.narrow(matched, dict(request.filters, date=(None, None)))
                           or ()) if request.facets else None
        depth = min(ranking_depth(request), MAX_RANKED)    # deeper for stories.py
        if request.first >= depth:
            ranked = []                 # past the ranked results: nothing to rank
        elif request.sort == "newest" or not parsed.has_text:
            ranked = [(n, 0.0) for n in run.view.newest(selected, depth)]
        else:
            ranked = run.rank(parsed, selected, depth)
            if tail_selected and len(ranked) < depth:   # only a page that reaches the tail ranks it
                ranked += run.rank_tail(tail, tail_selected, depth - len(ranked))
        if request.depth > MAX_RANKED and len(listed) > MAX_RANKED:
            run.notes.append(f"only the first {MAX_RANKED} results are ranked and can be paged through: "
                             "refine the query to see the others")
        # Near-duplicates under their leader, publishers spread (search/retrieval/stories.py).
        stories = arrange(ranked, run.budget.excuse(groups_of, run.searcher.reader(), run.view),
                          run.view.columns["source"], request, listed)[request.first:min(request.depth, MAX_RANKED)]
        page_docs = [(story.docnum, story.score) for story in stories]
        marking = Marking.of(parsed)        # a phrase's words marked only together, as searched
        forms = self.highlighter.forms(marking) if request.highlight and page_docs else None
        hits = []
        for n, score in page_docs:
            if forms is not None and run.budget.expired():
                run.out_of_time("the search took too long: snippets are not marked")
                forms = None
            hits.append(self.hit(run.searcher, n, score, forms, all_words=n not in tail_selected))
        for hit, story in zip(hits, stories):
            hit.group, hit.similar = story.group, [run.view.ids[m] for m in story.similar]
        total, total_all_words, total_some_words = run.totals(len(selected), len(tail_selected))
        return SearchResults(
            query=clean_text(request.q), total=total, page=request.page,
            per_page=request.per_page, took_ms=0.0, hits=hits, partial=parsed.partial or run.partial,
            correction=found.correction, matched_all=found.matched_all, facets=facet_counts,
            sort=request.sort, corrected=found.corrected,
            notes=list(dict.fromkeys(list(parsed.notes) + run.notes)),
            total_exact=run.counted and not parsed.cut_short, terms=sorted(parsed.terms),
            marking=marking,
            total_all_words=total_all_words, total_some_words=total_some_words,
            timeline=periods,
        )

    def parse(self, q, searcher, match_all: bool = True, budget: Budget | None = None):
        """``budget``: the request's, shared by its reparses (see query.Budget)."""
        reader = live_reader(searcher.reader(), self.generation(searcher).stats.live)
        return parse_query(q, reader, self.schema, self.analyzer, match_all=match_all, budget=budget)

    def query_terms(self, q: str) -> set[str]:
        """The analysed terms a search for ``q`` matches on (what to mark in a
        text), without searching: no negated words, no filters; prefixes
        stand for their expansions. Empty when ``q`` has nothing to search."""
        parsed = self._parsed_alone(q)
        return set(parsed.terms) if parsed is not None else set()

    def query_marking(self, q: str) -> Marking:
        """How a text is marked for a search for ``q`` (highlight.Marking): the
        terms of ``query_terms``, those of a phrase (quoted, a multi-word
        synonym) only where its words stand together."""
        parsed = self._parsed_alone(q)
        return Marking.of(parsed) if parsed is not None else Marking()

    def _parsed_alone(self, q: str):
        """``q`` parsed without searching; None when it has nothing to search."""
        searcher = self.searcher()
        budget = self._budget(searcher, self.generation(searcher))
        try:
            return self.parse(q, searcher, budget=budget)
        except QueryError:
            return None
        finally:
            budget.release()

    def hit(self, searcher, docnum: int, score: float, forms=None, all_words: bool = True) -> Hit:
        """One result; ``forms`` (the query's terms, see highlight.Forms) marks
        the snippet; ``all_words``: False for a partial match (tail.py)."""
        fields = self.stored_fields(searcher, docnum)
        body = fields.get("body", "")
        snippet = ""
        if forms is not None:
            snippet, _ = self.highlighter.snippet(body, forms.marking, forms=forms)
        if not snippet:
            snippet = "" if not body else html.escape(plain_excerpt(body))
        return Hit(
            id=fields["id"], title=fields.get("title", ""), url=fields.get("url", "") or "",
            source=fields.get("source", ""), category=fields.get("category", ""),
            date=iso_date(fields.get("date")), score=round(float(score or 0.0), 4),
            snippet=snippet, snippet_text=strip_marks(snippet), all_words=all_words,
        )

    def head_texts(self, searcher) -> HeadTexts:
        """The head's documents read as text for one search (head_texts.py),
        through the stored fields kept for the page's hits."""
        generation = searcher.reader().generation()
        kept = self._analyses
        if kept.generation != generation:
            kept = self._analyses = KeptAnalyses(generation)
        return HeadTexts(searcher.schema, lambda docnum: self.stored_fields(searcher, docnum),
                         lambda docnum: (generation, docnum) in self._stored, kept)

    def stored_fields(self, searcher, docnum: int) -> dict:
        """The document's stored fields (a dict shared with other requests: read only)."""
        key = (searcher.reader().generation(), docnum)
        fields = self._stored.get(key)
        if fields is None:
            fields = searcher.stored_fields(docnum)
            keep(self._stored, self._lock, STORED_CACHE_LIMIT, key, fields)
        return fields

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
        """Up to ``limit`` (at most MAX_LIMIT) stories like the article, best first."""
        searcher = self.searcher()
        generation = self.generation(searcher)
        stats, rank = generation.stats, None
        if stats.usable:
            deadline = time.perf_counter() + TIME_LIMIT

            def rank(query, depth, excluded):
                try:
                    return rank_query(searcher, generation.view, stats, query, depth, excluded, deadline)
                except OutOfTime:
                    return []           # no related stories rather than a page held up
        found = related_docs(searcher, self.analyzer, article_id, clamp_limit(limit, 5), stats.live,
                             rank=rank, stored_fields=lambda n: self.stored_fields(searcher, n))
        return [self.hit(searcher, n, score, None) for n, score in found]

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Up to ``limit`` (at most MAX_LIMIT) completions of what the user has typed."""
        searcher = self.searcher()
        return suggest(self.generation(searcher).vocabulary(searcher.reader()), prefix, clamp_limit(limit, 8))

    def article_titled(self, title: str) -> str | None:
        """The id of the live article titled ``title`` (in any case and
        spacing), or None: what autocomplete's headlines open."""
        searcher = self.searcher()
        docnum = self.generation(searcher).vocabulary(searcher.reader()).article_titled(title)
        return None if docnum is None else self.stored_fields(searcher, docnum)["id"]

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

    def warm(self, settle: bool = False) -> None:
        """Build this generation's caches now (columns, norms, autocomplete
        lists) rather than in the first request; call it after forking.

        ``settle``: then collect the garbage and freeze what is left
        (``gc.freeze``), as a worker process does once warmed: the caches
        just built (at 16x clickid about 290,000 objects the collector
        tracks) are no longer scanned by each full collection, which took
        166-198 ms of a request's time whenever one fell due. A process that opens and drops
        engines (tests) leaves it off: frozen objects are never freed."""
        searcher = self.searcher()
        reader = searcher.reader()
        generation = self.generation(searcher, background=False)
        if not generation.stats.warmed:
            generation.stats.warm(reader)
            if generation.stats.usable:     # the synonym phrases of common words (phrases.warm)
                evaluator = Evaluator(searcher, generation.view, generation.stats, float("inf"))
                warm_phrases(evaluator, synonyms.synonyms_for(self.analyzer).phrases())
        generation.vocabulary(reader)
        groups_of(reader, generation.view)          # near-duplicate stories (stories.py)
        words = generation.words(reader)
        words.deletes()
        # The written words of titles and ledes, as they start and continue
        # sentences: most words a snippet meets are then analysed already.
        self.highlighter.learn({form for w in words.words for form in (w, w.capitalize())})
        if settle:
            gc.collect()
            gc.freeze()

    def healthy(self) -> bool:
        """The index is open and answers a query."""
        try:
            searcher = self.searcher()
            # The first live article read, then found again by its id (the
            # terms and postings); a search of every article cost 14 ms a
            # probe at 23k articles.
            first = next(iter(searcher.reader().all_doc_ids()), None)
            if first is None:
                return True         # an empty index is open and answers
            article_id = searcher.stored_fields(first)["id"]
            return searcher.document_number(id=article_id) is not None
        except Exception:  # health checks report, they do not raise
            return False


def make_request(q, page, per_page, highlight, sort, filters, facets, group=False,
                 diverse=False) -> SearchRequest:
    """The request, checked: QueryError (``bad_page``, ``bad_sort``, ``bad_filter``) for the user."""
    try:
        page, per_page = int(page), int(per_page)
    except (TypeError, ValueError, OverflowError):
        raise QueryError("page and per_page must be whole numbers", "bad_page") from None
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE}", "bad_page")
    if not 1 <= page <= MAX_PAGE:
        raise QueryError(f"page must be between 1 and {MAX_PAGE}", "bad_page")
    if sort not in SORTS:
        raise QueryError(f"sort must be one of: {', '.join(SORTS)}", "bad_sort")
    return SearchRequest(q=q, page=page, per_page=per_page, highlight=bool(highlight), sort=sort,
                         filters=normalize_filters(filters), facets=bool(facets), group=bool(group),
                         diverse=bool(diverse))
