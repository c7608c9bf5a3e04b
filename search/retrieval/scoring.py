"""Matching and BM25F ranking, with Whoosh's scores.

Whoosh walks a tree of matchers one document at a time, a few Python method
calls per posting per node; a query engine that needs the full matching set
anyway (for the total and the facets) pays that twice. Here each term's
posting list is decoded as numpy arrays (search/codec.py's ``decode_list``)
and turned into a dict ``docnum -> weight`` in one C call, sets do the
boolean logic, and only the documents that survive are scored.

Two shortcuts keep the answer exact: an AND's clauses are read cheapest
first, and a clause far longer than the documents that can still qualify is
only probed for them (``Evaluator.all_of``: only the blocks that may hold
one are decoded, and only their postings become dict entries); the top ``k`` is found without adding every term to every
document (``best``: MaxScore).

Scores are Whoosh's own: for a tree of AND/OR over terms, Whoosh's score of a
document is the sum of the BM25F scores of the positive terms it contains, and
that sum is computed here with the same idf, average field length, encoded
field length, B and K1 (``tests/test_searcher.py`` compares the two). A query
that matches and scores itself (``evaluate_in``: the phrases the query builder
makes, phrases.py) is asked to; another phrase matches through Whoosh and
scores as its words. Anything this module does not know falls back to
Whoosh's matcher for its document set.
"""
from __future__ import annotations

import bisect
import heapq
import math
import threading
import time
from array import array
from collections.abc import Mapping, Set
from itertools import accumulate, combinations, islice, repeat

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher, W3TermInfo, W3TermsReader
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F

from search.codec import decode_list, float_weights, read_list
from search.retrieval.docsets import (CONVERT_NS, SET_STEP_NS, Ascending, array_at_least, array_union, as_index,
                                      contained, doc_array, union_ns)
from search.retrieval.live import LiveStats

# Postings kept decoded per index generation. Reading a long posting list
# (a word in half the archive) costs milliseconds (most of it building the
# dict), so the most frequent terms are read once, when a worker warms up,
# and kept ("pinned", as many as ``pinned_budget`` allows); other terms
# share a smaller cache of the lists read last, the oldest out first
# (RECENT_POSTINGS, or RECENT_SHARE below). A pinned posting is a dict
# entry only: its key is the Stats' int object for the document and its
# weight a float shared by every posting of that weight (76 bytes when each
# posting held a float of its own). Measured: 39.4 bytes a posting at 4x
# clickid (9.1 million postings), with the dicts' tables.
PINNED_BYTES_PER_POSTING = 40
PINNED_MEMORY_SHARE = 32       # by default the workers share 1/32 of the machine's memory for them
# When the lists worth keeping outgrow that memory, up to a share of it
# holds the next most frequent terms as arrays ("held": document numbers
# as int32, weights as bytes or float32, 5-8 bytes a posting where a dict
# entry takes 40): a query takes them as they are (``Postings``: no dict
# unless a caller asks for one), skipping the blocks' decompression and
# decoding (about half of reading a list in full). At 16x clickid a
# quarter of the default memory holds every list of 4,000 articles or
# more; in one process, the bench's queries gave the same answers in 0.91x
# (titles) and 0.92x (topics) the CPU of dicts alone, when queries still
# built dicts from the arrays. A third or a half of the memory as arrays
# lowered the mean 2-11% more but raised the topics' p95 (58-59 ms against
# 49-52): the most frequent lists, which the slowest queries read, became
# dicts built per query.
HELD_SHARE = 0.25
HELD_BYTES_PER_POSTING = 6     # what Stats.warm expects an array posting to take (measured: 5.3 at 16x)
HELD_MIN_BYTES = 5             # the least one takes: an int32 id and a byte weight
# And when they outgrow it, a tenth of that memory holds the lists read
# last (more than RECENT_POSTINGS, the oldest out first), taken from the
# dicts: a word a query reads in full is likely in the next queries too
# (at 16x clickid the bench's queries read lists of 20,000-40,000
# postings; RECENT_POSTINGS held ten of them and was emptied when full).
# A recent posting costs more than a pinned one: its int key is its own.
# At 16x, in one process each, alternated: topic p95 (CPU) 51-55 -> 44 ms,
# the worker's memory after the bench's queries +17 MB (1,087 MB with the
# corpus the script held).
RECENT_POSTINGS = 300_000
RECENT_SHARE = 0.1
RECENT_BYTES_PER_POSTING = 70
WARM_MIN_DF = 256              # shorter lists are a block or two: cheap to read when asked
SCORED_FIELDS = ("title", "body")
MAX_COMBINATIONS = 120         # at_least: more subsets than this, count per document instead
PRUNE_MIN_FACTOR = 4           # best(): fewer documents than this times the depth are simply all scored
VECTOR_MIN = 4000              # best(): this many documents or more are scored as arrays (best_arrays)
GATHER_FACTOR = 8              # best_arrays: a list this many times longer than the documents is looked up per document
BOUND_EPSILON = 1e-9           # bounds are sums in another order than scores: allow for rounding
# A clause is read only among the candidate documents (probed: the blocks
# that may hold one decoded as arrays, a dict entry only for the candidates
# found) when reading it in full would decode more than this many postings
# per candidate. Reading in full builds a dict entry per posting (about ten
# times a posting's decoding) but is kept for the rest of the query (the
# phrase check, the tail); with the bench's queries (CPU, A/B in one
# process) 64 was the fastest at 4x and 16x clickid, 16 close behind, 8 and
# 2048 slower, 2 slower still.
PROBE_RATIO = 64
# A clause whose postings are held decoded (nothing to read) is probed when
# it holds more than this many postings per candidate: building the set of
# its documents costs about 8-30 ns a posting and the intersection more,
# looking a candidate up in its dict about 40 ns a field.
CACHED_PROBE_RATIO = 8


class OutOfTime(Exception):
    pass


class Leaf:
    """One scored term: its postings and what BM25F needs. ``complete``:
    False when the postings were read only for some candidate documents."""

    __slots__ = ("field", "text", "postings", "factor", "complete")

    def __init__(self, field, text, postings, factor, complete=True):
        self.field, self.text, self.postings, self.factor = field, text, postings, factor
        self.complete = complete


