"""search/retrieval/spelling.py: the edit distance that candidates are checked
with (bit-parallel) is the distance table's, and cut short once over the edits
allowed it keeps every distance within them; the articles of a word, from
decoded postings, are the same with or without copying them."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.analysis import indonesian_analyzer
from search.retrieval import spelling
from search.retrieval.spelling import Words, distance, documents

LETTERS = st.text(alphabet="abkn", max_size=9)
WORDS = st.text(alphabet="aeiknrstgé", max_size=14)


def table_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment), the table filled cell by cell."""
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.tuples(LETTERS, LETTERS), st.tuples(WORDS, WORDS)))
def test_the_distance_is_the_tables(pair):
    a, b = pair
    assert distance(a, b) == table_distance(a, b)


def test_the_distance_of_known_pairs():
    assert distance("kebakran", "kebakaran") == 1 and distance("ab", "ba") == 1
    assert distance("pemerinth", "pemerintah") == 1 and distance("hutna", "hutan") == 1
    assert distance("ca", "abc") == 3            # no edit of a transposed pair (string alignment)
    assert distance("", "abc") == 3 and distance("abc", "") == 3 and distance("", "") == 0


@settings(max_examples=500, deadline=None)
@given(LETTERS, LETTERS, st.integers(min_value=0, max_value=3))
def test_a_distance_cut_short_is_exact_within_the_limit(a, b, most):
    full = distance(a, b)
    short = distance(a, b, most)
    assert short == full if full <= most else short > most


COUNTS = {"banjir": 50, "banjar": 5, "banji": 7, "bajir": 1, "banjirnya": 9, "ajir": 3}


def test_candidates_are_those_the_uncut_distance_finds(monkeypatch):
    queries = [(typed, maxdist) for typed in ("banjr", "bnajir", "banjirr", "anjir", "bnjr") for maxdist in (1, 2)]
    found = [Words.from_counts(COUNTS).candidates(typed, maxdist) for typed, maxdist in queries]
    assert all(d == distance(typed, w) for (typed, _), got in zip(queries, found) for d, _, w in got)
    monkeypatch.setattr(spelling, "distance", lambda a, b, most=None: distance(a, b))
    assert found == [Words.from_counts(COUNTS).candidates(typed, maxdist) for typed, maxdist in queries]
    assert [w for _, _, w in found[0]] == ["banjir", "banji", "banjar"]


def test_a_vocabulary_keeps_near_spellings_found_for_the_next_searches(monkeypatch):
    words = Words.from_counts(COUNTS)
    first = words.candidates("banjr", 1)
    monkeypatch.setattr(spelling, "distance", lambda *a, **k: pytest.fail("looked up again"))
    assert words.candidates("banjr", 1) == first
    with pytest.raises(pytest.fail.Exception):
        words.candidates("banjr", 2)        # another number of edits is another question


def test_near_spellings_kept_stay_within_their_count_oldest_out_first(monkeypatch):
    monkeypatch.setattr(spelling, "KEPT_CANDIDATES", 2)
    words = Words.from_counts(COUNTS)
    for typed in ("banjr", "bnjir", "anjir"):
        words.candidates(typed, 1)
    assert list(words._near) == [("bnjir", 1), ("anjir", 1)]


class Reader:
    """The body terms of a few articles, as documents() asks a reader for them."""

    def __init__(self, postings: dict[str, dict[int, float]]):
        self.postings_of = postings

    def __contains__(self, key) -> bool:
        return key[0] == "body" and key[1] in self.postings_of


def test_documents_from_decoded_postings_are_the_articles_holding_every_word():
    analyzer = indonesian_analyzer()
    terms = {t.text: None for t in analyzer("banjir jakarta", mode="query")}
    banjir, jakarta = list(terms)
    reader = Reader({banjir: {1: 0.5, 2: 0.5, 3: 1.0}, jakarta: {2: 1.0, 3: 0.2, 4: 0.3}})
    as_keys = lambda term: reader.postings_of[term].keys()          # as run.py passes them
    as_sets = lambda term: set(reader.postings_of[term])
    for body_docs in (as_keys, as_sets):
        assert set(documents(reader, analyzer, "banjir jakarta", body_docs)) == {2, 3}
        assert set(documents(reader, analyzer, "banjir", body_docs)) == {1, 2, 3}
        assert len(documents(reader, analyzer, "banjir", body_docs) & {3, 4}) == 1
        assert not documents(reader, analyzer, "banjir kemarau", body_docs)


@pytest.mark.parametrize("q", ["Marquez: Yamaha Makin Kuat", "Joko Widodo meninggal dunia", "B.J. Habibie",
                               "harga-harga naik di pasar", "Korut uji rudal", "banjir OR gempa -jakarta"])
def test_the_spelling_check_reads_the_words_as_the_parse_analysed_them(engine, q):
    """The spelling check takes a typed word's terms from the parse's
    analyses when it holds them: they must be the query analyzer's own."""
    from search.retrieval.query import Budget

    searcher = engine.searcher()
    budget = Budget()
    parsed = engine.parse(q, searcher, budget=budget)
    held = 0
    for word in parsed.words:
        typed = parsed.text[word.start:word.end]
        own = [t.text for t in engine.analyzer(typed, mode="query")]
        assert spelling.query_terms(engine.analyzer, typed, budget.analysed) == own
        held += typed in budget.analysed
    assert held == len(parsed.words) > 0
