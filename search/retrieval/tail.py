"""The partial-match tail: articles that hold some of the query's words, not all.

A query's articles that hold every word are shown first, ranked as always.
Below them come the articles that hold at least half of the words (the
tail): for a question typed in plain words, or a word the stories write
another way, much of the coverage lacks one or two of the words.

- **How many words.** Of ``n`` top-level clauses (words, phrases, groups;
  not the excluded ones), an article of the tail holds at least half,
  rounded up (:func:`min_should_match`): one of two, two of three or four,
  three of five or six. Chosen on the tune half of bench/heldout and the dev
  topics of ../shared/eval against Elasticsearch's usual "2<-1 4<75%" (all
  of two, all but one of three or four): nDCG@10 the same on both (the
  articles holding every word still fill the first page when there are
  enough of them), Recall@100 0.882 -> 0.955 and 0.885 -> 0.903.
- **A word in most articles is not required.** In an index of
  ``COMMON_MIN_DOCS`` articles or more, a clause in more than
  ``COMMON_SHARE`` of them (``jadi``, ``kata``, ``saat``) tells no stories
  apart: the articles holding every other clause count as holding every
  word, and it only adds to their score (:func:`all_informative`).
- **Rare words stay strict.** A query whose words are all rare (each in
  fewer than :data:`RARE_SHARE` of the articles: names, places, specific
  terms) has no tail: such a query names what it wants, and its all-words
  results (or the any-word fallback when there are none) stay as they are.
- **Ranking.** BM25F over the words the article holds, times the share of
  the clauses it holds (a coordination factor, as Lucene's classic
  similarity had): an article missing one of three words gets two thirds.
- **Cost.** Which articles hold at least ``m`` clauses is set algebra: the
  intersections of every ``m`` of the clauses (each runs over the smaller
  set, in C); when the clauses are large (a common word's, at 16x 200,000
  articles), a count per document over a mask per clause, with numpy
  (:func:`tail_array`), and the tail is held as an ascending array
  (docsets.Ascending), never as a set unless a page reaches it. Only the
  tail articles a page reaches are ranked, best possible first (an
  article's best possible score: its clauses' highest contributions, times
  its coordination factor), scored with numpy ``CHUNK`` at a time; once the
  next articles' best possible score cannot reach the current ``k``-th
  best, the ranking stops (numpy's cost is mostly per call: a chunk is
  large, and a huge tail's hopeless articles are still never scored). The
  result is exactly the exhaustive ranking's top ``k`` (``tests/test_tail.py``).
"""
from __future__ import annotations

import math

import numpy as np

from search.retrieval.docsets import Ascending, as_index
from search.retrieval.scoring import Match, OutOfTime, Postings, Stats, at_least, conjoin

RARE_SHARE = 0.001        # a word in fewer than this share of the articles is rare
MIN_RARE_DOCS = 20        # ... or in fewer than this many, in a small index
COMMON_SHARE = 0.5        # a word in more than this share of the articles is not required (all_informative)
COMMON_MIN_DOCS = 1000    # ... in an index of at least this many: a few articles' shares say little
CHUNK = 4096             # tail articles scored at once (Tail.rank)
# A document bisected in a clause's arrays costs about as much as marking
# this many of the clause's documents in a mask over 92,000 (numpy's
# searchsorted against a fancy-index assignment; timed at 100-5,000
# documents against clauses of 1,600-50,000).
BISECT_STEPS = 10
BOUND_SLACK = 1 + 1e-9    # a bound is a sum in another order than the score's: allow for rounding


def min_should_match(n: int) -> int:
    """How many of ``n`` clauses an article of the tail must hold: half, rounded up."""
    return n if n <= 1 else math.ceil(n / 2)


def all_rare(clauses: list[Match], documents: int) -> bool:
    """Every clause matches fewer than RARE_SHARE of ``documents`` (and MIN_RARE_DOCS)."""
    limit = max(MIN_RARE_DOCS, RARE_SHARE * documents)
    return all(c.size < limit for c in clauses)


def all_informative(clauses: list[Match], excluded: set, everything, documents: int) -> Match:
    """The articles holding every informative clause (none of ``excluded``),
    scored by every clause's terms.

    A clause in more than COMMON_SHARE of the ``documents`` (``jadi``, which
    also stands for ``menjadi``; ``kata``, ``saat``) has no Robertson idf: it
    cannot tell articles apart, so it only adds to the score, as
    Elasticsearch's ``cutoff_frequency`` made such words optional:
    ``Menpora jadi tersangka`` finds "KPK Tetapkan Menpora ... Tersangka".
    It stays required when the informative clauses are fewer than the
    tail's share (:func:`min_should_match`), when every clause is common,
    and in an index of fewer than COMMON_MIN_DOCS articles."""
    if documents < COMMON_MIN_DOCS:
        return conjoin(clauses, excluded, everything)
    informative = [c for c in clauses if c.size <= COMMON_SHARE * documents]
    if len(informative) == len(clauses) or len(informative) < min_should_match(len(clauses)):
        return conjoin(clauses, excluded, everything)
    found = conjoin(informative, excluded, everything)
    return Match(found.ids, [leaf for c in clauses for leaf in c.leaves])


