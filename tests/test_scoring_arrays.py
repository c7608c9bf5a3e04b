"""search/retrieval/scoring.py's best_arrays: the top k of a large match set
scored as arrays is exactly exhaustive scoring's (documents, scores to the
last bit, order), whichever way each term's weights are gathered."""
from __future__ import annotations

import random

import pytest
from conftest import ZIPF_WORDS

WORDS = ZIPF_WORDS


@pytest.fixture(scope="module")
def zipf_engine(tmp_path_factory):
    """800 articles of words drawn with Zipf-like frequencies: large match sets."""
    from conftest import zipf_engine_of

    engine = zipf_engine_of(tmp_path_factory, "zipf-arrays", seed=23)
    yield engine
    engine.close()


@pytest.mark.parametrize("gather", [False, True])
@pytest.mark.parametrize("pinned", [False, True, "held"])
def test_array_scoring_is_exhaustive_scorings(zipf_engine, monkeypatch, gather, pinned):
    import search.retrieval.scoring as scoring

    searcher = zipf_engine.searcher()
    generation = zipf_engine.generation(searcher)
    stats = generation.stats
    monkeypatch.setattr(scoring, "VECTOR_MIN", 0)                 # every large enough set as arrays
    monkeypatch.setattr(scoring, "GATHER_FACTOR", 0 if gather else 10**9)
    monkeypatch.setattr(stats, "_pinned", {})
    monkeypatch.setattr(stats, "_held", {})
    if pinned:
        # Every list pinned as dicts (and kept as arrays once scored so), or held as arrays.
        if pinned == "held":
            monkeypatch.setattr(scoring, "dict_share", lambda budget, wanted: 0)
        stats.warm(searcher.reader(), budget=10**7)
        assert bool(stats._held) == (pinned == "held") and bool(stats._pinned) == (pinned is True)
    used = []
    real = scoring.best_arrays
    monkeypatch.setattr(scoring, "best_arrays", lambda *a, **k: used.append(1) or real(*a, **k))
    rng = random.Random(11)
    for _ in range(40):
        words = rng.sample(WORDS, rng.randint(1, 4))
        q = (" OR " if rng.random() < 0.4 else " ").join(words)
        parsed = zipf_engine.parse(q, searcher)
        match = scoring.Evaluator(searcher, generation.view, stats, float("inf")).evaluate(parsed.query)
        for depth in (1, 10, 50):
            want = scoring.top(scoring.score(match, match.ids, stats), depth)
            assert scoring.best(match, match.ids, stats, depth) == want, (q, depth)
    assert len(used) > 20


def test_terms_held_as_arrays_answer_as_terms_read_when_asked(zipf_engine, monkeypatch):
    """Stats.warm's second tier: lists kept as arrays (HELD_SHARE of the
    budget), read whole or probed among a rare word's articles, give the
    same hits, scores and totals as lists read when asked."""
    import search.retrieval.scoring as scoring

    searcher = zipf_engine.searcher()
    stats = zipf_engine.generation(searcher).stats
    monkeypatch.setattr(stats, "_pinned", {})
    monkeypatch.setattr(stats, "_held", {})
    monkeypatch.setattr(scoring, "PROBE_RATIO", 1)     # a longer list beside a shorter one is probed
    monkeypatch.setattr(zipf_engine.results, "size", 0)     # every search evaluated
    rng = random.Random(5)
    queries = [" ".join(rng.sample(WORDS, rng.randint(1, 4))) for _ in range(60)]
    queries += ["(" + q + ")" for q in queries[:30]]        # a group: every word, the rarer probing the others

    def answers():
        found = []
        for q in queries:
            stats._recent, stats._size = {}, 0
            r = zipf_engine.search(q, per_page=20, highlight=False)
            found.append((q, [(h.id, h.score) for h in r.hits], r.total, r.total_all_words, r.facets))
        return found

    expected = answers()
    monkeypatch.setattr(scoring, "dict_share", lambda budget, wanted: 0)
    stats.warm(searcher.reader(), budget=10**7)
    assert stats._held and not stats._pinned
    probed, made = [], []
    real = scoring.Stats.probe
    monkeypatch.setattr(scoring.Stats, "probe", lambda self, reader, field, text, docs, sort=None:
                        probed.append((field, text) in self._held) or real(self, reader, field, text, docs, sort))
    built = scoring.Postings.built
    monkeypatch.setattr(scoring.Postings, "built", lambda self: made.append(self._dict is None) or built(self))
    assert answers() == expected
    assert any(probed)
    # Matched, counted, scored and re-ranked from the arrays: no held list made
    # into a dict, nor kept among the lists read lately (it would take their room).
    assert not any(made)
    assert not stats._recent.keys() & stats._held.keys()


