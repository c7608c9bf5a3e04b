"""The head's documents read as text: their title terms and written words.

The head's checks (proximity.py's phrase check in the title, run.py's
written-form preference) ask, per segment, which of the head's documents
hold a few terms. Asking the postings costs a list opened per term and
segment (head_postings.py), whatever the number of documents asked about.
When a segment holds only one or two of them (an archive of many segments,
a story published several times), reading those documents' stored title
and lede and analysing them as the indexer did costs less, and the page's
own hits read the same stored fields.

The answers are the index's own: the title's terms and positions are
``term_positions`` of the stored title with the field's own term maker,
the function that wrote the title's postings (search/fields.py), and the
written words are what ``WordSetField`` indexed from the same title and
lede. A field whose analysis is not cari's own (another analyzer, format or
schema) is never read this way.
"""
from __future__ import annotations

import threading

from search.analysis.postings import term_positions
from search.fields import SPELL_FIELD, SPELL_LEDE_CHARS, WORD_PATTERN, written_words
from search.retrieval.head_postings import by_segment, segment_holding
from search.retrieval.kept import keep

# What each way costs, in thread CPU, as `python -m bench.head_costs INDEX`
# measured it on clickid's index and on 4 copies of its segments (the two
# within 10%; docs/scaling.md): a term's list opened and skipped to a
# document, a document's stored fields read (eight are compressed together),
# its title analysed, its title and lede's written words found.
OPEN_NS = 21_000
READ_NS = 57_000
ANALYSE_NS = {"title": 13_000, SPELL_FIELD: 21_000}
# Analyses kept across searches, the oldest dropped first: a head's
# documents come back from search to search as its words do. A kept
# document also makes reading texts the cheaper way (``pays``), so fewer
# lists are opened. About 3 KB an analysis (the rotated queries of
# bench.load left 821, 2.3 MB, at 4x): 6 MB at most a worker.
KEPT_ANALYSES = 2048


class KeptAnalyses:
    """Documents' analyses ((field, docnum) -> terms) of one index
    generation, kept for the searches after; shared by a process's threads."""

    def __init__(self, generation=None, limit: int = KEPT_ANALYSES):
        self.generation, self.limit = generation, limit
        self._made: dict = {}
        self._lock = threading.Lock()

    def get(self, key):
        return self._made.get(key)

    def __contains__(self, key) -> bool:
        return key in self._made

    def __len__(self) -> int:
        return len(self._made)

    def put(self, key, value) -> None:
        keep(self._made, self._lock, self.limit, key, value)


class HeadTexts:
    """One search's reads of the head's documents: ``stored(docnum)`` gives
    a document's stored fields (the engine's, cached for the page's hits),
    ``is_stored(docnum)`` whether it is at hand already. Each document's
    fields and analyses are made once for the search, and kept for later
    ones in ``kept`` (:class:`KeptAnalyses` of the searcher's generation)
    when given."""

    def __init__(self, schema, stored, is_stored, kept: KeptAnalyses | None = None):
        self.stored, self.is_stored = stored, is_stored
        self.analyse = {}
        title = schema["title"] if "title" in schema else None
        maker = getattr(title, "_term_maker", None)
        if maker is not None and maker() is not None:
            terms = maker()
            self.analyse["title"] = lambda fields: term_positions(fields.get("title") or "", terms)
        spell = schema[SPELL_FIELD] if SPELL_FIELD in schema else None
        findall = getattr(spell, "_findall", None)
        pattern = getattr(findall() if findall is not None else None, "__self__", None)
        if getattr(pattern, "pattern", None) == WORD_PATTERN:      # the words written_words finds
            self.analyse[SPELL_FIELD] = lambda fields: written_words(
                fields.get("title"), (fields.get("body") or "")[:SPELL_LEDE_CHARS])
        self.made = kept if kept is not None else KeptAnalyses(limit=1 << 62)

    def pays(self, field: str, docs, lookups: int) -> bool:
        """Reading ``docs`` for ``field`` costs less than ``lookups`` lists opened."""
        if field not in self.analyse or not docs:
            return False
        cost = sum(ANALYSE_NS[field] + (0 if self.is_stored(d) else READ_NS)
                   for d in docs if (field, d) not in self.made)
        return cost < lookups * OPEN_NS

    def terms(self, field: str, docnum: int):
        """The terms of ``field`` in document ``docnum`` (whole-index number):
        {term: positions} for the title, the set of written words for
        ``spell``."""
        key = (field, docnum)
        found = self.made.get(key)
        if found is None:
            found = self.analyse[field](self.stored(docnum))
            self.made.put(key, found)
        return found


def holding_each(reader, field: str, words, docs, texts: HeadTexts | None = None) -> dict[str, set[int]]:
    """{word: the documents of ``docs`` (whole-index numbers, live ones)
    whose ``field`` holds it}; per segment, from the documents' texts when
    reading them costs less than a list per word (``texts``), else from the
    postings (head_postings.holding)."""
    found = {word: set() for word in words}
    for leaf, offset, inside in by_segment(reader, docs):
        if texts is not None and texts.pays(field, inside, len(found)):
            for docnum in inside:
                held = texts.terms(field, docnum)
                for word, holders in found.items():
                    if word in held:
                        holders.add(docnum)
        else:
            for word, holders in found.items():
                holders.update(segment_holding(leaf, offset, field, word, inside))
    return found
