"""Article text for pages: paragraphs, with query terms marked safely."""
from __future__ import annotations

from markupsafe import Markup, escape

from search.analysis import indonesian_analyzer


def query_terms(q: str) -> set[str]:
    analyzer = indonesian_analyzer()
    return {t.text for t in analyzer(q, mode="query")}


def mark_terms(text: str, terms: set[str]) -> Markup:
    """Escape ``text`` and wrap every token whose analysed form is a query term."""
    if not terms:
        return escape(text)
    analyzer = indonesian_analyzer()
    out, pos = [], 0
    for token in analyzer(text, chars=True, mode="index"):
        if token.text in terms and token.startchar >= pos:
            out.append(escape(text[pos:token.startchar]))
            out.append(Markup("<mark>%s</mark>") % text[token.startchar:token.endchar])
            pos = token.endchar
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def paragraphs_with_marks(body: str, q: str) -> list[Markup]:
    terms = query_terms(q) if q else set()
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    return [mark_terms(p, terms) for p in paragraphs]
