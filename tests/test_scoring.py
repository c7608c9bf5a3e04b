"""search/retrieval/scoring.py: reading a clause only among candidates
(probing) answers exactly as reading it in full."""
from __future__ import annotations

import random

import pytest
from conftest import ZIPF_WORDS

QUERIES = ("banjir jakarta", "kpk suap bupati", "banjir rob jakarta utara", "harga beras naik",
           "gempa pesisir selatan korban", "rupiah melemah dolar", "presiden jokowi", "kabut asap sekolah libur",
           "banjir -rob", "(kpk OR suap) bupati", "dpr sahkan ruu sampah plastik", "timnas vietnam",
           "warga mengungsi banjir", "jakarta", "tiket hotel motogp mandalika")


def answers(engine, q):
    engine.results.clear()
    r = engine.search(q, per_page=50)
    return r.total, r.total_all_words, [(h.id, h.score, h.all_words) for h in r.hits], r.facets


@pytest.mark.parametrize("q", QUERIES)
def test_probing_answers_as_reading_in_full(engine, monkeypatch, q):
    import search.retrieval.scoring as scoring

    monkeypatch.setattr(scoring, "PROBE_RATIO", 10**9)      # never probe
    monkeypatch.setattr(scoring, "CACHED_PROBE_RATIO", 10**9)
    full = answers(engine, q)
    monkeypatch.setattr(scoring, "PROBE_RATIO", 0)          # probe every clause that has candidates
    stats = engine.generation(engine.searcher()).stats
    monkeypatch.setattr(stats, "cached", lambda field, text: None)
    calls = []
    real_probe = stats.probe
    monkeypatch.setattr(stats, "probe", lambda *a: calls.append(a[1:3]) or real_probe(*a))
    probed = answers(engine, q)
    if len(q.split()) >= 3 and "OR" not in q and "-" not in q:
        # The last clause was probed among the documents holding another: with
        # two words, a document holding either is listed (tests/test_tail.py).
        assert calls, q
    assert probed[:2] == full[:2] and probed[3] == full[3]
    assert [h[0] for h in probed[2]] == [h[0] for h in full[2]]
    assert [h[1] for h in probed[2]] == pytest.approx([h[1] for h in full[2]], abs=1e-4)


@pytest.mark.parametrize("q", QUERIES)
def test_probing_cached_lists_answers_as_reading_them_in_full(engine, monkeypatch, q):
    """A clause whose postings are held decoded (Stats.cached) is looked up
    for the candidates rather than made a set of all its documents: the
    same answers."""
    import search.retrieval.scoring as scoring

    monkeypatch.setattr(scoring, "PROBE_RATIO", 10**9)          # only cached lists are probed
    monkeypatch.setattr(scoring, "CACHED_PROBE_RATIO", 10**9)   # cached lists read in full
    full = answers(engine, q)           # every list it reads is then cached (read lately)
    monkeypatch.setattr(scoring, "CACHED_PROBE_RATIO", 0)       # every cached clause with candidates probed
    within = []
    real_within = scoring.Evaluator.within
    monkeypatch.setattr(scoring.Evaluator, "within",
                        lambda self, *a, **k: within.append(a[0]) or real_within(self, *a, **k))
    probed = answers(engine, q)
    if len(q.split()) >= 3 and "OR" not in q and "-" not in q:
        assert within, q        # a cached clause was looked up for the candidates
    assert probed[:2] == full[:2] and probed[3] == full[3]
    assert [h[0] for h in probed[2]] == [h[0] for h in full[2]]
    assert [h[1] for h in probed[2]] == pytest.approx([h[1] for h in full[2]], abs=1e-4)


