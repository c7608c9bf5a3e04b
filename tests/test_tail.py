"""The partial-match tail (search/retrieval/tail.py): articles holding most of
the query's words, listed after those holding all, flagged, counted apart, and
ranked exactly as scoring every one of them would."""
from __future__ import annotations

import json
import random

import pytest

from conftest import ZIPF_WORDS, engine_of, news, write_jsonl, zipf_records

WORDS = ZIPF_WORDS


@pytest.fixture(scope="module")
def tail_engine(tmp_path_factory):
    """Hand-made articles: which of banjir/sungai/korban each holds is known."""
    filler = " ".join(f"kalimat{i}" for i in range(30))
    records = [
        news(1, "Banjir sungai menelan korban", f"Banjir dari sungai menelan korban jiwa. {filler}"),
        news(2, "Banjir sungai meluap", f"Banjir dari sungai meluap ke permukiman. {filler}"),
        news(3, "Korban banjir mengungsi", f"Korban banjir mengungsi ke masjid. {filler}"),
        news(4, "Sungai tercemar limbah", f"Sungai tercemar limbah pabrik. {filler}"),
        news(5, "Banjir sungai tanpa korban", f"Banjir sungai, korban nihil, kata sungai. {filler}", source="lain"),
    ]
    # Many more articles that hold one of the words, so no word is rare.
    records += [news(10 + i, f"Berita {WORDS[i % 4 + 4]} {i}", f"{('banjir', 'sungai', 'korban')[i % 3]} "
                     f"{WORDS[4 + i % 8]} {filler}") for i in range(90)]
    engine = engine_of(tmp_path_factory, "tail", records)
    yield engine
    engine.close()


def ids(results):
    return [h.id for h in results.hits]


def test_all_words_first_then_most_words_flagged(tail_engine):
    results = tail_engine.search("banjir sungai korban", per_page=20)
    flags = [h.all_words for h in results.hits]
    assert set(ids(results)[:2]) == {"t-001", "t-005"}
    assert flags[:2] == [True, True]
    assert {"t-002", "t-003"} <= set(ids(results)[2:])
    assert not any(flags[2:]) and len(flags) > 2
    assert "t-004" not in ids(results)          # one word of three is less than half of them
    assert results.total_all_words == 2
    assert results.total_some_words == results.total - 2
    assert results.matched_all


def test_two_words_list_either_word_after_both(tail_engine):
    results = tail_engine.search("banjir korban", per_page=100)
    both = {h.id for h in results.hits if h.all_words}
    assert {"t-001", "t-003", "t-005"} <= both and "t-002" not in both
    assert "t-002" in {h.id for h in results.hits if not h.all_words}       # banjir alone
    assert results.total == results.total_all_words + results.total_some_words


def test_one_word_has_no_tail(tail_engine):
    results = tail_engine.search("banjir", per_page=50)
    assert all(h.all_words for h in results.hits) and results.total_some_words == 0


def test_excluded_words_and_filters_hold_in_the_tail(tail_engine):
    results = tail_engine.search("banjir sungai korban -mengungsi", per_page=50)
    assert "t-003" not in ids(results)
    only = tail_engine.search("banjir sungai korban", per_page=50, filters={"source": ["lain"]})
    assert ids(only) == ["t-005"] and only.total == 1


def test_newest_lists_only_articles_with_every_word(tail_engine):
    results = tail_engine.search("banjir sungai korban", sort="newest", per_page=50)
    assert set(ids(results)) == {"t-001", "t-005"} and results.total == 2


def test_a_query_of_rare_words_behaves_as_before(tmp_path):
    """Every word in under RARE_SHARE of the articles: no tail."""
    from search.indexing.indexer import index_corpus
    from search.retrieval.engine import Engine

    filler = " ".join(f"isian{i}" for i in range(20))
    records = [news(1, "Habibie di Parepare", f"Habibie Parepare Ainun {filler}"),
               news(2, "Habibie dan Ainun", f"Habibie Ainun {filler}")]
    records += [news(10 + i, f"Berita lain {i}", f"pasar harga {filler}") for i in range(60)]
    write_jsonl(tmp_path / "c" / "a.jsonl", records)
    index_corpus(tmp_path / "c", tmp_path / "i")
    with Engine(tmp_path / "i") as engine:
        results = engine.search("habibie parepare ainun")
    assert ids(results) == ["t-001"] and results.total_some_words == 0


