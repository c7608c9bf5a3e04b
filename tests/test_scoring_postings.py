"""search/retrieval/scoring.py's bulk posting reads (read_postings, Stats.probe,
pinned lists) on an index of several segments with deleted articles: the same
documents and the same weights, bit for bit, as Whoosh's own matchers give."""
from __future__ import annotations

import random

import pytest
from conftest import ZIPF_WORDS, news, segmented_index, zipf_records

from search.codec import table_get
from search.retrieval.scoring import read_postings

# Beside the Zipf articles: a word written 300 times (a weight past a byte,
# stored as float32) and a word in one article (its posting inlined in the
# term table).
EXTRA = [news(900, "gempa susulan", "gempa " * 300 + "banjir"), news(901, "sekali", "langka banjir")]


@pytest.fixture(scope="module")
def segmented(tmp_path_factory):
    """An engine over three segments or more, the first with articles deleted."""
    from search.retrieval.engine import Engine

    records = zipf_records(ZIPF_WORDS, 900, seed=5, longest=50) + EXTRA
    # then 20 articles deleted from the first segment
    index = segmented_index(tmp_path_factory, "postings", records, 50,
                            [("extra.jsonl", EXTRA), ("part0-0.jsonl", records[:30])])
    engine = Engine(index, result_cache_size=0)
    yield engine
    engine.close()


def terms_of(reader):
    return [(field, term) for field in ("title", "body") for term in reader.field_terms(field)]


def walked(reader, field, term):
    """docnum -> weight through each segment's Whoosh matcher, deleted articles included."""
    found = {}
    for leaf, offset in reader.leaf_readers():
        if (field, term) not in leaf:
            continue
        m = leaf.postings(field, term)
        if hasattr(m, "child"):          # Whoosh's filter of deleted articles: its own matcher, from the start
            m = m.child
            m.reset()
        while m.is_active():
            found[m.id() + offset] = m.weight()
            m.next()
    return found


def bits(postings: dict) -> list:
    return [(d, type(w), w.hex()) for d, w in postings.items()]


def test_the_index_has_segments_deletions_long_lists_and_inlined_postings(segmented):
    reader = segmented.searcher().reader()
    assert len(list(reader.leaf_readers())) >= 3 and reader.has_deletions()
    assert max(len(walked(reader, "body", w)) for w in ZIPF_WORDS) > 3 * 128        # several blocks a segment
    assert max(walked(reader, "body", "gempa").values()) == 300.0
    assert len(walked(reader, "body", "langka")) == 1


def test_bulk_reads_give_the_matchers_documents_and_weights_bit_for_bit(segmented):
    reader = segmented.searcher().reader()
    for field, term in terms_of(reader):
        expected = bits(walked(reader, field, term))
        assert bits(read_postings(reader, field, term)) == expected, (field, term)
        assert bits(read_postings(reader, field, term, share=True)) == expected, (field, term)
    assert read_postings(reader, "body", "tidakada") == {}
    assert read_postings(reader, "nofield", "banjir") == {}


def test_cached_lists_share_their_objects_and_hold_live_articles_only(segmented):
    searcher = segmented.searcher()
    reader, stats = searcher.reader(), segmented.generation(searcher).stats
    live = set(segmented.generation(searcher).view.live)
    for field, term in (("body", "banjir"), ("title", "banjir"), ("body", "gempa")):
        full = walked(reader, field, term)
        pinned = stats.read(reader, field, term, share=True)
        assert bits(pinned) == bits({d: w for d, w in full.items() if d in live})
        assert all(d is stats._docnums[d] for d in pinned)
        # one float object per distinct weight (title weights are boosted, not whole)
        assert len({id(w) for w in pinned.values()}) == len(set(pinned.values()))


def test_probing_finds_the_live_postings_among_the_documents_asked(segmented):
    searcher = segmented.searcher()
    reader, stats = searcher.reader(), segmented.generation(searcher).stats
    live = set(segmented.generation(searcher).view.live)
    everything = range(reader.doc_count_all())
    rng = random.Random(7)
    for field, term in terms_of(reader)[::3]:
        full = walked(reader, field, term)
        for size in (1, 5, 60, len(everything)):
            docs = set(rng.sample(everything, size))
            expected = {d: w for d, w in full.items() if d in docs and d in live}
            assert bits(stats.probe(reader, field, term, docs)) == bits(expected), (field, term, size)
        assert stats.probe(reader, field, term, iter(docs)) == expected     # any iterable of documents
    assert stats.probe(reader, "body", "banjir", set()) == {}


def test_term_table_lookups_find_what_whoosh_finds(segmented):
    reader = segmented.searcher().reader()
    for leaf, _ in reader.leaf_readers():
        table = leaf._terms._tindex
        keys = list(table.keys())
        assert len(keys) > 20
        for key in keys + [k + b"x" for k in keys[::7]] + [b"", b"\x00\x01tidakada"]:
            assert table_get(table, key) == table.get(key), key
