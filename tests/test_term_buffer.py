"""The indexer's posting buffer (search/indexing/term_buffer.py) and the
codec's whole-list writes (CompactFieldWriter.add_terms): a segment written
through them is byte for byte the segment Whoosh's own pool and per-posting
writes make, also when the buffer spills to disk; it reads back as
Whoosh's own W3 codec stores it (through the offsets the codec's
CountingFile counts); and a merge's postings (which arrive term by term,
not document by document) are still written in document order."""
from __future__ import annotations

import random

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import SegmentWriter

from search.codec import CariCodec
from search.indexing.term_buffer import TermBuffer
from search.indexing.writers import LengthCachingWriter
from search.schema import build_schema

WORDS = ("banjir gempa pemilu presiden jakarta warga korban polisi harga beras "
         "sekolah guru rumah sakit jalan tol kereta bandara hujan angin").split()


def articles(count: int = 400) -> list[dict]:
    """Articles whose commonest words are in hundreds of them (posting lists
    of several blocks), of varied lengths."""
    rng = random.Random(7)
    docs = []
    for i in range(count):
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 60)))
        docs.append({"id": f"a-{i}", "title": " ".join(rng.sample(WORDS, 3)), "body": f"{body} unik{i}"})
    return docs


def write(folder, make_writer, docs):
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema())
    writer = make_writer(ix)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return ix


def segment_files(tmp_path, name: str, make_writer, docs) -> dict[str, bytes]:
    """The terms and postings files of one segment of ``docs``, by extension."""
    folder = tmp_path / name
    write(folder, make_writer, docs)
    files = {path.suffix: path.read_bytes() for path in folder.iterdir() if path.suffix in (".trm", ".pst")}
    assert set(files) == {".trm", ".pst"}, sorted(p.name for p in folder.iterdir())
    return files


def whooshs_writer(ix):
    return SegmentWriter(ix, codec=CariCodec(), compound=False)


def buffered_writer(ix):
    writer = LengthCachingWriter(ix, compound=False)
    assert isinstance(writer.pool, TermBuffer)
    return writer


def spilling_writer(ix):
    writer = buffered_writer(ix)
    writer.pool.limit = 64 * 1024       # bytes: spills many sorted runs to disk
    return writer


def test_the_buffer_writes_the_segment_whoosh_writes(tmp_path):
    docs = articles()
    expected = segment_files(tmp_path, "whoosh", whooshs_writer, docs)
    assert segment_files(tmp_path, "buffered", buffered_writer, docs) == expected


def test_the_segment_reads_back_what_whooshs_own_codec_stores(tmp_path):
    """Read through the terms file's offsets (counted by the codec's
    CountingFile), every posting is the one Whoosh's W3 codec stores."""
    docs = articles()
    w3 = write(tmp_path / "w3", lambda ix: SegmentWriter(ix, codec=W3Codec()), docs)
    cari = write(tmp_path / "cari", buffered_writer, docs)
    with cari.reader() as got, w3.reader() as expected:
        for field in ("title", "body"):
            terms = list(expected.lexicon(field))
            assert len(terms) >= 10 and list(got.lexicon(field)) == terms
            for term in terms:
                assert (list(got.postings(field, term).items_as("positions"))
                        == list(expected.postings(field, term).items_as("positions"))), (field, term)


def test_a_buffer_that_spills_to_disk_writes_the_same_segment(tmp_path):
    docs = articles()
    expected = segment_files(tmp_path, "whoosh", whooshs_writer, docs)
    seen_runs = []

    def spilling(ix):
        writer = spilling_writer(ix)
        save = writer.pool.save

        def counted_save():
            save()
            seen_runs.append(len(writer.pool.runs))
        writer.pool.save = counted_save
        return writer

    assert segment_files(tmp_path, "spilled", spilling, docs) == expected
    assert max(seen_runs) > 1


def test_postings_of_a_merge_come_out_in_document_order(tmp_path):
    """A merge adds a segment's postings term by term: documents go down
    between terms. Each term's documents still come out ascending."""
    buffer = TermBuffer(None, None)
    for term, docs in ((b"gempa", [3, 7, 9]), (b"banjir", [1, 2, 8])):
        for doc in docs:
            buffer.add(("body", term, doc, 1.0, None))
    buffer.add(("body", b"banjir", 0, 2.0, None))     # out of order within its term, as a merge never does
    got = [(field, term, list(ids), weights) for field, term, ids, weights, _ in buffer.terms()]
    assert got == [("body", b"banjir", [0, 1, 2, 8], [2.0, 1.0, 1.0, 1.0]),
                   ("body", b"gempa", [3, 7, 9], [1.0, 1.0, 1.0])]


def test_terms_are_not_read_from_a_buffer_that_spilled(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    writer = spilling_writer(ix)
    try:
        for doc in articles(60):
            writer.add_document(**doc)
        assert writer.pool.runs
        with pytest.raises(RuntimeError, match="spilled"):
            next(writer.pool.terms())
    finally:
        writer.cancel()
