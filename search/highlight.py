"""Snippets: whole sentences around the best matches, every matched form marked.

Marking works on analysed terms, so a query for ``kunjungan`` marks
``berkunjung`` and ``mengunjungi`` (all stem to ``kunjung``). To stay fast,
sentences are chosen with a per-word cache (raw word → terms), and only the
chosen sentences go through the full analyzer, which also knows multi-word
names (``Joko Widodo`` marked for ``jokowi``). The text is HTML-escaped; only
the ``<mark>`` tags are ours.
"""
from __future__ import annotations

import bisect
import html
import re
import threading
from functools import lru_cache


SNIPPET_CHARS = 260          # a snippet is about this long: one or two sentences
WORD_CACHE_LIMIT = 200_000

# A sentence ends at . ! ? (closing quotes/brackets allowed) before a capital,
# a digit or an opening quote; abbreviations such as "Rp." or "dr." seldom
# stand before a capital in news text, and a wrong cut only shortens a snippet.
_BOUNDARY = re.compile(r"\s*\n[^\S\n]*\n\s*|(?:(?<=[.!?…])|(?<=[.!?…][\"'”’)\]]))\s+(?=[\"'“‘(\[]?[A-Z0-9])")


class Highlighter:
    """Builds snippets with one analyzer instance and a shared word cache."""

    def __init__(self, analyzer):
        self.analyzer = analyzer
        self._words: dict[str, frozenset] = {}
        self._lock = threading.Lock()

    # -- analysis ------------------------------------------------------------------

    def word_terms(self, raw: str) -> frozenset:
        found = self._words.get(raw)
        if found is None:
            found = frozenset(t.text for t in self.analyzer(raw, mode="query"))
            with self._lock:
                if len(self._words) >= WORD_CACHE_LIMIT:
                    self._words.clear()
                self._words[raw] = found
        return found

    def spans(self, text: str, terms) -> list[tuple[int, int]]:
        """Character spans of ``text`` whose analysed term is one of ``terms``."""
        found = []
        for token in self.analyzer(text, chars=True, mode="index"):
            if token.text in terms:
                found.append((token.startchar, token.endchar))
        return merge_spans(found)

    # -- snippets ---------------------------------------------------------------------

    def forms(self, terms) -> "Forms":
        return Forms(self, terms)

    def snippet(self, body: str, terms, limit: int = SNIPPET_CHARS, forms: "Forms | None" = None) -> tuple[str, bool]:
        """(HTML snippet, whether anything is marked); pass the same ``forms``
        for every hit of one query."""
        sentences = split_sentences(body)
        if not sentences:
            return "", False
        scored, pattern = [], None
        if terms:
            forms = forms if forms is not None else self.forms(terms)
            scored, pattern = self.score_sentences(body, sentences, forms)
        if not scored and terms:
            # Names that only the full analyzer sees (Joko Widodo -> jokowi).
            for index, (start, end) in enumerate(sentences):
                if self.spans(body[start:end], terms):
                    scored.append((1, 1, -index))
                    break
        if not scored:
            start, end = sentences[0]
            return html.escape(clip(body[start:end], [], limit)), False
        chosen = choose(scored, sentences, limit)
        pieces, marked, previous = [], False, None
        for index in chosen:
            start, end = sentences[index]
            sentence = body[start:end]
            if pattern is not None:
                spans = [m.span() for m in pattern.finditer(sentence)]
            else:
                spans = self.spans(sentence, terms)
            marked = marked or bool(spans)
            if previous is not None:
                pieces.append(" " if index == previous + 1 else " … ")
            pieces.append(render(sentence, spans, limit))
            previous = index
        return "".join(pieces), marked

    def score_sentences(self, body: str, sentences, forms: "Forms"):
        """(distinct terms, matches, -index) of each sentence holding a query term,
        and the pattern that finds the body's words for those terms.

        The words of the body that analyse to a query term are found with set
        operations (see ``Forms``), then located with one regular expression,
        so the per-word work runs in C.
        """
        hot = forms.hot_in(set(_WORD.findall(body)))
        if not hot:
            return [], None
        pattern = hot_pattern(tuple(sorted(hot, key=len, reverse=True)))
        starts = [start for start, _ in sentences]
        distinct: dict[int, set] = {}
        counts: dict[int, int] = {}
        where = bisect.bisect_right
        for m in pattern.finditer(body):
            index = where(starts, m.start()) - 1
            if index in counts:
                counts[index] += 1
                distinct[index] |= hot[m.group()]
            else:
                counts[index] = 1
                distinct[index] = set(hot[m.group()])
        return [(len(distinct[i]), c, -i) for i, c in counts.items()], pattern


