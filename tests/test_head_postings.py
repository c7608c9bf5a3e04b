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


def skip_alike(ours, theirs, targets) -> None:
    """Skip both matchers to each target in turn: they stand on the same
    posting (document and positions) or are both done."""
    from search.retrieval.scoring import skip_to

    for target in targets:
        if not theirs.is_active():
            break
        if theirs.id() < target:
            skip_to(ours, target)
            theirs.skip_to(target)
        assert ours.is_active() == theirs.is_active()
        if ours.is_active():
            assert (ours.id(), ours.value_as("positions")) == (theirs.id(), theirs.value_as("positions"))


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
    from search.retrieval.scoring import segment_postings

    reader = segmented.searcher().reader()
    for leaf, _ in reader.leaf_readers():
        ours, theirs = open_postings(leaf, "body", "banjir"), segment_postings(leaf, "body", "banjir")
        skip_alike(ours, theirs, range(3, leaf.doc_count_all(), 17))


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


def test_a_list_opened_again_is_the_kept_one_and_walks_the_same(segmented, monkeypatch):
    """The second open of a list reads nothing from the index (the term
    table is not asked), and the kept list, its blocks decoded by the first
    walk, walks and skips as Whoosh's matcher over the file."""
    import search.retrieval.head_postings as head_postings
    from search.retrieval.scoring import segment_postings

    reader = segmented.searcher().reader()
    leaf = [leaf for leaf, _ in reader.leaf_readers() if not leaf.has_deletions()][0]
    head_postings.LISTS.clear()
    walk(head_postings.open_postings(leaf, "body", "banjir"), None)
    assert head_postings.open_postings(leaf, "body", "tiadakata") is None

    def no_reads(*args):
        raise AssertionError("the term table was read for a kept list")
    monkeypatch.setattr(head_postings, "table_get", no_reads)
    again = head_postings.open_postings(leaf, "body", "banjir")
    assert walk(again, None) == walk(segment_postings(leaf, "body", "banjir"), None)
    assert head_postings.open_postings(leaf, "body", "tiadakata") is None
    ours, theirs = head_postings.open_postings(leaf, "body", "banjir"), segment_postings(leaf, "body", "banjir")
    skip_alike(ours, theirs, range(5, leaf.doc_count_all(), 23))


def test_the_kept_lists_stay_within_their_bytes_oldest_dropped_first():
    from search.retrieval.head_postings import ABSENT_BYTES, KeptList, ListCache

    class Segment:          # what a terms reader is to the cache: an object held weakly
        pass

    lists = ListCache(1000)
    segment = Segment()
    for n in range(6):
        lists.put(segment, "body", b"w%d" % n, KeptList(bytes(300)))
        assert lists.size <= 1000
    assert [lists.get(segment, "body", b"w%d" % n) is not None for n in range(6)] == [False] * 3 + [True] * 3
    kept = lists.get(segment, "body", b"w5")
    lists.charge(kept, 500)                 # its blocks decoded: the oldest others leave
    assert lists.size == 800 and lists.get(segment, "body", b"w3") is None
    lists.put(segment, "body", b"gone", KeptList(None))
    assert lists.size == 800 + ABSENT_BYTES and lists.get(segment, "body", b"gone").data is None
    assert lists.get(Segment(), "body", b"w5") is None          # another segment's list is not this one's


def test_a_closed_segments_lists_answer_for_no_other():
    import gc

    from search.retrieval.head_postings import KeptList, ListCache

    class Segment:
        pass

    lists = ListCache(1 << 20)
    segments = [Segment() for _ in range(50)]
    freed = {id(segment) for segment in segments}
    for segment in segments:
        lists.put(segment, "body", b"banjir", KeptList(b"x"))
    del segments, segment
    gc.collect()
    later = [Segment() for _ in range(5000)]
    assert freed & {id(s) for s in later}       # new segments took freed ones' ids
    assert all(lists.get(s, "body", b"banjir") is None for s in later)