def test_clauses_are_read_fewest_postings_first(engine):
    """A frequent word whose list is cached is not read before a rare one: the
    rare one's documents are the candidates the frequent one is looked up for."""
    from whoosh import query as wq

    from search.retrieval.query import Budget
    from search.retrieval.scoring import Evaluator

    searcher = engine.searcher()
    stats = engine.generation(searcher).stats
    reader = searcher.reader()
    sizes = {w: len(stats.read(reader, "body", w)) for w in ("jakarta", "banjir", "kpk", "rob", "vietnam", "mandalika")}
    frequent = max(sizes, key=sizes.get)
    rare = min((w for w in sizes if sizes[w]), key=sizes.get)
    stats.postings(reader, "body", frequent)        # now cached, as a list read lately
    assert stats.cached("body", frequent) is not None and sizes[frequent] > 8 * sizes[rare]
    evaluator = Evaluator(searcher, engine.generation(searcher).view, stats, Budget().deadline)
    frequent_match, rare_match = evaluator.all_of([wq.Term("body", frequent), wq.Term("body", rare)], 1.0, 2)
    assert rare_match.leaves[0].complete
    assert not frequent_match.leaves[0].complete        # probed among the rare word's documents
    assert frequent_match.ids == set(stats.read(reader, "body", frequent)) & rare_match.ids


def test_probing_reads_only_the_candidates(engine):
    """A term probed for a few documents reports exactly its postings among them."""
    searcher = engine.searcher()
    stats = engine.generation(searcher).stats
    reader = searcher.reader()
    full = stats.read(reader, "body", "jakarta")
    assert len(full) > 5
    rng = random.Random(3)
    docs = set(rng.sample(sorted(full), 5)) | set(rng.sample(range(reader.doc_count_all()), 10))
    assert stats.probe(reader, "body", "jakarta", docs) == {d: w for d, w in full.items() if d in docs}


WORDS = ZIPF_WORDS


@pytest.fixture(scope="module")
def zipf_engine(tmp_path_factory):
    """800 articles of words drawn with Zipf-like frequencies: large match sets."""
    from conftest import zipf_engine_of

    engine = zipf_engine_of(tmp_path_factory, "zipf", seed=17)
    yield engine
    engine.close()


def test_pruned_top_k_is_exhaustive_scorings(zipf_engine, monkeypatch):
    """Differential: best() gives exactly top(score()) (documents, scores,
    order) for many AND and OR queries and depths, while scoring fewer
    (document, term) pairs over the whole run."""
    import search.retrieval.scoring as scoring

    searcher = zipf_engine.searcher()
    generation = zipf_engine.generation(searcher)
    stats = generation.stats
    added = []
    real_score = scoring.score

    def counting(match, selected, *a, **kw):
        added.append(sum(min(len(leaf.postings), len(selected)) for leaf in match.leaves))
        return real_score(match, selected, *a, **kw)

    rng = random.Random(5)
    pruned = exhaustive = 0
    for _ in range(40):
        words = rng.sample(WORDS, rng.randint(1, 4))
        q = (" OR " if rng.random() < 0.3 else " ").join(words)
        parsed = zipf_engine.parse(q, searcher)
        match = scoring.Evaluator(searcher, generation.view, stats, float("inf")).evaluate(parsed.query)
        for depth in (1, 10, 50):
            want = scoring.top(real_score(match, match.ids, stats), depth)
            exhaustive += sum(len(leaf.postings) for leaf in match.leaves)
            added.clear()
            monkeypatch.setattr(scoring, "score", counting)
            got = scoring.best(match, match.ids, stats, depth)
            monkeypatch.setattr(scoring, "score", real_score)
            pruned += sum(added)
            assert got == want, (q, depth)
    assert pruned < exhaustive


@pytest.fixture(scope="module")
def deleted_engine(tmp_path_factory):
    """Zipf articles in three segments or more, 20 of the first deleted."""
    from conftest import segmented_index, zipf_records

    from search.retrieval.engine import Engine

    records = zipf_records(WORDS, 600, seed=23, longest=50)
    index = segmented_index(tmp_path_factory, "unions", records, 30, [("part0-0.jsonl", records[:10])])
    engine = Engine(index, result_cache_size=0)
    yield engine
    engine.close()


