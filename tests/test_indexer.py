"""Indexing a corpus directory: counts, incremental reruns, broken input, versions."""
from __future__ import annotations

import os
import time

import pytest

from conftest import news, write_jsonl
from search.indexing.indexer import IndexerBusy, index_corpus
from search.store import IndexVersionError, write_meta
from search.retrieval.engine import Engine

BANJIR = news(1, "Banjir Rendam Ribuan Rumah di Bekasi", "Banjir setinggi satu meter merendam ribuan rumah warga Bekasi.")
GEMPA = news(2, "Gempa Guncang Lombok", "Gempa bermagnitudo 5,2 mengguncang Lombok Utara pada Senin pagi.")
ASAP = news(3, "Kabut Asap Selimuti Pekanbaru", "Kabut asap kebakaran hutan menyelimuti Pekanbaru, Riau.")


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    write_jsonl(root / "a.jsonl", [BANJIR, GEMPA])
    write_jsonl(root / "sub" / "b.jsonl", [ASAP])
    (root / "notes.md").write_text("bukan artikel", "utf-8")
    return root


def ids(index_dir, query):
    eng = Engine(index_dir)
    try:
        return [h.id for h in eng.search(query).hits]
    finally:
        eng.close()


def test_indexes_every_supported_file_recursively(corpus, tmp_path):
    report = index_corpus(corpus, tmp_path / "ix")
    assert (report.added, report.articles, report.doc_count) == (2, 3, 3)
    assert report.skipped == 1 and report.skipped_files[0][0] == "notes.md"
    assert ids(tmp_path / "ix", "kabut asap") == ["t-003"]


def test_rerun_reads_only_changed_files(corpus, tmp_path):
    ix = tmp_path / "ix"
    index_corpus(corpus, ix)
    again = index_corpus(corpus, ix)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 2)
    assert again.doc_count == 3

    write_jsonl(corpus / "a.jsonl", [BANJIR, news(4, "Kebakaran Pasar Senen", "Api melalap kios di Pasar Senen.")])
    later = time.time() + 5
    os.utime(corpus / "a.jsonl", (later, later))
    changed = index_corpus(corpus, ix)
    assert (changed.updated, changed.unchanged, changed.doc_count) == (1, 1, 3)
    assert ids(ix, "gempa lombok") == []
    assert ids(ix, "pasar senen") == ["t-004"]

    (corpus / "sub" / "b.jsonl").unlink()
    removed = index_corpus(corpus, ix)
    assert (removed.removed, removed.doc_count) == (1, 2)
    assert ids(ix, "kabut asap") == []


def test_broken_line_is_reported_and_the_rest_indexed(corpus, tmp_path):
    with open(corpus / "a.jsonl", "a", encoding="utf-8") as f:
        f.write("{ini bukan json\n")
    report = index_corpus(corpus, tmp_path / "ix")
    assert report.doc_count == 3
    assert any(path == "a.jsonl" for path, _ in report.errors)


def test_duplicate_ids_keep_the_first(corpus, tmp_path):
    write_jsonl(corpus / "c.jsonl", [dict(BANJIR, title="Salinan")])
    report = index_corpus(corpus, tmp_path / "ix")
    assert report.doc_count == 3
    assert any("duplicate id t-001" in reason for _, reason in report.errors)


def test_rebuild_starts_fresh(corpus, tmp_path):
    ix = tmp_path / "ix"
    index_corpus(corpus, ix)
    (corpus / "sub" / "b.jsonl").unlink()
    report = index_corpus(corpus, ix, rebuild=True)
    assert (report.added, report.doc_count) == (1, 2)


def test_index_of_another_analysis_version_is_refused(corpus, tmp_path):
    ix = tmp_path / "ix"
    index_corpus(corpus, ix)
    write_meta(ix, analysis_version="0-old")
    with pytest.raises(IndexVersionError, match="rebuild"):
        Engine(ix)
    with pytest.raises(IndexVersionError, match="rebuild"):
        index_corpus(corpus, ix)
    assert index_corpus(corpus, ix, rebuild=True).doc_count == 3
    assert ids(ix, "banjir") == ["t-001"]


def test_second_writer_gets_a_clear_message(corpus, tmp_path):
    from whoosh.filedb.filestore import FileStorage

    ix = tmp_path / "ix"
    index_corpus(corpus, ix)
    write_jsonl(corpus / "d.jsonl", [news(5, "Baru", "Artikel baru.")])
    held = FileStorage(str(ix)).open_index().writer()
    try:
        with pytest.raises(IndexerBusy, match="another `cari index`"):
            index_corpus(corpus, ix)
    finally:
        held.cancel()


def test_missing_corpus_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="corpus directory not found"):
        index_corpus(tmp_path / "nope", tmp_path / "ix")


