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
  block by block, in memory (head_postings.open_postings), the postings of
  those articles are found in each block with numpy, and their positions
  are read into arrays at once, where the phrase is found (``numpy.isin``).
  The cost follows the articles that hold every word (or the candidates
  among them), not the words' frequency; Whoosh's phrase matcher read the
  same positions through generic span wrappers (14-53 ms for a common pair
  on 23k articles).
- **Scoring.** Each word scores BM25F with its own idf (a phrase's idf is
  the sum of its words', as in Lucene), with the phrase's frequency in the
  article in place of the word's: the article's weight for the word times
  the share of the word's occurrences that stand in the phrase.
- **Held per index generation.** A phrase matched over the whole index
  (not among candidates) is kept with the generation's statistics, up to
  ``CACHE_POSTINGS`` postings (emptied when full, as the postings cache's
  recent part): the synonym lists are short, so the same phrases come back
  from query to query, and a synonym can still change without a rebuild.
- **Synonym phrases of common words, matched when a worker warms**
  (``warm``): *menteri luar negeri* (menlu), *kepolisian negara republik
  indonesia* (polri) are made of words in a tenth of the archive or more;
  matching one checks the positions of every article holding all its words
  (45 ms for *menteri luar negeri* in the body at 16x clickid), so the
  synonym lists' phrases whose words are all frequent are matched once, as
  the most frequent posting lists are read once (scoring.Stats.warm), and
  held for the generation: the costliest as the sets and dicts a Match
  holds (``PINNED_POSTINGS`` at most, 47 bytes a posting), the rest as
  arrays (``CompactPhrase``, ``COMPACT_POSTINGS`` at most, 8-12 bytes a
  posting), made into sets and dicts when used, for the asked articles
  only (at 16x clickid the phrases past the first budget were matched
  again whenever asked: 48 ms for *menteri pemuda olahraga* in the body).
"""
from __future__ import annotations

import bisect
import threading
import weakref
from itertools import accumulate

import numpy as np

from whoosh import query as wq

from search.codec import CompactLeafMatcher, unpack_array
from search.fields import ABSOLUTE, CompactPositions
from search.retrieval.docsets import contained
from search.retrieval.head_postings import open_postings
from search.retrieval.proximity import holds_at
from search.retrieval.scoring import Leaf, Match, pick

# What checking one article's positions for one word costs, in postings read
# from a list (Evaluator.cost's unit): its block decoded, its positions
# gathered. Measured at 4x clickid (CPU): 1-2 us a word per article, some 40
# postings' worth; an AND probes a clause among candidates when it costs more
# than scoring.PROBE_RATIO times their number.
POSITION_COST = 40
CACHE_POSTINGS = 300_000    # postings of phrases held per index generation
PINNED_POSTINGS = 1_000_000  # postings of synonym phrases matched at warm-up (warm), at most
COMPACT_POSTINGS = 4_000_000  # and past them, postings of those held as arrays (CompactPhrase)
WARM_MIN_DF = 256           # warm: a phrase with a rarer word is cheap to match when asked
CHECK_EVERY = 2048          # articles whose positions are read between two looks at the clock

_held: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()    # Stats -> PhraseCache
_held_lock = threading.Lock()


class PhraseCache:
    """Phrases matched over a whole index generation: (field, words) -> Match
    parts (ids, {word: postings})."""

    def __init__(self):
        self.found: dict = {}
        self.size = 0
        self.pinned: dict = {}          # matched at warm-up (warm): kept for the generation
        self.compact: dict = {}         # the same past the pinned budget, as CompactPhrase
        self.lock = threading.Lock()

    def get(self, key):
        """``(ids, {word: postings})`` or a CompactPhrase, or None."""
        found = self.pinned.get(key)
        if found is None:
            found = self.compact.get(key)
        return found if found is not None else self.found.get(key)

    def put(self, key, ids, postings: dict) -> None:
        size = sum(len(p) for p in postings.values()) + len(ids)
        with self.lock:
            if self.size + size > CACHE_POSTINGS:
                self.found, self.size = {}, 0
            if size <= CACHE_POSTINGS // 4:
                self.found[key] = (ids, postings)
                self.size += size


class CompactPhrase:
    """A phrase's matches held as arrays: its articles (sorted) and each
    word's weights in them, where the sets and dicts a Match holds cost 47
    bytes a posting. ``parts`` makes those, for the asked articles only."""

    __slots__ = ("ids", "words", "size")

    def __init__(self, ids, postings: dict):
        self.ids = np.array(sorted(ids), dtype=np.int32)
        self.words = {}
        for word, found in postings.items():
            docs = np.array(sorted(found), dtype=np.int32)
            self.words[word] = (docs, np.array([found[d] for d in docs.tolist()], dtype=np.float64))
        self.size = len(self.ids) + sum(len(docs) for docs, _ in self.words.values())

    def parts(self, wanted=None) -> tuple[set, dict]:
        """``(ids, {word: docnum -> weight})``, of the articles in ``wanted``
        (a sorted array) only when given. The weights are the float64 values
        the dicts held: the same scores to the last bit."""
        ids = self.ids if wanted is None else self.ids[contained(wanted, self.ids)]
        postings = {}
        for word, (docs, weights) in self.words.items():
            if wanted is not None:
                keep = contained(wanted, docs)
                docs, weights = docs[keep], weights[keep]
            postings[word] = dict(zip(docs.tolist(), weights.tolist()))
        return set(ids.tolist()), postings


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
    held = cache_of(evaluator.stats).get((q.fieldname, tuple(q.words)))
    if held is not None:
        return held.size if isinstance(held, CompactPhrase) else 0     # its dicts built, or nothing
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
    if isinstance(held, CompactPhrase):
        ids, postings = held.parts(None if among is None else evaluator.sorted_docs(among))
        return Match(ids, leaves(evaluator, q.fieldname, postings, boost), size=len(held.ids))
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
    ids, postings = phrase_postings_of(evaluator, q, words)
    if among is None:
        cache.put(key, frozenset(ids), postings)
    return Match(ids, leaves(evaluator, q.fieldname, postings, boost),
                 size=len(ids) if among is None else words.size)


def phrase_postings_of(evaluator, q: wq.Phrase, words: Match) -> tuple[set, dict]:
    """The articles of ``words`` (the Match of the phrase's words) holding
    the phrase, and each word's postings scoring it there."""
    docs, shares = phrase_counts(evaluator.searcher, q.fieldname, list(q.words), sorted(words.ids),
                                 evaluator.check_time)
    postings = {leaf.text: phrase_postings(leaf.postings, docs, shares[leaf.text]) for leaf in words.leaves}
    return set(docs), postings


def warm(evaluator, phrases, budget: int | None = None, compact_budget: int | None = None) -> int:
    """Match ``phrases`` (word tuples, e.g. the synonym lists' multi-word
    entries) in the title and the body over the whole index and hold them
    for the generation, those whose words are all in WARM_MIN_DF articles or
    more, costliest first: as dicts until ``budget`` postings are held (the
    number returned), then as arrays (CompactPhrase) until
    ``compact_budget``."""
    budget = PINNED_POSTINGS if budget is None else budget
    compact_budget = COMPACT_POSTINGS if compact_budget is None else compact_budget
    stats, reader = evaluator.stats, evaluator.reader
    cache = cache_of(stats)
    chosen = []
    for words in dict.fromkeys(tuple(w) for w in phrases if len(w) > 1):
        for field in ("title", "body"):
            q = PhraseQuery(field, list(words))
            rarest = min(stats.live.doc_frequency(reader, field, w) for w in set(words))
            if rarest >= WARM_MIN_DF:
                chosen.append((phrase_cost(evaluator, q), q))
    chosen.sort(key=lambda item: -item[0])
    held = compact = 0
    for _, q in chosen:
        ids, postings = phrase_postings_of(evaluator, q, evaluator.evaluate(words_query(q)))
        size = len(ids) + sum(len(p) for p in postings.values())
        key = (q.fieldname, tuple(q.words))
        if held + size <= budget:
            with cache.lock:
                cache.pinned[key] = shared(stats, ids, postings)
            held += size
        elif compact + size <= compact_budget:
            with cache.lock:
                cache.compact[key] = CompactPhrase(ids, postings)
            compact += size
    return held


def shared(stats, ids: set, postings: dict) -> tuple:
    """``(frozenset(ids), postings)`` keyed by the Stats' own int objects
    (the pinned posting lists'), 28 bytes less a held document."""
    same = stats._docnums
    return (frozenset(map(same.__getitem__, ids)),
            {word: {same[d]: w for d, w in found.items()} for word, found in postings.items()})


def leaves(evaluator, field: str, postings: dict, boost: float) -> list[Leaf]:
    """The phrase's words as scored terms over ``postings`` (word -> the
    phrase's weights): each word's own idf, the query's boost."""
    found = []
    for word, weights in postings.items():
        if weights:
            factor = evaluator.stats.live.idf(evaluator.reader, field, word) * (evaluator.stats.K1 + 1) * boost
            found.append(Leaf(field, word, weights, factor, complete=False))
    return found


def phrase_postings(postings: dict, docs: list[int], shares: list[float]) -> dict:
    """A word's ``postings`` for the articles holding the phrase (``docs``),
    each weight times the share of the word's occurrences in the phrase:
    the phrase's frequency in place of the word's."""
    get = pick(postings, docs).get
    # A whole share keeps the word's own weight object (the same value).
    return {d: weight if share == 1.0 else weight * share
            for d, share in zip(docs, shares) if (weight := get(d))}


def phrase_counts(searcher, field: str, words: list[str], candidates: list[int], check=None) -> tuple:
    """(docnums, {word: shares}): the ``candidates`` (sorted docnums, each
    holding every word) whose ``field`` holds ``words`` side by side, and
    for each, the share of each word's occurrences that stand in the
    phrase (in the order of the docnums). ``check()`` is
    called every CHECK_EVERY articles (it raises when the request's time is
    spent).

    Each word's positions in a run of candidates come as two arrays (the
    candidate, the position), so the phrase is found with array operations:
    a start is a position of the first word whose next places hold the
    next words (``numpy.isin`` on candidate * SPAN + position)."""
    docs: list[int] = []
    distinct = list(dict.fromkeys(words))
    shares: dict[str, list] = {w: [] for w in distinct}
    times = [words.count(w) for w in distinct]
    places = [(place, distinct.index(w)) for place, w in enumerate(words)]
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
            local = candidates[first:min(position, first + CHECK_EVERY)]
            held = [positions.take([d - offset for d in local]) for positions in readers]
            starts = phrase_starts([which * SPAN + where for which, where in held], places)
            if not len(starts):
                continue
            phrased = np.bincount(starts // SPAN, minlength=len(local))
            chosen = np.flatnonzero(phrased)
            docs.extend(np.array(local, dtype=np.int64)[chosen].tolist())
            for w, n, (which, _) in zip(distinct, times, held):
                occurrences = np.bincount(which, minlength=len(local))[chosen]
                shares[w].append(np.minimum(phrased[chosen] * n, occurrences) / occurrences)
    return docs, {w: np.concatenate(parts).tolist() if parts else [] for w, parts in shares.items()}


def phrase_starts(keys: list, places: list) -> np.ndarray:
    """The phrase's starts, as keys (candidate * SPAN + position): ``keys``
    holds each distinct word's, ``places`` each word of the phrase as (its
    place, its word's index in ``keys``)."""
    (_, first), rest = places[0], places[1:]
    starts = keys[first]
    for place, at in rest:
        if not len(starts):
            break
        starts = starts[np.isin(starts + place, keys[at])]
    return starts


class WordPositions:
    """One segment's positions of one word in one field, read forward.

    In cari's format the list (head_postings.open_postings: in memory) is
    walked block by block: a block holding none of the documents asked for
    is passed by its header (which gives its last id); from one holding
    some, each one's positions are sliced alone, and the slices of all the
    documents asked for are read into arrays at once (positions are stored
    as deltas in the narrowest array: search/fields.py's CompactPositions)."""

    def __init__(self, leaf, field: str, text: str):
        self.matcher = open_postings(leaf, field, text)
        self.compact = (isinstance(self.matcher, CompactLeafMatcher) and self.matcher._fixedsize != 0
                        and type(self.matcher.format) is CompactPositions)
        self.block = None       # (its data, its ids, where each posting's value starts) of the block at hand

    @staticmethod
    def read_block(matcher) -> tuple:
        """The current block's data, ids and value offsets, as arrays (ids
        None: it holds no values)."""
        deltas, _, values_at = matcher._data
        raw = matcher._raw
        count, at = unpack_array(raw, values_at, 1)
        if count is None:
            return raw, None, None
        lengths, at = unpack_array(raw, at, count[0])
        ids = np.asarray(deltas).astype(np.int64).cumsum()
        starts = np.empty(len(lengths) + 1, dtype=np.int64)
        starts[0] = at
        np.cumsum(np.asarray(lengths), out=starts[1:])
        starts[1:] += at
        return raw, ids, starts

    def take(self, docs: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(index in ``docs``, position) arrays of every position of the word
        in those of ``docs`` (sorted, numbered in the segment, past any asked
        before) that hold it."""
        matcher = self.matcher
        if matcher is None or not docs:
            return NO_POSITIONS
        if not self.compact:
            return positions_arrays([(i, matcher.value_as("positions"))
                                     for i, d in enumerate(docs) if holds_at(matcher, d)])
        wanted = np.array(docs, dtype=np.int64)
        values = Values()
        i = 0
        while i < len(docs):
            while matcher._maxid < docs[i]:
                if matcher._lastblock:
                    self.matcher = None
                    return values.positions(matcher.format)
                matcher._goto(matcher._nextoffset)
            if matcher._data is None:
                matcher._read_data()
            raw = matcher._raw
            if self.block is None or self.block[0] is not raw:
                self.block = self.read_block(matcher)
            _, ids, starts = self.block
            if ids is None:
                break
            j = bisect.bisect_right(docs, matcher._maxid, i)
            at = np.searchsorted(ids, wanted[i:j])          # every one of them is at most the last id
            held = ids[at] == wanted[i:j]
            if held.any():
                values.add(raw, np.flatnonzero(held) + i, starts, at[held])
            i = j
        return values.positions(matcher.format)


class Values:
    """The values (encoded positions) of the postings taken from one list:
    the blocks' data they lie in, joined, and where each lies."""

    def __init__(self):
        self.blocks: list[bytes] = []
        self.which: list[np.ndarray] = []       # per block, the documents' indexes
        self.begins: list[np.ndarray] = []
        self.ends: list[np.ndarray] = []
        self.size = 0

    def add(self, raw: bytes, which: np.ndarray, starts: np.ndarray, at: np.ndarray) -> None:
        self.which.append(which)
        self.begins.append(starts[at] + self.size)
        self.ends.append(starts[at + 1] + self.size)
        self.blocks.append(raw)
        self.size += len(raw)

    def positions(self, format_) -> tuple[np.ndarray, np.ndarray]:
        """(document index, position) arrays of every value taken."""
        if not self.which:
            return NO_POSITIONS
        data = np.frombuffer(b"".join(self.blocks), dtype=np.uint8)
        which, begins, ends = (np.concatenate(self.which), np.concatenate(self.begins),
                               np.concatenate(self.ends))
        codes = data[begins]
        whole = codes == ABSOLUTE
        parts = []
        if whole.any():
            parts.append(positions_arrays([(w, format_.decode_positions(data[b:e].tobytes())) for w, b, e
                                           in zip(which[whole].tolist(), begins[whole].tolist(),
                                                  ends[whole].tolist())]))
        for code in np.unique(codes[~whole]).tolist():
            chosen = codes == code
            parts.append(deltas_positions(data, DTYPES[code], which[chosen], begins[chosen] + 1, ends[chosen]))
        if len(parts) == 1:
            return parts[0]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def deltas_positions(data: np.ndarray, dtype, which, begins, ends) -> tuple[np.ndarray, np.ndarray]:
    """(document index, position) arrays of values stored as deltas in
    ``dtype`` at ``data[begins[k]:ends[k]]``: the bytes gathered into one
    array, each value's deltas summed from its first."""
    lengths = ends - begins
    out_starts = np.cumsum(lengths) - lengths
    gather = np.repeat(begins - out_starts, lengths) + np.arange(int(lengths.sum()), dtype=np.int64)
    total = data[gather].view(dtype).astype(np.int64).cumsum()
    counts = lengths // dtype.itemsize
    last = np.cumsum(counts) - 1
    before = np.zeros(len(counts), dtype=np.int64)
    before[1:] = total[last[:-1]]
    return np.repeat(which, counts), total - np.repeat(before, counts)


SPAN = 1 << 32                  # a key is candidate * SPAN + position
NO_POSITIONS = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
DTYPES = {ord(code): np.dtype(code).newbyteorder("<") for code in "BHIQ"}


def positions_arrays(lists: list) -> tuple[np.ndarray, np.ndarray]:
    """(doc index, position) arrays from (doc index, positions) pairs."""
    if not lists:
        return NO_POSITIONS
    counts = [len(positions) for _, positions in lists]
    return (np.repeat(np.array([i for i, _ in lists], dtype=np.int64), counts),
            np.fromiter((p for _, positions in lists for p in positions), dtype=np.int64, count=sum(counts)))
