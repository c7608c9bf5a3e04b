"""Snippets: whole sentences around the best matches, every matched form marked.

Marking works on analysed terms, so a query for ``kunjungan`` marks
``berkunjung`` and ``mengunjungi`` (all stem to ``kunjung``). To stay fast,
sentences are chosen with a per-word cache (raw word → terms), and only the
chosen sentences go through the full analyzer, which also knows multi-word
names (``Joko Widodo`` marked for ``jokowi``). The text is HTML-escaped; only
the ``<mark>`` tags are ours.

What a snippet needs of a body whatever the query (its sentences and its
set of words, known to the word cache) is kept for the last
``BODY_CACHE_LIMIT`` bodies: a document that comes back in another query's
results is not split, read or looked up word by word again.
"""
from __future__ import annotations

import bisect
import html
import re
import threading

from search.analysis.tokenizer import TOKEN_PATTERN, WORD


SNIPPET_CHARS = 260          # a snippet is about this long: one or two sentences
WORD_CACHE_LIMIT = 200_000
BODY_CACHE_LIMIT = 2048      # bodies whose sentences and words are kept (about 13 kB each)

# A sentence ends at . ! ? (closing quotes/brackets allowed) before a capital,
# a digit or an opening quote; abbreviations such as "Rp." or "dr." seldom
# stand before a capital in news text, and a wrong cut only shortens a snippet.
# Both kinds of boundary start with a fixed character, which lets the regex
# engine skip ahead instead of trying every position.
_BOUNDARY = re.compile(r"(?P<end>[.!?…][\"'”’)\]]?)(?P<space>\s+)(?=[\"'“‘(\[]?[A-Z0-9])|\n[^\S\n]*\n\s*")
_SPACES = " \t\r\f\v"


def term_pieces(analyzer):
    """cari's cached one-token analysis (raw token -> terms) when ``analyzer``
    is cari's chain, else None (a peer analyzer in a benchmark)."""
    from search.analysis.chain import IndonesianTermFilter

    for item in getattr(analyzer, "items", ()):
        if isinstance(item, IndonesianTermFilter):
            return item._terms.pieces
    return None


class Highlighter:
    """Builds snippets with one analyzer instance and a shared word cache.

    The cache maps each written word seen in a body to its terms, and keeps
    the reverse (term -> written forms) so that a query's forms are a few
    set lookups rather than a loop over every word of every hit.
    """

    def __init__(self, analyzer):
        self.analyzer = analyzer
        self._pieces = term_pieces(analyzer)
        self._words: dict[str, frozenset] = {}
        self._forms: dict[str, set] = {}      # term -> written words that analyse to it
        # body -> [sentences, words, epoch]: its words were put in the word
        # cache in that epoch (oldest body first).
        self._bodies: dict[str, list] = {}
        self._epoch = 0         # + 1 each time the word cache is emptied (at its limit)
        self._learned = 0       # + 1 for each word put in the word cache
        self._lock = threading.Lock()

    # -- analysis ------------------------------------------------------------------

    def word_terms(self, raw: str) -> frozenset:
        found = self._words.get(raw)
        if found is None:
            if self._pieces is not None and TOKEN_PATTERN.fullmatch(raw):
                found = frozenset(term for term, _, _ in self._pieces(raw))
            else:
                found = frozenset(t.text for t in self.analyzer(raw, mode="query"))
            with self._lock:
                if len(self._words) >= WORD_CACHE_LIMIT:
                    self._words.clear()
                    self._forms.clear()
                    self._epoch += 1
                self._words[raw] = found
                for term in found:
                    self._forms.setdefault(term, set()).add(raw)
                self._learned += 1
        return found

    def learn(self, words: set) -> None:
        """Analyse the words not met before."""
        # set.difference(dict) checks each word against the dict in C; the
        # ``-`` operator with ``.keys()`` would copy every key into a new set.
        for raw in words.difference(self._words):
            self.word_terms(raw)

    def forms_of(self, terms) -> set:
        """Every known written form of ``terms``."""
        forms = self._forms
        found: set = set()
        for term in terms:
            found.update(forms.get(term, ()))
        return found

    def spans(self, text: str, terms) -> list[tuple[int, int]]:
        """Character spans of ``text`` whose analysed term is one of ``terms``."""
        found = []
        for token in self.analyzer(text, chars=True, mode="index"):
            if token.text in terms:
                found.append((token.startchar, token.endchar))
        return merge_spans(found)

    def read(self, body: str) -> tuple[list, tuple | set]:
        """(sentences, words) of ``body``, its words in the word cache; both
        kept for the next query that shows it (the words as a tuple: a third
        of a set's memory), which then neither splits the body nor looks its
        words up again unless the word cache was emptied meanwhile."""
        found = self._bodies.get(body)
        if found is not None:
            sentences, words, epoch = found
            if epoch != self._epoch:
                epoch = self._epoch
                self.learn(set(words))
                found[2] = epoch
            return sentences, words
        sentences, words = split_sentences(body), words_of(body)
        epoch = self._epoch         # before learning: a clearing meanwhile is seen next time
        self.learn(words)
        with self._lock:
            while self._bodies and len(self._bodies) >= BODY_CACHE_LIMIT:
                del self._bodies[next(iter(self._bodies))]
            if BODY_CACHE_LIMIT > 0:
                self._bodies[body] = [sentences, tuple(words), epoch]
        return sentences, words

    # -- snippets ---------------------------------------------------------------------

    def forms(self, terms) -> "Forms":
        return Forms(self, terms)

    def snippet(self, body: str, terms, limit: int = SNIPPET_CHARS, forms: "Forms | None" = None) -> tuple[str, bool]:
        """(HTML snippet, whether anything is marked); pass the same ``forms``
        for every hit of one query."""
        sentences, words = self.read(body)
        if not sentences:
            return "", False
        scored, found = [], None
        if terms:
            forms = forms if forms is not None else self.forms(terms)
            scored, found = self.score_sentences(body, sentences, forms, words)
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
            if found is not None:
                # The body's matches in this sentence: a sentence is bounded by
                # spaces or the body's ends, so a whole word in the body is
                # one in the sentence too.
                spans = [(at - start, to - start) for at, to, _ in found if start <= at < end]
            else:
                spans = self.spans(sentence, terms)
            marked = marked or bool(spans)
            if previous is not None:
                pieces.append(" " if index == previous + 1 else " … ")
            pieces.append(render(sentence, spans, limit))
            previous = index
        return "".join(pieces), marked

    def score_sentences(self, body: str, sentences, forms: "Forms", words=None):
        """(distinct terms, matches, -index) of each sentence holding a query
        term, and (start, end, word) of each match in the body (None when
        there is none).

        The body's words that are forms of the query's terms are found with
        set operations (see ``Forms``) and then located with ``str.find``: no
        per-word Python loop over the body and no regular expression to
        compile per query. ``words``: the body's (``words_of``), in the word
        cache (``read``), when known.
        """
        if words is None:
            words = words_of(body)
            self.learn(words)
        present = forms.hot().intersection(words)
        if not present:
            return [], None
        term_of = forms.term_of
        starts = [start for start, _ in sentences]
        distinct: dict[int, set] = {}
        counts: dict[int, int] = {}
        where = bisect.bisect_right
        found = locate(body, present)
        for start, _, word in found:
            index = where(starts, start) - 1
            if index in counts:
                counts[index] += 1
                distinct[index] |= term_of(word)
            else:
                counts[index] = 1
                distinct[index] = set(term_of(word))
        return [(len(distinct[i]), c, -i) for i, c in counts.items()], found