class Postings(Mapping):
    """``docnum -> weight`` of a held term, kept as its arrays (``arrays``:
    ids ascending, weights). Matching, scoring, probing and bounds take the
    arrays (``documents``, ``score``, ``pick``, ``Stats.max_impact``); the
    dict is made only for a caller that looks documents up one by one
    (about 100 ns a posting: 5 ms for a list of 50,000 at 16x)."""

    __slots__ = ("arrays", "_dict")

    def __init__(self, ids: np.ndarray, weights: np.ndarray):
        self.arrays = ids, weights
        self._dict = None

    def built(self) -> dict:
        """The dict, made on first use and kept."""
        found = self._dict
        if found is None:
            ids, weights = self.arrays
            found = self._dict = dict(zip(ids.tolist(), weight_objects(weights)))
        return found

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __iter__(self):
        return iter(self.built())

    def __getitem__(self, docnum):
        return self.built()[docnum]

    def __contains__(self, docnum) -> bool:
        if self._dict is not None:
            return docnum in self._dict
        return docnum in Ascending(self.arrays[0])

    def get(self, docnum, default=None):
        return self.built().get(docnum, default)

    def keys(self):
        return self.built().keys()

    def values(self):
        return self.built().values()

    def items(self):
        return self.built().items()


def documents(postings) -> "Set":
    """The documents of a term's postings as a set: a held term's array
    itself when its dict is not made (docsets.Ascending), else the dict's keys."""
    if isinstance(postings, Postings) and postings._dict is None:
        return Ascending(postings.arrays[0])
    return postings.keys()


class Match:
    """Matching documents and the terms that score them. ``size``: how many
    documents match in all; when the clause was read only among candidates
    (probed), an upper bound from its terms' document frequencies."""

    __slots__ = ("ids", "leaves", "size")

    def __init__(self, ids, leaves=(), size=None):
        self.ids = ids
        self.leaves = list(leaves)
        self.size = len(ids) if size is None else size


