"""One search, step by step: the request, its run, and how the query was resolved.

``SearchRequest`` is what was asked (checked and normalised once).
``Run`` holds the state of one search (its searcher, the index generation's
shared caches, the time budget, the partial flag and notes) and does the
steps the engine calls in order:

1. :meth:`Run.resolve`: the query to show results for and its matching
   documents (every word; when nothing matches, the spelling correction if a
   word is unknown, then any word), as a :class:`Resolution`;
2. :meth:`Run.narrow`: those documents that pass the request's filters;
3. :meth:`Run.facets`: counts per facet;
4. :meth:`Run.rank`: the top ``depth`` of them, by BM25F (``scoring.py``)
   with the written-form preference, or Whoosh's collector when the
   weighting is not one ``scoring.py`` mirrors.
"""
from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

import numpy as np
from whoosh import collectors
from whoosh import query as wq

from search.fields import SPELL_FIELD, WORD_PATTERN
from search.retrieval.expansion import is_spelling, weight_of_kind
from search.retrieval.docsets import CONVERT_NS, MASK_NS, SET_STEP_NS, Ascending, Parts, as_index, doc_array
from search.retrieval.facets import intersect
from search.retrieval.head_texts import HeadTexts, holding_each
from search.retrieval.live import live_reader
from search.retrieval.proximity import Titles, boost_phrases, postings_at_hand, typed_pairs
from search.retrieval.query import Budget, ParsedQuery, parse_query
from search.retrieval.results import FACET_NAMES
from search.retrieval.scoring import MAX_COMBINATIONS, SCORED_FIELDS, Evaluator, Leaf, Match, OutOfTime, best, documents
from search.retrieval.spelling import correct_query
from search.retrieval.tail import Tail, all_informative, all_rare, min_should_match, tail_array, tail_docs

# Articles counted exactly (as Elasticsearch's track_total_hits): when more
# than this many hold every word and pass the filters, those holding only
# some of the words (tail.py) are neither found nor counted, since no page
# reaches them (MAX_RANKED is lower), and the total says "more than
# TOTAL_EXACT". A query of one clause or of rare words has no tail: its
# total is always exact.
TOTAL_EXACT = 10_000
WRITTEN_FORM_DEPTH = 50     # results re-ranked by the query's written words (prefer_written_forms)
WRITTEN_FORM_WEIGHT = 4.0   # score added per unit of idf of a query word the title/lede holds as typed
SPELL_WORD = re.compile(WORD_PATTERN)


@dataclass(frozen=True)
class SearchRequest:
    """One search as asked, already checked (``Engine.search`` builds it)."""

    q: object                   # the text as given (cleaned and parsed by the run)
    page: int
    per_page: int
    highlight: bool
    sort: str
    filters: dict               # query.normalize_filters' shape
    facets: bool
    group: bool = False         # near-duplicates under their best-ranked article (stories.py)
    diverse: bool = False       # no publisher over half the first page when others match as well

    @property
    def depth(self) -> int:
        """Results ranked to show this page: every one up to its last."""
        return self.page * self.per_page

    @property
    def first(self) -> int:
        """The index, in the ranking, of the page's first hit."""
        return (self.page - 1) * self.per_page

    def cache_key(self, generation: int) -> tuple:
        """What the results depend on: the request and the index generation."""
        return (generation, self.q if isinstance(self.q, str) else repr(self.q), self.page, self.per_page,
                self.highlight, self.sort, repr(sorted(self.filters.items())), self.facets,
                self.group, self.diverse)


@dataclass
class Resolution:
    """The query the results are for, and its matching documents."""

    parsed: ParsedQuery
    matched: set
    matched_all: bool = True            # False: no document had every word; these have any
    correction: str | None = None       # a spelling correction to offer ("Maksud Anda")
    corrected: bool = False             # the results are for ``correction``, not the typed text
    tail: Tail | None = None            # articles holding some of the words, not all (tail.py)


def bm25_idf(docs: int, df: int) -> float:
    """BM25's idf (never negative): how much finding a word in a document says."""
    return math.log(1 + (docs - df + 0.5) / (df + 0.5))


