"""A term's postings for a few documents: the ranking head's checks.

The head's re-ranking (proximity.py's phrase check, run.py's written-form
preference) asks each segment, for each word, about the few of the best 50
results it holds. Through Whoosh's matcher that costs a file read per block
header on the way to each of them (W3 blocks carry no skip list: a skip
reads every header before its target, and the lists grow with the archive)
and one more per block read. Here a segment's whole posting list is read in
one piece (``MEMORY_LIST_BYTES`` at most: a list of a few thousand postings
is tens of kilobytes) and the codec's own matcher walks it in memory, so
skips and block reads cost no file access; decoding is still per block, as
the matcher does it, only for the blocks holding a document asked for.

The lists read lately stay in memory with the blocks decoded from them
(:class:`ListCache`, ``LIST_CACHE_BYTES`` a process): the head's words come
back query after query (the names and places of the day's stories, the
words of a headline), and each open costs a term-table lookup (two reads)
and a read of the list, each block a decompression and a decoding. At 4
copies of clickid's segments a search of bench.load opened 17 lists on
average (docs/scaling.md has what keeping them saved).
"""
from __future__ import annotations

import threading
import weakref
from array import array
from collections import OrderedDict
from itertools import accumulate

from whoosh.filedb.structfile import BufferFile
from whoosh.reading import TermNotFound

from search.codec import CariCodec, CompactLeafMatcher, postings_extent, table_get
from search.retrieval.scoring import segment_postings, skip_to

MEMORY_LIST_BYTES = 1 << 20     # a longer list is walked on disk, header by header
# The lists kept once read, per process, with the blocks decoded from
# them: the 209 rotated queries of bench.load read 4 MB of lists at 4x and
# decoded 6,500 of their blocks, about what this holds. A list lacking
# from a segment is kept too (its lookup is most of what it costs),
# counted at ABSENT_BYTES.
LIST_CACHE_BYTES = 16 << 20
ABSENT_BYTES = 64
# Memory of a decoded posting: its id (4 bytes: a kept block's ids are an
# int32 array, where a list would take 36), its delta and its weight.
DECODED_BYTES = 12


class KeptList:
    """A posting list read in one piece (None: the segment lacks the term)
    and its blocks decoded so far: {where the block's data starts: [its
    decoded data, its raw bytes, its ids or None]}. ``size``: its memory, as
    the cache counts it."""

    __slots__ = ("data", "blocks", "size")

    def __init__(self, data: bytes | None):
        self.data = data
        self.blocks: dict = {}
        self.size = ABSENT_BYTES if data is None else len(data)


class ListCache:
    """Posting lists read in one piece, by segment, field and term, the
    oldest dropped first past ``limit`` bytes. A segment is known by its
    terms reader, held weakly: a closed generation's entries never answer
    for another, and they leave as newer lists come in."""

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self._lists: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, terms, field: str, text: bytes) -> KeptList | None:
        key = (id(terms), field, text)
        with self._lock:
            entry = self._lists.get(key)
            if entry is None or entry[0]() is not terms:
                return None
            self._lists.move_to_end(key)
            return entry[1]

    def put(self, terms, field: str, text: bytes, kept: KeptList) -> None:
        key = (id(terms), field, text)
        with self._lock:
            old = self._lists.pop(key, None)
            if old is not None:
                self.size -= old[1].size
            self._lists[key] = (weakref.ref(terms), kept)
            self.size += kept.size
            self._trim()

    def charge(self, kept: KeptList, size: int) -> None:
        """``kept`` grew by ``size`` bytes (a block decoded)."""
        with self._lock:
            kept.size += size
            self.size += size
            self._trim()

    def _trim(self) -> None:
        while self.size > self.limit and self._lists:
            _, (_, dropped) = self._lists.popitem(last=False)
            self.size -= dropped.size
            dropped.size = 0        # charges to it after this count for nothing

    def clear(self) -> None:
        with self._lock:
            self._lists.clear()
            self.size = 0