def test_the_api_and_cli_say_which_hits_hold_every_word(tail_engine, tmp_path):
    from search.retrieval.responses import search_response

    data = search_response(tail_engine.search("banjir sungai korban", per_page=20))
    assert data["total_all_words"] == 2 and data["total_some_words"] == data["total"] - 2
    assert [h["all_words"] for h in data["hits"][:3]] == [True, True, False]
    json.dumps(data)


@pytest.fixture(scope="module")
def random_engine(tmp_path_factory):
    """600 articles of words drawn with Zipf-like frequencies."""
    engine = engine_of(tmp_path_factory, "random", zipf_records(WORDS, 600, seed=7))
    yield engine
    engine.close()


def warmed_engine(tmp_path_factory, held: bool):
    """random_engine's articles, warmed: its terms' lists pinned as dicts,
    or (``held``) kept as arrays (scoring.Postings), as when the dicts'
    memory is spent."""
    import search.retrieval.scoring as scoring

    engine = engine_of(tmp_path_factory, "random-held" if held else "random-pinned", zipf_records(WORDS, 600, seed=7))
    with pytest.MonkeyPatch.context() as patch:
        if held:
            patch.setattr(scoring, "dict_share", lambda budget, wanted: 0)
        engine.warm()
    stats = engine.generation(engine.searcher()).stats
    assert stats._held if held else stats._pinned
    return engine


@pytest.fixture(scope="module")
def pinned_engine(tmp_path_factory):
    engine = warmed_engine(tmp_path_factory, held=False)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def held_engine(tmp_path_factory):
    engine = warmed_engine(tmp_path_factory, held=True)
    yield engine
    engine.close()


@pytest.mark.parametrize("chunk", [1, 4096])
@pytest.mark.parametrize("probe", [False, True, "cached", "pinned", "held"],
                         ids=["read-in-full", "probed", "cached-probed", "pinned", "held"])
def test_tail_top_k_is_exhaustive_scorings(request, monkeypatch, probe, chunk):
    """Differential: the pruned ranking's top k is the top k of scoring every
    tail article with Whoosh (each clause's BM25F score, summed over the
    clauses an article holds, times the share it holds); also when the
    costly clauses are only probed among the candidates (scoring.py), read
    from disk, held decoded, or pinned or held as arrays by a warmed worker;
    scored an article at a time or all at once."""
    from whoosh import query as wq

    import search.retrieval.run as run_module
    import search.retrieval.scoring as scoring
    import search.retrieval.tail as tail_module
    from search.retrieval.run import Run
    from search.retrieval.query import Budget

    monkeypatch.setattr(tail_module, "CHUNK", chunk)
    rng = random.Random(11)
    engine = request.getfixturevalue(f"{probe}_engine" if probe in ("pinned", "held") else "random_engine")
    searcher = engine.searcher()
    generation = engine.generation(searcher)
    if probe == "cached":
        monkeypatch.setattr(scoring, "CACHED_PROBE_RATIO", 0)
    elif probe in ("pinned", "held"):
        pass                                # the lists as a warmed worker holds them
    elif probe:
        monkeypatch.setattr(scoring, "PROBE_RATIO", 0)
        monkeypatch.setattr(generation.stats, "cached", lambda field, text: None)
    else:
        monkeypatch.setattr(scoring, "CACHED_PROBE_RATIO", 10**9)
    checked = 0
    for _ in range(60):
        q = " ".join(rng.sample(WORDS, rng.randint(3, 6)))
        run = Run(searcher, generation, engine.analyzer, Budget())
        found = run.resolve(q)
        if found.tail is None:
            continue
        clauses = found.parsed.query.subqueries
        n = len(clauses)
        per_clause = [{hit.docnum: hit.score for hit in searcher.search(c, limit=None)} for c in clauses]
        expected = {}
        for d in found.tail.docs:
            held = [s[d] for s in per_clause if d in s]
            expected[d] = sum(held) * len(held) / n
        for depth in (1, 5, 20):
            got = run.rank_tail(found.tail, found.tail.docs, depth)
            assert len(got) == min(depth, len(expected)), q
            kth = got[-1][1]
            for d, s in got:
                assert s == pytest.approx(expected[d], rel=1e-4), (q, d)
            chosen = {d for d, _ in got}
            assert all(s <= kth * (1 + 1e-4) for d, s in expected.items() if d not in chosen), (q, depth)
        checked += 1
    assert checked >= 30
    assert isinstance(clauses[0], wq.Query) and run_module.WRITTEN_FORM_DEPTH


