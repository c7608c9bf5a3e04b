"""The live statistics (search/retrieval/live.py): document frequencies read
through the codec's term-table lookup are Whoosh's own, segment by segment,
in cari's format and in Whoosh's W3; and with articles deleted, a term's
document frequency counts only the live articles that hold it."""
from __future__ import annotations

import json

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.reading import TermNotFound

from search.codec import CariCodec
from search.indexing.indexer import index_corpus
from search.retrieval.live import LiveStats, index_doc_frequency
from search.store import live_dir

WORDS = ("banjir", "gempa", "warga", "jakarta", "garut", "presiden", "pemilu", "sekolah",
         "harga", "beras", "petani", "hujan", "kebakaran", "hutan", "menteri", "pasar")
FIELDS = ("title", "body", "spell")


def record(i: int) -> str:
    words = [WORDS[(i * k + k) % len(WORDS)] for k in range(1, 2 + i % 7)]
    return json.dumps({"id": f"r{i}", "title": " ".join(words[:3]) + f" {i}", "date": "2019-09-10",
                       "body": " ".join(words * (1 + i % 3)) + f". Nomor {i}."})


def updated_index(tmp_path, codec_class, monkeypatch):
    """An index of several segments, one with deleted articles: two files,
    then a third, then the second rewritten (its articles deleted from the
    first segment and added again in another)."""
    from search.indexing import writers

    monkeypatch.setattr(writers, "CariCodec", codec_class)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    target = tmp_path / "idx"
    (corpus / "a.jsonl").write_text("\n".join(record(i) for i in range(45)) + "\n", "utf-8")
    (corpus / "b.jsonl").write_text("\n".join(record(i) for i in range(45, 50)) + "\n", "utf-8")
    index_corpus(corpus, target, procs=1)
    (corpus / "c.jsonl").write_text("\n".join(record(i) for i in range(50, 70)) + "\n", "utf-8")
    index_corpus(corpus, target, procs=1)
    (corpus / "b.jsonl").write_text("\n".join(record(i) for i in range(45, 48)) + "\n", "utf-8")
    index_corpus(corpus, target, procs=1)
    return whoosh_index.open_dir(str(live_dir(target)))


@pytest.fixture(params=[CariCodec, W3Codec], ids=["cari", "w3"])
def index(request, tmp_path, monkeypatch):
    ix = updated_index(tmp_path, request.param, monkeypatch)
    with ix.reader() as reader:
        assert {type(s.codec()) for s in ix._segments()} == {request.param}
        assert len(list(reader.leaf_readers())) > 1 and reader.has_deletions()
    return ix


def test_doc_frequency_is_whooshs_for_every_term(index):
    with index.reader() as reader:
        checked = 0
        for field in FIELDS:
            for term in reader.lexicon(field):
                text = term.decode("utf-8")
                assert index_doc_frequency(reader, field, text) == reader.doc_frequency(field, text), (field, text)
                checked += 1
        assert checked > 50
        for field, text in (("body", "tidakadadiindeks"), ("title", ""), ("spell", "zz")):
            assert index_doc_frequency(reader, field, text) == reader.doc_frequency(field, text) == 0
        for leaf, _ in reader.leaf_readers():      # one segment alone, as Whoosh reads it
            assert index_doc_frequency(leaf, "body", "banjir") == leaf.doc_frequency("body", "banjir")


def test_unknown_field_fails_as_in_whoosh(index):
    with index.reader() as reader:
        with pytest.raises(TermNotFound):
            reader.doc_frequency("nosuchfield", "banjir")
        with pytest.raises(TermNotFound):
            index_doc_frequency(reader, "nosuchfield", "banjir")


def test_live_doc_frequency_counts_only_live_articles(index):
    with index.reader() as reader:
        live = LiveStats(reader)
        assert live.has_deletions
        for field in ("title", "body"):
            for term in reader.lexicon(field):
                text = term.decode("utf-8")
                holding = {d for d in reader.postings(field, text).all_ids() if not reader.is_deleted(d)}
                assert live.doc_frequency(reader, field, text) == len(holding), (field, text)
                assert live.doc_frequency(reader, field, term) == len(holding)     # bytes as Whoosh gives them
