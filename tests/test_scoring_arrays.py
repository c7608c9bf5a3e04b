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
@pytest.mark.parametrize("pinned", [False, True])
def test_array_scoring_is_exhaustive_scorings(zipf_engine, monkeypatch, gather, pinned):
    import search.retrieval.scoring as scoring

    searcher = zipf_engine.searcher()
    generation = zipf_engine.generation(searcher)
    stats = generation.stats
    monkeypatch.setattr(scoring, "VECTOR_MIN", 0)                 # every large enough set as arrays
    monkeypatch.setattr(scoring, "GATHER_FACTOR", 0 if gather else 10**9)
    if pinned:
        stats.warm(searcher.reader(), budget=10**7)               # every list held (and kept as arrays)
    else:
        monkeypatch.setattr(stats, "_pinned", {})
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
