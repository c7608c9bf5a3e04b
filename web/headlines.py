"""Headlines among the autocomplete suggestions, and the article each opens.

Autocomplete (search/retrieval/suggest.py) completes words and whole titles
alike. A title is not a query to run but an article to open: each
suggestion of more than one word that is exactly an article's title (in
any case and spacing) is looked up among the titles autocomplete keeps
(``Engine.article_titled``), so the page can show it apart and link it to
the article. (A search of the title's words per suggestion cost 2-6 ms
each, four times a keystroke.)
"""
from __future__ import annotations


def headlines(engine, suggestions: list[str]) -> list[dict]:
    """``{"title", "id"}`` for each suggestion that is an article's title."""
    out = []
    for text in suggestions:
        article_id = engine.article_titled(text) if len(text.split()) > 1 else None
        if article_id is not None:
            out.append({"title": text, "id": article_id})
    return out
