"""Integration: the whole clickid corpus from ../shared (23,013 real articles)."""
from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from conftest import same_related, shared_path

pytestmark = [pytest.mark.shared_data, pytest.mark.integration]   # indexes all 23,013 articles


def load_records():
    records = []
    for path in sorted(shared_path("corpus", "clickid").glob("*.jsonl")):
        with open(path, encoding="utf-8") as f:
            records.extend(json.loads(line) for line in f if line.strip())
    return records


def test_every_article_is_indexed(clickid_index):
    index_dir, report = clickid_index
    assert report.doc_count == 23013
    assert report.articles == 23013 and report.failed == 0


def test_title_queries_return_their_own_article_first(clickid_index):
    from search.retrieval.engine import Engine

    records = load_records()
    counts = Counter(r["title"].strip().lower() for r in records)
    unique = [r for r in records if counts[r["title"].strip().lower()] == 1 and len(r["title"].split()) >= 3]
    sample = random.Random(20191001).sample(unique, 300)
    engine = Engine(clickid_index[0])
    try:
        misses = []
        for record in sample:
            hits = engine.search(record["title"], per_page=1, highlight=False).hits
            if not hits or hits[0].id != record["id"]:
                misses.append((record["id"], record["title"], hits[0].id if hits else None))
    finally:
        engine.close()
    # A handful of titles are near-copies of others (follow-up stories), so
    # allow 1%; every miss is printed for inspection.
    assert len(misses) <= 3, misses


def test_related_stories_are_those_whooshs_search_ranks(clickid_index):
    """Related stories come from cari's own scoring of the key terms
    (scoring.rank_query): the same stories and scores as Whoosh's search."""
    from search.retrieval.engine import Engine

    engine = Engine(clickid_index[0])
    try:
        ids = [r["id"] for r in random.Random(7).sample(load_records(), 40)]
        assert all(engine.related(i, limit=10) for i in ids)
        same_related(engine, ids)
    finally:
        engine.close()
