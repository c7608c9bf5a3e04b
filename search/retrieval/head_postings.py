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
"""
from __future__ import annotations

from whoosh.filedb.structfile import BufferFile
from whoosh.reading import TermNotFound

from search.codec import CariCodec, CompactLeafMatcher, postings_extent, table_get
from search.retrieval.scoring import segment_postings, skip_to

MEMORY_LIST_BYTES = 1 << 20     # a longer list is walked on disk, header by header


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
    info = table_get(terms._tindex, terms._keycoder(field, tbytes))     # two reads, where Whoosh's makes one a slot
    if info is None:
        return None
    extent = postings_extent(info)
    if extent is None:                  # a list kept in the term table (none with cari's codec's limit)
        return segment_postings(leaf, field, text)
    offset, length = extent
    if length > MEMORY_LIST_BYTES:
        return segment_postings(leaf, field, text)
    data = terms._postfile.get(offset, length)
    return CompactLeafMatcher(BufferFile(data), 0, length, leaf.schema[field].format, term=(field, tbytes))


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
