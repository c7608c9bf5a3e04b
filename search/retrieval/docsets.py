"""Sets of document numbers as one request holds them, without needless copies.

A query's articles holding every word and those of its partial-match tail
(tail.py) are disjoint by construction, and at 16x each can hold a hundred
thousand documents or more. Building their union (a Python set) costs
several milliseconds, and so does each conversion of a set into the array
the facet and timeline counts index with (about 20-35 ns a document). So:

- :class:`Ascending` is a set held as an ascending array (the tail, made
  with numpy): it is a set to ``len``, ``in`` and iteration (Python ints,
  ascending), and its array costs nothing;
- :class:`Parts` is the union of disjoint sets without building it: its
  length is the sum, a document is in it if it is in a part, and its array
  (the parts' arrays one after the other) is made once and kept.

Counting (``np.bincount`` over values gathered by document) does not depend
on the order of the documents, so an array in any order counts the same.
"""
from __future__ import annotations

from collections.abc import Set
from itertools import chain

import numpy as np

# Whether a union or a count is made with numpy (a mask over every document
# number, or for a union of few members their arrays sorted together) or with
# sets (run.arrays_pay for the tail, Evaluator.arrays_pay for a word's fields
# and forms), by these costs in nanoseconds, measured at 16x: a mask over one
# document number, a document converted into an array, a step of the sets'
# algebra; and at 4x, numpy's steps of a sorted union whatever its size, and
# its cost a member (union_ns).
MASK_NS, CONVERT_NS, SET_STEP_NS = 1.0, 30.0, 50.0
SORT_CALL_NS, SORT_NS = 6_000.0, 4.0


class Ascending(Set):
    """A set of document numbers held as an ascending array of distinct ones
    (a read-only set: ``&``, ``|``, ``==`` with sets give plain sets)."""

    __slots__ = ("array",)

    @classmethod
    def _from_iterable(cls, iterable):
        return set(iterable)

    def __init__(self, array: np.ndarray):
        self.array = array

    def __len__(self) -> int:
        return len(self.array)

    def __bool__(self) -> bool:
        return len(self.array) > 0

    def __iter__(self):
        return iter(self.array.tolist())

    def __contains__(self, docnum) -> bool:
        i = int(self.array.searchsorted(docnum))
        return i < len(self.array) and bool(self.array[i] == docnum)

    def __repr__(self) -> str:
        return f"Ascending({len(self.array)} documents)"

    # Set algebra with another set of documents, in numpy where the mixin's
    # would look each member of one side up in the other in Python.
    def __and__(self, other):
        if not isinstance(other, Set):
            return NotImplemented
        if isinstance(other, Ascending):
            small, large = sorted((self.array, other.array), key=len)
            return set(small[contained(large, small)].tolist())
        if len(other) <= len(self):         # the smaller side is walked
            values = doc_array(other)
            return set(values[contained(self.array, values)].tolist())
        return {d for d in self.array.tolist() if d in other}

    __rand__ = __and__

    def __rsub__(self, other):
        if not isinstance(other, Set):
            return NotImplemented
        values = doc_array(other)
        return set(values[~contained(self.array, values)].tolist())

    def __sub__(self, other):
        if not isinstance(other, Set):
            return NotImplemented
        if isinstance(other, Ascending):
            return set(self.array[~contained(other.array, self.array)].tolist())
        return set(self.array[~np.isin(self.array, doc_array(other))].tolist())

    def __or__(self, other):
        if not isinstance(other, Set):
            return NotImplemented
        return set(self.array.tolist()).union(other)

    __ror__ = __or__


