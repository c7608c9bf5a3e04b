"""The index-time fast paths store exactly what Whoosh's own fields would.

``IndonesianText.index`` (search/analysis/postings.py) is compared with
Whoosh's ``TEXT.index`` given the same format (``CompactPositions``), which
runs the Token chain through the format's ``word_values``: same terms,
frequencies, weights, encoded positions, same order. ``WordSetField.index`` (search/fields.py, the
``spell`` field) is compared with ``FieldType.index`` as a set (both yield a
set's words; the posting pool sorts them).
"""
from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import fields, formats
from whoosh.analysis import StandardAnalyzer

from search.analysis import indonesian_analyzer
from search.analysis.lexicon import ROOTS
from search.fields import CompactPositions, IndonesianText
from search.analysis.stemmer import Stemmer
from search.schema import TITLE_BOOST
from search.fields import WordSetField
from search.fields import spelling_analyzer, spelling_field, spelling_text
from conftest import CORPUS, shared_path

ANALYZER = indonesian_analyzer()


def plain_text(**kwargs) -> fields.TEXT:
    """Whoosh's own TEXT field, storing positions as IndonesianText does."""
    field = fields.TEXT(**kwargs)
    field.format = CompactPositions(field_boost=field.format.field_boost)
    return field


def field_pair(analyzer=ANALYZER, boost=1.0):
    return (plain_text(analyzer=analyzer, phrase=True, field_boost=boost),
            IndonesianText(analyzer=analyzer, phrase=True, field_boost=boost))


def assert_same_postings(text: str, analyzer=ANALYZER, boost=1.0):
    chain, fast = field_pair(analyzer, boost)
    assert list(fast.index(text)) == list(chain.index(text)), text


EDGE_CASES = [
    "",
    "   \n\t ",
    "yang dan di ke dari ini itu",                       # stopwords only: no terms
    "Konflik Israel-Palestina memanas; negara-negara anggota COVID-19",
    "anak-anak ber-main di luar, mobil-mobilan, Jum'at dan Jum’at",
    "US$900 miliar, Rp10.000, Rp 10.000, €5, 1,5 juta, 10/9/2019 pukul 10:30, jaringan 5G",
    "AS dan as, KPK, DPR-RI, PBB, BUMN",
    "Presiden Joko Widodo bertemu Joko Widodo lagi; Joko dan Widodo; joko joko widodo",
    "Komisi Pemberantasan Korupsi, Dewan Perwakilan Rakyat, Amerika Serikat",
    "Republik Rakyat Tiongkok dan Republik Rakyat China; Amerika Amerika Serikat",
    "Susilo Bambang Yudhoyono bertemu Susilo Bambang; Amerika yang Serikat",
    "Tiongkok Cina praktek resiko undang-undang UU",
    "Joko\nWidodo",
    "Joko Widodo",
    "Widodo",
    "___ --- '' ’’ ... !!!",
    "İstanbul ÆØÅ naïve café Straße ﬁ 東京 ١٢٣",
    "kata " * 300,
]


@pytest.mark.parametrize("text", EDGE_CASES)
@pytest.mark.parametrize("boost", [1.0, TITLE_BOOST])
def test_edge_cases_match_the_chain(text, boost):
    assert_same_postings(text, boost=boost)


def test_fast_path_is_taken_for_cari_analyzer():
    _, fast = field_pair()
    assert fast._term_maker() is not None


def test_other_analyzers_fall_back_to_whoosh():
    standard = StandardAnalyzer()
    _, fast = field_pair(standard)
    assert fast._term_maker() is None
    assert_same_postings("The Quick brown fox, the lazy dog", analyzer=standard)


def test_custom_lexicon_analyzer_matches_the_chain():
    stemmer = Stemmer(roots=ROOTS - {"jarah"}, extra_roots={"jarah"}, names={"sukamaju"})
    analyzer = indonesian_analyzer(stemmer)
    for text in ("Penjarahan di Sukamaju, menjarah toko", *EDGE_CASES[3:9]):
        assert_same_postings(text, analyzer=analyzer)


# Random texts over the tokens that exercise every branch: phrase names and their
# overlaps, stopwords, compounds, acronyms, numbers, currency, punctuation.
PIECES = ["Joko", "Widodo", "joko", "Komisi", "Pemberantasan", "Korupsi", "Amerika", "Serikat",
          "Republik", "Rakyat", "Tiongkok", "China", "Dewan", "Perwakilan", "Susilo", "Bambang",
          "Yudhoyono", "yang", "dan", "di", "AS", "as", "negara-negara", "Israel-Palestina",
          "COVID-19", "US$", "Rp", "10.000", "1,5", "5G", "mengatakan", "pemerintah", "-", "'",
          "’", ".", ",", "\n", "Jum'at", "undang-undang"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40), st.lists(st.sampled_from([" ", "", "  "]), max_size=40))