def written_spellings(parsed, words: list[str]) -> list[dict[str, float]]:
    """Per typed word, its written spellings and their weights: the word
    itself (1) and the variants and near spellings searched beside it."""
    groups = {w: {w: 1.0} for w in words}
    for alt in parsed.expansions:
        spelling = alt.text.lower()
        if is_spelling(alt) and alt.typed.lower() in groups and SPELL_WORD.fullmatch(spelling):
            groups[alt.typed.lower()].setdefault(spelling, weight_of_kind(alt.kind))
    return list(groups.values())


class Run:
    """The state of one search: searcher, shared caches, budget, partial flag, notes.

    ``generation`` is the engine's per-index-generation object (``view``,
    ``stats``, ``words(reader)``); ``analyzer`` the body analyzer;
    ``texts`` the head's documents read as text (head_texts.py).
    """

    def __init__(self, searcher, generation, analyzer, budget: Budget | None = None,
                 texts: HeadTexts | None = None):
        self.searcher = searcher
        self.texts = texts                  # the head's documents read as text, when that costs less
        # Term statistics of the live documents only (search/retrieval/live.py).
        self.reader = live_reader(searcher.reader(), generation.stats.live)
        self.generation = generation
        self.view = generation.view
        self.stats = generation.stats
        self.analyzer = analyzer
        self.budget = budget if budget is not None else Budget()
        self.match: Match | None = None     # the last query's matches and scoring terms, for rank()
        self.clauses = None                 # its clauses' matches and the excluded documents, for the tail
        self.partial = False
        self.counted = True                 # False: the total is a lower bound (out of time, or TOTAL_EXACT)
        self.bounded = False                # True: past TOTAL_EXACT, the tail was not counted
        self.notes: list[str] = []
        self._terms_union = None            # the matched set that is the union of self.match's terms' lists
        self._arrays: dict[int, tuple] = {}     # id(set) -> (set, its array): one conversion a request
        self._narrowed: dict[tuple, tuple] = {}     # (id(docs), filters) -> (docs, narrowed)
        self._filter_sets: dict[tuple, frozenset] = {}

    # -- time -----------------------------------------------------------------------------
    def out_of_time(self, note: str = "the search took too long: results are incomplete") -> None:
        self.partial = True
        if self.budget.shed:
            note = note.replace("the search took too long", "the server is busy with other long searches")
        if note not in self.notes:
            self.notes.append(note)

    def _out_of_time_counting(self) -> None:
        """Matching stopped: the documents found so far are not the answer."""
        self.counted = False
        self.out_of_time("the search took too long: the articles found could not all be counted, "
                         "so the total is not the number of matching articles")

    # -- 1. resolve ---------------------------------------------------------------------------
    def parse(self, q, match_all: bool = True) -> ParsedQuery:
        return parse_query(q, self.reader, self.reader.schema, self.analyzer, match_all=match_all,
                           budget=self.budget)

    def resolve(self, q, filters: dict | None = None) -> Resolution:
        """Every word first; when nothing matches, the spelling correction (if a
        word is unknown), then any word. ``filters``: the request's, when its
        results list the tail (relevance order): past TOTAL_EXACT articles
        holding every word under them, the tail is left out (``bounded``)."""
        budget = self.budget
        parsed = self.parse(q)
        allowed = self._allowed(parsed)
        matched = self._find(parsed, allowed)
        tail = self._tail(parsed, matched, allowed, filters)
        if matched or not parsed.has_text:
            correction = self._correct(parsed, force=False) if parsed.has_text else None
            return Resolution(parsed, matched, correction=correction, tail=tail)
        if not self.counted or budget.expired():
            return Resolution(parsed, matched, tail=tail)          # no time for retries
        correction = self._correct(parsed, force=True)
        if tail is not None and correction is None:
            return Resolution(parsed, matched, tail=tail)  # some of the words, no typo to fix
        if correction is not None:
            for match_all in (True, False):
                fixed = self.parse(correction, match_all=match_all)
                fixed_matched = self._find(fixed, allowed)
                if fixed_matched:
                    return Resolution(fixed, fixed_matched, match_all, correction, corrected=True)
        if parsed.positives > 1 and not budget.expired():
            loose = self.parse(q, match_all=False)
            loose_matched = self._find(loose, allowed)
            if loose_matched:
                return Resolution(loose, loose_matched, matched_all=False, correction=correction)
        return Resolution(parsed, matched, correction=correction)

    def _tail(self, parsed, matched: set, allowed, filters: dict | None = None) -> Tail | None:
        """The articles holding at least half of the query's words but not all
        (tail.py), or None: a query of one clause, of rare words only, out of
        time, or with more than TOTAL_EXACT articles holding every word under
        the request's ``filters`` (the total is then a lower bound)."""
        if self.clauses is None or not self.counted:
            return None
        clauses, excluded = self.clauses
        if min_should_match(len(clauses)) >= len(clauses) or all_rare(clauses, len(self.view.live)):
            return None
        if filters is not None and len(self.narrow(matched, filters)) > TOTAL_EXACT:
            self.bounded, self.counted = True, False
            return None
        least = min_should_match(len(clauses))
        queries = [c for c in parsed.query.subqueries if not isinstance(c, wq.Not)]
        size = self.view.doc_count_all
        sources = ([self._clause_sources(q, c) for q, c in zip(queries, clauses)]
                   if self.stats.usable and len(queries) == len(clauses) else None)
        unsets = sum(len(c.ids) for c in clauses if not isinstance(c.ids, (set, frozenset)))
        if sources is not None and arrays_pay(sources, [len(c.ids) for c in clauses], least, size, unsets):
            arrays = [[self._source_array(source) for source in parts] for parts in sources]
            found = tail_array(arrays, least, self.array(matched), doc_array(excluded), size)
            if allowed is not None and len(found):
                inside = np.zeros(size, dtype=bool)
                inside[self.array(allowed)] = True
                found = found[inside[found]]
            docs = Ascending(found)
        else:
            arrays = None
            sets = [c.ids if isinstance(c.ids, (set, frozenset)) else set(c.ids) for c in clauses]
            docs = tail_docs(sets, least, matched, excluded)
            if allowed is not None:
                docs &= allowed
        return Tail(clauses, docs, arrays, size) if docs else None

    def _clause_sources(self, query, clause: Match) -> list:
        """What a clause's documents are made an array from: its terms (a
        pinned or held term's array is at hand, Stats.arrays; another's list
        is converted) when the clause is exactly their union and the lists to
        convert are fewer documents than its set, else its set."""
        if terms_only(query):
            sources = self.leaf_sources(clause.leaves)
            if sum(len(s) for s in sources if not isinstance(s, Leaf)) < len(clause.ids):
                return sources
        return [clause.ids]

    def leaf_sources(self, leaves) -> list:
        """Each leaf itself when its array is at hand (Stats.has_arrays), else its postings' documents."""
        return [leaf if self.stats.has_arrays(leaf) else leaf.postings.keys() for leaf in leaves]

    def _source_array(self, source) -> np.ndarray:
        return self.stats.arrays(source)[0] if isinstance(source, Leaf) else doc_array(source)

    def _evaluator(self) -> Evaluator:
        return Evaluator(self.searcher, self.view, self.stats, self.budget.deadline, self.budget)

    def _correct(self, parsed, force: bool) -> str | None:
        """``force``: the query found nothing, correct any unknown word; else
        only a "did you mean" for a rare word beside a far commoner one."""
        raw = self.searcher.reader()     # the postings cache reads through the searcher's own reader
        return correct_query(parsed, self.reader, self.analyzer, lambda: self.generation.words(self.reader),
                             force=force, budget=self.budget,
                             body_docs=(lambda term: documents(self.stats.postings(raw, "body", term)))
                             if self.stats.usable else None)

    def _allowed(self, parsed) -> set | None:
        """Documents the filters typed in the query allow, or None for all."""
        if parsed.filter is None:
            return None
        return self._match(parsed.filter).ids

    def _find(self, parsed, allowed) -> set:
        """Documents matching the query within ``allowed`` (its matches are
        kept for ranking, and its clauses' for the tail)."""
        self.clauses = None
        self._terms_union = None
        if parsed.query is None:
            return set(allowed) if allowed is not None else set(self.view.live)
        if min_should_match(parsed.positives) < parsed.positives and self.stats.usable:
            self.match = self._match(parsed.query, by_clause=True)
        else:
            self.match = self._match(parsed.query)
        found = self.match.ids
        if not isinstance(found, (set, frozenset)):
            found = set(found)          # a postings dict's keys
        if allowed is not None:
            return found & allowed
        # Not copied: no step changes a match set.
        if self.stats.usable and terms_only(parsed.query):
            self._terms_union = found
        return found

    def _match(self, query, by_clause: bool = False) -> Match:
        """The documents matching a Whoosh ``query`` and the terms that score
        them. ``by_clause``: keep each clause's matches too (``self.clauses``)."""
        if self.stats.usable:
            try:
                evaluator = self._evaluator()
                found = evaluator.clauses(query, min_should_match) if by_clause else None
                if found is None:
                    return evaluator.evaluate(query)
                self.clauses = found
                return all_informative(*found, self.view.live, len(self.view.live))
            except OutOfTime:
                self._out_of_time_counting()
                return Match(set())
        found = set()
        for count, docnum in enumerate(self.searcher.docs_for_query(query), 1):
            found.add(docnum)
            if not count & 0xFFF and time.perf_counter() > self.budget.deadline:
                self._out_of_time_counting()
                break
        return Match(found)

    # -- 2, 3. filters and facets -------------------------------------------------------------
    def narrow(self, docs, filters: dict, leave_out: str | None = None):
        """The documents of ``docs`` (a set, :class:`Ascending` or
        :class:`Parts`) that pass the request's filters, but for the facet
        ``leave_out``'s. ``docs`` itself when none restricts; the same
        narrowed object for the same ``docs`` and filters within a request."""
        active = {name: value for name, value in filter_values(filters).items() if name != leave_out}
        if not active:
            return docs
        key = (id(docs), tuple(active.items()))
        found = self._narrowed.get(key)
        if found is None or found[0] is not docs:
            found = self._narrowed[key] = (docs, self._narrow(docs, active))
        return found[1]

    def _narrow(self, docs, active: dict):
        view = self.view
        if isinstance(docs, Parts):
            return Parts([self._narrow(part, active) for part in docs.parts], self.array)
        if isinstance(docs, Ascending):
            ids = docs.array
            keep = np.ones(len(ids), dtype=bool)
            for name, value in active.items():
                keep &= view.keep_between(*value, ids) if name == "month" else view.keep_any(name, value, ids)
            return Ascending(ids[keep])
        sets = [self._filter_set(name, value) for name, value in active.items() if name != "month"]
        narrowed = intersect(docs, *sets) if sets else docs
        if "month" in active:
            # The dates' order gives a mask: no set of every article in the
            # range is built (at 16x, half the archive: about 8 ms each time).
            ids = self.array(narrowed)
            narrowed = set(ids[view.keep_between(*active["month"], ids)].tolist())
        return narrowed

    def _filter_set(self, name: str, values: tuple) -> frozenset:
        """The documents whose ``name`` is one of ``values`` (ColumnView.docs_any), once a request."""
        key = (name, values)
        found = self._filter_sets.get(key)
        if found is None:
            found = self._filter_sets[key] = self.view.docs_any(name, values)
        return found

    def union(self, *parts) -> Parts:
        """The union of disjoint sets (the all-words and the tail articles), not built."""
        return Parts(parts, self.array)

    def array(self, docs) -> np.ndarray:
        """``docs`` as an array, converted once a request. The matched set of
        a query of terms under OR (one word: its title and body lists) is
        the union of their lists, as arrays, when most of its documents are
        in pinned or held terms' arrays."""
        if isinstance(docs, (np.ndarray, Ascending, Parts)):
            return doc_array(docs)
        found = self._arrays.get(id(docs))
        if found is None or found[0] is not docs:
            sources = self.leaf_sources(self.match.leaves) if docs is self._terms_union else None
            if sources is not None and sum(len(s) for s in sources if not isinstance(s, Leaf)) < len(docs):
                held = np.zeros(self.view.doc_count_all, dtype=bool)
                for source in sources:
                    held[as_index(self._source_array(source))] = True
                array = np.flatnonzero(held)
            else:
                array = doc_array(docs)
            found = self._arrays[id(docs)] = (docs, array)
        return found[1]

    def totals(self, all_words: int, some_words: int) -> tuple[int, int, int]:
        """``(total, of them with every word, with some)`` as answered: past
        TOTAL_EXACT the lower bound TOTAL_EXACT (``counted`` is then False)."""
        if self.bounded:
            return TOTAL_EXACT, TOTAL_EXACT, 0
        return all_words + some_words, all_words, some_words

    def facets(self, matched, filters: dict) -> dict:
        """Counts per facet; a facet's own filter is left out of its counts, so a
        user can see (and add) the other sources while one is selected."""
        # One array per distinct set (without filters, one for all), kept for the timeline.
        return {name: self.view.count(name, self.array(self.narrow(matched, filters, leave_out=name)))
                for name in FACET_NAMES}

    # -- 4. rank ------------------------------------------------------------------------------
    def rank(self, parsed, selected, depth: int) -> list[tuple[int, float]]:
        """The best ``depth`` of ``selected`` as (docnum, score), best first."""
        if not selected:
            return []
        if self.stats.usable and self.match is not None:
            try:
                ranked = best(self.match, selected, self.stats, max(depth, WRITTEN_FORM_DEPTH), self.budget)
            except OutOfTime:
                self.out_of_time("the search took too long: results are not ranked by relevance")
                return [(n, 0.0) for n in self.view.newest(selected, depth)]
            if not self.budget.expired():
                ranked = self.prefer_written_forms(parsed, ranked)
            if not self.budget.expired():
                ranked = self.prefer_phrases(parsed, ranked)
            return ranked[:depth]
        return self.whoosh_rank(parsed, selected, depth)

    def prefer_written_forms(self, parsed, ranked: list) -> list:
        """Among the best ``WRITTEN_FORM_DEPTH`` results, lift those whose title
        or lede holds the query's words as typed.

        Stemming makes ``menilai`` and ``nilai`` one term, which finds more,
        but a story that uses the reader's own words is the likelier target.
        The ``spell`` field already lists each article's written words (title
        and lede), so each word costs a postings lookup. Each word found adds
        its idf in that field times ``WRITTEN_FORM_WEIGHT``: a rare form
        (``berlayar``) says more than a common one (``akan``), as in BM25.
        A word's other spellings (variants, near spellings) are the same word:
        the idf is the group's (its largest document frequency, as in
        scoring: expansion.py), and a title or lede holding another spelling
        counts at that spelling's weight, below the spelling typed.
        The weight was chosen on the eval sets of ../shared/eval (see
        docs/benchmarks.md). Scores only rise and only in the head, so pages
        stay consistent.
        """
        reader = self.reader
        if SPELL_FIELD not in reader.schema or not WRITTEN_FORM_WEIGHT:
            return ranked
        words = {w.text.lower() for w in parsed.words}
        words = [w for w in words if SPELL_WORD.fullmatch(w)]
        short = self.short_title_terms(parsed)
        if not words and not short:
            return ranked
        docs = reader.doc_count()
        # Only the head's documents are looked up (head_texts.holding_each): a
        # common word's whole list would cost in proportion to the archive.
        head_docs = [d for d, _ in ranked[:WRITTEN_FORM_DEPTH]]
        live = self.stats.live
        weighted = []
        groups = written_spellings(parsed, words)
        held = holding_each(self.searcher.reader(), SPELL_FIELD,
                            list(dict.fromkeys(s for spellings in groups for s in spellings)), head_docs, self.texts)
        for spellings in groups:
            found: dict = {}         # document -> weight of the best spelling its title or lede holds
            for spelling, weight in spellings.items():
                for d in held[spelling]:
                    found[d] = max(found.get(d, 0.0), weight)
            if found:
                df = max(live.doc_frequency(reader, SPELL_FIELD, s) for s in spellings)
                weighted.append((WRITTEN_FORM_WEIGHT * bm25_idf(docs, df), found))
        held = holding_each(self.searcher.reader(), "title", short, head_docs, self.texts)
        for term in short:
            found = dict.fromkeys(held[term], 1.0)
            if found:
                df = live.doc_frequency(reader, "title", term)
                weighted.append((WRITTEN_FORM_WEIGHT * bm25_idf(docs, df), found))
        head = [(d, s + sum(weight * found[d] for weight, found in weighted if d in found))
                for d, s in ranked[:WRITTEN_FORM_DEPTH]]
        head.sort(key=lambda item: (-item[1], item[0]))
        return head + ranked[WRITTEN_FORM_DEPTH:]

    def short_title_terms(self, parsed) -> list[str]:
        """The title terms of typed words too short for the ``spell`` field
        (one or two letters: *MU*, *RI*, *UU*). Left out, the preference would
        weigh only a query's longer words (``MU kalah``: a title or lede
        holding *kalah* was lifted, one holding *MU* was not). Such a word is
        not stemmed, so its title term is the word as written; the lede is not
        looked at for it."""
        terms = []
        for word in parsed.words:
            lowered = word.text.lower()
            analysed = self.budget.analysed.get(word.text) or []
            if (lowered.isalpha() and len(lowered) < 3 and len(analysed) == 1
                    and analysed[0] and analysed[0][0] == lowered):
                terms.append(lowered)
        return list(dict.fromkeys(terms))

    def rank_tail(self, tail: Tail, selected, depth: int) -> list[tuple[int, float]]:
        """The best ``depth`` of the tail's ``selected`` articles, best first."""
        try:
            return tail.rank(selected, depth, self.stats, self.budget)
        except OutOfTime:
            self.out_of_time("the search took too long: articles holding only some of the words are "
                             "not ranked by relevance")
            return [(n, 0.0) for n in self.view.newest(selected, depth)]

    def prefer_phrases(self, parsed, ranked: list) -> list:
        """Among the best results, lift those holding words typed side by
        side as a phrase (proximity.py)."""
        pairs = typed_pairs(parsed.text, parsed.words, self.budget.analysed)
        live, reader = self.stats.live, self.reader
        return boost_phrases(self.searcher, ranked, pairs, lambda term: live.idf(reader, "body", term),
                             Titles(self.stats, self.searcher.reader(), self.match.leaves),
                             postings_at_hand(self.stats, self.match.leaves), self.texts)

    def whoosh_rank(self, parsed, selected, depth: int) -> list[tuple[int, float]]:
        """Whoosh's own collector, for a weighting model scoring.py does not mirror."""
        top_collector = collectors.TopCollector(depth, usequality=True)
        timed = BoundedCollector(top_collector, selected, self.budget.deadline)
        try:
            self.searcher.search_with_collector(parsed.query, timed)
        except collectors.TimeLimit:
            self.out_of_time()
        return [(hit.docnum, hit.score) for hit in timed.results()]


