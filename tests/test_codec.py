"""cari's index format (search/codec.py, CompactPositions in search/fields.py)
stores exactly what Whoosh's W3 format stores: the same postings, weights,
positions and stored fields, so searches answer the same; and the searcher's
bulk posting reader (scoring.read_postings) reads what Whoosh's matchers read."""
from __future__ import annotations

from array import array
from itertools import accumulate

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import fields, index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import RamStorage

from search.codec import BlockPickleColumn, CariCodec, STORED_BLOCK_DOCS, decode_block, encode_block, float_weights
from search.fields import CompactPositions
from search.retrieval.scoring import PINNED_BYTES_PER_POSTING, pinned_budget, read_postings
from search.store import live_dir
from conftest import CORPUS

FIELDS = ("id", "title", "body", "spell", "source", "category", "path")


def build(tmp_path, name, codec_class, monkeypatch):
    from search.indexing import indexer, writers

    monkeypatch.setattr(writers, "CariCodec", codec_class)
    target = tmp_path / name
    indexer.index_corpus(CORPUS, target, procs=1)
    return whoosh_index.open_dir(str(live_dir(target)))


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """The project corpus indexed in cari's codec and in Whoosh's W3 (one process: same docnums)."""
    mp = pytest.MonkeyPatch()
    tmp = tmp_path_factory.mktemp("codecs")
    try:
        cari = build(tmp, "cari", CariCodec, mp)
        w3 = build(tmp, "w3", W3Codec, mp)
    finally:
        mp.undo()
    return cari, w3


def test_segments_record_their_codec(both):
    cari, w3 = both
    assert {type(s.codec()) for s in cari._segments()} == {CariCodec}
    assert {type(s.codec()) for s in w3._segments()} == {W3Codec}


def test_same_postings_weights_and_positions(both):
    cari, w3 = both
    with cari.reader() as a, w3.reader() as b:
        for field in FIELDS:
            terms = list(a.lexicon(field))
            assert terms and terms == list(b.lexicon(field)), field
            for term in terms:
                ma, mb = a.postings(field, term), b.postings(field, term)
                assert list(ma.all_items()) == list(mb.all_items()), (field, term)
                ma, mb = a.postings(field, term), b.postings(field, term)
                assert list(ma.items_as("weight")) == list(mb.items_as("weight")), (field, term)
                if field in ("title", "body"):
                    ma, mb = a.postings(field, term), b.postings(field, term)
                    assert list(ma.items_as("positions")) == list(mb.items_as("positions")), (field, term)


def test_same_stored_fields_and_lengths(both):
    cari, w3 = both
    with cari.reader() as a, w3.reader() as b:
        assert a.doc_count_all() == b.doc_count_all() > STORED_BLOCK_DOCS
        assert list(a.all_stored_fields()) == list(b.all_stored_fields())
        for doc in reversed(range(a.doc_count_all())):   # out of order: each block read anew
            assert a.stored_fields(doc) == b.stored_fields(doc)
        for field in ("title", "body"):
            assert a.field_length(field) == b.field_length(field)


def test_skipping_through_blocks_finds_the_same_ids(both):
    cari, w3 = both
    with cari.reader() as a, w3.reader() as b:
        field, term = max(((f, t) for f in ("body",) for t in a.lexicon(f)),
                          key=lambda ft: a.doc_frequency(*ft))
        ma, mb = a.postings(field, term), b.postings(field, term)
        for target in range(0, a.doc_count_all(), 7):
            if not (ma.is_active() and mb.is_active()):
                break
            ma.skip_to(target)
            mb.skip_to(target)
            assert ma.is_active() == mb.is_active()
            if ma.is_active():
                assert (ma.id(), ma.weight(), ma.block_max_weight()) == (mb.id(), mb.weight(), mb.block_max_weight())


def test_phrases_and_searches_answer_the_same(both):
    from whoosh.qparser import QueryParser

    cari, w3 = both
    with cari.searcher() as a, w3.searcher() as b:
        for text in ('"banjir rob"', "banjir", "pemerintah jakarta", '"presiden joko widodo"', "title:gempa"):
            q = QueryParser("body", cari.schema).parse(text)
            assert [(h.docnum, h.score) for h in a.search(q, limit=None)] == \
                   [(h.docnum, h.score) for h in b.search(q, limit=None)], text


