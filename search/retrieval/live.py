"""Index statistics of the live documents only, as a fresh build would have them.

Whoosh keeps a deleted document in its segment's statistics (document count,
document and term frequencies, field lengths) until a merge rewrites that
segment. An index updated in place would then score, relate and correct
differently from one built fresh from the same folder. Rewriting every
segment an update touches costs most of a rebuild on a large archive, so
instead the deleted documents' share is taken back out here: once per index
generation, their stored title and body are analysed again (the index
stores exactly what it indexed) and their terms, lengths and spelling words
counted. The counts of each segment are kept (keyed by the segment and
how many of its documents are deleted), so a new index generation analyses
only the documents deleted since the last one; an index without deletions
pays nothing. Segments whose deletions pile up are rewritten by the
indexer's merge policy (search/indexing/merging.py), which bounds the rest.

``LiveStats`` answers what scoring, related stories and spelling ask of a
reader: ``doc_count``, ``doc_frequency``, ``frequency``, ``field_length``,
``avg_field_length`` and Whoosh's ``idf``. It is shared by the threads of
a process and keeps no reader: each call reads through the caller's (a
Whoosh reader is not thread-safe).
"""
from __future__ import annotations

from collections import Counter
from math import log

from whoosh import classify
from whoosh.codec.whoosh3 import W3TermsReader
from whoosh.scoring import BM25F

from search.codec import doc_frequency as segment_doc_frequency
from search.deletions import TEXT_FIELDS, segment_deleted
DF_CACHE = 200_000        # document frequencies kept per index generation


class LiveStats:
    def __init__(self, reader):
        self.docs = reader.doc_count()
        self._df: dict = {}
        self._frequency: dict = {}      # (field, term) -> its live total weight (related stories' key terms)
        self.deleted_df: Counter = Counter()
        self.deleted_weight: Counter = Counter()
        self.deleted_length: Counter = Counter()
        if reader.has_deletions():
            self._count_deleted(reader)
        self.lengths = {name: reader.field_length(name) - self.deleted_length.get(name, 0)
                        for name in TEXT_FIELDS if name in reader.schema}

    def _count_deleted(self, reader) -> None:
        for leaf, _ in reader.leaf_readers():
            if leaf.has_deletions():
                counts = segment_deleted(leaf)
                self.deleted_df.update(counts.df)
                self.deleted_weight.update(counts.weight)
                self.deleted_length.update(counts.length)

    # -- what a reader would answer for the live documents --------------------------------

    def doc_count(self) -> int:
        return self.docs

    @property
    def has_deletions(self) -> bool:
        return bool(self.deleted_df or self.deleted_length)

    def doc_frequency(self, reader, field: str, text) -> int:
        text = text.decode("utf-8") if isinstance(text, bytes) else text
        key = (field, text)
        found = self._df.get(key)
        if found is None:
            # A term's frequency is looked up in every segment's term table:
            # one search asks for each of its terms several times (cost,
            # idf, expansions), and a generation's answer never changes.
            if len(self._df) >= DF_CACHE:
                self._df = {}
            found = self._df[key] = index_doc_frequency(reader, field, text) - self.deleted_df.get(key, 0)
        return found

    def frequency(self, reader, field: str, text) -> float:
        text = text.decode("utf-8") if isinstance(text, bytes) else text
        key = (field, text)
        found = self._frequency.get(key)
        if found is None:
            # Read from every segment's term table; an article's key terms ask
            # for about a hundred of them, mostly the same from one to the next.
            if len(self._frequency) >= DF_CACHE:
                self._frequency = {}
            found = self._frequency[key] = reader.frequency(field, text) - self.deleted_weight.get(key, 0)
        return found

    def field_length(self, field: str) -> int:
        return self.lengths.get(field, 0)

    def avg_field_length(self, field: str) -> float:
        return self.field_length(field) / (self.docs or 1)

    def idf(self, reader, field: str, text) -> float:
        """Whoosh's idf (``WeightingModel.idf``) over the live documents."""
        return log(self.docs / (self.doc_frequency(reader, field, text) + 1)) + 1

    def deleted_words(self, field: str) -> Counter:
        """Deleted documents' frequency of each word of ``field`` (the spelling vocabulary's)."""
        return Counter({text: n for (name, text), n in self.deleted_df.items() if name == field})