class Stats:
    """Per index generation: field length norms and a postings cache."""

    def __init__(self, searcher, view, live=None):
        reader = searcher.reader()
        # The live documents' statistics (search/retrieval/live.py): an index
        # updated in place scores as one built fresh.
        self.live = live if live is not None else LiveStats(reader)
        weighting = searcher.weighting
        self.usable = type(weighting) is BM25F
        self.K1 = getattr(weighting, "K1", 1.2)
        self.norms: dict[str, list[float]] = {}
        self.view = view
        self.has_deletions = reader.has_deletions()
        self.warmed = not self.usable
        if not self.usable:
            return
        n = reader.doc_count_all()
        for field in SCORED_FIELDS:
            B = weighting._field_B.get(field, weighting.B)
            avgfl = self.live.avg_field_length(field) or 1
            k1 = self.K1
            # Whoosh stores a length in one byte: a few hundred values, each
            # norm computed once and its float shared (a float of its own per
            # article took 24 bytes: 18 MB at 16x clickid).
            values: dict[int, float] = {}
            self.norms[field] = [norm_of(values, field_length(reader, d, field), k1, B, avgfl) for d in range(n)]
        self._pinned: dict[tuple, dict] = {}
        self._pinned_top: dict[tuple, float] = {}  # a pinned list's largest weight (max_impact)
        self._held: dict[tuple, tuple] = {}        # the next most frequent terms, as arrays (HELD_SHARE)
        self._recent: dict[tuple, dict] = {}
        self._size = 0
        self._recent_limit = RECENT_POSTINGS
        self._shortest: dict[str, float] = {}
        self._lock = threading.Lock()
        # One int object per document number, shared by every pinned posting
        # list (a dict of fresh ints would cost 28 bytes more per posting);
        # the array hands them out by numpy indexing.
        self._docnums = list(range(n))
        self._docnum_objects = np.array(self._docnums, dtype=object)
        # The same norms as arrays, and pinned lists as arrays once scored
        # that way (best_arrays): 8 bytes a posting, only for terms used.
        self.norm_arrays = {field: np.array(norms, dtype=np.float64) for field, norms in self.norms.items()}
        self._arrays: dict[tuple, tuple] = {}

    def arrays(self, leaf: Leaf) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, weights) of ``leaf``'s postings as arrays, kept
        for a pinned term. Weights are float32 in the index: exact as such."""
        key = (leaf.field, leaf.text)
        found = self._arrays.get(key)
        if found is not None and self.is_pinned(leaf):
            return found
        found = getattr(leaf.postings, "arrays", None)
        if found is not None:
            return found
        postings = leaf.postings
        found = (np.fromiter(postings.keys(), dtype=np.int32, count=len(postings)),
                 np.fromiter(postings.values(), dtype=np.float32, count=len(postings)))
        if self.is_pinned(leaf):
            with self._lock:
                self._arrays[key] = found
        return found

    def has_arrays(self, leaf: Leaf) -> bool:
        """``arrays(leaf)`` costs no conversion: the term is pinned (its
        arrays kept once made) or held as arrays (``Postings``)."""
        return isinstance(leaf.postings, Postings) or self.is_pinned(leaf)

    def is_pinned(self, leaf: Leaf) -> bool:
        """``leaf``'s postings are its term's pinned list (whose arrays are kept: ``arrays``)."""
        return self._pinned.get((leaf.field, leaf.text)) is leaf.postings

    def postings(self, reader, field: str, text: str) -> dict:
        key = (field, text)
        found = self._pinned.get(key)
        if found is None:
            found = self._recent.get(key)
        if found is not None:
            return found
        held = self._held.get(key)
        if held is not None:        # its arrays at hand: nothing to keep among the lists read
            return Postings(*held)
        found = self.read(reader, field, text)
        limit = self._recent_limit
        if len(found) <= limit // 4:
            with self._lock:
                # Another thread may have read the same list meanwhile: counted once.
                earlier = self._recent.pop(key, None)
                self._size += len(found) - (len(earlier) if earlier is not None else 0)
                self._recent[key] = found
                while self._size > limit and self._recent:      # the oldest out first
                    self._size -= len(self._recent.pop(next(iter(self._recent))))
        return found

    def max_impact(self, leaf: Leaf) -> float:
        """At least the most ``leaf`` adds to any article's score, cheaply: its
        largest weight over the field's shortest document (a term's share
        w / (w + norm) grows with w and shrinks with the norm). A bound for
        top-k pruning (``best``, search/retrieval/tail.py); ``max`` over the
        weights runs in C, where the exact bound would need a Python pass."""
        if not leaf.postings:
            return 0.0
        shortest = self._shortest.get(leaf.field)
        if shortest is None:
            shortest = self._shortest[leaf.field] = min(self.norms[leaf.field], default=1.0)
        if isinstance(leaf.postings, Postings):
            weight = float(leaf.postings.arrays[1].max())     # the same float32 value
        else:
            weight = self._pinned_top.get((leaf.field, leaf.text)) if self.is_pinned(leaf) else None
            if weight is None:
                weight = max(leaf.postings.values())
        return leaf.factor * weight / (weight + shortest)

    def cached(self, field: str, text: str) -> dict | None:
        """The term's postings if they are held decoded, else None."""
        key = (field, text)
        found = self._pinned.get(key)
        return found if found is not None else self._recent.get(key)

    def at_hand(self, field: str, text: str):
        """The term's postings if they cost no reading: held decoded
        (``cached``) or as arrays (a ``Postings`` over them), else None."""
        found = self.cached(field, text)
        if found is None:
            held = self._held.get((field, text))
            found = None if held is None else Postings(*held)
        return found

    def probe(self, reader, field: str, text: str, docs, sort=None) -> dict:
        """``docnum -> weight`` of the term for the live documents of ``docs``
        only (``sort(docs)``: them as a sorted array, by default
        ``sorted_array``; a caller probing many terms for the same documents
        sorts them once). A list held decoded (pinned, or read earlier) is
        looked up; so is one no longer than ``docs`` are many, read in full
        (and kept as any list read). Else the list's arrays (held ones as
        they are; others decoded with numpy, a few ns a posting, only the
        blocks that may hold one of ``docs``) are searched, and only its
        postings for ``docs`` become dict entries,
        where reading it in full builds one for each posting (about ten
        times the cost)."""
        held = self.cached(field, text)
        arrays = self._held.get((field, text))
        if held is None and arrays is None and self.live.doc_frequency(reader, field, text) <= len(docs):
            held = self.postings(reader, field, text)
        if held is not None:
            return pick(held, docs)
        wanted = (sort or sorted_array)(docs)
        ids, weights = arrays if arrays is not None else posting_arrays(reader, field, text, among=wanted)
        if not len(ids) or not len(wanted):
            return {}
        ids, weights = among((ids, weights), wanted)
        found = dict(zip(ids.tolist(), weight_objects(weights)))
        if self.has_deletions and found:
            live = self.view.live
            found = {d: w for d, w in found.items() if d in live}
        return found

    def read(self, reader, field: str, text: str, share: bool = False) -> dict:
        """The term's live postings; ``share``: for a list kept long (pinned),
        made of shared objects (Stats' document numbers, one float per
        weight), else of fresh ints, a quarter faster to build (they lie
        together in memory; the shared ones are spread over the archive's)."""
        found = read_postings(reader, field, text, self._docnum_objects if share else None, share)
        if self.has_deletions and found:
            live = self.view.live
            found = {d: w for d, w in found.items() if d in live}
        return found

    def warm(self, reader, budget: int | None = None) -> int:
        """Decode the longest posting lists of title and body (most frequent
        terms first) and keep them as dicts (pinned) in the memory of
        ``budget`` postings (default ``pinned_budget()``). When they do not
        all fit, part of that memory keeps the following as arrays (held,
        ``dict_share``) and a tenth the lists read last (RECENT_SHARE).
        Returns how many postings are pinned."""
        if not self.usable:
            return 0
        budget = pinned_budget() if budget is None else budget
        lengths = [(df, field, text) for (field, text), df in frequencies(reader).items()]
        lengths.sort(reverse=True)
        wanted = sum(df for df, _, _ in lengths if df >= WARM_MIN_DF)
        dict_budget = dict_share(budget, wanted)
        array_bytes = (budget - dict_budget) * PINNED_BYTES_PER_POSTING
        self._recent_limit = RECENT_POSTINGS
        if wanted > budget:             # the recent lists' memory out of the dicts'
            memory = budget * RECENT_SHARE * PINNED_BYTES_PER_POSTING
            self._recent_limit = max(RECENT_POSTINGS, int(memory / RECENT_BYTES_PER_POSTING))
            more = (self._recent_limit - RECENT_POSTINGS) * RECENT_BYTES_PER_POSTING
            dict_budget = max(0, dict_budget - int(more / PINNED_BYTES_PER_POSTING))
        pinned, held, pinned_size, held_bytes = {}, {}, 0, 0
        for df, field, text in lengths:
            if df < WARM_MIN_DF or (dict_budget - pinned_size < 100 and array_bytes - held_bytes < 500):
                break
            if pinned_size + df <= dict_budget:
                pinned[(field, text)] = self.read(reader, field, text, share=True)
                pinned_size += df
            elif held_bytes + HELD_MIN_BYTES * df <= array_bytes:     # may fit: read it and see
                ids, weights = self.read_arrays(reader, field, text)
                if held_bytes + ids.nbytes + weights.nbytes <= array_bytes:
                    held[(field, text)] = ids, weights
                    held_bytes += ids.nbytes + weights.nbytes
        # Found once here: a frequent term's list is tens of thousands of
        # weights, and each query bounding it (best, the tail) would scan them.
        self._pinned_top = {key: max(postings.values()) for key, postings in pinned.items()}
        self._pinned, self._held = pinned, held
        self.warmed = True
        return pinned_size

    def read_arrays(self, reader, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The term's live postings as compact arrays: ids int32, weights as read."""
        ids, weights = posting_arrays(reader, field, text)
        if self.has_deletions and len(ids):
            live = self.view.live
            keep = np.fromiter((d in live for d in ids.tolist()), dtype=bool, count=len(ids))
            ids, weights = ids[keep], weights[keep]
        return ids.astype(np.int32), weights


def among(arrays: tuple, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (ids, weights) of ``arrays`` (ids ascending) for ``docs`` (any order)."""
    ids, weights = arrays
    at = np.searchsorted(ids, docs)
    at[at == len(ids)] = 0
    at = at[ids[at] == docs] if len(ids) else at[:0]
    return ids[at], weights[at]


def norm_of(values: dict, length: int, k1: float, B: float, avgfl: float) -> float:
    """BM25's length norm of ``length`` (its float made once, kept in ``values``)."""
    found = values.get(length)
    if found is None:
        found = values[length] = k1 * ((1 - B) + B * length / avgfl)
    return found


def sorted_array(docs) -> np.ndarray:
    """Document numbers as a sorted int64 array."""
    if isinstance(docs, Ascending):
        return docs.array
    wanted = np.fromiter(docs, dtype=np.int64, count=len(docs) if hasattr(docs, "__len__") else -1)
    wanted.sort()
    return wanted


def dict_share(budget: int, wanted: int) -> int:
    """Of ``budget`` postings' memory, how many postings are pinned as dicts
    when ``wanted`` are worth keeping: all when they fit; else only as
    many less than the budget as lets arrays hold the rest, and at least
    1 - HELD_SHARE of it (a dict is looked up at once; arrays take numpy
    steps, and a dict built for a caller looking documents up one by one)."""
    if wanted <= budget:
        return budget
    ratio = HELD_BYTES_PER_POSTING / PINNED_BYTES_PER_POSTING
    return max(int(budget * (1 - HELD_SHARE)), min(budget, int((budget - wanted * ratio) / (1 - ratio))))


def pick(postings: dict, docs) -> dict:
    """``postings`` of the documents in ``docs`` only, looking up the smaller
    side in the larger (a held term's arrays searched with numpy)."""
    if isinstance(postings, Postings) and postings._dict is None:
        ids, weights = among(postings.arrays, doc_array(docs))
        return dict(zip(ids.tolist(), weight_objects(weights)))
    if isinstance(docs, (set, frozenset, dict)) and len(postings) < len(docs):
        return {d: w for d, w in postings.items() if d in docs}
    get = postings.get
    return {d: w for d in docs if (w := get(d)) is not None}


def pinned_budget(environ=None) -> int:
    """How many postings a worker pins: ``CARI_PINNED_MB`` of memory, or by
    default its share of 1/PINNED_MEMORY_SHARE of the machine's memory (the
    workers, ``CARI_WORKERS`` or one per core, split it), at
    PINNED_BYTES_PER_POSTING each. Warming stops earlier on an index whose
    frequent terms need less: the budget is an upper bound, not a reservation."""
    from search import settings

    megabytes = settings.value("CARI_PINNED_MB", environ)
    if megabytes is None:
        megabytes = settings.memory_mb() // PINNED_MEMORY_SHARE // settings.workers(environ)
    return megabytes * 2**20 // PINNED_BYTES_PER_POSTING


def skip_to(matcher, docnum: int) -> None:
    """``matcher.skip_to(docnum)``; within a block of Whoosh's W3 format (and
    cari's, which extends it), by bisecting the block's ids: W3 steps through
    them one ``next()`` at a time, most of a probe's cost (and of the phrase
    check's, search/retrieval/proximity.py)."""
    if not isinstance(matcher, W3LeafMatcher):
        matcher.skip_to(docnum)
        return
    if docnum > matcher.block_max_id():
        matcher._skip_to_block(lambda: docnum > matcher.block_max_id())
        if not matcher.is_active():
            return
    if matcher._ids is None:
        matcher._read_ids()
    matcher._i = bisect.bisect_left(matcher._ids, docnum, matcher._i)  # docnum <= the block's last id


def frequencies(reader) -> dict:
    """(field, term) -> document frequency for title and body, summed over
    segments (each segment's term list is read in order; a combined reader
    would look every term up in every segment)."""
    found: dict[tuple, int] = {}
    for leaf, _ in reader.leaf_readers():
        for field in SCORED_FIELDS:
            if field not in leaf.schema:
                continue
            to_text = leaf.schema[field].from_bytes
            for text, info in leaf.iter_field(field):
                key = (field, to_text(text))
                found[key] = found.get(key, 0) + info.doc_frequency()
    return found


def field_length(reader, docnum: int, field: str) -> int:
    """Whoosh's stored (byte-encoded) length; a deleted document may have none."""
    length = reader.doc_field_length(docnum, field, 1)
    return 1 if length is None else length


def read_postings(reader, field: str, text: str, docnums=None, share=False) -> dict:
    """``docnum -> weight`` for one term over every segment, built by one
    ``dict(zip(...))`` from lists numpy makes. ``docnums`` (an object array,
    or a list, of ints by value) lends its int objects to the keys; the
    weights are floats, whole ones (term frequencies) the shared objects of
    WHOLE_WEIGHTS; ``share``: other weights (a title's, boosted) share one
    float object per value too (worth its sort for a list kept long)."""
    ids, weights = posting_arrays(reader, field, text)
    if not len(ids):
        return {}
    if docnums is None:
        keys = ids.tolist()
    elif isinstance(docnums, np.ndarray):
        keys = docnums[ids].tolist()
    else:
        keys = list(map(docnums.__getitem__, ids.tolist()))
    return dict(zip(keys, weight_objects(weights, share)))


def weight_objects(weights: np.ndarray, share: bool = False) -> list:
    """The weights as Python floats (exactly the float32 values): whole ones
    up to 255 as shared objects (a float is 24 bytes; a pinned posting would
    otherwise hold one of its own), others fresh unless ``share``. Whole
    weights the index stored as float32 (a block holding a weight past 255)
    are found and shared only when ``share``: the checks cost a few µs a
    list, which a list read for one query need not pay."""
    if share and weights.dtype != np.uint8 and len(weights) and 0 <= weights.min() and weights.max() <= 255 \
            and (weights == np.floor(weights)).all():
        weights = weights.astype(np.uint8)      # whole weights of float blocks: worth the checks when kept
    if weights.dtype == np.uint8:
        return WHOLE_WEIGHTS[weights].tolist()
    if not share:
        return weights.tolist()
    values, inverse = np.unique(weights, return_inverse=True)
    objects = np.empty(len(values), dtype=object)
    objects[:] = values.tolist()
    return objects[inverse].tolist()


# 0.0 .. 255.0 as one float object each (a block's whole weights are bytes).
WHOLE_WEIGHTS = np.empty(256, dtype=object)
WHOLE_WEIGHTS[:] = [float(w) for w in range(256)]


def posting_arrays(reader, field: str, text: str, among=None) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers, weights) of a term over every segment, in document
    order, as int64 and uint8 (whole weights) or float arrays; ``among`` (a
    sorted array of document numbers): only the segments and the blocks
    that may hold one of them are decoded (the postings of ``among`` and
    some others)."""
    ids, weights = [], []
    tbytes = None
    for leaf, offset in reader.leaf_readers():
        local = None
        if among is not None:
            lo, hi = np.searchsorted(among, (offset, offset + leaf.doc_count_all()))
            if lo == hi:
                continue
            local = (among[lo:hi] - offset).tolist()
        terms = getattr(leaf, "_terms", None)
        if isinstance(terms, W3TermsReader) and not leaf.is_closed:
            if tbytes is None:
                try:
                    tbytes = leaf._text_to_bytes(field, text)
                except TermNotFound:
                    return _EMPTY
            found = read_list(terms, field, tbytes)
            if found is None:
                continue
            if isinstance(found, W3TermInfo):
                part = inlined_arrays(found) if found.is_inlined() else matcher_arrays(leaf, field, text)
            else:
                part = decode_list(found, local)
        else:   # another kind of reader: through its matcher
            part = matcher_arrays(leaf, field, text)
        if part is not None and len(part[0]):
            ids.append(part[0] + offset if offset else part[0])
            weights.append(part[1])
    if not ids:
        return _EMPTY
    if len(ids) == 1:
        return ids[0], weights[0]
    return np.concatenate(ids), np.concatenate(weights)


_EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint8))


def inlined_arrays(info) -> tuple[np.ndarray, np.ndarray]:
    """The arrays of postings kept in the term info (a list of one posting)."""
    found, weights, _ = info.inlined_postings()
    return np.array(found, dtype=np.int64), np.array(weights, dtype=np.float64)


def matcher_arrays(leaf, field: str, text: str):
    """The arrays of one segment's list through its matcher (a list in another
    codec's format, W3's): W3's blocks unpickled, ids summed in C."""
    m = segment_postings(leaf, field, text)
    if m is None:
        return None
    m = getattr(m, "child", m) if type(m).__name__ == "FilterMatcher" else m
    found, weights = [], []
    if isinstance(m, W3LeafMatcher) and not m._byteids:
        for block_ids, block_weights in w3_blocks(m, 0):
            found.extend(block_ids)
            weights.extend(block_weights)
    else:
        while m.is_active():
            found.append(m.id())
            weights.append(m.weight())
            m.next()
    # float64: W3 pickles its weights as Python floats, not float32.
    return np.array(found, dtype=np.int64), np.array(weights, dtype=np.float64)