class Forms:
    """The written forms of one query's terms, learnt as a page of hits is read.

    Each distinct word is looked up once per query (through the highlighter's
    cache); the next hit only looks up the words the earlier ones did not have.
    """

    def __init__(self, highlighter: Highlighter, terms):
        self.highlighter = highlighter
        self.terms = frozenset(terms)
        self.seen: set[str] = set()
        self.hot: dict[str, frozenset] = {}

    def hot_in(self, words: set) -> dict[str, frozenset]:
        """Those of ``words`` that are forms of a query term, with the terms."""
        terms = self.terms
        known = self.highlighter._words.get
        for raw in words - self.seen:
            found = known(raw)
            if found is None:
                found = self.highlighter.word_terms(raw)
            if not found.isdisjoint(terms):
                self.hot[raw] = found & terms
        self.seen |= words
        hot = self.hot
        return {raw: hot[raw] for raw in words & hot.keys()}


# A word as the tokenizer reads it (letters and digits, inner apostrophes and hyphens).
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*(?:-[^\W_]+(?:['’][^\W_]+)*)*")


@lru_cache(maxsize=4096)
def hot_pattern(words: tuple[str, ...]) -> re.Pattern:
    """The given words, whole, longest first."""
    return re.compile(r"(?<![\w'’-])(?:" + "|".join(map(re.escape, words)) + r")(?![\w'’-])")


# Words written with a period that seldom end a sentence (Rp. 5 juta, Dr. Ani, B. J. Habibie).
ABBREVIATIONS = frozenset({"rp", "no", "dr", "drs", "dra", "prof", "ir", "jl", "jln", "st", "hj", "kh",
                           "tn", "ny", "sdr", "bpk", "yth", "dll", "dsb", "mr", "mrs", "vs", "kec", "kab"})


def is_abbreviation(text: str, dot: int) -> bool:
    start = dot
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    word = text[start:dot].lower()
    return len(word) == 1 or word in ABBREVIATIONS


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a blank line always ends one."""
    spans = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if text[m.start() - 1:m.start()] == "." and is_abbreviation(text, m.start() - 1):
            continue
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    if spans:
        # The boundaries swallow the spaces between sentences; only the
        # text's own ends may still carry some.
        first_start, first_end = spans[0]
        first_start += len(text[first_start:first_end]) - len(text[first_start:first_end].lstrip())
        spans[0] = (first_start, first_end)
        last_start, last_end = spans[-1]
        spans[-1] = (last_start, last_start + len(text[last_start:last_end].rstrip()))
    return [(a, b) for a, b in spans if b > a]


def choose(scored, sentences, limit: int) -> list[int]:
    """The best sentence, then the next best ones while the snippet stays short."""
    scored.sort(reverse=True)
    chosen = [-scored[0][2]]
    used = sentences[chosen[0]][1] - sentences[chosen[0]][0]
    for _, _, neg_index in scored[1:]:
        index = -neg_index
        length = sentences[index][1] - sentences[index][0]
        if used + length + 3 > limit:
            continue
        chosen.append(index)
        used += length + 3
    if len(chosen) == 1:
        # Room left: add the sentence after (or before) the best one for context.
        best = chosen[0]
        for neighbour in (best + 1, best - 1):
            if 0 <= neighbour < len(sentences):
                length = sentences[neighbour][1] - sentences[neighbour][0]
                if used + length + 1 <= limit:
                    chosen.append(neighbour)
                    break
    return sorted(chosen)


def merge_spans(spans):
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def clip(text: str, spans, limit: int) -> str:
    """``text`` cut at word boundaries to about ``limit`` characters around the
    first span (the plain-text part of :func:`render`)."""
    if len(text) <= limit:
        return text
    start, end = window(text, spans, limit)
    return ("… " if start > 0 else "") + text[start:end] + (" …" if end < len(text) else "")


def window(text: str, spans, limit: int) -> tuple[int, int]:
    """A slice of about ``limit`` characters, starting and ending between words."""
    first = spans[0][0] if spans else 0
    start = max(0, first - limit // 3)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
        if start > first:
            start = first
    end = min(len(text), start + limit)
    if end < len(text):
        space = text.rfind(" ", start, end)
        last_mark = max((e for s, e in spans if s < end), default=start)
        end = space if space > max(start, last_mark - 1) else end
        if end < len(text) and not text[end].isspace():
            # Never end inside a word: run to the word's end.
            while end < len(text) and not text[end].isspace():
                end += 1
    return start, end


def render(sentence: str, spans, limit: int) -> str:
    """The sentence (clipped when very long) as HTML with <mark>ed spans."""
    start, end = (0, len(sentence)) if len(sentence) <= limit * 1.5 else window(sentence, spans, limit)
    out = ["… "] if start > 0 else []
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(sentence[pos:s]))
        out.append("<mark>" + html.escape(sentence[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(sentence[pos:end]))
    if end < len(sentence):
        out.append(" …")
    return "".join(out)
