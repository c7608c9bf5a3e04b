"""Facet counts and filters from the column view (search/retrieval/facets.py):
a filter applied to an array of documents keeps exactly the documents its
set holds, deleted articles and articles without a value or a date left out;
a request narrows a set, an array and disjoint parts of them alike."""
from __future__ import annotations

import random
from datetime import datetime

import numpy as np
import pytest

from conftest import news, segmented_index

BOUNDS = [(datetime(2019, 3, 1), datetime(2019, 7, 15)), (None, datetime(2019, 5, 2)),
          (datetime(2019, 11, 30), None), (datetime(2020, 1, 1), None)]


@pytest.fixture(scope="module")
def facet_engine(tmp_path_factory):
    """330 articles of three sources, two categories or none, dated or not, some deleted."""
    from search.retrieval.engine import Engine

    rng = random.Random(4)
    records = []
    for i in range(330):
        extra = {"source": rng.choice(["alpha", "beta", "gamma"]), "category": rng.choice(["nasional", "ekonomi", ""]),
                 "date": rng.choice(["2019-%02d-%02d" % (rng.randint(1, 12), rng.randint(1, 28)), ""])}
        records.append(news(i, f"judul {i}", f"isi berita {i}", **extra))
    index = segmented_index(tmp_path_factory, "facets", records, 18, [("part0-1.jsonl", records[18:25])])
    with Engine(index) as engine:
        yield engine


def test_filter_masks_keep_what_the_filter_sets_hold(facet_engine):
    view = facet_engine.generation(facet_engine.searcher()).view
    assert len(view.live) < view.doc_count_all          # some articles are deleted
    rng = random.Random(5)
    docs = np.array(rng.sample(range(view.doc_count_all), view.doc_count_all // 2), dtype=np.int64)
    for name in ("source", "category"):
        for values in (["alpha"], ["beta", "gamma"], ["ekonomi"], ["nasional", "nowhere"], ["nowhere"]):
            allowed = view.docs_any(name, values)
            assert view.keep_any(name, values, docs).tolist() == [int(d) in allowed for d in docs]
    for low, high in BOUNDS:
        allowed = view.docs_between(low, high)
        assert view.keep_between(low, high, docs).tolist() == [int(d) in allowed for d in docs]
        assert any(int(d) in allowed for d in docs) or low.year == 2020


def test_a_request_narrows_sets_arrays_and_parts_alike(facet_engine):
    """Run.narrow keeps what intersecting with the filters' sets keeps,
    whatever holds the documents; the same object for the same request."""
    from search.retrieval.docsets import Ascending
    from search.retrieval.query import Budget, normalize_filters
    from search.retrieval.run import Run

    searcher = facet_engine.searcher()
    generation = facet_engine.generation(searcher)
    view = generation.view
    rng = random.Random(6)
    checked = 0
    for _ in range(40):
        run = Run(searcher, generation, facet_engine.analyzer, Budget())
        members = rng.sample(range(view.doc_count_all), rng.randint(0, view.doc_count_all))
        cut = rng.randint(0, len(members))
        first, second = set(members[:cut]), Ascending(np.array(sorted(members[cut:]), dtype=np.int64))
        low, high = rng.choice(BOUNDS + [(None, None)])
        filters = normalize_filters({"source": rng.sample(["alpha", "beta", "gamma", "nowhere"], rng.randint(0, 2)),
                                     "category": rng.sample(["nasional", "ekonomi"], rng.randint(0, 1)),
                                     "date_from": low, "date_to": high})
        expected = set(members)
        for s in (view.docs_any("source", filters["source"]), view.docs_any("category", filters["category"]),
                  view.docs_between(*filters["date"])):
            expected = expected if s is None else expected & s
        both = run.union(first, second)
        narrowed = run.narrow(both, filters)
        assert narrowed == expected and run.narrow(both, filters) is narrowed
        assert set(run.narrow(first, filters)) | set(run.narrow(second, filters)) == expected
        assert sorted(run.array(narrowed).tolist()) == sorted(expected)
        checked += bool(expected) and expected != set(members)
    assert checked >= 10