def segment_postings(leaf, field: str, text: str):
    """One segment's matcher for the term, or None when the segment lacks it:
    one lookup in the segment's term table (``in`` and then ``postings``
    looked it up twice, and an archive of many segments pays per segment)."""
    try:
        return leaf.postings(field, text)
    except TermNotFound:
        return None


def w3_blocks(m, offset: int):
    """(ids + ``offset``, weights) per block of a W3LeafMatcher, from its
    block data (W3's own ``_read_ids`` decodes the deltas in a Python loop)."""
    while m.is_active():
        if m._data is None:
            m._read_data()
        deltas, weights = m._data[0], m._data[1]
        if weights is None or isinstance(weights, float):
            weights = repeat(1.0 if weights is None else weights, m._blocklength)
        elif isinstance(weights, array):
            weights = float_weights(weights)
        yield islice(accumulate(deltas, initial=offset), 1, None), weights
        if m._lastblock:
            return
        m._next_block()


class Evaluator:
    """Turns a Whoosh query (as built by search.retrieval.query) into a Match."""

    def __init__(self, searcher, view, stats: Stats, deadline: float, budget=None):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.view = view
        self.stats = stats
        self.deadline = deadline
        self.budget = budget            # search.retrieval.query.Budget: its checkpoint, when given
        self._wanted = None             # (candidates, as a sorted array): see sorted_docs()

    def sorted_docs(self, docs) -> np.ndarray:
        """``docs`` as a sorted array, made once per set of candidates: every
        term under a probed clause is probed for the same ones."""
        found = self._wanted
        if found is None or found[0] is not docs:
            found = self._wanted = (docs, sorted_array(docs))
        return found[1]

    def check_time(self):
        if self.budget is not None:
            if self.budget.expired():
                raise OutOfTime
        elif time.perf_counter() > self.deadline:
            raise OutOfTime

    def evaluate(self, q, boost: float = 1.0) -> Match:
        """``boost``: the product of the enclosing queries' boosts (Whoosh
        multiplies a subquery's scores by its boost, at every level)."""
        self.check_time()
        boost *= getattr(q, "boost", 1.0)
        if isinstance(q, wq.Term):
            return self.term(q, boost)
        if isinstance(q, wq.And):
            return self.conjunction(q.subqueries, boost)
        if isinstance(q, wq.Or):
            return self.disjunction(q.subqueries, boost)
        if isinstance(q, wq.Not):
            return Match(set(self.view.live) - self.evaluate(q.query).ids)
        if isinstance(q, wq.ConstantScoreQuery):
            return Match(self.evaluate(q.child).ids)
        if isinstance(q, wq.DateRange):
            ids = self.view.docs_between(q.startdate, q.enddate)
            return Match(set(self.view.live) if ids is None else ids)
        if isinstance(q, wq.Every):
            return Match(self.view.live)
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return Match(frozenset())
        if hasattr(q, "evaluate_in"):       # a query that matches and scores itself (phrases.py)
            return q.evaluate_in(self, boost)
        if isinstance(q, wq.Phrase) and q.fieldname in SCORED_FIELDS:
            ids = set(self.searcher.docs_for_query(q))
            return Match(ids, [self.leaf(q.fieldname, w, boost) for w in set(q.words)])
        return Match(set(self.searcher.docs_for_query(q)))

    def leaf(self, field: str, text: str, boost: float = 1.0) -> Leaf:
        postings = self.stats.postings(self.reader, field, text)
        idf = self.stats.live.idf(self.reader, field, text) if postings else 0.0
        return Leaf(field, text, postings, idf * (self.stats.K1 + 1) * boost)

    def term(self, q: wq.Term, boost: float = 1.0) -> Match:
        if q.fieldname in SCORED_FIELDS:
            leaf = self.leaf(q.fieldname, q.text, boost)
            return Match(documents(leaf.postings), [leaf] if leaf.postings else [])
        if q.fieldname in self.view.columns:
            return Match(self.view.docs_with(q.fieldname, q.text))
        return Match(set(self.searcher.docs_for_query(q)))

    def clauses(self, q, required=None) -> tuple[list[Match], set] | None:
        """For an AND query: each positive clause's Match, and the documents
        its NOT clauses exclude. None for any other query (one clause).

        ``required(n)``: how many of the n clauses a document the caller
        wants must hold (default all); each Match is exact among those
        documents (see :meth:`all_of`)."""
        if not isinstance(q, wq.And):
            return None
        boost = getattr(q, "boost", 1.0)
        positive = [c for c in q.subqueries if not isinstance(c, wq.Not)]
        matches = self.all_of(positive, boost, required(len(positive)) if required else len(positive))
        excluded: set = set()
        for c in q.subqueries:
            if isinstance(c, wq.Not):
                excluded |= self.evaluate(c.query).ids
        return matches, excluded

    def all_of(self, clauses: list, boost: float, required: int) -> list[Match]:
        """Each clause's Match, exact among the documents holding at least
        ``required`` of the clauses (the only ones a caller looks at).

        Clauses are read fewest postings first. Once the clauses read so far
        say which documents can still hold ``required`` of them (the
        candidates), a clause is only probed for them when reading it in full
        costs far more: its postings to decode are PROBE_RATIO times the
        candidates, or its postings held decoded (pinned or read lately:
        ``Stats.cached``) are CACHED_PROBE_RATIO times them (such a list
        costs no decoding, but reading it in full builds and intersects the
        set of its documents at every query). A rare word beside a frequent
        one reads a few blocks of the frequent one, or looks the candidates
        up in its dict, not all of it."""
        costs = [self.cost(c) for c in clauses]
        cached = [self.cached(c) for c in clauses]
        order = sorted(range(len(clauses)), key=lambda i: costs[i] + cached[i])
        matches: list = [None] * len(clauses)
        candidates = None
        for position, i in enumerate(order):
            least = required - (len(order) - position)      # clauses read so far a candidate holds
            if candidates is None and least >= 1 and position:
                candidates = at_least([matches[j].ids for j in order[:position]], least)
            if candidates is not None and (costs[i] > PROBE_RATIO * len(candidates)
                                           or cached[i] > CACHED_PROBE_RATIO * len(candidates)):
                matches[i] = self.within(clauses[i], candidates, boost)
            if matches[i] is None:
                matches[i] = self.evaluate(clauses[i], boost)
        return matches

    def arrays_pay(self, matches: list[Match]) -> bool:
        """The union of terms' full lists (``matches``) costs less made with
        numpy (docsets.array_union: a mask over the document numbers, or few
        members sorted together) than as a set built a document at a time:
        pinned and held terms' arrays are at hand, the others' documents are
        converted (docsets' costs)."""
        total = sum(len(m.ids) for m in matches)
        convert = sum(len(m.ids) for m in matches if not (m.leaves and self.stats.has_arrays(m.leaves[0])))
        return union_ns(total, len(matches), self.reader.doc_count_all()) + convert * CONVERT_NS < total * SET_STEP_NS

    def term_array(self, match: Match) -> np.ndarray:
        """A term's documents (its full list's ``match``) as an array."""
        if match.leaves and self.stats.has_arrays(match.leaves[0]):
            return self.stats.arrays(match.leaves[0])[0]
        return doc_array(match.ids)

    def cost(self, q) -> int:
        """Postings that reading ``q`` in full would decode (held ones are free)."""
        if isinstance(q, wq.Term):
            if q.fieldname not in SCORED_FIELDS or self.stats.cached(q.fieldname, q.text) is not None:
                return 0
            return self.stats.live.doc_frequency(self.reader, q.fieldname, q.text)
        if isinstance(q, (wq.And, wq.Or)):
            return sum(self.cost(c) for c in q.subqueries if not isinstance(c, wq.Not))
        if hasattr(q, "cost_in"):
            return q.cost_in(self)
        return 0

    def cached(self, q) -> int:
        """Postings of ``q``'s terms held decoded: no reading, but reading
        ``q`` in full makes a set of their documents."""
        if isinstance(q, wq.Term):
            found = self.stats.cached(q.fieldname, q.text) if q.fieldname in SCORED_FIELDS else None
            return 0 if found is None else len(found)
        if isinstance(q, (wq.And, wq.Or)):
            return sum(self.cached(c) for c in q.subqueries if not isinstance(c, wq.Not))
        return 0

    def within(self, q, docs, boost: float = 1.0) -> Match | None:
        """``q``'s matches among ``docs`` only, its terms probed (Stats.probe);
        None for a query that is not terms under AND/OR."""
        self.check_time()
        boost *= getattr(q, "boost", 1.0)
        if isinstance(q, wq.Term) and q.fieldname in SCORED_FIELDS:
            postings = self.stats.probe(self.reader, q.fieldname, q.text, docs, self.sorted_docs)
            idf = self.stats.live.idf(self.reader, q.fieldname, q.text) if postings else 0.0
            leaf = Leaf(q.fieldname, q.text, postings, idf * (self.stats.K1 + 1) * boost, complete=False)
            size = self.stats.live.doc_frequency(self.reader, q.fieldname, q.text)
            return Match(set(postings), [leaf] if postings else [], size=size)
        if hasattr(q, "evaluate_in"):
            return q.evaluate_in(self, boost, among=docs)
        if isinstance(q, (wq.And, wq.Or)) and not any(isinstance(c, wq.Not) for c in q.subqueries):
            parts = [self.within(c, docs, boost) for c in q.subqueries]
            if any(p is None for p in parts):
                return None
            if isinstance(q, wq.Or):
                ids = set().union(*(p.ids for p in parts))
                return Match(ids, [leaf for p in parts for leaf in p.leaves], size=sum(p.size for p in parts))
            match = conjoin(parts, set(), docs)
            match.size = min(p.size for p in parts)
            return match
        return None

    def conjunction(self, children, boost: float = 1.0) -> Match:
        positive = [c for c in children if not isinstance(c, wq.Not)]
        negative = [c.query for c in children if isinstance(c, wq.Not)]
        match = conjoin(self.all_of(positive, boost, len(positive)), set(), self.view.live)
        for child in negative:
            if not match.ids:
                break
            match.ids -= self.evaluate(child).ids
        return match

    def disjunction(self, children, boost: float = 1.0) -> Match:
        if not any(isinstance(child, wq.Not) for child in children):
            matches = [self.evaluate(child, boost) for child in children]
            leaves = [leaf for m in matches for leaf in m.leaves]
            if all(is_scored_term(child) for child in children) and self.arrays_pay(matches):
                return Match(Ascending(array_union([self.term_array(m) for m in matches])), leaves)
            return Match(union([m.ids for m in matches]), leaves)
        ids: set = set()
        leaves = []
        for child in children:
            if isinstance(child, wq.Not):
                ids |= set(self.view.live) - self.evaluate(child.query).ids
                continue
            m = self.evaluate(child, boost)
            ids |= m.ids
            leaves.extend(m.leaves)
        return Match(ids, leaves)


