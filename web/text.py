"""Text for pages: article paragraphs and subheadings, query terms marked safely.

Everything from the corpus is escaped here before any ``<mark>`` is added, and
the result is a ``Markup`` so templates do not escape the marks again.
The terms to mark are the engine's (``SearchResults.terms``,
``Engine.query_terms``): the query language is read in one place only,
search/retrieval/query_syntax.py. A word is marked when the index analyzer
makes it one of those terms, so "banjir" also marks "Banjir" and
"kebanjiran" exactly when the search matched them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from search.analysis import indonesian_analyzer

FIRST_MATCH_ID = "first-match"
SUBHEADING_MAX_CHARS = 70
SUBHEADING_MAX_WORDS = 8

_INNER_PUNCTUATION = re.compile(r"[,;:?!]|\.\s")  # ":" too: "Reporter: ...", "Sumber: ..."
_SENTENCE_END = tuple('.!?:;,"”’\')…')


@lru_cache(maxsize=1)
def _analyzer():
    return indonesian_analyzer()


class MarkCounter:
    """Counts marks across paragraphs so only the very first one gets the jump id."""

    def __init__(self) -> None:
        self.count = 0

    def mark(self, word: str) -> Markup:
        self.count += 1
        if self.count == 1:
            return Markup('<mark id="%s">%s</mark>') % (FIRST_MATCH_ID, word)
        return Markup("<mark>%s</mark>") % word


def mark_terms(text: str, terms: set[str], counter: MarkCounter | None = None) -> Markup:
    """Escape ``text`` and wrap every token whose analysed form is one of ``terms``
    (the engine's analysed query terms)."""
    if not terms:
        return escape(text)
    out, pos = [], 0
    for token in _analyzer()(text, chars=True, mode="index"):
        if token.text in terms and token.startchar >= pos:
            word = text[token.startchar:token.endchar]
            out.append(escape(text[pos:token.startchar]))
            out.append(counter.mark(word) if counter else Markup("<mark>%s</mark>") % word)
            pos = token.endchar
    out.append(escape(text[pos:]))
    return Markup("").join(out)


@dataclass
class Block:
    """One piece of an article body: a paragraph (``p``) or a subheading (``h2``)."""

    kind: str
    html: Markup


def is_subheading(paragraph: str) -> bool:
    """Readers keep short subheading lines ("Listrik Dipadamkan") as their own paragraph.

    A subheading is short, has no sentence punctuation and is mostly in title
    case. A sentence that lost its full stop ("Informasi ini diambil dari
    laman resmi"), a credit ("Reporter: Sari Dewi") or a line in capitals
    ("KANTOR BERITA") is not one.
    """
    words = paragraph.split()
    if not (1 <= len(words) <= SUBHEADING_MAX_WORDS and len(paragraph) <= SUBHEADING_MAX_CHARS):
        return False
    if not paragraph[0].isupper() or paragraph.endswith(_SENTENCE_END) or _INNER_PUNCTUATION.search(paragraph):
        return False
    if paragraph.isupper() or len(paragraph) < 4:  # "ANTARA", "ANWAR SISWADI": credit lines
        return False
    capitalised = sum(1 for w in words if w[0].isupper() or not w[0].isalpha())
    return capitalised * 2 > len(words)


def article_blocks(body: str, terms: set[str] | None = None) -> tuple[list[Block], int]:
    """The body as paragraphs and subheadings, with ``terms`` (analysed query
    terms) marked; and how many marks."""
    counter = MarkCounter()
    paragraphs = [" ".join(p.split()) for p in (body or "").split("\n\n")]
    blocks = []
    for i, paragraph in enumerate(p for p in paragraphs if p):
        kind = "h2" if i > 0 and is_subheading(paragraph) else "p"
        blocks.append(Block(kind, mark_terms(paragraph, terms, counter)))
    return blocks, counter.count


_CUT_BACK = 200              # look this far back for a space, so no word is cut in two


def truncate_body(body: str, limit: int) -> tuple[str, bool]:
    """The first ``limit`` characters of ``body`` (ending at a space when one is
    near), and whether anything was cut. ``limit`` is CARI_MAX_ARTICLE_CHARS
    (search/settings.py), the most body characters one page or API answer sends."""
    body = body or ""
    if len(body) <= limit:
        return body, False
    cut = body[:limit]
    space = max(cut.rfind(" ", limit - _CUT_BACK), cut.rfind("\n", limit - _CUT_BACK))
    return (cut[:space] if space > 0 else cut).rstrip(), True