def test_pruning_scores_fewer_articles_than_exhaustive(random_engine, monkeypatch):
    """The top 1 of a large tail, scored a few articles at a time, is found
    scoring fewer articles than the tail holds, and is the same as when
    every article is scored at once."""
    import search.retrieval.tail as tail_module
    from search.retrieval.run import Run
    from search.retrieval.query import Budget

    scored = []
    real_scores = tail_module.ChunkScorer.scores

    def counting_scores(self, docs, held):
        scored.append(len(docs))
        return real_scores(self, docs, held)

    monkeypatch.setattr(tail_module.ChunkScorer, "scores", counting_scores)
    engine = random_engine
    searcher = engine.searcher()
    run = Run(searcher, engine.generation(searcher), engine.analyzer, Budget())
    found = run.resolve("banjir gempa korban sungai sekolah")
    tail = found.tail
    assert tail is not None and len(tail.docs) > 50
    whole = run.rank_tail(tail, tail.docs, 1)
    assert scored == [len(tail.docs)]
    scored.clear()
    monkeypatch.setattr(tail_module, "CHUNK", 5)
    assert run.rank_tail(tail, tail.docs, 1) == whole
    assert 0 < sum(scored) < len(tail.docs)


def test_a_tail_out_of_time_is_listed_newest_first_and_said(random_engine, monkeypatch):
    """When the time runs out while the tail is ranked, its articles are
    listed newest first, unscored, and the search says so (partial)."""
    from search.retrieval.run import Run
    from search.retrieval.query import Budget

    engine = random_engine
    searcher = engine.searcher()
    run = Run(searcher, engine.generation(searcher), engine.analyzer, Budget())
    tail = run.resolve("banjir gempa korban sungai sekolah").tail
    assert tail is not None and len(tail.docs) > 10
    monkeypatch.setattr(run.budget, "expired", lambda: True)
    got = run.rank_tail(tail, tail.docs, 10)
    assert got == [(d, 0.0) for d in run.view.newest(tail.docs, 10)]
    assert run.partial and any("not ranked by relevance" in note for note in run.notes)


def test_the_page_separates_the_partial_matches(tail_engine):
    from web import create_app
    from web.engine import close_engine

    app = create_app({"CARI_INDEX": str(tail_engine.index_dir), "TESTING": True})
    try:
        page = app.test_client().get("/search?q=banjir+sungai+korban&lang=id").get_data(as_text=True)
        whole = app.test_client().get("/search?q=banjir&lang=id").get_data(as_text=True)
    finally:
        close_engine(app)
    heading = page.index("Hasil lain yang memuat sebagian kata Anda")
    assert page.index("t-001") < heading < page.index("t-002")
    assert page.count('class="hit partial-match"') >= 2
    assert "sebagian kata Anda" not in whole


# -- a word in most articles does not decide which hold every word ---------------------------------

@pytest.fixture(scope="module")
def common_engine(tmp_path_factory):
    """1,200 articles, ``jadi`` in three of four; ``menpora`` and ``tersangka`` rare."""
    from search.retrieval.tail import COMMON_MIN_DOCS

    filler = " ".join(f"kalimat{i}" for i in range(20))
    records = [
        news(1, "KPK tetapkan Menpora sebagai tersangka", f"Menpora ditetapkan sebagai tersangka. {filler}"),
        news(2, "Menpora jadi tersangka", f"Menpora jadi tersangka kasus hibah. {filler}"),
        news(3, "Pejabat jadi tersangka", f"Seorang pejabat jadi tersangka. {filler}"),
    ]
    records += [news(10 + i, f"Berita {WORDS[i % len(WORDS)]} {i}",
                     f"{'jadi ' if i % 4 else ''}{WORDS[i % len(WORDS)]} {filler}") for i in range(1200)]
    assert len(records) >= COMMON_MIN_DOCS
    engine = engine_of(tmp_path_factory, "common", records, result_cache_size=0)
    yield engine
    engine.close()


def test_a_word_in_most_articles_is_not_required(common_engine, monkeypatch):
    """``jadi`` is in most articles: the story naming the Menpora a suspect
    without it holds every word that tells stories apart, and ranks with
    those holding all; the one holding jadi and tersangka alone is in the
    tail. With the share out of reach, ``jadi`` is required again."""
    import search.retrieval.tail as tail_module

    results = common_engine.search("Menpora jadi tersangka", per_page=20)
    every = [h.id for h in results.hits if h.all_words]
    assert every[0] == "t-002" and set(every) == {"t-001", "t-002"}
    assert "t-003" in [h.id for h in results.hits if not h.all_words]
    monkeypatch.setattr(tail_module, "COMMON_SHARE", 1.0)
    results = common_engine.search("Menpora jadi tersangka", per_page=20)
    assert [h.id for h in results.hits if h.all_words] == ["t-002"]