_KEYS = type({}.keys())


def is_scored_term(q) -> bool:
    """``q`` is a term of a scored field: evaluated, its Match is the term's
    whole list (one leaf, or none when no live document holds it)."""
    return isinstance(q, wq.Term) and q.fieldname in SCORED_FIELDS


def union(collections: list) -> Set:
    """The set of the document numbers in ``collections`` (sets, a
    postings dict's keys, or held terms' arrays: then an Ascending array
    made with numpy). Otherwise built from the largest part in one presized step
    (a dict's keys on the left of ``|`` hand the dict itself to the set) and
    the others added: ``ids |= c`` in turn copies the set so far for each
    dict's keys and grows it an insertion at a time."""
    largest = max(collections, key=len, default=None)
    if largest is None:
        return set()
    if any(isinstance(c, Ascending) for c in collections):      # held terms' arrays: in numpy
        return Ascending(array_union([doc_array(c) for c in collections]))
    ids = largest | frozenset() if type(largest) is _KEYS else set(largest)
    for c in collections:
        if c is not largest:
            ids.update(c)
    return ids


def at_least(sets: list, least: int) -> Set:
    """The documents in at least ``least`` of ``sets`` (every one of them
    when ``least`` is their number): intersections and unions run in C, or
    in numpy for held terms' arrays (docsets.Ascending)."""
    if least <= 1:
        return union(sets)
    ordered = sorted(sets, key=len)
    if least >= len(ordered):
        found = set(ordered[0])
        for docs in ordered[1:]:
            if not found:
                break
            found = meet(found, docs)
        return found
    if any(isinstance(docs, Ascending) for docs in sets):        # held terms' arrays: counted in numpy
        return Ascending(array_at_least([doc_array(docs) for docs in sets], least))
    if math.comb(len(ordered), least) <= MAX_COMBINATIONS:
        found = set()
        for subset in combinations(ordered, least):
            docs = set(subset[0])
            for other in subset[1:]:
                docs = meet(docs, other)
                if not docs:
                    break
            found |= docs
        return found
    counts: dict = {}
    for docs in ordered:
        for d in docs:
            counts[d] = counts.get(d, 0) + 1
    return {d for d, c in counts.items() if c >= least}


