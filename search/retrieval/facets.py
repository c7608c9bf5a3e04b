"""Facet counts and filter document sets from cached column arrays.

Whoosh's ``groupedby`` scores and sorts every matching document; a facet only
needs the matching document numbers and one value per document. A
``ColumnView`` reads the ``source``, ``category``, ``month`` and ``date``
columns once per index generation into plain lists, and each facet also into
a compact array of value numbers (one small int per document, 0 for none), so
counting a facet over a match set is a vectorised gather and ``bincount``
(numpy): a few nanoseconds a document, where a Python step per document cost
tens of milliseconds on a match set of 100,000. The counts are exact for
every match set; the one cost per document left is turning the set into an
array (docsets.doc_array, about 25 ns a document, once a request; the tail
is an array already). A filter is a cached set of document numbers, and for
an array of documents a mask from the same columns (:meth:`ColumnView.keep_any`,
:meth:`ColumnView.keep_between`). Views are read-only after construction and
shared by threads.
"""
from __future__ import annotations

import bisect
import threading
from datetime import datetime

import numpy as np
from whoosh.util.times import long_to_datetime

from search.columns import read_column
from search.retrieval.docsets import doc_array
from search.retrieval.results import FACET_NAMES

FACET_LIMIT = 50


def raw_to_datetime(value):
    try:
        date = long_to_datetime(value)
    except (OverflowError, TypeError, ValueError):
        return None
    return date if date.year > 1 else None


class ColumnView:
    """One index generation's columns, as lists indexed by document number."""

    def __init__(self, reader):
        self.generation = reader.generation()
        self.doc_count_all = reader.doc_count_all()
        self.live = frozenset(reader.all_doc_ids())
        self.columns = {name: self._column(reader, name) for name in FACET_NAMES}
        self.dates: list = self._column(reader, "date")
        # Ties in date are broken by article id: the same in every build of a
        # folder, where document numbers depend on the order of updates.
        self.ids: list = self._column(reader, "id")
        dated = sorted((d, n) for n, d in enumerate(self.dates) if d is not None and n in self.live)
        self._date_keys = [d for d, _ in dated]
        self._date_docs = [n for _, n in dated]
        self._by_value: dict[str, dict[str, frozenset]] = {}
        self._lock = threading.Lock()
        self.codes = {name: value_codes(self.columns[name], self.live) for name in FACET_NAMES}
        self._numbers = {name: {v: i for i, v in enumerate(values)} for name, (_, values) in self.codes.items()}
        self._date_rank = None

    def _column(self, reader, name) -> list:
        if name == "date":
            # Raw longs: Whoosh's own translation overflows on the column's
            # "no value" sentinel (an article without a date).
            return [raw_to_datetime(v) for v in read_column(reader, name, translate=False)]
        # Whoosh gives "" for a document without a value.
        return [v if v else None for v in read_column(reader, name)]

    # -- filters -----------------------------------------------------------------

    def docs_with(self, name: str, value: str) -> frozenset:
        """Live documents whose column ``name`` holds ``value`` (cached per value)."""
        by_value = self._by_value.get(name)
        if by_value is None:
            groups: dict[str, set] = {}
            for docnum, v in enumerate(self.columns[name]):
                if v is not None and docnum in self.live:
                    groups.setdefault(v, set()).add(docnum)
            by_value = {v: frozenset(s) for v, s in groups.items()}
            with self._lock:
                self._by_value[name] = by_value
        return by_value.get(value, frozenset())

    def docs_any(self, name: str, values) -> frozenset | None:
        """Documents with any of ``values``; None means no restriction."""
        values = list(values)
        if not values:
            return None
        if len(values) == 1:
            return self.docs_with(name, values[0])
        return frozenset().union(*(self.docs_with(name, v) for v in values))

    def docs_between(self, low: datetime | None, high: datetime | None) -> frozenset | None:
        """Documents dated in ``[low, high)``; None when both are open."""
        if low is None and high is None:
            return None
        i, j = self._date_slice(low, high)
        return frozenset(self._date_docs[i:j])

    def _date_slice(self, low: datetime | None, high: datetime | None) -> tuple[int, int]:
        """Where the documents dated in ``[low, high)`` lie in date order."""
        i = 0 if low is None else bisect.bisect_left(self._date_keys, low)
        j = len(self._date_keys) if high is None else bisect.bisect_left(self._date_keys, high)
        return i, j

    def keep_any(self, name: str, values, docs: np.ndarray) -> np.ndarray:
        """Which of ``docs`` (an array) :meth:`docs_any` holds, as a mask: a
        live document's value number in ``codes`` names its value."""
        numbers = self._numbers[name]
        wanted = [numbers[v] for v in values if v is not None and v in numbers]
        return np.isin(self.codes[name][0][docs], wanted)

    def keep_between(self, low: datetime | None, high: datetime | None, docs: np.ndarray) -> np.ndarray:
        """Which of ``docs`` (an array) :meth:`docs_between` holds, as a mask:
        a dated live document's rank in date order falls in its slice."""
        if self._date_rank is None:
            rank = np.full(self.doc_count_all, -1, dtype=np.int32)
            rank[np.array(self._date_docs, dtype=np.int64)] = np.arange(len(self._date_docs))
            self._date_rank = rank
        i, j = self._date_slice(low, high)
        ranks = self._date_rank[docs]
        return (ranks >= i) & (ranks < j)

    def newest_date(self):
        return self._date_keys[-1] if self._date_keys else None

    # -- facets and sorting ----------------------------------------------------------

    def count(self, name: str, docs) -> list[dict]:
        """The facet's values among ``docs`` (a set of document numbers, or
        :func:`doc_array`'s array of them; None for every live document), most
        frequent first (months newest first), at most FACET_LIMIT."""
        if docs is None:
            docs = self.live
        codes, values = self.codes[name]
        found = np.bincount(codes[doc_array(docs)], minlength=len(values))
        counts = {values[i]: int(found[i]) for i in np.flatnonzero(found[1:]) + 1}
        if name == "month":
            items = sorted(counts.items(), reverse=True)          # newest month first
        else:
            items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return [{"value": v, "count": c} for v, c in items[:FACET_LIMIT]]

    def newest(self, docs, limit: int) -> list[int]:
        """The ``limit`` most recent documents of ``docs`` (undated last; the
        same date by id, so an updated index orders as a fresh one)."""
        import heapq

        dates, ids = self.dates, self.ids
        oldest = datetime.min
        return heapq.nlargest(limit, docs, key=lambda n: (dates[n] or oldest, ids[n] or "", -n))


def value_codes(column: list, live) -> tuple:
    """``(codes, values)``: ``codes[n]`` the number of document ``n``'s value
    in ``values`` (0, standing for None, when it has none or is deleted)."""
    numbers: dict = {None: 0}
    codes = np.fromiter((numbers.setdefault(v, len(numbers)) if n in live else 0
                         for n, v in enumerate(column)), dtype=np.int32, count=len(column))
    return codes, list(numbers)


def intersect(*sets):
    """Intersection of the sets that are not None (None means everything)."""
    present = [s for s in sets if s is not None]
    if not present:
        return None
    present.sort(key=len)
    result = present[0]
    for s in present[1:]:
        result = result & s if isinstance(result, (set, frozenset)) else set(result) & s
    return result