def test_common_words_stay_required_when_few_words_are_informative():
    """Of four clauses two are common: the two informative ones are the
    tail's share, so they decide; of three with two common, they all stay."""
    from search.retrieval.scoring import Match
    from search.retrieval.tail import all_informative

    everything = set(range(2000))
    common_a, common_b = Match(set(range(1800))), Match(set(range(1900)) - {2})
    rare_a, rare_b = Match({1, 2, 1700}), Match({2, 1700, 1800})
    assert all_informative([common_a, rare_a, common_b, rare_b], set(), everything, 2000).ids == {2, 1700}
    assert all_informative([common_a, rare_a, common_b], set(), everything, 2000).ids == {1, 1700}
    assert all_informative([common_a, rare_a], {1}, everything, 2000).ids == {2, 1700}
    assert all_informative([common_a, rare_a], set(), everything, 999).ids == {1, 2, 1700}   # a small index
    common, rare = Match(set(range(1800)), ["jadi"]), Match({1, 2, 1900}, ["menpora"])
    scored = all_informative([common, rare], set(), everything, 2000)
    assert scored.ids == {1, 2, 1900} and scored.leaves == ["jadi", "menpora"]    # the common word still scores


# -- the tail counted with numpy -------------------------------------------------------------------

def test_the_array_tail_counts_past_255_clauses():
    """A count per document is a byte only while it cannot overflow: with
    300 clauses, an article in all of them and one in 299 are told apart."""
    import numpy as np

    from search.retrieval.tail import tail_array

    every_clause = [[np.array([1, 2], dtype=np.int64)] for _ in range(299)]
    clauses = every_clause + [[np.array([1, 3], dtype=np.int64)]]
    none = np.empty(0, dtype=np.int64)
    assert tail_array(clauses, 300, none, none, 5).tolist() == []     # m >= clauses: no tail
    assert tail_array(clauses, 299, none, none, 5).tolist() == [1, 2]
    assert tail_array(clauses, 299, np.array([1]), none, 5).tolist() == [2]