def test_broken_inputs_are_reported_and_the_run_goes_on(corpus, tmp_path):
    (corpus / "kosong.txt").write_bytes(b"")
    (corpus / "rusak.txt").write_bytes(b"\xff\xfe\x00\x00\xc3\x28 teks rusak \x80\x81")
    (corpus / "potong.html").write_text("<html><head><title>Judul", "utf-8")
    (corpus / "hilang.txt").symlink_to(corpus / "tidak-ada.txt")
    (corpus / "putar.json").symlink_to(corpus / "putar.json")
    (corpus / "loop").symlink_to(corpus, target_is_directory=True)
    os.mkfifo(corpus / "pipa.txt")
    with open(corpus / "besar.txt", "wb") as f:
        f.truncate(100 * 1024 * 1024)
    report = index_corpus(corpus, tmp_path / "ix")
    # Undecodable bytes fall back to Windows-1252: the text is kept, not lost.
    assert report.doc_count == 4, report.to_dict()
    flagged = {path for path, _ in report.errors} | {path for path, _ in report.skipped_files}
    for name in ("kosong.txt", "hilang.txt", "putar.json", "pipa.txt", "besar.txt"):
        assert name in flagged, (name, report.to_dict())


def test_length_table_answers_like_whoosh(sample_index):
    """The writers' LengthTable (search/indexing/writers.py) returns what Whoosh's
    per-document reader returns, for every document and field."""
    from whoosh import index as whoosh_index

    from search.indexing import generations as swap
    from search.indexing.writers import LengthTable

    ix = whoosh_index.open_dir(str(swap.live_dir(sample_index)))
    segment = ix._segments()[0]
    # A finished segment is one compound file; the writers read it before that.
    storage = segment.open_compound_file(ix.storage) if segment.is_compound() else ix.storage
    reader = segment.codec().per_document_reader(storage, segment)
    table = LengthTable(segment.codec().per_document_reader(storage, segment))
    names = ["title", "body", "spell", "source", "no_such_field"]
    docs = range(reader.doc_count_all())
    assert len(docs) > 0
    assert ([table.doc_field_length(d, n) for n in names for d in docs]
            == [reader.doc_field_length(d, n) for n in names for d in docs])
    assert any(table.doc_field_length(d, "body") for d in docs)
    assert table.doc_count_all() == reader.doc_count_all()   # the rest is delegated
    table.close()
    reader.close()


def test_pool_limit_grows_with_memory_within_bounds():
    from search.indexing.indexer import POOL_MAX_MB, POOL_MIN_MB, pool_limit_mb

    for procs in (1, 2, 8):
        assert POOL_MIN_MB <= pool_limit_mb(procs) <= POOL_MAX_MB
    assert pool_limit_mb(1) >= pool_limit_mb(8)


def test_a_sub_writer_with_a_full_pool_starts_a_new_segment(tmp_path, monkeypatch):
    """Two indexing processes, each closing a segment after every job file:
    every article lands in the index exactly once."""
    import search.indexing.writers as writers

    monkeypatch.setattr(writers, "POOL_FLUSH_SHARE", 0.0)    # "full" after each job file (100 articles)
    records = [news(i, f"Berita nomor {i}", f"Isi berita kodeunik{i} tentang banjir.") for i in range(450)]
    write_jsonl(tmp_path / "c" / "a.jsonl", records)
    report = index_corpus(tmp_path / "c", tmp_path / "ix", procs=2)
    assert report.articles == 450 and report.doc_count == 450
    eng = Engine(tmp_path / "ix")
    try:
        reader = eng.searcher().reader()
        assert len(reader.leaf_readers()) >= 4, len(reader.leaf_readers())   # more segments than processes
        assert eng.search("banjir").total == 450
        for i in (0, 99, 100, 101, 250, 449):
            assert [h.id for h in eng.search(f"kodeunik{i}").hits] == [f"t-{i:03d}"]
    finally:
        eng.close()


@pytest.mark.parametrize("procs", [1, 2])
def test_replaced_articles_leave_no_empty_segments(corpus, tmp_path, procs):
    """A file rewritten run after run (a publisher's JSONL updated daily) or
    removed replaces or drops its articles; a segment none of whose
    documents is live is then dropped, instead of piling up as segments of
    no documents that no merge ever removes."""
    from whoosh import index as whoosh_index

    ix = tmp_path / "ix"

    def run_and_check():
        report = index_corpus(corpus, ix, procs=procs)
        segments = whoosh_index.open_dir(str(ix))._segments()
        assert all(s.doc_count() > 0 for s in segments), [(s.doc_count_all(), s.deleted_count()) for s in segments]
        return report

    run_and_check()
    for run in range(3):
        write_jsonl(corpus / "a.jsonl", [BANJIR, news(10 + run, f"Berita ke-{run}", f"Isi kodeunik{run}.")])
        later = time.time() + 5 * (run + 1)
        os.utime(corpus / "a.jsonl", (later, later))
        assert run_and_check().updated == 1
        assert ids(ix, f"kodeunik{run}") == [f"t-{10 + run:03d}"]
    write_jsonl(corpus / "c.jsonl", [GEMPA])          # a segment of its own ...
    assert run_and_check().doc_count == 4
    (corpus / "c.jsonl").unlink()                     # ... then every document of it deleted
    assert run_and_check().doc_count == 3
    assert ids(ix, "gempa lombok") == [] and ids(ix, "kabut asap") == ["t-003"]
