"""What a search answers: plain dataclasses, and the names an answer is made of.

``SORTS`` and ``FACET_NAMES`` are written here once; the engine, the column
view (``facets.py``), the JSON shapes (``responses.py``) and the web
contract take them from here.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from search.retrieval.highlight import Marking

SORTS = ("relevance", "newest")
FACET_NAMES = ("source", "category", "month")


@dataclass
class Hit:
    id: str
    title: str
    url: str
    source: str
    category: str
    date: str | None
    score: float
    snippet: str
    snippet_text: str
    all_words: bool = True          # False: a partial match, holding half of the query's words or more (tail.py)
    group: str | None = None        # its story's key when near-duplicates exist (stories.py)
    similar: list[str] = field(default_factory=list)   # ids of the story's other matching articles


@dataclass
class SearchResults:
    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    hits: list[Hit] = field(default_factory=list)
    partial: bool = False
    correction: str | None = None
    matched_all: bool = True
    facets: dict = field(default_factory=dict)
    # Added after the first contract (names above are stable):
    sort: str = "relevance"
    corrected: bool = False         # hits are for ``correction``, the typed query found nothing
    notes: list[str] = field(default_factory=list)   # why results are partial or empty, for the user
    total_exact: bool = True        # False: the time limit stopped the count (total is a lower bound)
    terms: list[str] = field(default_factory=list)   # analysed terms the hits matched on, to mark
    total_all_words: int | None = None  # of ``total``: articles holding every word (None: same as total)
    total_some_words: int = 0           # of ``total``: articles holding half the words or more, ranked after them
    timeline: dict | None = None        # matches per period (timeline.py); None without facets
    marking: Marking | None = None      # how to mark ``terms``: a phrase's words only together (highlight.py)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["marking"] = self.marking.to_dict() if self.marking is not None else None   # lists, as JSON has
        return data
