"""How an incremental commit merges segments: Whoosh's rule, with field-length
totals kept exact, so that an updated index answers as one built fresh.

Deleted documents stay in their segments until a merge reaches them; the
searcher takes their share out of the statistics it scores with
(search/retrieval/live.py), so a deletion alone does not make a segment be
rewritten. A segment is rewritten once a fifth of it is deleted (as
Lucene's merge policies reclaim deletes): the dead documents cost disk and
the searcher's bookkeeping, and rewriting then costs a few times the
documents reclaimed, not the whole segment for one edit. A segment with no
live document left is dropped, not merged: merging it would give the new
commit a segment of no documents, and such segments piled up, one per
rerun that replaced a whole segment's files (a publisher's JSONL rewritten
daily), files and table-of-contents entries that nothing ever removed.
"""
from __future__ import annotations

from search.deletions import TEXT_FIELDS, segment_deleted

RECLAIM_SHARE = 0.2          # deleted share of a segment above which it is rewritten


def merge_policy(writer, segments):
    """Whoosh's small-segment merge (MERGE_SMALL) and the segments a fifth
    deleted, with exact length totals in the merged segment (``merge_in``);
    segments with no live document are left out of the index."""
    empty = [s for s in segments if s.doc_count() == 0]
    segments = [s for s in segments if s not in empty]
    chosen = small_segments(segments)
    chosen += [s for s in segments if s not in chosen
               and s.deleted_count() >= RECLAIM_SHARE * max(1, s.doc_count_all())]
    for segment in chosen:
        merge_in(writer, segment)
    return [s for s in segments if s not in chosen]


def small_segments(segments) -> list:
    """The segments Whoosh's MERGE_SMALL would merge (its Fibonacci rule)."""
    from whoosh.util import fib

    ordered = sorted(segments, key=lambda s: s.doc_count_all())
    total = 0
    for i, segment in enumerate(ordered):
        total += max(0, segment.doc_count_all())
        if i > 3 and total < fib(i + 5):
            return ordered[:i + 1]
    return []


def merge_in(writer, segment) -> None:
    """Copy the live documents of ``segment`` into the writer's new segment.

    Whoosh's ``add_reader`` re-adds each document's field length from its
    one-byte encoding, so a merged segment's length totals (hence the
    average field length in every BM25 score) drift from the true sums a
    fresh build has. The exact total is known: the segment's own total less
    the true lengths of its deleted documents, re-counted from their stored
    text.
    """
    from whoosh.reading import SegmentReader

    lengths = writer.perdocwriter._fieldlengths
    reader = SegmentReader(writer.storage, writer.schema, segment)
    try:
        deleted = segment_deleted(reader).length if segment.has_deletions() else {}
        exact = {name: lengths.get(name, 0) + segment._fieldlengths.get(name, 0) - deleted.get(name, 0)
                 for name in TEXT_FIELDS if name in writer.schema and writer.schema[name].scorable}
        writer.add_reader(reader)
    finally:
        reader.close()
    lengths.update(exact)