def meet(docs: set, other) -> set:
    """``docs & other`` as a new or updated set: ``other`` a set, a dict's
    keys or a held term's array (docsets.Ascending, looked up with numpy)."""
    if isinstance(other, Ascending):
        return other & docs
    docs &= other if isinstance(other, (set, frozenset)) else set(other)
    return docs


def array_meet(collections: list) -> set:
    """The documents in every one of ``collections`` (the first any set of
    documents, the others held terms' arrays, docsets.Ascending) as a new
    set: intersected in numpy and made a set once, where ``meet`` would
    make a set of each step's documents (at 4x copies, the load queries'
    intersections: 164 -> 83 µs a search)."""
    found = doc_array(collections[0])
    for docs in collections[1:]:
        if not len(found):
            break
        found = found[contained(docs.array, found)]
    return set(found.tolist())


def conjoin(matches: list[Match], excluded: set, everything) -> Match:
    """The documents in every one of ``matches`` (all of ``everything`` when
    there are none) but not in ``excluded``, scored by all their terms."""
    if matches:
        ordered = sorted(matches, key=lambda m: len(m.ids))
        arrays = 1          # the smallest, and the held terms' arrays that come next
        while arrays < len(ordered) and isinstance(ordered[arrays].ids, Ascending):
            arrays += 1
        ids = set(ordered[0].ids) if arrays == 1 else array_meet([m.ids for m in ordered[:arrays]])
        for m in ordered[arrays:]:
            if not ids:
                break
            ids = meet(ids, m.ids)
    else:
        ids = set(everything)
    ids -= excluded
    return Match(ids, [leaf for m in matches for leaf in m.leaves])


