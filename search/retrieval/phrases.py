"""A phrase in a field: the articles holding its words side by side, and what they score.

A multi-word synonym (``MU`` -> *Man United*, ``demo`` -> *unjuk rasa*) and
a quoted phrase stand for the typed text only where their words stand
together, as Elasticsearch's ``synonym_graph`` makes a multi-word synonym a
phrase query. An article holding *Man City* and *Newcastle United* holds
both words, not the phrase: it is not matched through it, and its scattered
words add nothing to its score.

- **Matching.** The articles holding every word come first, from the
  scorer's own posting reads (``scoring.Evaluator``: the postings cache, or
  the words probed only among the candidates the query's other clauses
  leave, ``Evaluator.within``); then the words' positions are compared for
  those articles only. Each segment's list of each word is walked once,
  block by block, in memory (head_postings.open_postings), and a posting's
  positions are sliced alone from its block. The cost follows the articles
  that hold every word (or the candidates among them), not the words'
  frequency; Whoosh's phrase matcher read the same positions through
  generic span wrappers (14-53 ms for a common pair on 23k articles).
- **Scoring.** Each word scores BM25F with its own idf (a phrase's idf is
  the sum of its words', as in Lucene), with the phrase's frequency in the
  article in place of the word's: the article's weight for the word times
  the share of the word's occurrences that stand in the phrase.
- **Held per index generation.** A phrase matched over the whole index
  (not among candidates) is kept with the generation's statistics, up to
  ``CACHE_POSTINGS`` postings (emptied when full, as the postings cache's
  recent part): the synonym lists are short, so the same phrases come back
  from query to query, and a synonym can still change without a rebuild.
"""
from __future__ import annotations

import bisect
import threading
import weakref
from array import array
from itertools import accumulate

from whoosh import query as wq

from search.codec import LITTLE, CompactLeafMatcher, unpack_array
from search.fields import ABSOLUTE, CompactPositions
from search.retrieval.head_postings import open_postings
from search.retrieval.proximity import holds_at
from search.retrieval.scoring import Leaf, Match

# What checking one article's positions for one word costs, in postings read
# from a list (Evaluator.cost's unit): a slice and a decode, then set lookups.
# Measured on clickid (CPU): 2-4 us a word per article, some 40 postings'
# worth; an AND probes a clause among candidates when it costs more than
# scoring.PROBE_RATIO times their number.
POSITION_COST = 40
CACHE_POSTINGS = 300_000    # postings of phrases held per index generation
CHECK_EVERY = 256           # articles whose positions are read between two looks at the clock

_held: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()    # Stats -> PhraseCache
_held_lock = threading.Lock()


class PhraseCache:
    """Phrases matched over a whole index generation: (field, words) -> Match
    parts (ids, {word: postings})."""

    def __init__(self):
        self.found: dict = {}
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key):
        return self.found.get(key)

    def put(self, key, ids, postings: dict) -> None:
        size = sum(len(p) for p in postings.values()) + len(ids)
        with self.lock:
            if self.size + size > CACHE_POSTINGS:
                self.found, self.size = {}, 0
            if size <= CACHE_POSTINGS // 4:
                self.found[key] = (ids, postings)
                self.size += size


class PhraseQuery(wq.Phrase):
    """Whoosh's phrase query (words side by side, ``slop`` 1), which cari's
    scorer (scoring.Evaluator) asks to match and score itself here; Whoosh's
    own searcher reads it as any Phrase."""

    def evaluate_in(self, evaluator, boost: float, among=None):
        """Its Match (among ``among`` only, when given): :func:`phrase_match`."""
        return phrase_match(evaluator, self, boost, among)

    def cost_in(self, evaluator) -> int:
        return phrase_cost(evaluator, self)


def cache_of(stats) -> PhraseCache:
    found = _held.get(stats)
    if found is None:
        with _held_lock:
            found = _held.setdefault(stats, PhraseCache())
    return found


def words_query(q: wq.Phrase) -> wq.And:
    """The phrase's distinct words in its field, as an AND of terms."""
    return wq.And([wq.Term(q.fieldname, w) for w in dict.fromkeys(q.words)])


def phrase_cost(evaluator, q: wq.Phrase) -> int:
    """What matching ``q`` in full costs, in Evaluator.cost's unit: reading its
    words, then the positions of at most as many articles as its rarest word
    holds (nothing when the phrase is held)."""
    if cache_of(evaluator.stats).get((q.fieldname, tuple(q.words))) is not None:
        return 0
    words = words_query(q)
    rarest = min(evaluator.stats.live.doc_frequency(evaluator.reader, t.fieldname, t.text)
                 for t in words.subqueries)
    return evaluator.cost(words) + POSITION_COST * len(words.subqueries) * rarest


def phrase_match(evaluator, q: wq.Phrase, boost: float, among=None) -> Match | None:
    """``q``'s matches (among ``among`` only, when given), its words' leaves
    scoring the phrase; None when its words cannot be probed."""
    key = (q.fieldname, tuple(q.words))
    cache = cache_of(evaluator.stats)
    held = cache.get(key)
    if held is not None:
        ids, postings = held
        if among is not None:
            ids = ids & (among if isinstance(among, (set, frozenset)) else set(among))
        return Match(ids, leaves(evaluator, q.fieldname, postings, boost), size=len(held[0]))
    if among is None:
        words = evaluator.evaluate(words_query(q), boost)
    else:
        words = evaluator.within(words_query(q), among, boost)
        if words is None:
            return None
    counts = phrase_counts(evaluator.searcher, q.fieldname, list(q.words), sorted(words.ids),
                           evaluator.check_time)
    postings = {leaf.text: phrase_postings(leaf.postings, leaf.text, counts) for leaf in words.leaves}
    ids = set(counts)
    if among is None:
        cache.put(key, frozenset(ids), postings)
    return Match(ids, leaves(evaluator, q.fieldname, postings, boost),
                 size=len(ids) if among is None else words.size)


