"""Headlines among the autocomplete suggestions, and the article each opens.

Autocomplete (search/retrieval/suggest.py) completes words and whole titles
alike. A title is not a query to run but an article to open: each
suggestion that is exactly an article's title (in any case) is looked up
here in the title field (every analysed term of it must be there, then the
stored title must be the same text), so the page can show it apart and
link it to the article.
"""
from __future__ import annotations

from whoosh import query as wq

CANDIDATES = 10            # articles whose title holds every term, compared in full


def article_of(engine, title: str) -> str | None:
    """The id of the live article titled ``title``, or None."""
    terms = {token.text for token in engine.analyzer(title, mode="index")}
    if not terms:
        return None
    searcher = engine.searcher()
    wanted = " ".join(title.split()).casefold()
    found = searcher.search(wq.And([wq.Term("title", t) for t in sorted(terms)]), limit=CANDIDATES)
    for hit in found:
        if " ".join((hit.get("title") or "").split()).casefold() == wanted:
            return hit["id"]
    return None


def headlines(engine, suggestions: list[str]) -> list[dict]:
    """``{"title", "id"}`` for each suggestion that is an article's title."""
    out = []
    for text in suggestions:
        article_id = article_of(engine, text) if len(text.split()) > 1 else None
        if article_id is not None:
            out.append({"title": text, "id": article_id})
    return out
