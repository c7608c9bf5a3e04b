"""Index-time postings for title and body, computed without the Token chain.

At index time Whoosh only needs, per field value, each term with its list of
positions. The analyzer chain (``chain.py``: tokenizer -> term filter ->
phrase-variant filter) produces them through three generator layers and a
mutable Token per raw token, which cost more than half of cari's analysis
time. ``IndonesianText`` (search/fields.py) computes, through ``term_positions``, the same postings directly: the raw
tokens come from one ``findall``, each is mapped through the same cached
``TermMaker.pieces``, and the phrase-variant rule is applied on the term
sequence. The result is byte-for-byte what the field format's ``word_values``
yields over the chain (``search/fields.py`` encodes the positions;
``tests/test_index_fastpath.py`` checks this on real articles); query time,
highlighting and ``cari analyze`` keep using the chain.

Any other analyzer, format or call falls back to Whoosh's own ``index()``.
"""
from __future__ import annotations

from search.analysis.terms import TermMaker
from search.analysis.tokenizer import RAW_TOKEN_PATTERN
from search.analysis.variants import MAX_PHRASE, PHRASE_FIRST_WORDS, PHRASE_VARIANTS

_findall = RAW_TOKEN_PATTERN.findall


def term_positions(text: str, terms: TermMaker) -> dict[str, list[int]]:
    """Term -> positions for ``text``, in the order the chain emits them.

    ``terms`` is the chain's TermMaker. As in the chain, a stopword takes
    no position, each piece of a split compound takes one, and a phrase's
    short form (Joko Widodo -> jokowi) is added at its first word's position
    right after the phrase's last word.
    """
    cached = terms.cached
    pieces_of = terms.pieces
    positions: dict[str, list[int]] = {}
    get = positions.get
    seq: list[str] = []           # the term at each position, for phrase lookups
    add_term = seq.append
    first_words = PHRASE_FIRST_WORDS
    last_first = -MAX_PHRASE      # position of the latest phrase-first word
    pos = 0
    for raw in _findall(text):
        pieces = cached(raw)
        if pieces is None:
            pieces = pieces_of(raw)
        for piece in pieces:
            term = piece[0]
            found = get(term)
            if found is None:
                positions[term] = [pos]
            else:
                found.append(pos)
            add_term(term)
            # Only a phrase-first word in the last MAX_PHRASE - 1 positions
            # can start a phrase that ends here: skip the lookup otherwise.
            if pos - last_first < MAX_PHRASE:
                _add_phrase_variant(seq, pos, positions)
            if term in first_words:
                last_first = pos
            pos += 1
    return positions


def _add_phrase_variant(seq: list[str], pos: int, positions: dict[str, list[int]]) -> None:
    """The chain's PhraseVariantFilter for the phrase ending at ``pos``: the
    shortest known phrase wins."""
    for size in range(2, min(MAX_PHRASE, pos + 1) + 1):
        start = pos - size + 1
        if seq[start] not in PHRASE_FIRST_WORDS:
            continue
        short = PHRASE_VARIANTS.get(tuple(seq[start:pos + 1]))
        if short:
            positions.setdefault(short, []).append(start)
            return


def plain_index_call(value, kwargs: dict) -> bool:
    """True for the call a writer makes to index a string (``mode="index"``,
    nothing else): the only call a fast ``index()`` may answer itself."""
    return isinstance(value, str) and kwargs.get("mode", "index") == "index" and not kwargs.keys() - {"mode"}