def test_lists_are_held_as_arrays_only_when_dicts_would_not_hold_them_all():
    from search.retrieval.scoring import HELD_BYTES_PER_POSTING, HELD_SHARE, PINNED_BYTES_PER_POSTING, dict_share

    assert dict_share(1000, 1000) == 1000 and dict_share(1000, 10) == 1000
    # A little too many: as few dicts given up as lets arrays hold the rest.
    pinned = dict_share(1000, 1100)
    assert 1000 * (1 - HELD_SHARE) < pinned < 1000
    assert (1000 - pinned) * PINNED_BYTES_PER_POSTING >= (1100 - pinned) * HELD_BYTES_PER_POSTING
    # Far too many: the held share at most.
    assert dict_share(1000, 10**6) == int(1000 * (1 - HELD_SHARE))


def test_the_recent_lists_keep_the_newest_within_their_limit(zipf_engine, monkeypatch):
    """Lists read in full are kept while they fit, the oldest out first, and
    a kept list is the same as one read again."""
    import search.retrieval.scoring as scoring

    searcher = zipf_engine.searcher()
    reader = searcher.reader()
    stats = zipf_engine.generation(searcher).stats
    for name, value in (("_pinned", {}), ("_held", {}), ("_recent", {}), ("_size", 0)):
        monkeypatch.setattr(stats, name, value)
    sizes = {w: len(scoring.read_postings(reader, "body", w)) for w in WORDS[:6]}
    monkeypatch.setattr(stats, "_recent_limit", 4 * max(sizes.values()))
    for word in WORDS[:6]:
        assert stats.postings(reader, "body", word) == scoring.read_postings(reader, "body", word)
        assert stats._size == sum(len(p) for p in stats._recent.values()) <= stats._recent_limit
    kept = [text for _, text in stats._recent]
    assert kept == list(WORDS[6 - len(kept):6]) and 2 <= len(kept) < 6      # the newest, in order
    assert stats._size > stats._recent_limit - max(sizes.values())          # as many as fit (none emptied)


def test_an_index_outgrowing_the_budget_gives_the_recent_lists_a_share(zipf_engine, monkeypatch):
    import search.retrieval.scoring as scoring

    searcher = zipf_engine.searcher()
    stats = zipf_engine.generation(searcher).stats
    for name, value in (("_pinned", {}), ("_held", {}), ("_recent_limit", scoring.RECENT_POSTINGS)):
        monkeypatch.setattr(stats, name, value)
    monkeypatch.setattr(scoring, "RECENT_POSTINGS", 10)
    wanted = sum(df for df in scoring.frequencies(searcher.reader()).values() if df >= scoring.WARM_MIN_DF)
    budget = wanted // 2
    pinned = stats.warm(searcher.reader(), budget=budget)
    assert stats._recent_limit > 10
    memory = (pinned * scoring.PINNED_BYTES_PER_POSTING
              + sum(i.nbytes + w.nbytes for i, w in stats._held.values())
              + (stats._recent_limit - 10) * scoring.RECENT_BYTES_PER_POSTING)
    assert memory <= budget * scoring.PINNED_BYTES_PER_POSTING


def test_a_list_read_twice_into_the_recent_lists_is_counted_once(zipf_engine, monkeypatch):
    """Two threads may read the same list before either keeps it: the
    second replaces the first, and the size stays that of the lists held."""
    searcher = zipf_engine.searcher()
    reader = searcher.reader()
    stats = zipf_engine.generation(searcher).stats
    for name, value in (("_pinned", {}), ("_held", {}), ("_recent", {}), ("_size", 0), ("_recent_limit", 10**6)):
        monkeypatch.setattr(stats, name, value)
    real = stats.read

    def read_while_another_thread_keeps_it(reader, field, text, share=False):
        found = real(reader, field, text, share)
        stats._recent[(field, text)] = dict(found)
        stats._size += len(found)
        return found

    monkeypatch.setattr(stats, "read", read_while_another_thread_keeps_it)
    found = stats.postings(reader, "body", WORDS[0])
    assert stats._recent == {("body", WORDS[0]): found}
    assert stats._size == len(found)
