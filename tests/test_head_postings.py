"""A term's postings for a few documents (search/retrieval/head_postings.py):
the list read into memory walks as Whoosh's matcher over the file does."""
from __future__ import annotations

import pytest

from conftest import ZIPF_WORDS, segmented_index, zipf_records


@pytest.fixture(scope="module")
def segmented(tmp_path_factory):
    """Three segments or more, the first with deleted articles, and a word
    held by one article only (Whoosh keeps such a list in its term table)."""
    from search.retrieval.engine import Engine

    records = zipf_records(ZIPF_WORDS, 600, seed=3, longest=60)
    records[207]["body"] += " zebra"
    index = segmented_index(tmp_path_factory, "head", records, 33, [("part0-1.jsonl", records[33:50])])
    engine = Engine(index, result_cache_size=0)
    yield engine
    engine.close()


def walk(matcher, field_format):
    found = []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight(), matcher.value_as("positions")))
        matcher.next()
    return found


TERMS = [("body", w) for w in ZIPF_WORDS[:5]] + [("title", "banjir"), ("body", "zebra"), ("body", "tiadakata")]


def test_a_list_in_memory_walks_as_the_file_matcher(segmented):
    from search.retrieval.head_postings import open_postings
    from search.retrieval.scoring import segment_postings

    reader = segmented.searcher().reader()
    leaves = list(reader.leaf_readers())
    assert len(leaves) >= 3 and reader.has_deletions()
    walked = 0
    for leaf, _ in leaves:
        for field, term in TERMS:
            ours, theirs = open_postings(leaf, field, term), segment_postings(leaf, field, term)
            assert (ours is None) is (theirs is None), (field, term)
            if ours is not None:
                assert walk(ours, None) == walk(theirs, None), (field, term)
                walked += 1
    assert walked > 10


def test_skips_in_memory_land_where_the_file_matchers_do(segmented):
    from search.retrieval.head_postings import open_postings
    from search.retrieval.scoring import segment_postings, skip_to

    reader = segmented.searcher().reader()
    for leaf, _ in reader.leaf_readers():
        ours, theirs = open_postings(leaf, "body", "banjir"), segment_postings(leaf, "body", "banjir")
        for target in range(3, leaf.doc_count_all(), 17):
            if not theirs.is_active():
                break
            if theirs.id() < target:
                skip_to(ours, target)
                theirs.skip_to(target)
            assert ours.is_active() == theirs.is_active()
            if ours.is_active():
                assert (ours.id(), ours.value_as("positions")) == (theirs.id(), theirs.value_as("positions"))


@pytest.mark.parametrize("field, term", [("body", "banjir"), ("body", "hujan"), ("title", "gempa"),
                                         ("body", "zebra"), ("spell", "banjir"), ("body", "tiadakata")])
def test_holding_is_whooshs_term_query_among_the_documents(segmented, field, term):
    from whoosh import query as wq

    from search.retrieval.head_postings import holding

    searcher = segmented.searcher()
    everything = set(searcher.docs_for_query(wq.Term(field, term)))
    live = sorted(searcher.reader().all_doc_ids())
    for docs in (live, live[::9], live[5::4], []):
        assert holding(searcher.reader(), field, term, docs) == everything & set(docs)
    assert bool(everything) is (term != "tiadakata")


def test_a_list_longer_than_the_memory_limit_is_walked_on_disk(segmented, monkeypatch):
    from whoosh import query as wq

    import search.retrieval.head_postings as head_postings

    monkeypatch.setattr(head_postings, "MEMORY_LIST_BYTES", 64)
    searcher = segmented.searcher()
    leaf = list(searcher.reader().leaf_readers())[1][0]
    assert type(head_postings.open_postings(leaf, "body", "banjir")._postfile).__name__ != "BufferFile"
    live = sorted(searcher.reader().all_doc_ids())
    expected = set(searcher.docs_for_query(wq.Term("body", "banjir")))
    assert head_postings.holding(searcher.reader(), "body", "banjir", live[::3]) == expected & set(live[::3])
