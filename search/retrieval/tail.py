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
  tail articles a page reaches are scored, and those by groups of articles
  holding the same clauses, best possible group first:
  a group whose best possible score (its clauses' highest contributions,
  times its coordination factor) cannot reach the current ``k``-th best is
  skipped; within a group, clauses are scored highest bound first and an
  article is dropped once what it has plus the most the other clauses could
  add cannot reach the ``k``-th best (MaxScore). The result is exactly the
  exhaustive ranking's top ``k`` (``tests/test_tail.py``).
"""
from __future__ import annotations

import heapq
import math

import numpy as np

from search.retrieval.docsets import Ascending
from search.retrieval.scoring import Match, Stats, at_least, conjoin, score

RARE_SHARE = 0.001        # a word in fewer than this share of the articles is rare
MIN_RARE_DOCS = 20        # ... or in fewer than this many, in a small index
COMMON_SHARE = 0.5        # a word in more than this share of the articles is not required (all_informative)
COMMON_MIN_DOCS = 1000    # ... in an index of at least this many: a few articles' shares say little
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
    counts = np.zeros(size, dtype=np.int32)
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
        held[ids] = True
    return held


def array_patterns(clauses: list[list[np.ndarray]], docs: np.ndarray, size: int) -> dict[int, list]:
    """:meth:`Tail.patterns` with numpy: ``docs`` (ascending) grouped by the
    clauses they hold, each clause given as arrays (as for :func:`tail_array`;
    at most 62 clauses), each group's documents ascending."""
    bits = np.zeros(len(docs), dtype=np.int64)
    held = np.zeros(size, dtype=bool)
    for i, arrays in enumerate(clauses):
        bits |= mark(held, arrays)[docs].astype(np.int64) << i
    order = np.argsort(bits, kind="stable")
    ordered = bits[order]
    cuts = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    starts = np.concatenate(([0], cuts)) if len(docs) else cuts
    return {int(ordered[start]): docs[part].tolist() for start, part in zip(starts, np.split(order, cuts))}


class Tail:
    """The tail of one query: its articles (a set, or docsets.Ascending), and
    their ranking on demand. ``arrays``: each clause's documents as arrays
    (below ``size``), when the tail was counted with them (tail_array)."""

    MAX_ARRAY_CLAUSES = 62      # a clause a bit of an int64

    def __init__(self, clauses: list[Match], docs, arrays: list | None = None, size: int = 0):
        self.clauses = clauses
        self.docs = docs
        self.arrays = arrays
        self.size = size

    def patterns(self, docs) -> dict[int, list]:
        """Articles of ``docs`` grouped by the clauses they hold (a bit per clause)."""
        if self.arrays is not None and isinstance(docs, Ascending) and len(self.arrays) <= self.MAX_ARRAY_CLAUSES:
            return array_patterns(self.arrays, docs.array, self.size)
        masks = dict.fromkeys(docs, 0)
        for i, clause in enumerate(self.clauses):
            bit = 1 << i
            ids = clause.ids if isinstance(clause.ids, (set, frozenset)) else set(clause.ids)
            for d in ids & masks.keys() if len(ids) > len(masks) else (d for d in ids if d in masks):
                masks[d] |= bit
        groups: dict[int, list] = {}
        for d, mask in masks.items():
            groups.setdefault(mask, []).append(d)
        return groups

    def rank(self, selected, depth: int, stats: Stats, budget=None) -> list[tuple[int, float]]:
        """The best ``depth`` of ``selected`` (tail articles) as (docnum, score),
        best first, equal scores in docnum order."""
        if depth <= 0 or not selected:
            return []
        n = len(self.clauses)
        bounds = [clause_bound(c, stats) for c in self.clauses]
        groups = []
        for mask, docs in self.patterns(selected).items():
            held = [i for i in range(n) if mask >> i & 1]
            coordination = len(held) / n
            groups.append((coordination * sum(bounds[i] for i in held), coordination, held, docs))
        groups.sort(key=lambda g: -g[0])
        best: list[tuple[float, int]] = []        # a min-heap of (score, -docnum): the k-th best on top
        for bound, coordination, held, docs in groups:
            if len(best) >= depth and bound * BOUND_SLACK < best[0][0]:
                break                               # no article of this group (or a later one) can enter
            for d, s in self.score_group(held, docs, bounds, coordination, best, depth, stats, budget):
                item = (s * coordination, -d)
                if len(best) < depth:
                    heapq.heappush(best, item)
                elif item > best[0]:
                    heapq.heapreplace(best, item)
        return sorted(((-d, s) for s, d in best), key=lambda item: (-item[1], item[0]))

    def score_group(self, held, docs, bounds, coordination, best, depth, stats, budget):
        """(docnum, score before coordination) of the group's articles that
        may still enter the top ``depth``: clause by clause, highest bound
        first, an article is dropped once its score so far plus the most the
        remaining clauses could add cannot reach the current ``k``-th best."""
        order = sorted(held, key=lambda i: -bounds[i])
        remaining = sum(bounds[i] for i in order)
        partial = dict.fromkeys(docs, 0.0)
        for i in order:
            remaining -= bounds[i]
            for d, s in score(Match(set(), self.clauses[i].leaves), partial, stats, budget=budget).items():
                partial[d] += s
            if len(best) >= depth and remaining:
                need = best[0][0] / coordination - remaining * BOUND_SLACK
                partial = {d: s for d, s in partial.items() if s >= need}
        return partial.items()


def clause_bound(clause: Match, stats: Stats) -> float:
    """The most any article can get from ``clause``: its terms' highest
    contributions, summed (an upper bound: one article rarely has them all)."""
    return sum(stats.max_impact(leaf) for leaf in clause.leaves)