def index_doc_frequency(reader, field: str, text: str) -> int:
    """``reader.doc_frequency(field, text)`` (deleted documents included, as
    Whoosh counts them), each segment's term table read by the codec's
    lookup (search/codec.py: two file reads where Whoosh's makes one per
    slot and per part of the entry). A segment the lookup cannot read (not
    W3's term table, closed, a field it does not index) answers through
    Whoosh, errors included."""
    total, tbytes, hashes = 0, None, {}
    for leaf, _ in reader.leaf_readers():
        terms = getattr(leaf, "_terms", None)
        if tbytes is None:
            schema = leaf.schema
            fieldobj = schema[field] if field in schema else None
            if not isinstance(terms, W3TermsReader) or leaf.is_closed or fieldobj is None or fieldobj.format is None:
                total += leaf.doc_frequency(field, text)
                continue
            tbytes = fieldobj.to_bytes(text)
        elif not isinstance(terms, W3TermsReader) or leaf.is_closed or leaf.schema is not schema:
            total += leaf.doc_frequency(field, text)
            continue
        total += segment_doc_frequency(terms, field, tbytes, hashes)
    return total


class LiveBM25F(BM25F):
    """Whoosh's BM25F with the live documents' idf and average field length,
    for the places that score through Whoosh's own matchers (related stories)."""

    def __init__(self, live: LiveStats, **kwargs):
        super().__init__(**kwargs)
        self.live = live

    def idf(self, searcher, fieldname, text):
        return self.live.idf(searcher.reader(), fieldname, text)

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if hasattr(scorer, "avgfl"):
            scorer.avgfl = self.live.avg_field_length(fieldname) or 1
        return scorer


class _LiveReader:
    """What Whoosh's key-term Expander reads of a reader, for the live documents."""

    def __init__(self, reader, live: LiveStats):
        self.reader = reader
        self.live = live
        self.schema = reader.schema

    def doc_count_all(self) -> int:
        return self.live.doc_count()

    def field_length(self, field: str) -> int:
        return self.live.field_length(field)

    def frequency(self, field: str, text) -> float:
        return self.live.frequency(self.reader, field, text)

    def __contains__(self, key) -> bool:
        field, text = key
        return self.live.doc_frequency(self.reader, field, text) > 0


def key_terms(reader, live: LiveStats, field: str, text: str, numterms: int) -> list[tuple[str, float]]:
    """Whoosh's ``key_terms_from_text`` (Bo1, normalised) over the live documents."""
    expander = classify.Expander(_LiveReader(reader, live), field, model=classify.Bo1Model)
    expander.add_text(text)
    return expander.expanded_terms(numterms, normalize=True)


class LiveReader:
    """A reader whose term statistics count only the live documents and come
    from the generation's cache (``LiveStats``); all else is the reader's.
    Queries are parsed and spelling corrected through it, so a word found only
    in deleted articles is unknown, as in a fresh build; and the document
    frequencies they ask for again and again (spelling checks each word's,
    expansion each alternative's) are looked up in the index once per
    generation. With nothing deleted, the vocabulary walks (prefixes, near
    spellings) are the reader's own, unfiltered: no lookup per term."""

    def __init__(self, reader, live: LiveStats):
        self._reader = reader
        self._live = live

    def __getattr__(self, name):
        return getattr(self._reader, name)

    def __contains__(self, key) -> bool:
        field, text = key
        if not self._live.has_deletions:
            return key in self._reader
        return key in self._reader and self.doc_frequency(field, text) > 0

    def doc_frequency(self, field, text) -> int:
        return self._live.doc_frequency(self._reader, field, text)

    def frequency(self, field, text) -> float:
        return self._live.frequency(self._reader, field, text)

    def expand_prefix(self, field, prefix):
        found = self._reader.expand_prefix(field, prefix)
        if not self._live.has_deletions:
            return found
        return (t for t in found if self.doc_frequency(field, t) > 0)

    def terms_within(self, field, text, maxdist, prefix=0):
        found = self._reader.terms_within(field, text, maxdist, prefix=prefix)
        if not self._live.has_deletions:
            return found
        return (t for t in found if self.doc_frequency(field, t) > 0)


def live_reader(reader, live: LiveStats):
    """``reader`` as a LiveReader: live statistics, cached per generation."""
    return LiveReader(reader, live)


def live_searcher(searcher, live: LiveStats):
    """``searcher`` itself when nothing is deleted, else one over the same
    reader that scores with the live documents' statistics (close it after)."""
    if not live.has_deletions:
        return searcher
    from whoosh.searching import Searcher

    return Searcher(searcher.reader(), weighting=LiveBM25F(live), closereader=False)