def tail_docs(sets: list, m: int, every: set, excluded: set) -> set:
    """Articles in at least ``m`` of ``sets`` but not in ``every`` (those
    holding all) nor ``excluded``."""
    if m >= len(sets):
        return set()
    return at_least(sets, m) - every - excluded


def tail_array(clauses: list[list[np.ndarray]], m: int, every: np.ndarray, excluded: np.ndarray,
               size: int) -> np.ndarray:
    """:func:`tail_docs` with numpy, as an ascending array: each clause's
    documents given as arrays (a clause's arrays may overlap: its terms'
    lists), all below ``size``. A count per document over masks costs a few
    nanoseconds a document where the sets' intersections and unions cost
    tens (at 16x a common word's clause holds 200,000 articles)."""
    if m >= len(clauses):
        return np.empty(0, dtype=np.int64)
    # A byte a document holds any query's count (a query has far fewer than
    # 255 clauses) and adds a third faster than int32 over 92,000 documents.
    counts = np.zeros(size, dtype=np.uint8 if len(clauses) < 256 else np.int32)
    held = np.zeros(size, dtype=bool)
    for arrays in clauses:
        counts += mark(held, arrays)
    found = counts >= m
    found[every] = False
    found[excluded] = False
    return np.flatnonzero(found)


def mark(held: np.ndarray, arrays: list[np.ndarray]) -> np.ndarray:
    """``held`` (a mask over every document number) set for one clause's
    documents (its arrays may overlap) and nothing else; returned."""
    held[:] = False
    for ids in arrays:
        held[as_index(ids)] = True
    return held


