"""Facet counts and filters from the column view (search/retrieval/facets.py):
a filter applied to an array of documents keeps exactly the documents its
set holds, deleted articles and articles without a value or a date left out."""
from __future__ import annotations

import random
from datetime import datetime

import numpy as np

from conftest import news, segmented_index


def test_filter_masks_keep_what_the_filter_sets_hold(tmp_path_factory):
    from search.retrieval.engine import Engine

    rng = random.Random(4)
    records = []
    for i in range(330):
        extra = {"source": rng.choice(["alpha", "beta", "gamma"]), "category": rng.choice(["nasional", "ekonomi", ""]),
                 "date": rng.choice(["2019-%02d-%02d" % (rng.randint(1, 12), rng.randint(1, 28)), ""])}
        records.append(news(i, f"judul {i}", f"isi berita {i}", **extra))
    index = segmented_index(tmp_path_factory, "facets", records, 18, [("part0-1.jsonl", records[18:25])])
    with Engine(index) as engine:
        view = engine.generation(engine.searcher()).view
        assert len(view.live) < view.doc_count_all          # some articles are deleted
        docs = np.array(rng.sample(range(view.doc_count_all), view.doc_count_all // 2), dtype=np.int64)
        for name in ("source", "category"):
            for values in (["alpha"], ["beta", "gamma"], ["ekonomi"], ["nasional", "nowhere"], ["nowhere"]):
                allowed = view.docs_any(name, values)
                assert view.keep_any(name, values, docs).tolist() == [int(d) in allowed for d in docs]
        bounds = [(datetime(2019, 3, 1), datetime(2019, 7, 15)), (None, datetime(2019, 5, 2)),
                  (datetime(2019, 11, 30), None), (datetime(2020, 1, 1), None)]
        for low, high in bounds:
            allowed = view.docs_between(low, high)
            assert view.keep_between(low, high, docs).tolist() == [int(d) in allowed for d in docs]
            assert any(int(d) in allowed for d in docs) or low.year == 2020