LISTS = ListCache(LIST_CACHE_BYTES)


class KeptListMatcher(CompactLeafMatcher):
    """The codec's matcher over a kept list: each block is decoded once
    while the list is kept, for every search that reads it."""

    def __init__(self, kept: KeptList, field_format, term):
        self._kept = kept
        super().__init__(BufferFile(kept.data), 0, len(kept.data), field_format, term=term)

    def _block(self) -> list:
        block = self._kept.blocks.get(self._dataoffset)
        if block is None:
            CompactLeafMatcher._read_data(self)
            block = self._kept.blocks[self._dataoffset] = [self._data, self._raw, None]
            if self._kept.size:
                LISTS.charge(self._kept, len(self._raw) + DECODED_BYTES * self._blocklength)
        return block

    def _read_data(self):
        self._data, self._raw, _ = self._block()

    def _read_ids(self):
        block = self._block()
        if block[2] is None:
            block[2] = array("i", accumulate(block[0][0]))
        self._data, self._raw, self._ids = block


def open_postings(leaf, field: str, text: str):
    """``segment_postings(leaf, field, text)``: one segment's matcher for the
    term, or None when the segment lacks it; over the list read into memory
    when the segment is in cari's format, has no deleted documents (Whoosh
    then wraps its matcher in a filter) and the list is not too long."""
    terms = getattr(leaf, "_terms", None)
    if type(getattr(terms, "_codec", None)) is not CariCodec or leaf.has_deletions():
        return segment_postings(leaf, field, text)
    try:
        tbytes = leaf._text_to_bytes(field, text)
    except TermNotFound:
        return None
    kept = LISTS.get(terms, field, tbytes)
    if kept is None:
        info = table_get(terms._tindex, terms._keycoder(field, tbytes))     # two reads, where Whoosh's makes one a slot
        extent = postings_extent(info) if info is not None else None
        if info is not None and (extent is None or extent[1] > MEMORY_LIST_BYTES):
            return segment_postings(leaf, field, text)   # kept in the term table (never with cari's codec's limit), or long
        kept = KeptList(terms._postfile.get(*extent) if extent is not None else None)
        LISTS.put(terms, field, tbytes, kept)
    if kept.data is None:
        return None
    if len(kept.data) > MEMORY_LIST_BYTES:     # kept under a higher limit
        return segment_postings(leaf, field, text)
    return KeptListMatcher(kept, leaf.schema[field].format, (field, tbytes))


def holding(reader, field: str, text: str, docs) -> set[int]:
    """The documents of ``docs`` (numbered in the whole index, live ones)
    whose ``field`` holds ``text``: each segment holding one of them is
    asked for the term once, its matcher skipping to each of them."""
    found = set()
    for leaf, offset, inside in by_segment(reader, docs):
        found.update(segment_holding(leaf, offset, field, text, inside))
    return found


def by_segment(reader, docs):
    """(segment reader, its first document number, the ascending ``docs``
    it holds) for each segment holding some of ``docs``."""
    ordered = sorted(docs)
    position = 0
    for leaf, offset in reader.leaf_readers():
        end = offset + leaf.doc_count_all()
        inside = []
        while position < len(ordered) and ordered[position] < end:
            inside.append(ordered[position])
            position += 1
        if inside:
            yield leaf, offset, inside


def segment_holding(leaf, offset: int, field: str, text: str, inside: list[int]) -> list[int]:
    """Those of ``inside`` (ascending whole-index numbers of documents of
    the segment ``leaf``, which starts at ``offset``) whose ``field`` holds ``text``."""
    matcher = open_postings(leaf, field, text)
    if matcher is None:
        return []
    found = []
    for docnum in inside:
        local = docnum - offset
        if matcher.id() < local:
            skip_to(matcher, local)
        if not matcher.is_active():
            break
        if matcher.id() == local:
            found.append(docnum)
    return found
