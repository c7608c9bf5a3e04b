"""The postings of the segment being written, sorted by term at the end.

Whoosh's ``PostingPool`` keeps one tuple per posting, (field, term, document,
weight, value), sorts all of them as tuples when the segment is written, and
hands them to the codec one call per posting: 30% of an indexing
sub-writer's samples on clickid (py-spy), 13% the sort alone. Here the tuples are kept per
field, and each field's are sorted by term alone: a stable sort keeps the
documents of a term in the order they came, which is ascending as documents
are added (a merge's postings, which come term by term, are sorted by
document too). A term's postings then go to the codec as whole lists
(``CompactFieldWriter.add_terms`` in search/codec.py).

A buffer over its memory limit spills to disk as Whoosh's pool does (sorted
runs, merged when the segment is written); the writer then takes Whoosh's
path, one posting at a time. The indexer's sub-writers close their segment
before that happens (search/indexing/writers.py).
"""
from __future__ import annotations

from array import array
from itertools import groupby
from operator import itemgetter

from whoosh.writing import PostingPool

_TERM = itemgetter(1)
_TERM_AND_DOC = itemgetter(1, 2)


class TermBuffer(PostingPool):
    """Whoosh's posting pool (its ``add``, ``iter_postings``, ``runs``,
    ``currentsize``, ``limit`` and ``fieldnames``), kept by field."""

    def __init__(self, tempstore, segment, limitmb=128, **kwargs):
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self._fields: dict[str, list] = {}      # field name -> its postings as added
        self._last_doc = -1
        self._in_order = True       # every posting came after the one before in document order

    def add(self, item):
        """One posting: (field name, term bytes, document, weight, value bytes or None)."""
        fieldname, tbytes, docnum, _, vbytes = item
        postings = self._fields.get(fieldname)
        if postings is None:
            postings = self._fields[fieldname] = []
            self.fieldnames.add(fieldname)
        postings.append(item)
        if docnum < self._last_doc:
            self._in_order = False
        self._last_doc = docnum
        # Whoosh's estimate of the tuple's bytes, so segments fill as before.
        self.currentsize += 150 + len(fieldname) + 2 * len(tbytes) + (len(vbytes) if vbytes else 0)
        if self.currentsize > self.limit:
            self.save()

    def terms(self):
        """(field name, term bytes, ids, weights, values) in field and term
        order; only while nothing was spilled (``runs`` is empty)."""
        if self.runs:
            raise RuntimeError("the buffer spilled to disk: read it with iter_postings()")
        for fieldname in sorted(self._fields):
            for tbytes, group in groupby(self._sorted(fieldname), _TERM):
                postings = list(group)
                yield (fieldname, tbytes, array("I", [p[2] for p in postings]),
                       [p[3] for p in postings], [p[4] for p in postings])

    def _sorted(self, fieldname: str) -> list:
        """The field's postings by term, then document."""
        postings = self._fields[fieldname]
        postings.sort(key=_TERM if self._in_order else _TERM_AND_DOC)
        return postings

    def _to_pool(self) -> None:
        """The postings kept by field into Whoosh's one sorted list."""
        if self._fields:
            self.current = [p for fieldname in sorted(self._fields) for p in self._sorted(fieldname)]
            self._fields = {}

    def save(self):
        """Spill to a sorted run on disk (Whoosh's pool format)."""
        self._to_pool()
        super().save()          # PostingPool.save writes the run and resets the size

    def items(self, maxfiles=128):
        self._to_pool()
        return super().items(maxfiles)

    def cleanup(self):
        self._fields = {}
        super().cleanup()
