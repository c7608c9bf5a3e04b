"""search/retrieval/highlight.py: the words of a body are the tokenizer's
words, and a body read before (kept in the highlighter) gives the snippet it
gave the first time, whatever was forgotten in between (the word cache
emptied at its limit, the kept bodies at theirs)."""
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
    assert snippets(Highlighter(analyzer)) == first        # a fresh highlighter agrees


def test_kept_bodies_give_the_same_snippets_after_the_word_cache_is_emptied(analyzer, monkeypatch):
    first = snippets(Highlighter(analyzer))
    highlighter = Highlighter(analyzer)
    snippets(highlighter)                                   # the bodies kept, their words known
    monkeypatch.setattr(highlight, "WORD_CACHE_LIMIT", len(highlighter._words))
    highlighter.word_terms("kata-baru")                     # one word more: the cache is emptied
    assert list(highlighter._words) == ["kata-baru"]
    monkeypatch.undo()
    assert snippets(highlighter) == first                   # the kept bodies' words are read again
    assert snippets(highlighter) == first


@pytest.mark.parametrize("limit", [2, 0])
def test_the_kept_bodies_stay_under_their_limit(analyzer, monkeypatch, limit):
    monkeypatch.setattr(highlight, "BODY_CACHE_LIMIT", limit)
    highlighter = Highlighter(analyzer)
    first = snippets(highlighter)
    assert len(highlighter._bodies) == limit
    assert snippets(highlighter) == first
    assert snippets(Highlighter(analyzer)) == first


JOINED = r"[\w'’-]"      # a letter, digit, underscore or joining character: what continues a word


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=60).map("".join), st.sets(PIECES, max_size=6))
def test_locate_finds_every_whole_word_occurrence(text, words):
    expected = sorted((m.start(), m.start() + len(w), w) for w in words if w
                      for m in re.finditer(f"(?<!{JOINED})(?={re.escape(w)}(?!{JOINED}))", text))
    assert highlight.locate(text, words) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=60).map("".join))
def test_a_sentence_holds_the_same_whole_words_as_in_its_body(text):
    # Snippets mark a sentence with the matches found in its whole body.
    words = words_of(text)
    in_body = highlight.locate(text, words)
    for start, end in highlight.split_sentences(text):
        assert ([(at - start, to - start, w) for at, to, w in in_body if start <= at < end]
                == highlight.locate(text[start:end], words))