def test_the_array_tail_equals_the_sets_tail():
    """tail_array (each clause as overlapping arrays, as a clause's terms'
    lists are) finds exactly tail_docs' articles, with and without excluded
    ones, for 1 to 6 clauses of 0 to 3,000 documents; for a part of them,
    which clauses each holds is what the sets say, also when the clauses
    are arrays (docsets.Ascending), and for a few of them (each bisected in
    the clause's ascending arrays, the others marked)."""
    import numpy as np

    from search.retrieval.docsets import Ascending
    from search.retrieval.scoring import Match
    from search.retrieval.tail import BISECT_STEPS, Tail, min_should_match, tail_array, tail_docs

    rng = random.Random(5)
    checked = bisected = 0
    for _ in range(300):
        size = rng.choice([50, 700, 5000])
        clauses = [set(rng.sample(range(size), rng.randint(0, min(size, 3000)))) for _ in range(rng.randint(1, 6))]
        least = min_should_match(len(clauses))
        every = set.intersection(*clauses) if clauses else set()
        excluded = set(rng.sample(range(size), rng.randint(0, size // 10)))
        arrays = []
        for docs in clauses:                # each clause split into overlapping parts, ascending or in any order
            docs = list(docs)
            rng.shuffle(docs)
            cut = rng.randint(0, len(docs))
            parts = [sorted(p) if rng.random() < 0.5 else p for p in (docs[:cut], docs[max(0, cut - 20):])]
            arrays.append([np.array(p, dtype=rng.choice([np.int32, np.int64])) for p in parts])
        found = tail_array(arrays, least, np.array(sorted(every), dtype=np.int64),
                           np.array(sorted(excluded), dtype=np.int64), size)
        expected = tail_docs(clauses, least, every, excluded)
        assert found.tolist() == sorted(expected)
        checked += bool(expected)
        # Which clauses each of a part of them holds, as the sets say.
        matches = [Match(docs) for docs in clauses]
        chosen = Ascending(found[[rng.random() < 0.7 for _ in found]] if len(found) else found)
        docs, held = Tail(matches, chosen, arrays, size).held(chosen)
        set_docs, set_held = Tail(matches, set(chosen)).held(set(chosen))
        assert docs.tolist() == set_docs.tolist() == sorted(chosen)
        as_arrays = [Match(Ascending(np.array(sorted(docs), dtype=np.int64))) for docs in clauses]
        _, array_held = Tail(as_arrays, set(chosen)).held(set(chosen))    # clauses bisected, not made sets
        assert [h.tolist() for h in held] == [h.tolist() for h in set_held] == [h.tolist() for h in array_held] == \
            [[d in c for d in sorted(chosen)] for c in clauses]
        few = Ascending(np.array(sorted(rng.sample(found.tolist(), min(3, len(found)))), dtype=np.int64))
        _, few_held = Tail(matches, few, arrays, size).held(few)
        assert [h.tolist() for h in few_held] == [[d in c for d in few.array.tolist()] for c in clauses]
        bisected += 0 < len(few) * BISECT_STEPS < sum(len(p) for p in arrays[0])
    assert checked > 100 and bisected > 100


@pytest.fixture(scope="module")
def varied_engine(tmp_path_factory):
    """600 Zipf articles from three sources, in three categories, over a year."""
    rng = random.Random(3)
    records = zipf_records(WORDS, 600, seed=9)
    for r in records:
        r.update(source=rng.choice(["alpha", "beta", "gamma"]), category=rng.choice(["nasional", "olahraga", "ekonomi"]),
                 date="2019-%02d-%02d" % (rng.randint(1, 12), rng.randint(1, 28)))
    engine = engine_of(tmp_path_factory, "varied", records, result_cache_size=0)
    yield engine
    engine.close()


def test_the_array_tail_answers_as_the_sets_tail(varied_engine, monkeypatch):
    """Differential: with the tail always counted with numpy and never, every
    answer is the same (hits and scores, totals, facets, timeline), with and
    without filters and typed filters, in both sort orders; before warming
    (every term's list converted) and after (the pinned terms' kept arrays)."""
    import search.retrieval.run as run_module

    rng = random.Random(17)
    queries = [" ".join(rng.sample(WORDS[:12], rng.randint(2, 4))) for _ in range(25)]
    queries += [f"{q} -{WORDS[0]}" for q in queries[:5]] + [f"{q} sumber:beta" for q in queries[5:10]]
    filters = [None, {"source": ["alpha"]}, {"category": ["ekonomi"], "date_from": "2019-04-01"},
               {"source": ["beta", "gamma"], "category": ["nasional"], "date_to": "2019-09-30"}]
    answers = {}
    for warmed in (False, True):
        if warmed:
            varied_engine.warm()
            assert varied_engine.generation(varied_engine.searcher()).stats._pinned
        for pays in (True, False):
            monkeypatch.setattr(run_module, "arrays_pay", lambda *args, pays=pays: pays)
            for q in queries:
                for sort in ("relevance", "newest"):
                    for f in filters:
                        r = varied_engine.search(q, per_page=30, sort=sort, filters=f)
                        answers.setdefault((q, sort, repr(f)), []).append(
                            ([(h.id, h.score, h.all_words) for h in r.hits], r.total, r.total_all_words,
                             r.total_some_words, r.total_exact, r.facets, r.timeline))
    for key, found in answers.items():
        assert all(a == found[0] for a in found), key
    tails = {q for (q, _, _), found in answers.items() if found[0][3]}
    assert len(tails) >= 15 and sum("sumber:" in q for q in tails) >= 2


def test_numpy_counts_the_tail_where_the_sets_would_cost_more():
    """Two common words' clauses (every member a step of the sets' union)
    are counted with numpy; five rare words' clauses (a few intersections of
    small sets) with sets; clauses kept as arrays (pinned terms) need no
    conversion, so numpy pays for smaller ones, as it does when the sets
    would first be made from clauses held as arrays."""
    from search.retrieval.run import arrays_pay
    from search.retrieval.scoring import Leaf

    size = 368_208
    assert arrays_pay([[range(200_000)], [range(100_000)]], [200_000, 100_000], 1, size)
    assert not arrays_pay([[range(400)]] * 5, [400] * 5, 3, size)
    kept = [[Leaf("body", "jadi", {}, 1.0)], [Leaf("body", "baru", {}, 1.0)]]
    assert arrays_pay(kept, [15_000, 15_000], 1, size)
    assert not arrays_pay([[range(15_000)]] * 2, [15_000, 15_000], 1, size)
    assert arrays_pay([[range(15_000)]] * 2, [15_000, 15_000], 1, size, unsets=30_000)   # arrays made sets first