def clause_members(arrays: list[np.ndarray], docs: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Which of ``docs`` (ascending) one clause's ``arrays`` hold. Few
    documents are each bisected in the arrays (a page's tail of a few hundred
    against a common word's 40,000 articles at 4x) that are ascending (a
    term's list; a set made an array is in any order); the others are
    looked up in a ``mask`` over every document number (see :func:`mark`),
    which costs the clause's documents and the index's size whatever
    ``docs`` are."""
    if len(docs) * BISECT_STEPS >= sum(len(ids) for ids in arrays):
        return mark(mask, arrays)[docs]
    ordered, unordered = [], []
    for ids in arrays:
        (ordered if is_ascending(ids) else unordered).append(ids)
    found = mark(mask, unordered)[docs] if unordered else np.zeros(len(docs), dtype=bool)
    for ids in ordered:
        found |= members(ids, docs)
    return found


def is_ascending(ids: np.ndarray) -> bool:
    return len(ids) < 2 or bool((ids[1:] > ids[:-1]).all())


class Tail:
    """The tail of one query: its articles (a set, or docsets.Ascending), and
    their ranking on demand. ``arrays``: each clause's documents as arrays
    (below ``size``), when the tail was counted with them (tail_array)."""

    def __init__(self, clauses: list[Match], docs, arrays: list | None = None, size: int = 0):
        self.clauses = clauses
        self.docs = docs
        self.arrays = arrays
        self.size = size

    def held(self, docs) -> tuple[np.ndarray, list[np.ndarray]]:
        """``docs`` as an ascending array, and for each clause which of them hold it."""
        if self.arrays is not None and isinstance(docs, Ascending):
            mask = np.zeros(self.size, dtype=bool)
            return docs.array, [clause_members(arrays, docs.array, mask) for arrays in self.arrays]
        ids = docs.array if isinstance(docs, Ascending) else np.array(sorted(docs), dtype=np.int64)
        where = None
        held = []
        for clause in self.clauses:
            if isinstance(clause.ids, Ascending):   # an array: each document bisected in it
                held.append(members(clause.ids.array, ids))
                continue
            if where is None:
                where = dict(zip(ids.tolist(), range(len(ids))))
            found = np.zeros(len(ids), dtype=bool)
            clause_ids = clause.ids if isinstance(clause.ids, (set, frozenset)) else set(clause.ids)
            inside = clause_ids & where.keys() if len(clause_ids) > len(where) else \
                [d for d in clause_ids if d in where]
            found[[where[d] for d in inside]] = True
            held.append(found)
        return ids, held

    def rank(self, selected, depth: int, stats: Stats, budget=None) -> list[tuple[int, float]]:
        """The best ``depth`` of ``selected`` (tail articles) as (docnum, score),
        best first, equal scores in docnum order.

        Each article's best possible score is its clauses' highest
        contributions (:func:`clause_bound`) times its coordination factor.
        Articles are scored best possible first, with numpy, CHUNK at a time
        (numpy's cost per call is spread over many); once the best possible
        score of the next ones cannot reach the current ``depth``-th best,
        the ranking ends. The arithmetic is ``scoring.score``'s, operation
        for operation, so each score is the exhaustive one to the last bit."""
        if depth <= 0 or not selected:
            return []
        n = len(self.clauses)
        bounds = [clause_bound(c, stats) for c in self.clauses]
        docs, held = self.held(selected)
        counts = np.sum(held, axis=0) if held else np.zeros(len(docs), dtype=np.int64)
        possible = np.zeros(len(docs))
        for i, clause_held in enumerate(held):
            possible[clause_held] += bounds[i]
        possible *= counts / n
        order = np.argsort(-possible, kind="stable")
        scorer = ChunkScorer(self.clauses, bounds, stats, budget)
        best_docs, best_scores = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        for start in range(0, len(order), CHUNK):
            chunk = order[start:start + CHUNK]
            if len(best_docs) >= depth and possible[chunk[0]] * BOUND_SLACK < best_scores[-1]:
                break                               # no article left can enter
            chunk_held = [h[chunk] for h in held]
            scores = scorer.scores(docs[chunk], chunk_held) * (counts[chunk] / n)
            best_docs, best_scores = top_arrays(np.concatenate((best_docs, docs[chunk])),
                                                np.concatenate((best_scores, scores)), depth)
        return list(zip(best_docs.tolist(), best_scores.tolist()))


class ChunkScorer:
    """Tail articles' scores before coordination, a chunk at a time: for each
    article the sum, over the clauses it holds (highest bound first), of the
    clause's BM25F score (its terms' contributions in order), as
    ``scoring.score`` and the tail's sum compute it: float64, the weights
    float32 in the index, the norms the field's floats."""

    def __init__(self, clauses: list[Match], bounds: list[float], stats: Stats, budget=None):
        self.clauses = clauses
        self.order = sorted(range(len(clauses)), key=lambda i: -bounds[i])
        self.stats = stats
        self.budget = budget
        self._arrays: dict = {}

    def scores(self, docs: np.ndarray, held: list[np.ndarray]) -> np.ndarray:
        """Scores of ``docs`` (any order); ``held[i]``: which hold clause ``i``."""
        sorted_at = np.argsort(docs, kind="stable")
        ascending = docs[sorted_at]
        totals = np.zeros(len(docs))
        for i in self.order:
            if not held[i].any():
                continue
            if self.budget is not None and self.budget.expired():
                raise OutOfTime
            clause = np.zeros(len(docs))
            for leaf in self.clauses[i].leaves:
                at, values = self.contributions(leaf, ascending)
                clause[sorted_at[at]] += values
            totals += np.where(held[i], clause, 0.0)
        return totals

    def contributions(self, leaf, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions in ``docs`` (ascending), contribution) of the documents holding ``leaf``'s term."""
        postings = leaf.postings
        if not postings:
            return np.empty(0, dtype=np.int64), np.empty(0)
        ascending = isinstance(postings, Postings) or self.stats.is_pinned(leaf)   # a term's whole list, in order
        if ascending and len(postings) > len(docs):
            ids, weights = self.leaf_arrays(leaf)       # each document looked up in them
            at = np.searchsorted(ids, docs)
            at[at == len(ids)] = 0
            found = ids[at] == docs
            positions, weights = np.flatnonzero(found), weights[at[found]]
        elif not self.stats.has_arrays(leaf) and len(postings) > len(docs):
            get = postings.get                          # a dict longer than the chunk: each document looked up in it
            weights = np.fromiter((get(d, 0.0) for d in docs.tolist()), dtype=np.float64, count=len(docs))
            positions = np.flatnonzero(weights)
            weights = weights[positions]
        else:
            ids, weights = self.leaf_arrays(leaf)       # any order: each posting looked up in ``docs``
            at = np.searchsorted(docs, ids)
            at[at == len(docs)] = 0
            found = docs[at] == ids if len(docs) else np.zeros(len(ids), dtype=bool)
            positions, weights = at[found], weights[found]
        weights = weights.astype(np.float64)
        norms = self.stats.norm_arrays[leaf.field][docs[positions]]
        return positions, leaf.factor * weights / (weights + norms)

    def leaf_arrays(self, leaf) -> tuple[np.ndarray, np.ndarray]:
        """``Stats.arrays(leaf)``, converted once per ranking when not at hand."""
        found = self._arrays.get(id(leaf))
        if found is None:
            found = self._arrays[id(leaf)] = self.stats.arrays(leaf)
        return found


def members(array: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Which of ``ids`` are in ``array`` (ascending), each bisected in it."""
    if not len(array):
        return np.zeros(len(ids), dtype=bool)
    return array[np.minimum(np.searchsorted(array, ids), len(array) - 1)] == ids


def top_arrays(docs: np.ndarray, scores: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """The best ``depth`` of ``docs`` by score, equal scores in docnum order."""
    order = np.lexsort((docs, -scores))[:depth]
    return docs[order], scores[order]


def clause_bound(clause: Match, stats: Stats) -> float:
    """The most any article can get from ``clause``: its terms' highest
    contributions, summed (an upper bound: one article rarely has them all)."""
    return sum(stats.max_impact(leaf) for leaf in clause.leaves)