@pytest.mark.parametrize("which", ["zipf_engine", "deleted_engine"])
def test_unions_made_as_arrays_answer_as_sets(which, request, monkeypatch):
    """A word's fields and forms united with numpy (Evaluator.arrays_pay)
    give the answers a set union gives: totals, pages, scores, facets; on an
    index with deleted articles too (their postings are left out of both)."""
    import search.retrieval.scoring as scoring

    engine = request.getfixturevalue(which)
    assert engine.searcher().reader().has_deletions() == (which == "deleted_engine")
    rng = random.Random(11)
    queries = [(" OR " if rng.random() < 0.3 else " ").join(rng.sample(WORDS, rng.randint(1, 5)))
               for _ in range(30)]
    made = []
    for q in queries:
        monkeypatch.setattr(scoring.Evaluator, "arrays_pay", lambda self, matches: False)
        as_sets = answers(engine, q)
        monkeypatch.setattr(scoring.Evaluator, "arrays_pay", lambda self, matches: made.append(q) or True)
        as_arrays = answers(engine, q)
        assert as_arrays == as_sets, q
    assert len(set(made)) > 20          # the arrays' path ran for most queries


def test_unions_are_arrays_only_when_that_pays(zipf_engine):
    """Lists covering much of the index are united as arrays; a few
    documents, for which numpy's own steps cost more than a set, are not."""
    from search.retrieval.scoring import Evaluator, Match

    searcher = zipf_engine.searcher()
    generation = zipf_engine.generation(searcher)
    evaluator = Evaluator(searcher, generation.view, generation.stats, float("inf"))
    size = searcher.reader().doc_count_all()
    long_lists = [Match(set(range(0, size, 2))), Match(set(range(1, size, 3)))]
    assert evaluator.arrays_pay(long_lists)
    few = [Match({1, 5}), Match({7})]
    assert not evaluator.arrays_pay(few)


def test_conjoin_intersects_arrays_and_sets_alike():
    """The documents in every match, less the excluded ones, whatever mix of
    sets, dict keys and held terms' arrays (docsets.Ascending) the matches
    hold and in whatever order of size; the terms of every match kept."""
    import numpy as np

    from search.retrieval.docsets import Ascending
    from search.retrieval.scoring import Match, conjoin

    rng = random.Random(12)
    for _ in range(200):
        sets = [set(rng.sample(range(300), rng.randint(0, 200))) for _ in range(rng.randint(1, 5))]
        kinds = [rng.choice(["set", "keys", "array"]) for _ in sets]
        matches = [Match(Ascending(np.array(sorted(docs), dtype=np.int64)) if kind == "array"
                         else dict.fromkeys(docs).keys() if kind == "keys" else set(docs), [f"leaf{i}"])
                   for i, (docs, kind) in enumerate(zip(sets, kinds))]
        excluded = set(rng.sample(range(300), 20))
        found = conjoin(matches, excluded, range(300))
        assert found.ids == set.intersection(*sets) - excluded
        assert isinstance(found.ids, set) and found.leaves == [f"leaf{i}" for i in range(len(sets))]
        for m, docs in zip(matches, sets):
            assert set(m.ids) == docs          # the matches themselves are left as they were


def test_a_pinned_terms_bound_is_the_bound_of_its_list(tmp_path_factory):
    """max_impact answers from the largest weight found when the list was
    pinned: the same bound as scanning the list's weights at query time."""
    from conftest import zipf_engine_of

    from search.retrieval.scoring import Leaf

    engine = zipf_engine_of(tmp_path_factory, "bounds", seed=29)
    engine.warm()
    searcher = engine.searcher()
    stats = engine.generation(searcher).stats
    reader = searcher.reader()
    pinned = [(field, text) for field in ("title", "body") for text in WORDS
              if stats.cached(field, text) is not None]
    assert pinned
    for field, text in pinned:
        leaf = Leaf(field, text, stats.postings(reader, field, text), 2.5)
        assert stats.is_pinned(leaf)
        read = Leaf(field, text, dict(stats.read(reader, field, text)), 2.5)    # a list of its own
        assert not stats.is_pinned(read)
        assert stats.max_impact(leaf) == stats.max_impact(read) > 0
    engine.close()
