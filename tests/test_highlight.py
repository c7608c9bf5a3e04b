"""search/retrieval/highlight.py: the words of a body are the tokenizer's
words, and a body read before (kept in the highlighter) gives the snippet it
gave the first time, whatever was forgotten in between."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.analysis import indonesian_analyzer
from search.retrieval import highlight
from search.retrieval.highlight import Highlighter, words_of

# Letters (Latin, accented, other scripts), digits, the characters that join a
# word (' ’ -), underscore, punctuation, quotes, many kinds of space, emoji.
PIECES = st.sampled_from(list("aAzZ09éÉßıİ漢ك٣²½_'’-.,;:!?\"“”‘«»()[]/&@#$%…–—")
                         + [" ", "  ", "\n", "\t", "\u00a0", "\u2009", "\x1c", "🙂"]
                         + ["banjir", "Jakarta", "KPK", "ke-2", "Rp.", "l'Indonesia", "covid-19"])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=60).map("".join))
def test_words_of_a_text_are_what_the_word_pattern_finds(text):
    assert words_of(text) == set(re.findall(highlight.WORD, text))


BODIES = [
    "Banjir merendam Jakarta Selatan sejak pagi. Warga mengungsi ke masjid terdekat.\n\n"
    "Petugas BPBD mengunjungi lokasi banjir; kunjungan itu berlangsung dua jam.",
    "Harga beras naik lagi. \"Kami berkunjung ke pasar,\" kata Ani. Banjir tidak disebut.",
    "Tanpa kata yang dicari di sini. Kalimat kedua juga tidak.",
]
QUERIES = [{"banjir"}, {"kunjung"}, {"banjir", "jakarta"}, {"beras", "pasar"}]


def snippets(highlighter: Highlighter) -> list:
    out = []
    for terms in QUERIES:
        forms = highlighter.forms(terms)
        out += [highlighter.snippet(body, terms, forms=forms) for body in BODIES]
    return out


@pytest.fixture(scope="module")
def analyzer():
    return indonesian_analyzer()


def test_a_body_read_again_gives_the_same_snippets(analyzer):
    highlighter = Highlighter(analyzer)
    first = snippets(highlighter)
    assert any(marked for _, marked in first)
    assert set(highlighter._bodies) == set(BODIES)          # kept for the next query
    assert snippets(highlighter) == first
    highlighter._words.clear()                              # the word cache forgotten (its limit)
    highlighter._forms.clear()
    assert snippets(highlighter) == first
    assert snippets(Highlighter(analyzer)) == first        # a fresh highlighter agrees


@pytest.mark.parametrize("limit", [2, 0])
def test_the_kept_bodies_stay_under_their_limit(analyzer, monkeypatch, limit):
    monkeypatch.setattr(highlight, "BODY_CACHE_LIMIT", limit)
    highlighter = Highlighter(analyzer)
    first = snippets(highlighter)
    assert len(highlighter._bodies) == limit
    assert snippets(highlighter) == first
    assert snippets(Highlighter(analyzer)) == first