def arrays_pay(sources: list, sizes: list, least: int, size: int, unsets: int = 0) -> bool:
    """Counting the tail with numpy costs less than with sets: a mask per
    clause over the ``size`` document numbers and the conversion of the
    sources not already arrays, against the steps of ``at_least``: every
    member once for one clause of several, else each ``least``-subset's
    intersection (about its smallest set's size), and the conversion of the
    ``unsets`` documents of clauses not already sets (an array's, at 16x a
    common word's 100,000)."""
    convert = sum(len(s) for parts in sources for s in parts if not isinstance(s, Leaf))
    ordered = sorted(sizes)
    n = len(ordered)
    if least <= 1:
        steps = sum(ordered)
    elif math.comb(n, least) > MAX_COMBINATIONS:
        steps = 2 * sum(ordered)        # a count per member in a dict: two steps' cost
    else:
        steps = sum(s * math.comb(n - 1 - i, least - 1) for i, s in enumerate(ordered))
    return n * size * MASK_NS + convert * CONVERT_NS < steps * SET_STEP_NS + unsets * CONVERT_NS


def filter_values(filters: dict) -> dict:
    """The request's filters that restrict, by facet name: ``source`` and
    ``category`` a tuple of values, ``month`` the date bounds."""
    values = {"source": tuple(filters["source"]), "category": tuple(filters["category"]),
              "month": tuple(filters["date"])}
    return {name: value for name, value in values.items() if value and value != (None, None)}


def terms_only(query) -> bool:
    """The query is scored terms under OR: the Evaluator matches it (in full
    or among candidates) as exactly the union of its terms' postings."""
    if isinstance(query, wq.Term):
        return query.fieldname in SCORED_FIELDS
    if isinstance(query, wq.And) or hasattr(query, "evaluate_in"):
        return False
    if isinstance(query, wq.Or):
        return all(terms_only(q) for q in query.subqueries)
    return False


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