class Parts(Set):
    """The union of disjoint sets of document numbers, never built (a
    read-only set: ``&``, ``|``, ``==`` with sets give plain sets).

    ``array_of(part)`` makes a part's array (default :func:`doc_array`); the
    whole array is made on first use and kept."""

    __slots__ = ("parts", "_array", "_array_of")

    @classmethod
    def _from_iterable(cls, iterable):
        return set(iterable)

    def __init__(self, parts, array_of=None):
        self.parts = [p for p in parts if p]
        self._array = None
        self._array_of = array_of or doc_array

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)

    def __bool__(self) -> bool:
        return bool(self.parts)

    def __iter__(self):
        return chain.from_iterable(self.parts)

    def __contains__(self, docnum) -> bool:
        return any(docnum in p for p in self.parts)

    def __repr__(self) -> str:
        return f"Parts({', '.join(str(len(p)) for p in self.parts)})"

    def array(self) -> np.ndarray:
        if self._array is None:
            arrays = [self._array_of(p) for p in self.parts]
            self._array = (arrays[0] if len(arrays) == 1 else
                           np.concatenate(arrays) if arrays else np.empty(0, dtype=np.int64))
        return self._array


def as_index(ids: np.ndarray) -> np.ndarray:
    """``ids`` in numpy's own index type. Indexing with an int32 array (a
    held or pinned term's documents) takes a slower path in numpy: converted
    first, a mask marked or values gathered at 20,000 documents take 0.6-0.7
    of the time, the conversion included."""
    return ids if ids.dtype == np.intp else ids.astype(np.intp)


def contained(ascending: np.ndarray, values: np.ndarray) -> np.ndarray:
    """A mask over ``values``: which are in ``ascending`` (distinct, ascending)."""
    if not len(ascending):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(ascending, values)
    at[at == len(ascending)] = 0
    return ascending[at] == values


def array_union(arrays: list[np.ndarray]) -> np.ndarray:
    """The distinct document numbers of ``arrays`` (any order, overlapping),
    ascending. A mask over the document numbers costs a fraction of a ns
    per number below the largest, whatever the arrays hold: when they hold
    few of them (a word's title and body lists, at 4x a few thousand of
    92,000) they are sorted together instead, at a few ns a member (the
    lists come ascending: the sort merges their runs). Masks win from
    about a quarter of the numbers for two lists, less for more (each run
    adds a merge pass). The load queries' unions at 4x copies: 264 µs a
    search with masks only, 165 with this choice."""
    arrays = [a for a in arrays if len(a)]
    if not arrays:
        return np.empty(0, dtype=np.int64)
    largest = max(int(a.max()) for a in arrays)
    members = sum(len(a) for a in arrays)
    if members * (2 + len(arrays)) <= largest:
        return distinct(np.sort(np.concatenate(arrays, dtype=np.int64), kind="stable"))
    mask = np.zeros(largest + 1, dtype=bool)
    for a in arrays:
        mask[as_index(a)] = True
    return np.flatnonzero(mask)


def union_ns(members: int, arrays: int, size: int) -> float:
    """What :func:`array_union` costs for ``arrays`` holding ``members``
    document numbers below ``size``, in ns."""
    return SORT_CALL_NS + members * SORT_NS if members * (2 + arrays) <= size else size * MASK_NS


def distinct(ordered: np.ndarray) -> np.ndarray:
    """``ordered`` (ascending) without its repeats."""
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def array_at_least(arrays: list[np.ndarray], least: int) -> np.ndarray:
    """The document numbers in at least ``least`` of ``arrays`` (each of
    distinct ones), ascending."""
    arrays = [a for a in arrays if len(a)]
    if not arrays:
        return np.empty(0, dtype=np.int64)
    counts = np.zeros(max(int(a.max()) for a in arrays) + 1, dtype=np.int32)
    for a in arrays:
        counts[a] += 1
    return np.flatnonzero(counts >= least)


def doc_array(docs) -> np.ndarray:
    """Document numbers as an array (an array is passed through, a
    :class:`Parts` or :class:`Ascending` hands its own): what the vectorised
    counts index with."""
    if isinstance(docs, np.ndarray):
        return docs
    if isinstance(docs, Ascending):
        return docs.array
    if isinstance(docs, Parts):
        return docs.array()
    if isinstance(docs, range):
        return np.arange(docs.start, docs.stop, docs.step, dtype=np.int64)
    return np.fromiter(docs, dtype=np.int64, count=len(docs))
