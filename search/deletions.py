"""What the deleted documents of a segment still put into its statistics.

Whoosh keeps a deleted document's terms, frequencies and field lengths in
its segment until a merge rewrites it. The index stores exactly the text it
indexed, so analysing a deleted document's stored title and body again gives
its share back: the searcher takes it out of the statistics it scores with
(search/retrieval/live.py), and a merge out of the merged segment's length
totals (search/indexing/merging.py).
"""
from __future__ import annotations

import threading
from collections import Counter

from search.fields import SPELL_FIELD, SPELL_LEDE_CHARS, spelling_text

TEXT_FIELDS = ("title", "body")
SEGMENTS_KEPT = 256          # per-segment counts remembered across index generations

_segment_counts: dict[tuple, "Deleted"] = {}
_segment_lock = threading.Lock()


class Deleted:
    """What the deleted documents of one segment put into the statistics."""

    def __init__(self):
        self.df: Counter = Counter()
        self.weight: Counter = Counter()
        self.length: Counter = Counter()

    @classmethod
    def of_segment(cls, leaf) -> "Deleted":
        found = cls()
        schema = leaf.schema
        for docnum in range(leaf.doc_count_all()):
            if not leaf.is_deleted(docnum):
                continue
            stored = leaf.stored_fields(docnum)
            for name in TEXT_FIELDS:
                value = stored.get(name)
                if name not in schema or not value:
                    continue
                for term, freq, weight, _ in schema[name].index(value):
                    key = (name, term.decode("utf-8"))
                    found.df[key] += 1
                    found.weight[key] += weight
                    found.length[name] += freq
            if SPELL_FIELD in schema:
                text = spelling_text(stored.get("title", ""), (stored.get("body") or "")[:SPELL_LEDE_CHARS])
                for word, _, _, _ in schema[SPELL_FIELD].index(text):
                    found.df[(SPELL_FIELD, word.decode("utf-8"))] += 1
        return found


def segment_deleted(leaf) -> "Deleted":
    """The counts of one segment's deleted documents, analysed once per deletion state."""
    segment = leaf.segment()
    key = (_folder(leaf), segment.segment_id(), segment.doc_count_all(), segment.deleted_count())
    found = _segment_counts.get(key)
    if found is None:
        found = Deleted.of_segment(leaf)
        with _segment_lock:
            if len(_segment_counts) >= SEGMENTS_KEPT:
                _segment_counts.pop(next(iter(_segment_counts)))
            _segment_counts[key] = found
    return found


def _folder(leaf) -> str | None:
    """The directory of the segment's index. Segment ids are random names, and
    indexes in one process (a test run seeds ``random``) can repeat them: the
    counts are kept per index directory."""
    storage = getattr(leaf, "_storage", None)
    while storage is not None and not hasattr(storage, "folder"):
        storage = getattr(storage, "b", None)       # OverlayStorage(compound file, the index's storage)
    return getattr(storage, "folder", None)