def score(match: Match, selected, stats: Stats, deadline: float | None = None, budget=None) -> dict:
    """BM25F score of every selected document: the sum over the positive terms it holds.

    Past ``deadline`` (a ``time.perf_counter()`` value, checked per term), or
    when ``budget`` (search.retrieval.query.Budget) says so, raises OutOfTime."""
    scores = dict.fromkeys(selected, 0.0)
    if not scores:
        return scores
    for leaf in match.leaves:
        if budget is not None:
            if budget.expired():
                raise OutOfTime
        elif deadline is not None and time.perf_counter() > deadline:
            raise OutOfTime
        norm = stats.norms[leaf.field]
        c = leaf.factor
        postings = leaf.postings
        if isinstance(postings, Postings) and postings._dict is None:
            add_held(scores, c, postings.arrays, stats.norm_arrays[leaf.field])
        elif len(postings) <= len(scores):
            for d, w in postings.items():
                if d in scores:
                    scores[d] += c * w / (w + norm[d])
        else:
            get = postings.get
            for d in scores:
                w = get(d)
                if w:
                    scores[d] += c * w / (w + norm[d])
    return scores


def add_held(scores: dict, factor: float, arrays: tuple, norms: np.ndarray) -> None:
    """``score``'s step for a held term, its postings for ``scores``' documents
    found in its arrays: the same float64 operations in the same order
    (float32 weights made float64; the norms array holds ``norms``' floats),
    so every score is equal to the last bit."""
    ids, weights = among(arrays, np.fromiter(scores, dtype=np.int64, count=len(scores)))
    if not len(ids):
        return
    weights = weights.astype(np.float64)
    values = factor * weights / (weights + norms[as_index(ids)])
    for d, value in zip(ids.tolist(), values.tolist()):
        scores[d] += value