@pytest.mark.parametrize("which", [0, 1])
def test_bulk_reader_reads_what_the_matchers_read(both, which):
    ix = both[which]
    with ix.reader() as reader:
        docnums = list(range(reader.doc_count_all()))
        for field in ("title", "body"):
            for term in list(reader.lexicon(field))[::5]:
                m = reader.postings(field, term)
                expected = dict(m.items_as("weight"))
                assert read_postings(reader, field, term, docnums) == expected, (field, term)
                assert read_postings(reader, field, term) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(min_value=0, max_value=255).map(float),
                          st.floats(min_value=0.0, max_value=1e6, width=32)), min_size=1, max_size=128))
def test_block_weights_read_back_as_the_float32_written(weights):
    """A block's weights come back as the float32 array the writer held,
    whether stored as whole bytes or as floats; ``decode_block`` leaves
    whole ones as bytes until they are asked for (``float_weights``)."""
    ids = list(range(0, 3 * len(weights), 3))
    deltas, stored, _ = decode_block(encode_block(ids, weights, []), len(weights))
    assert list(accumulate(deltas)) == ids
    if all(w == 1.0 for w in weights):
        assert stored is None
        return
    read = float_weights(stored)
    assert read.typecode == "f"
    assert read.tobytes() == array("f", weights).tobytes()
    if all(w == int(w) and w <= 255 for w in weights):
        assert stored.typecode == "B"       # stored whole, converted when read


def test_a_matchers_weights_are_floats_equal_to_w3s(both):
    """Through the matcher, whole weights read as Python floats, as W3's do."""
    cari, w3 = both
    with cari.reader() as a, w3.reader() as b:
        for term in list(a.lexicon("body"))[:200]:
            ma, mb = a.postings("body", term), b.postings("body", term)
            while ma.is_active():
                assert type(ma.weight()) is float and ma.weight() == mb.weight(), term
                ma.next()
                mb.next()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2**32 - 1), min_size=1, max_size=60))
def test_positions_decode_as_encoded(positions):
    fmt = CompactPositions(field_boost=2.5)
    value = fmt.encode(positions)
    assert fmt.decode_positions(value) == positions
    assert fmt.decode_frequency(value) == len(positions)
    assert fmt.decode_weight(value) == len(positions) * 2.5


def test_stored_column_keeps_missing_rows_and_partial_blocks():
    storage = RamStorage()
    column = BlockPickleColumn(rows_per_block=3)
    f = storage.create_file("col")
    writer = column.writer(f)
    rows = {0: {"a": 1}, 2: {"b": "dua"}, 3: {"c": [3]}, 7: {"d": "é" * 500}}
    for doc, value in rows.items():
        writer.add(doc, value)
    writer.finish(9)
    length = f.tell()
    f.close()
    reader = column.reader(storage.open_file("col"), 0, length, 9)
    expected = [rows.get(doc) for doc in range(9)]
    assert list(reader) == expected
    assert [reader[doc] for doc in (8, 0, 7, 2, 3, 1)] == [expected[d] for d in (8, 0, 7, 2, 3, 1)]
    with pytest.raises(IndexError):
        reader[9]


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.one_of(st.none(), st.binary(max_size=3000), st.text(max_size=300)), max_size=30),
       order=st.lists(st.integers(min_value=0, max_value=29), max_size=40))
def test_stored_rows_read_in_any_order_are_what_was_written(rows, order):
    """A block is inflated only as far as the row asked for, and resumed for
    a later row of the same block: any order of reads gives the rows written."""
    storage = RamStorage()
    column = BlockPickleColumn(rows_per_block=4)
    f = storage.create_file("col")
    writer = column.writer(f)
    for doc, value in enumerate(rows):
        writer.add(doc, None if value is None else {"v": value})
    writer.finish(len(rows))
    length = f.tell()
    f.close()
    reader = column.reader(storage.open_file("col"), 0, length, len(rows))
    expected = [None if value is None else {"v": value} for value in rows]
    assert [reader[doc] for doc in order if doc < len(rows)] == [expected[d] for d in order if d < len(rows)]
    assert list(reader) == expected


