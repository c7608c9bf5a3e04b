"""A phrase matches and scores only where its words stand together
(search/retrieval/phrases.py): a multi-word synonym (``MU`` -> *Man United*)
and a quoted phrase alike. An article holding the words apart is not matched
through the phrase, and its scattered words add nothing to its score."""
from __future__ import annotations

import re

import pytest

from conftest import ZIPF_WORDS, index_of, news, segmented_index, zipf_records
from search.retrieval.engine import Engine

STORIES = [
    news(1, "Hasil liga pekan ini", "Man City kalah tipis, Newcastle United menang di kandang lawan."),
    news(2, "Hasil liga pekan ini", "Man United kalah tipis, Newcastle Rovers menang di kandang lawan."),
    # The same story twice, one holding man and united apart, the other neither: both name MU.
    news(3, "Kabar bursa pemain", "MU siap belanja pemain. Man City dan Leeds United juga belanja."),
    news(4, "Kabar bursa pemain", "MU siap belanja pemain. Tim City dan Leeds Rovers juga belanja."),
    news(5, "Harga kopi naik", "Petani kopi di Toraja menikmati harga yang baik."),
    # The phrase once in each; one holds "United" three times more, the other "Lawan".
    news(6, "Laga pekan lalu", "Man United menang. United United United tampil baik sekali."),
    news(7, "Laga pekan lalu", "Man United menang. Lawan Lawan Lawan tampil baik sekali."),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    with Engine(index_of(tmp_path_factory, "phrases", STORIES), result_cache_size=0) as eng:
        yield eng


@pytest.fixture(autouse=True)
def builtin_synonyms_only(monkeypatch):
    monkeypatch.delenv("CARI_SYNONYMS", raising=False)


def ids(results) -> set[str]:
    return {hit.id for hit in results.hits}


def test_a_multi_word_synonym_matches_only_where_its_words_stand_together(engine):
    # MU also stands for "Man United": the story holding it finds MU, the one
    # holding "Man City ... Newcastle United" does not.
    mu = engine.search("MU kalah")
    assert ids(mu) == {"t-002"}
    assert ids(engine.search("MU")) == {"t-002", "t-003", "t-004", "t-006", "t-007"}


def test_scattered_words_of_a_synonym_add_nothing_to_the_score(engine):
    scores = {hit.id: hit.score for hit in engine.search("MU").hits}
    # Stories 3 and 4 differ only in words of the same count: one holds "Man"
    # and "United" apart, the other neither. Scored through the phrase, equal.
    assert scores["t-003"] == pytest.approx(scores["t-004"])
    assert scores["t-002"] > 0


def test_the_snippet_marks_the_phrase_that_matched(engine):
    hit = engine.search("MU kalah").hits[0]
    assert hit.id == "t-002"
    marked = re.findall(r"<mark>(.*?)</mark>", hit.snippet)
    assert "Man United" in marked and "kalah" in marked      # the phrase as one mark (highlight.py)


def test_a_quoted_phrase_matches_only_its_words_side_by_side(engine):
    assert ids(engine.search('"man united"')) == {"t-002", "t-006", "t-007"}
    assert ids(engine.search('"leeds united"')) == {"t-003"}
    assert engine.search('"united man"').total == 0


# -- against Whoosh's own phrase matcher, on segments with deletions -----------------------------

PHRASES = [("banjir", "gempa"), ("gempa", "banjir"), ("korban", "sungai"), ("harga", "beras", "listrik"),
           ("banjir", "banjir"), ("hujan", "banjir", "korban", "gempa"), ("kapal", "nelayan")]


@pytest.fixture(scope="module")
def segmented(tmp_path_factory):
    """An engine over three segments or more, the first with articles deleted."""
    records = zipf_records(ZIPF_WORDS, 900, seed=23, longest=50)
    index = segmented_index(tmp_path_factory, "phrase", records, 50, [("part0-0.jsonl", records[:30])])
    with Engine(index, result_cache_size=0) as eng:
        yield eng


def whoosh_ids(engine, query) -> set[str]:
    searcher = engine.searcher()
    return {searcher.stored_fields(d)["id"] for d in searcher.docs_for_query(query)}


def test_phrases_match_what_whooshs_phrase_query_matches(segmented):
    from whoosh import query as wq

    reader = segmented.searcher().reader()
    assert len(list(reader.leaf_readers())) >= 3 and reader.has_deletions()
    some = none = 0
    for words in PHRASES:
        expected = whoosh_ids(segmented, wq.Or([wq.Phrase(f, list(words)) for f in ("title", "body")]))
        found = segmented.search('"' + " ".join(words) + '"', per_page=100)
        assert found.total == len(expected), words
        if found.total <= 100:
            assert ids(found) == expected, words
        some += bool(expected)
        none += not expected
        # Beside a word: the phrase is then checked only among that word's articles.
        beside = wq.And([wq.Or([wq.Phrase(f, list(words)) for f in ("title", "body")]),
                         wq.Or([wq.Term(f, "jembatan") for f in ("title", "body")])])
        both = segmented.search('"' + " ".join(words) + '" jembatan', per_page=100)
        all_words = both.total if both.total_all_words is None else both.total_all_words
        assert all_words == len(whoosh_ids(segmented, beside)), words
    assert some >= 3 and none >= 1


def test_a_phrase_scores_its_frequency_not_its_words(engine):
    """Two stories hold "Man United" once; one also holds "United" three
    times apart, the other another word: the phrase scores them alike."""
    for query in ('"man united"', "MU"):
        scores = {hit.id: hit.score for hit in engine.search(query).hits}
        assert scores["t-006"] == pytest.approx(scores["t-007"]), query
    # The words typed without quotes still score every occurrence.
    words = {hit.id: hit.score for hit in engine.search("man united").hits}
    assert words["t-006"] > words["t-007"]


def test_a_phrase_probed_among_candidates_matches_as_read_in_full(segmented, monkeypatch):
    """In a group with a word, the phrase is checked only among the word's
    articles (its words probed there) when the word is the cheaper clause;
    forced to probe, or never, the answer is Whoosh's."""
    from whoosh import query as wq

    import search.retrieval.phrases as phrases
    import search.retrieval.scoring as scoring

    probed = []
    match = phrases.phrase_match

    def recording(evaluator, q, boost, among=None):
        probed.append(among is not None)
        return match(evaluator, q, boost, among)

    monkeypatch.setattr(phrases, "phrase_match", recording)
    for ratio in (0, 10 ** 9):
        monkeypatch.setattr(scoring, "PROBE_RATIO", ratio)
        monkeypatch.setattr(scoring, "CACHED_PROBE_RATIO", ratio)
        for words in PHRASES:
            phrases._held.clear()
            group = wq.And([wq.Or([wq.Phrase(f, list(words)) for f in ("title", "body")]),
                            wq.Or([wq.Term(f, "labuh") for f in ("title", "body")])])  # pelabuhan, stemmed
            found = segmented.search('("' + " ".join(words) + '" pelabuhan)', per_page=100)
            assert found.total == len(whoosh_ids(segmented, group)), (ratio, words)
        assert any(probed) if ratio == 0 else not any(probed)
        probed.clear()


def test_phrases_matched_at_warm_up_answer_as_phrases_matched_when_asked(segmented, monkeypatch):
    """phrases.warm matches the synonym lists' phrases of common words once
    and holds them: a search through one held, alone or probed beside a
    word, answers as one matched when asked, and the budget holds."""
    import search.retrieval.phrases as phrases
    from search.retrieval.scoring import Evaluator

    monkeypatch.setattr(phrases, "WARM_MIN_DF", 1)
    searcher = segmented.searcher()
    generation = segmented.generation(searcher)
    queries = ['"' + " ".join(words) + '"' + extra for words in PHRASES for extra in ("", " jembatan", " pelabuhan")]
    queries += ['("' + " ".join(words) + '" pelabuhan)' for words in PHRASES]     # a group: every clause

    def answers():
        phrases._held.clear()
        return [(ids(r), [h.score for h in r.hits], r.total, r.total_all_words)
                for r in (segmented.search(q, per_page=100) for q in queries)]

    def warm(budget, compact_budget=0):
        phrases._held.clear()
        held = phrases.warm(Evaluator(searcher, generation.view, generation.stats, float("inf")), PHRASES,
                            budget, compact_budget)
        return held, phrases.cache_of(generation.stats).pinned

    def searched():             # each search sees the held phrases (answers() would clear them)
        return [(ids(r), [h.score for h in r.hits], r.total, r.total_all_words)
                for r in (segmented.search(q, per_page=100) for q in queries)]

    expected = answers()
    held, pinned = warm(phrases.PINNED_POSTINGS)
    assert held > 0 and len(pinned) >= 3
    every = set(pinned)
    assert searched() == expected
    small, pinned = warm(held // 3)
    assert 0 < small <= held // 3 and len(pinned) >= 1
    # Past the first budget, held as arrays: every phrase, the same answers.
    none, pinned = warm(0, phrases.COMPACT_POSTINGS)
    compact = phrases.cache_of(generation.stats).compact
    assert none == 0 and set(pinned) | set(compact) == every and len(compact) >= 3    # empty ones fit 0
    assert searched() == expected
    # Probed among a word's articles, a phrase held as arrays gives only theirs.
    import search.retrieval.scoring as scoring
    monkeypatch.setattr(scoring, "PROBE_RATIO", 0)
    asked = []
    parts = phrases.CompactPhrase.parts
    monkeypatch.setattr(phrases.CompactPhrase, "parts", lambda self, wanted=None: asked.append(wanted) or parts(self, wanted))
    assert searched() == expected
    assert any(wanted is not None for wanted in asked)


def test_the_synonym_lists_phrases_are_their_multi_word_entries(engine):
    from search.analysis.synonyms import synonyms_for

    found = synonyms_for(engine.analyzer).phrases()
    assert ("man", "united") in found
    assert found and all(len(words) > 1 for words in found)


def test_a_warmed_engine_holds_the_synonym_phrases_of_common_words(tmp_path_factory, monkeypatch):
    import search.retrieval.phrases as phrases

    monkeypatch.setattr(phrases, "WARM_MIN_DF", 1)
    with Engine(index_of(tmp_path_factory, "warm-phrases", STORIES), result_cache_size=0) as eng:
        eng.warm()
        pinned = phrases.cache_of(eng.generation(eng.searcher()).stats).pinned
        assert ("body", ("man", "united")) in pinned
        assert ids(eng.search("MU kalah")) == {"t-002"}
