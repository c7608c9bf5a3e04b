"""The Whoosh schema: which fields exist, how they are analysed and what is stored.

Title and body share one Indonesian analyzer so a query term means the same in
both; the title carries a field boost so BM25F ranks a title match above a
body match. ``path`` and ``filestamp`` are columns the indexer reads back to
decide which files changed since the last run.
"""
from __future__ import annotations

from whoosh import columns, fields

from search import categories
from search.fields import IndonesianText, spelling_field

TITLE_BOOST = 2.5


def build_schema(analyzer=None) -> fields.Schema:
    if analyzer is None:
        from search.analysis import indonesian_analyzer

        analyzer = indonesian_analyzer()
    return fields.Schema(
        # Sortable: the newest-first order breaks date ties by id, which is
        # the same in every build of a folder (document numbers are not).
        id=fields.ID(stored=True, unique=True, sortable=True),
        # IndonesianText: a TEXT field that indexes without the Token chain (same postings).
        title=IndonesianText(analyzer=analyzer, stored=True, phrase=True, field_boost=TITLE_BOOST),
        body=IndonesianText(analyzer=analyzer, stored=True, phrase=True),
        source=fields.ID(stored=True, sortable=True),
        category=fields.ID(stored=True, sortable=True),   # ours: search/categories.py
        category_label=fields.STORED(),                    # the publisher's own label
        month=fields.ID(sortable=True),
        date=fields.DATETIME(stored=True, sortable=True),
        url=fields.STORED(),
        author=fields.STORED(),
        related=fields.STORED(),
        path=fields.ID(stored=True, sortable=True),
        filestamp=fields.ID(sortable=True),
        # A bottom-k MinHash sketch of the text: near-duplicates group by it (search/near_duplicates.py).
        sketch=fields.COLUMN(columns.VarBytesColumn()),
        spell=spelling_field(),   # surface words of title and lede, for corrections (search/retrieval/spelling.py)
    )


def category_key(category: str) -> str:
    """A category filter value as the index holds it (search/categories.py)."""
    return categories.category_key(category)