def leaves(evaluator, field: str, postings: dict, boost: float) -> list[Leaf]:
    """The phrase's words as scored terms over ``postings`` (word -> the
    phrase's weights): each word's own idf, the query's boost."""
    found = []
    for word, weights in postings.items():
        if weights:
            factor = evaluator.stats.live.idf(evaluator.reader, field, word) * (evaluator.stats.K1 + 1) * boost
            found.append(Leaf(field, word, weights, factor, complete=False))
    return found


def phrase_postings(postings: dict, word: str, counts: dict) -> dict:
    """``word``'s ``postings`` for the articles holding the phrase, each weight
    scaled to the phrase's frequency (the word's occurrences in it)."""
    found = {}
    get = postings.get
    for docnum, (phrased, occurrences) in counts.items():
        weight = get(docnum)
        held = occurrences[word]
        if weight:
            found[docnum] = weight * min(phrased[word], held) / held
    return found


def phrase_counts(searcher, field: str, words: list[str], candidates: list[int], check=None) -> dict:
    """{docnum: ({word: its occurrences in the phrase}, {word: its
    occurrences})} for the ``candidates`` (sorted docnums, each holding
    every word) whose ``field`` holds ``words`` side by side. ``check()`` is
    called every CHECK_EVERY articles (it raises when the request's time is
    spent)."""
    found = {}
    distinct = list(dict.fromkeys(words))
    times = {w: words.count(w) for w in distinct}
    # The phrase starts where the first word is and each i-th word is i further on.
    shifts = [(distinct.index(w), -i) for i, w in enumerate(words)]
    position = 0
    for leaf, offset in searcher.reader().leaf_readers():
        end = offset + leaf.doc_count_all()
        start = position
        while position < len(candidates) and candidates[position] < end:
            position += 1
        readers = [WordPositions(leaf, field, w) for w in distinct] if start < position else []
        for first in range(start, position, CHECK_EVERY):
            if check is not None:
                check()
            local = [d - offset for d in candidates[first:min(position, first + CHECK_EVERY)]]
            where = [positions.take(local) for positions in readers]
            for docnum in local:
                lists = [held.get(docnum) for held in where]
                if None in lists:
                    continue
                starts = phrase_starts(lists, shifts)
                if starts:
                    found[docnum + offset] = ({w: starts * n for w, n in times.items()},
                                              dict(zip(distinct, map(len, lists))))
    return found


def phrase_starts(lists: list, shifts: list) -> int:
    """How many times the phrase stands in an article: ``lists`` holds each
    distinct word's positions, ``shifts`` each word of the phrase as (its
    list, minus its place in the phrase)."""
    (first, _), rest = shifts[0], shifts[1:]
    starts = set(lists[first])
    for at, shift in rest:
        starts.intersection_update(map(shift.__add__, lists[at]))
        if not starts:
            return 0
    return len(starts)


class WordPositions:
    """One segment's positions of one word in one field, read forward.

    In cari's format the list (head_postings.open_postings: in memory) is
    walked block by block: a block holding none of the documents asked for
    is passed by its header (which gives its last id); one holding some is
    decoded once and each one's positions are sliced alone from it."""

    def __init__(self, leaf, field: str, text: str):
        self.matcher = open_postings(leaf, field, text)
        self.compact = type(self.matcher) is CompactLeafMatcher and self.matcher._fixedsize != 0
        self.block = None       # (its data, its ids, where each posting's value starts) of the block at hand

    @staticmethod
    def read_block(matcher) -> tuple:
        """The current block's ids and value offsets (ids None: it holds no values)."""
        deltas, _, values_at = matcher._data
        raw = matcher._raw
        count, at = unpack_array(raw, values_at, 1)
        if count is None:
            return raw, None, None
        lengths, at = unpack_array(raw, at, count[0])
        return raw, list(accumulate(deltas)), list(accumulate(lengths, initial=at))

    def take(self, docs: list[int]) -> dict[int, list[int]]:
        """{docnum: positions} for those of ``docs`` (sorted, numbered in the
        segment, past any asked before) that hold the word."""
        matcher = self.matcher
        if matcher is None or not docs:
            return {}
        if not self.compact:
            return {d: matcher.value_as("positions") for d in docs if holds_at(matcher, d)}
        decode = positions_decoder(matcher.format)
        found = {}
        i = 0
        while i < len(docs):
            while matcher._maxid < docs[i]:
                if matcher._lastblock:
                    self.matcher = None
                    return found
                matcher._goto(matcher._nextoffset)
            if matcher._data is None:
                matcher._read_data()
            raw = matcher._raw
            if self.block is None or self.block[0] is not raw:
                self.block = self.read_block(matcher)
            _, ids, starts = self.block
            if ids is None:
                return found
            while i < len(docs) and docs[i] <= matcher._maxid:
                k = bisect.bisect_left(ids, docs[i])
                if k < len(ids) and ids[k] == docs[i]:
                    found[docs[i]] = decode(raw[starts[k]:starts[k + 1]])
                i += 1
        return found


def positions_decoder(format_):
    """A function from a posting's value to its positions: cari's format
    (deltas in the narrowest array, little-endian) read straight into an
    array, twice as fast as through the format object; any other (or
    positions stored whole) through the format."""
    general = format_.decode_positions
    if type(format_) is not CompactPositions or not LITTLE:
        return general

    def decode(value):
        if value[0] == ABSOLUTE:
            return general(value)
        deltas = array(chr(value[0]))
        deltas.frombytes(value[1:])
        return list(accumulate(deltas))
    return decode