class Forms:
    """The written forms of one query's terms, as known to the highlighter.

    Each body's new words are analysed once (``Highlighter.read``, and
    remembered for later queries); the query's forms are gathered again only
    when words not met before were learned meanwhile.
    """

    def __init__(self, highlighter: Highlighter, terms):
        self.highlighter = highlighter
        self.terms = frozenset(terms)
        self._learned = highlighter._learned     # read first: words learned meanwhile are gathered next time
        self._hot: set = highlighter.forms_of(self.terms)
        self._terms_of: dict[str, frozenset] = {}

    def hot(self) -> set:
        """The query's written forms among the words the highlighter knows."""
        learned = self.highlighter._learned
        if learned != self._learned:
            self._learned = learned
            self._hot = self.highlighter.forms_of(self.terms)
        return self._hot

    def term_of(self, word: str) -> frozenset:
        """The query terms ``word`` is a form of."""
        found = self._terms_of.get(word)
        if found is None:
            found = self._terms_of[word] = self.highlighter.word_terms(word) & self.terms
        return found


def locate(text: str, words) -> list[tuple[int, int, str]]:
    """(start, end, word) of every whole-word occurrence of ``words`` in ``text``,
    in order. A word inside a longer one (``Israel`` in ``Israel-Palestina``,
    ``kata`` in ``katanya``) does not count, as the tokenizer would not split it."""
    found = []
    size = len(text)
    find = text.find
    for word in words:
        length = len(word)
        at = find(word)
        while at >= 0:
            # Whole words only: no letter, digit or joining character on
            # either side (written out: this runs for every occurrence).
            end = at + length
            before = text[at - 1] if at else " "
            after = text[end] if end < size else " "
            if not (before.isalnum() or before in _JOINING or after.isalnum() or after in _JOINING):
                found.append((at, end, word))
            at = find(word, at + 1)
    found.sort()
    return found


_JOINING = "_'’-"       # characters that hold a word together, beside letters and digits


# A word as the tokenizer reads it (letters and digits, inner apostrophes and hyphens).
_WORD = re.compile(WORD)
# Characters that are never part of a word, trimmed from a piece between spaces.
_NOT_WORD = "".join(c for c in map(chr, range(33, 127)) if not c.isalnum()) + "“”‘’…–—«»"


def words_of(text: str) -> set:
    """The set of words in ``text`` as ``_WORD`` finds them (``set(_WORD.findall(text))``),
    faster: no word spans a space, so each distinct piece between spaces is
    read alone, and most are a word as they are, or once their punctuation is
    trimmed (a character that is not a letter or digit cannot start or end a
    word); only the rest go through the regular expression."""
    words = set(text.split())
    odd = [piece for piece in words if not piece.isalnum()]
    words.difference_update(odd)
    for piece in odd:
        trimmed = piece.strip(_NOT_WORD)
        if trimmed.isalnum():
            words.add(trimmed)
        elif trimmed:
            words.update(_WORD.findall(trimmed))
    return words


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
        if m.group("end") is not None:
            cut = m.start("space")
            if text[cut - 1] == "." and is_abbreviation(text, cut - 1):
                continue
        else:
            cut = m.start()
            while cut > start and text[cut - 1] in _SPACES:
                cut -= 1
        if cut > start:
            spans.append((start, cut))
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
