"""Text for pages: article paragraphs and subheadings, query terms marked safely.

Everything from the corpus is escaped here before any ``<mark>`` is added, and
the result is a ``Markup`` so templates do not escape the marks again.
What to mark is the engine's (``SearchResults.marking``,
``Engine.query_marking``: a :class:`Marking`): the query language is read in
one place only, search/retrieval/query_syntax.py. A word is marked when the
index analyzer makes it one of those terms, so "banjir" also marks "Banjir"
and "kebanjiran" exactly when the search matched them; the words of a phrase
(quoted, or a multi-word synonym: ``MU`` -> *man united*) only where they
stand together, as the snippets mark them (search/retrieval/highlight.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from search.analysis import indonesian_analyzer
from search.retrieval.highlight import Marking, marked_spans

FIRST_MATCH_ID = "first-match"
NAVIGATED = 100            # matches with a way to the next: a page of thousands stays small
SUBHEADING_MAX_CHARS = 70
SUBHEADING_MAX_WORDS = 8

_INNER_PUNCTUATION = re.compile(r"[,;:?!]|\.\s")  # ":" too: "Reporter: ...", "Sumber: ..."
_SENTENCE_END = tuple('.!?:;,"”’\')…')


@lru_cache(maxsize=1)
def _analyzer():
    return indonesian_analyzer()


def match_id(n: int) -> str:
    """The id of the ``n``-th mark of a page (1-based); the first keeps the jump id."""
    return FIRST_MATCH_ID if n == 1 else f"match-{n}"


class MarkCounter:
    """Numbers marks across paragraphs: each gets an id, and with ``total``
    and ``labels`` a way to the previous and next match, shown when the mark
    is the page's target (CSS ``mark:target + .match-nav``): no JavaScript."""

    def __init__(self, total: int = 0, labels: dict | None = None) -> None:
        self.count = 0
        self.total = total
        self.labels = labels

    def mark(self, word: str) -> Markup:
        self.count += 1
        n = self.count
        marked = Markup('<mark id="%s">%s</mark>') % (match_id(n), word)
        if not (self.total and self.labels) or n > NAVIGATED:
            return marked if n == 1 else Markup("<mark>%s</mark>") % word
        return marked + self.nav(n)

    def nav(self, n: int) -> Markup:
        labels = self.labels
        links = []
        if n > 1:
            links.append(Markup('<a href="#%s" aria-label="%s">‹</a>') % (match_id(n - 1), labels["prev"]))
        links.append(Markup('<span class="where">%s</span>') % labels["of"].format(n=n, total=self.total))
        if n < min(self.total, NAVIGATED):
            links.append(Markup('<a href="#%s" aria-label="%s">›</a>') % (match_id(n + 1), labels["next"]))
        return Markup('<span class="match-nav">%s</span>') % Markup(" ").join(links)


def query_marking(q: str, terms) -> Marking:
    """The marks of a search for ``q`` whose engine terms are ``terms``, read
    from the text typed when the engine's own marking is not at hand: the
    words of a "phrase" are marked together, not alone, unless the query
    also asks for them on their own (a multi-word synonym is not known here)."""
    from search.errors import QueryError
    from search.retrieval.query_syntax import Group, Phrase, Word, read_query

    try:
        root = read_query(q).root
    except QueryError:
        return Marking(frozenset(terms))
    phrases, words, stack = [], [], [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Group):
            stack.extend(node.children)
        elif isinstance(node, Phrase):
            phrases.append(node.text)
        elif isinstance(node, Word):
            words.append(node.text)
    analysed = [by_position(text, "query") for text in phrases]
    analysed = [tuple(p) for p in analysed if len(p) > 1]   # a one-word phrase is a word
    in_phrases = {t for p in analysed for alternatives in p for t in alternatives}
    on_their_own = {t for w in words for alternatives in by_position(w, "index") for t in alternatives}
    return Marking(frozenset(set(terms) - (in_phrases - on_their_own)), tuple(analysed))


def by_position(text: str, mode: str) -> list[frozenset]:
    """The analysed terms of ``text``, one set per position."""
    found: dict[int, set] = {}
    for token in _analyzer()(text, positions=True, mode=mode):
        found.setdefault(token.pos, set()).add(token.text)
    return [frozenset(found[pos]) for pos in sorted(found)]


def spans(text: str, marking) -> list[tuple[int, int]]:
    """Character spans of ``text`` to mark, in order, never overlapping
    (those the snippets mark: highlight.marked_spans)."""
    return marked_spans(_analyzer(), text, Marking.given(marking))


def mark_terms(text: str, terms, counter: MarkCounter | None = None) -> Markup:
    """Escape ``text`` and mark what ``terms`` asks: a set of the engine's
    analysed query terms (each token whose analysed form is one), or a
    :class:`Marking` (terms, and phrases marked whole)."""
    out, pos = [], 0
    for start, end in spans(text, terms):
        word = text[start:end]
        out.append(escape(text[pos:start]))
        out.append(counter.mark(word) if counter else Markup("<mark>%s</mark>") % word)
        pos = end
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


def article_blocks(body: str, terms=None, labels: dict | None = None) -> tuple[list[Block], int]:
    """The body as paragraphs and subheadings, with ``terms`` (analysed query
    terms, or a :class:`Marking`) marked; and how many marks. ``labels``
    (``prev``, ``next``, ``of`` with {n} and {total}) add the way from each
    match to the next."""
    paragraphs = [p for p in (" ".join(p.split()) for p in (body or "").split("\n\n")) if p]
    total = sum(len(spans(p, terms)) for p in paragraphs) if labels else 0
    counter = MarkCounter(total, labels)
    blocks = []
    for i, paragraph in enumerate(paragraphs):
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
