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
from conftest import news
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


BOUNDARY_TEXT = st.lists(st.sampled_from(["Kata", "dr", "Rp", "a", "5", " ", "  ", "\n", "\n\n", " \n \n",
                                           ".", "!", "?", "…", "\"", "”", ")", "(", "“", "'", "B"]),
                         max_size=50).map("".join)


@settings(max_examples=500, deadline=None)
@given(BOUNDARY_TEXT)
def test_sentence_boundaries_are_the_patterns_own_matches(text):
    # boundaries() tries the pattern only where a match can start.
    expected = [(m.start(), m.end(), m.group("end")) for m in highlight._BOUNDARY.finditer(text)]
    assert [(m.start(), m.end(), m.group("end")) for m in highlight.boundaries(text)] == expected


# -- phrases: marked where their words stand together, as they were searched ----------------------

# Sentences of about 200 characters: a snippet (SNIPPET_CHARS) holds one of them.
LONG_LONE = ("Man City dan Newcastle United sama-sama kalah di kandang sendiri pada pekan ini, dan para "
             "pendukung kedua tim itu pulang dengan kecewa setelah menunggu sejak sore di bawah hujan deras.")
LONG_PHRASE = ("Sementara itu Man United juga menelan kekalahan di laga tandang, hasil yang membuat pelatih "
               "harus menjawab banyak pertanyaan wartawan tentang susunan pemain dan taktik yang dipilihnya.")
STORIES = [
    news(1, "Hasil liga", "Newcastle United menang besar. Pelatih MU kecewa setelah Man United kalah dua gol."),
    news(2, "Hasil liga", LONG_LONE + " " + LONG_PHRASE),
    news(3, "Harga pangan", "Harga cabai naik dan beras langka. Pemerintah menahan harga beras di pasar."),
    news(4, "Asap", "Hutan lindung masih aman. Kebakaran hutan dan lahan meluas ke desa tetangga."),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from conftest import engine_of

    with engine_of(tmp_path_factory, "highlight", STORIES, result_cache_size=0) as eng:
        yield eng


@pytest.fixture(autouse=True)
def builtin_synonyms_only(monkeypatch):
    monkeypatch.delenv("CARI_SYNONYMS", raising=False)   # MU, Man United; karhutla, kebakaran hutan (dan lahan)


def snippet_of(engine, q: str, article: str) -> str:
    hits = {hit.id: hit.snippet for hit in engine.search(q).hits}
    assert article in hits, (q, sorted(hits))
    return hits[article]


def marks(snippet: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", snippet)


def test_a_multi_word_synonym_is_marked_as_a_phrase_not_its_lone_words(engine):
    snippet = snippet_of(engine, "MU kalah", "t-001")
    assert "Newcastle United" in snippet                   # the sentence is shown, for context
    assert marks(snippet) == ["MU", "Man United", "kalah"]  # "United" of Newcastle is not marked


def test_a_synonym_phrase_across_a_stopword_is_one_mark(engine):
    snippet = snippet_of(engine, "karhutla", "t-004")
    assert marks(snippet) == ["Kebakaran hutan dan lahan"]  # "Hutan lindung": a lone word


def test_a_quoted_phrase_is_marked_as_a_phrase_in_snippets(engine):
    snippet = snippet_of(engine, '"harga beras"', "t-003")
    assert "Harga cabai" in snippet and marks(snippet) == ["harga beras"]


def test_a_word_typed_alone_and_in_a_phrase_is_marked_alone_too(engine):
    snippet = snippet_of(engine, '"harga beras" harga', "t-003")
    assert marks(snippet) == ["Harga", "harga beras"]
    snippet = snippet_of(engine, "MU united", "t-001")
    assert marks(snippet) == ["United", "MU", "Man United"]


def test_a_one_word_synonym_is_marked_wherever_it_stands(engine):
    # Man United also stands for MU: one word, searched (and marked) alone.
    snippet = snippet_of(engine, "Man United kalah", "t-001")
    assert "MU" in marks(snippet) and "Man United" in " ".join(marks(snippet))


def test_the_sentence_chosen_holds_the_phrase_not_its_lone_words(engine):
    # Both sentences hold man, united and a form of kalah; only the second
    # holds "Man United" together, and only one fits in a snippet.
    snippet = snippet_of(engine, "MU kalah", "t-002")
    assert "Newcastle" not in snippet
    assert marks(snippet) == ["Man United", "kekalahan"]


def test_a_marking_marks_what_the_full_analyzer_marks(analyzer):
    # The snippet's quick path (word cache, located words) and the full
    # analyzer (the article page, highlight.marked_spans) agree, hyphenated
    # words, numbers and stopwords between a phrase's words included.
    body = ("Konflik Israel-Palestina Gaza memanas. Israel dan Palestina berunding; Palestina-Israel 5 Gaza. "
            "Kebakaran hutan dan lahan, kebakaran hutan lahan; hutan dan kebakaran.")
    phrase = highlight.Marking(frozenset({"konflik"}), (
        (frozenset({"israel"}), frozenset({"palestina"})),
        (frozenset({"palestina"}), frozenset({"gaza"})),
        (frozenset({"kebakaran"}), frozenset({"hutan"}), frozenset({"lahan"}))))
    highlighter = Highlighter(analyzer)
    sentences, words = highlighter.read(body)
    _, quick = highlighter.score_sentences(body, sentences, highlighter.forms(phrase), words)
    assert quick == highlight.marked_spans(analyzer, body, phrase)
    assert [body[a:b] for a, b in quick] == ["Konflik", "Israel-Palestina Gaza", "Israel dan Palestina",
                                             "Kebakaran hutan dan lahan", "kebakaran hutan lahan"]


F = frozenset
MARKING = highlight.Marking(F({"city", "mu"}), (
    (F({"man"}), F({"united"})), (F({"kebakaran"}), F({"hutan"}), F({"lahan"})), (F({"hutan"}), F({"lahan"})),
    (F({"united"}), F({"united"}))))
PHRASE_WORDS = st.sampled_from(["Man", "United", "man", "UNITED", "City", "MU", "Mu", "Manchester", "dan", "di",
                                "yang", "Kebakaran", "hutan", "Hutan", "lahan", "man-united", "United-Man",
                                "hutan-hutan", "5", "Rp", "$", ".", ",", "!", "—", "(", ")", "-", "’s"])
BETWEEN = st.sampled_from([" ", " ", "\n", "\n\n", ". ", ", "])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(PHRASE_WORDS, BETWEEN), min_size=1, max_size=25))
def test_snippets_find_phrases_where_the_full_analyzer_does(analyzer, pieces):
    # Words apart (the located words' rule for a word after a hyphen is the
    # snippets' own), stopwords, numbers, currency and hyphenated words between.
    body = "".join(word + space for word, space in pieces)
    highlighter = Highlighter(analyzer)
    sentences, words = highlighter.read(body)
    if sentences:
        _, quick = highlighter.score_sentences(body, sentences, highlighter.forms(MARKING), words)
        assert (quick or []) == highlight.marked_spans(analyzer, body, MARKING)
