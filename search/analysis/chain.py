"""The Whoosh analyzer: tokenizer + term filter + phrase-variant filter.

All classes live here (not in a script) because Whoosh pickles the schema,
analyzer included, into the index. They hold no state besides plain options,
so they pickle small and compare equal across processes.
"""
from __future__ import annotations

from whoosh.analysis import Composable, Filter, Token, Tokenizer

from search.analysis.stemmer import Stemmer
from search.analysis.terms import DEFAULT_TERMS, TermMaker
from search.analysis.tokenizer import TOKEN_PATTERN
from search.analysis.variants import MAX_PHRASE, PHRASE_FIRST_WORDS, PHRASE_VARIANTS


class IndonesianTokenizer(Tokenizer):
    """Yields raw tokens (original case) with positions and character offsets."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        for pos, match in enumerate(TOKEN_PATTERN.finditer(value)):
            token.text = match.group()
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = token.text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


class IndonesianTermFilter(Filter):
    """Raw token -> zero or more final terms (see ``terms.py``).

    Positions are renumbered: a stopword takes no position and each part of a
    split compound takes one, so phrase queries see consecutive words.

    ``stemmer`` is None for cari's own lexicon (nothing extra is pickled into
    the index) or a :class:`Stemmer` over a custom lexicon, which then travels
    with the schema so query time uses the same lexicon as index time.
    """

    def __init__(self, stemmer: Stemmer | None = None):
        self.stemmer = stemmer
        self._terms = DEFAULT_TERMS if stemmer is None else TermMaker(stemmer)

    def __getstate__(self):
        return {"stemmer": self.stemmer}

    def __setstate__(self, state):
        self.__init__(state["stemmer"])

    def __eq__(self, other):
        return isinstance(other, IndonesianTermFilter) and other.stemmer == self.stemmer

    def __call__(self, tokens):
        token_pieces = self._terms.pieces
        pos = None
        for token in tokens:
            if pos is None:                       # honour the tokenizer's start_pos
                pos = token.pos if token.positions else 0
            raw = token.text
            pieces = token_pieces(raw)
            if not pieces:
                if not token.removestops:
                    token.stopped = True
                    yield token
                continue
            positions = token.positions
            chars = token.chars
            base = token.startchar if chars else 0
            for term, start, end in pieces:
                token.text = term
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar = base + start
                    token.endchar = base + end
                pos += 1
                yield token


class PhraseVariantFilter(Filter):
    """Adds the short form after a multi-word name: Joko Widodo -> + jokowi.

    The added token takes the position of the name's first word and spans the
    whole name, so highlighting marks the name.
    """

    def __call__(self, tokens):
        recent: list[tuple[str, int, int]] = []   # (text, pos, startchar) of the last words
        for token in tokens:
            text = token.text
            recent.append((text, getattr(token, "pos", 0), getattr(token, "startchar", 0)))
            if len(recent) > MAX_PHRASE:
                del recent[0]
            yield token
            if len(recent) < 2 or token.stopped:
                continue
            for size in range(2, len(recent) + 1):
                first = recent[-size]
                if first[0] not in PHRASE_FIRST_WORDS:
                    continue
                key = tuple(item[0] for item in recent[-size:])
                short = PHRASE_VARIANTS.get(key)
                if short:
                    token.text = short
                    if token.positions:
                        token.pos = first[1]
                    if token.chars:
                        token.startchar = first[2]
                    yield token
                    break


def indonesian_analyzer(stemmer: Stemmer | None = None) -> Composable:
    """The analyzer for title and body, at index and query time.

    ``stemmer`` optionally brings a larger lexicon (see ``derive.derive``).
    """
    return IndonesianTokenizer() | IndonesianTermFilter(stemmer) | PhraseVariantFilter()