def best(match: Match, selected, stats: Stats, depth: int, budget=None) -> list[tuple[int, float]]:
    """``top(score(match, selected), depth)``, without scoring every term for
    every document (MaxScore).

    Terms are added highest possible contribution first (``Stats.max_impact``).
    After each, the ``depth``-th best score so far is a floor under the
    ``depth``-th best final score (scores only grow), so a document whose
    score so far plus the most the remaining terms could add is below it
    cannot enter, and is dropped. The survivors are then scored in full in
    the usual order, so scores and ties are exactly ``score``'s."""
    selected = selected if isinstance(selected, (set, frozenset, dict)) else set(selected)
    if len(selected) <= depth * PRUNE_MIN_FACTOR:
        return top(score(match, selected, stats, budget=budget), depth)
    if len(selected) >= VECTOR_MIN:
        return best_arrays(match, selected, stats, depth, budget)
    bounds = [(stats.max_impact(leaf), leaf) for leaf in match.leaves]
    bounds.sort(key=lambda item: -item[0])
    remaining = sum(bound for bound, _ in bounds)
    partial = dict.fromkeys(selected, 0.0)
    for bound, leaf in bounds:
        remaining -= bound
        for d, value in score(Match(set(), [leaf]), partial, stats, budget=budget).items():
            partial[d] += value
        if remaining > 0 and len(partial) > depth:
            floor = heapq.nlargest(depth, partial.values())[-1]
            need = floor - remaining - BOUND_EPSILON * max(1.0, floor)
            partial = {d: v for d, v in partial.items() if v >= need}
    return top(score(match, partial, stats, budget=budget), depth)


def best_arrays(match: Match, selected, stats: Stats, depth: int, budget=None) -> list[tuple[int, float]]:
    """``top(score(match, selected), depth)`` for a large ``selected``, with
    numpy: each term's contributions for all its documents at once. The
    arithmetic is ``score``'s, operation for operation, in float64 (the
    weights are float32 in the index, the norms Python floats), and the terms
    are added in the same order, so the scores are equal to the last bit. A
    term whose list is far longer than ``selected`` is looked up for those
    documents only (as ``score`` does)."""
    docs = np.fromiter(selected, dtype=np.int64, count=len(selected))
    size = len(stats._docnums)
    chosen = np.zeros(size, dtype=bool)
    chosen[docs] = True
    totals = np.zeros(size, dtype=np.float64)
    for leaf in match.leaves:
        if budget is not None and budget.expired():
            raise OutOfTime
        postings = leaf.postings
        if not postings:
            continue
        if len(postings) > GATHER_FACTOR * len(docs) and stats.cached(leaf.field, leaf.text) is not postings \
                and not isinstance(postings, Postings):
            get = postings.get
            weights = np.fromiter((get(d, 0.0) for d in selected), dtype=np.float64, count=len(docs))
            ids = docs[weights != 0.0]
            weights = weights[weights != 0.0]
        else:
            ids, weights = stats.arrays(leaf)
            inside = chosen[as_index(ids)]
            ids, weights = ids[inside], weights[inside].astype(np.float64)
        ids = as_index(ids)
        totals[ids] += leaf.factor * weights / (weights + stats.norm_arrays[leaf.field][ids])
    # Every document scoring at least the depth-th best goes on to ``top``,
    # which decides equal scores at the cut by document number.
    values = totals[docs]
    if len(docs) > depth:
        floor = np.partition(values, len(values) - depth)[len(values) - depth]
        keep = values >= floor
        docs, values = docs[keep], values[keep]
    return top(dict(zip(docs.tolist(), values.tolist())), depth)


def rank_query(searcher, view, stats: Stats, query, depth: int, excluded=(), deadline: float | None = None
               ) -> list[tuple[int, float]]:
    """The best ``depth`` live documents of a Whoosh ``query`` but ``excluded``,
    as (docnum, score), best first: Whoosh's BM25F scores and order (equal
    scores in docnum order), without walking its matchers one posting at a
    time. Past ``deadline`` (``time.perf_counter()``) raises OutOfTime."""
    evaluator = Evaluator(searcher, view, stats, deadline if deadline is not None else math.inf)
    match = evaluator.evaluate(query)       # live documents only (Stats.read)
    selected = set(match.ids)
    selected.difference_update(excluded)
    return best(match, selected, stats, depth)


def top(scores: dict, depth: int) -> list[tuple[int, float]]:
    """The best ``depth`` (docnum, score), equal scores in docnum order like
    Whoosh: also at the cut, where an equal score goes to the lower document
    number whatever order ``scores`` holds its documents in (so no match set
    has to keep an order)."""
    if len(scores) <= depth:
        return sorted(scores.items(), key=_best_first)
    floor = heapq.nlargest(depth, scores.values())[-1]
    above = [(d, s) for d, s in scores.items() if s >= floor]
    above.sort(key=_best_first)
    return above[:depth]


def _best_first(item: tuple[int, float]) -> tuple[float, int]:
    return -item[1], item[0]