def test_pinned_budget_follows_the_setting_and_the_workers():
    assert pinned_budget({"CARI_PINNED_MB": "0"}) == 0
    assert pinned_budget({"CARI_PINNED_MB": str(PINNED_BYTES_PER_POSTING)}) == 2**20
    one, four = pinned_budget({"CARI_WORKERS": "1"}), pinned_budget({"CARI_WORKERS": "4"})
    assert one > four > 0 and abs(one / four - 4) < 0.01


def test_a_whoosh_w3_index_is_read_by_the_bulk_reader(tmp_path):
    """A segment in W3 (an index written before cari's codec) is read through its own codec."""
    schema = fields.Schema(id=fields.ID(stored=True), body=fields.TEXT(stored=True))
    ix = whoosh_index.create_in(str(tmp_path), schema)
    with ix.writer() as w:
        w.add_document(id="a", body="banjir rob jakarta")
    with ix.reader() as reader:
        assert read_postings(reader, "body", "banjir") == {0: 1.0}


def test_terms_read_with_pread_are_the_terms_read_through_the_file(both):
    """cari opens its index without memory maps: the term table and the
    postings are read with ``pread`` (PartFile); every term's postings and
    positions are what a reader through Whoosh's mapped file reads."""
    from search.codec import PartFile
    from search.store import open_index

    mapped = both[0]
    plain = open_index(mapped.storage.folder, check_analysis=False)
    with plain.reader() as a, mapped.reader() as b:
        parts = [leaf._terms for leaf, _ in a.leaf_readers()]
        assert parts and all(type(t._postfile) is PartFile and type(t._tindex.dbfile) is PartFile for t in parts)
        for field in FIELDS:
            terms = list(a.lexicon(field))
            assert terms and terms == list(b.lexicon(field)), field
            for term in terms:
                assert list(a.postings(field, term).all_items()) == list(b.postings(field, term).all_items())
                if field in ("title", "body"):
                    ma, mb = a.postings(field, term), b.postings(field, term)
                    assert list(ma.items_as("positions")) == list(mb.items_as("positions")), (field, term)


def test_a_part_reads_as_its_sub_file_and_not_once_closed(tmp_path):
    """PartFile.get reads what seeking and reading the SubFile reads, also
    across and past the part's end; after the file is closed it raises
    rather than read whatever file the descriptor's number names next."""
    from whoosh.filedb.compound import SubFile
    from whoosh.filedb.structfile import StructFile

    from search.codec import PartFile, part_file

    path = tmp_path / "whole"
    path.write_bytes(bytes(range(256)) * 4)
    whole = open(path, "rb")
    plain = StructFile(SubFile(whole, 100, 50))
    part = part_file(plain)
    assert type(part) is PartFile
    for position, length in ((0, 10), (40, 10), (45, 10), (49, 1), (50, 5), (70, 3), (0, 0)):
        assert part.get(position, length) == plain.get(position, length), (position, length)
    whole.close()
    with pytest.raises(ValueError):
        part.get(0, 10)
    with open(path, "rb") as again:         # a whole file, not a part of one, stays as it was
        assert type(part_file(StructFile(again))) is StructFile


def test_a_terms_postings_extent_is_what_whooshs_term_info_says(both):
    """postings_extent reads a term's postings offset and length from its
    term table entry as W3TermInfo does: every term of both indexes. An
    entry holding its postings inline (Whoosh 2.7.4's writer fails before
    making one, but its term info encodes them) has no extent."""
    from whoosh.codec.whoosh3 import W3TermInfo

    from search.codec import postings_extent, table_get

    listed = 0
    for ix in both:
        with ix.reader() as reader:
            for leaf, _ in reader.leaf_readers():
                terms = leaf._terms
                for field in ("title", "body", "spell"):
                    for tbytes in leaf.lexicon(field):
                        raw = table_get(terms._tindex, terms._keycoder(field, tbytes))
                        offset, length = terms.term_info(field, tbytes).extent()
                        length = length[0] if isinstance(length, tuple) else length
                        assert postings_extent(raw) == (offset, length)
                        listed += 1
    assert listed > 1000
    inline = W3TermInfo(weight=1.0, df=1)
    inline.set_inlined([3], [1.0], [b""])
    assert postings_extent(inline.to_bytes()) is None