def test_random_texts_match_the_chain(words, gaps):
    text = "".join(w + g for w, g in itertools.zip_longest(words, gaps, fillvalue=" "))
    assert_same_postings(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_unicode_matches_the_chain(text):
    assert_same_postings(text)


def test_project_corpus_matches_the_chain():
    texts = []
    for path in sorted(CORPUS.rglob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                texts += [record.get("title") or "", record.get("body") or ""]
    assert texts
    for text in texts:
        assert_same_postings(text)


@pytest.mark.shared_data
def test_real_articles_match_the_chain():
    """The first articles of every CLICK-ID file (a few thousand texts)."""
    corpus = shared_path("corpus", "clickid")
    checked = 0
    for path in sorted(corpus.glob("*.jsonl")):
        with open(path, encoding="utf-8") as f:
            for line in itertools.islice(f, 250):
                if not line.strip():
                    continue
                record = json.loads(line)
                assert_same_postings(record.get("title") or "", boost=TITLE_BOOST)
                assert_same_postings(record.get("body") or "")
                checked += 1
    assert checked >= 1000


def assert_same_words(text: str):
    fast = spelling_field()
    plain = fields.FieldType(fast.format, fast.analyzer, scorable=True, stored=False)
    assert type(fast) is WordSetField and fast._findall() is not None
    expected = list(plain.index(text))
    got = list(fast.index(text))
    assert len(got) == len(expected) and sorted(got) == sorted(expected), text


@pytest.mark.parametrize("text", EDGE_CASES)
def test_spell_field_matches_whoosh(text):
    assert_same_words(text)
    assert_same_words(spelling_text(text, text[:400]))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_spell_field_matches_whoosh_on_arbitrary_unicode(text):
    assert_same_words(text)


def test_spell_field_falls_back_for_other_analyzers():
    field = WordSetField(formats.Existence(), StandardAnalyzer())
    assert field._findall() is None
    text = "The Quick brown fox, the lazy dog"
    assert sorted(field.index(text)) == sorted(fields.FieldType(formats.Existence(), StandardAnalyzer()).index(text))


def test_built_index_equals_an_index_built_through_the_chain(tmp_path, monkeypatch):
    """End to end: every posting of title, body and spell, and the field lengths,
    are the same whether the indexer used the fast paths or Whoosh's own fields."""
    from search import schema
    from search.indexing import indexer

    fast_dir = tmp_path / "fast"
    indexer.index_corpus(CORPUS, fast_dir, procs=1)

    def chain_schema(analyzer=None):
        built = schema.build_schema(analyzer)
        for name in ("title", "body"):
            field = built[name]
            plain = plain_text(analyzer=field.analyzer, stored=True, phrase=True,
                               field_boost=field.format.field_boost)
            assert plain == field
            built.remove(name)
            built.add(name, plain)
        spell = built["spell"]
        built.remove("spell")
        built.add("spell", fields.FieldType(spell.format, spelling_analyzer(), scorable=True, stored=False))
        return built

    monkeypatch.setattr(indexer, "build_schema", chain_schema)
    chain_dir = tmp_path / "chain"
    indexer.index_corpus(CORPUS, chain_dir, procs=1)

    from whoosh import index as whoosh_index
    fast_ix, chain_ix = whoosh_index.open_dir(str(fast_dir)), whoosh_index.open_dir(str(chain_dir))
    assert type(fast_ix.schema["body"]) is IndonesianText
    assert type(chain_ix.schema["body"]) is fields.TEXT
    assert type(fast_ix.schema["spell"]) is WordSetField
    assert type(chain_ix.schema["spell"]) is fields.FieldType
    with fast_ix.reader() as fast, chain_ix.reader() as chain:
        assert fast.doc_count() == chain.doc_count() > 0
        for name in ("title", "body", "spell"):
            fast_terms = list(fast.lexicon(name))
            assert fast_terms == list(chain.lexicon(name)) and fast_terms
            for term in fast_terms:
                # all_items: (doc, the encoded value as stored: positions for title and body)
                assert (list(fast.postings(name, term).all_items())
                        == list(chain.postings(name, term).all_items())), (name, term)
                assert (list(fast.postings(name, term).items_as("weight"))
                        == list(chain.postings(name, term).items_as("weight"))), (name, term)
            assert fast.field_length(name) == chain.field_length(name)
            assert ([fast.doc_field_length(d, name) for d in range(fast.doc_count())]
                    == [chain.doc_field_length(d, name) for d in range(chain.doc_count())])
