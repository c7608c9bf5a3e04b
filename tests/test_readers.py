"""read_file: the contract, the registry, broken input, .txt and .json/.jsonl.

HTML extraction is in test_readers_html.py; boilerplate, dates, datelines and
encodings in test_readers_text.py.
"""
from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import search.readers as readers
from search.article import Article, stable_id
from search.readers import SUPPORTED_EXTENSIONS, FileResult, read_file

from conftest import SHARED

SEED = SHARED / "corpus" / "seed" / "000_fd7004517a8b4e06.txt"
CLICKID = SHARED / "corpus" / "clickid"

WIRE = (
    "JAKARTA, KABARBARU.COM -- Pemerintah kota meresmikan jembatan baru di atas Sungai Ciliwung "
    "pada Senin (4/3/2024), setelah pembangunan selama dua tahun.\n"
    "Jembatan sepanjang 120 meter itu menghubungkan dua kelurahan yang selama ini terpisah.\n"
    "Baca juga: Warga Bantaran Kali Direlokasi ke Rusun Baru\n"
    "Wali kota mengatakan jembatan dibangun dengan anggaran daerah.\n"
    "Dampak bagi Warga\n"
    "Pedagang pasar menyambut baik jembatan itu karena jarak tempuh menjadi lebih pendek.\n"
)


def needs(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"needs {path} (the shared data set is not beside this checkout)")
    return path


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# --- the contract ------------------------------------------------------------------------


def test_supported_extensions():
    plain = {".txt", ".html", ".htm", ".json", ".jsonl"}
    archives = {kind + ".gz" for kind in plain} | {".warc", ".warc.gz"}   # tests/test_readers_archives.py
    assert SUPPORTED_EXTENSIONS == frozenset(plain | archives)


def test_unsupported_extension_is_skipped(tmp_path):
    result = read_file(write(tmp_path / "notes.xyz", "hello"), tmp_path)
    assert result == FileResult(articles=[], errors=[], skipped="unsupported file type .xyz")


def test_uppercase_extension_is_supported(tmp_path):
    result = read_file(write(tmp_path / "STORY.TXT", WIRE), tmp_path)
    assert len(result.articles) == 1


def test_path_is_relative_posix_and_id_stable(tmp_path):
    path = write(tmp_path / "wire" / "sub" / "story.txt", WIRE)
    first = read_file(path, tmp_path).articles[0]
    again = read_file(path, tmp_path).articles[0]
    assert first.path == "wire/sub/story.txt"
    assert first.id == stable_id("wire/sub/story.txt") == again.id


def test_id_does_not_depend_on_where_the_corpus_lives(tmp_path):
    one = write(tmp_path / "a" / "story.txt", WIRE)
    two = write(tmp_path / "b" / "story.txt", WIRE)
    assert read_file(one, tmp_path / "a").articles[0].id == read_file(two, tmp_path / "b").articles[0].id


# --- broken input: never raises, always says why -------------------------------------------


def test_empty_file(tmp_path):
    for name in ("e.txt", "e.html", "e.json", "e.jsonl"):
        result = read_file(write(tmp_path / name, b""), tmp_path)
        assert result.articles == [] and "empty" in result.skipped


def test_whitespace_only_files(tmp_path):
    for name in ("w.txt", "w.html", "w.jsonl"):
        result = read_file(write(tmp_path / name, "  \n\n \r\n"), tmp_path)
        assert result.articles == []
        assert result.skipped


def test_missing_file(tmp_path):
    result = read_file(tmp_path / "gone.txt", tmp_path)
    assert result == FileResult(errors=["file not found"])


def test_broken_symlink(tmp_path):
    link = tmp_path / "dangling.txt"
    link.symlink_to(tmp_path / "nowhere.txt")
    result = read_file(link, tmp_path)
    assert result == FileResult(errors=["broken symbolic link"])


def test_directory_with_a_supported_name(tmp_path):
    (tmp_path / "folder.txt").mkdir()
    assert read_file(tmp_path / "folder.txt", tmp_path) == FileResult(errors=["not a regular file"])


def test_unreadable_file(tmp_path, monkeypatch):
    path = write(tmp_path / "locked.txt", WIRE)

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    result = read_file(path, tmp_path)
    assert result == FileResult(errors=["cannot read file: Permission denied"])


def test_too_large_file_is_skipped_without_reading_it(tmp_path):
    path = tmp_path / "huge.html"
    with open(path, "wb") as handle:  # sparse: 100 MB on paper, nothing on disk
        handle.truncate(100 * 1024 * 1024)
    result = read_file(path, tmp_path)
    assert result.articles == [] and result.skipped is None
    assert result.errors == ["file too large (100.0 MB; the limit is 20 MB)"]


def test_jsonl_is_not_capped_by_total_size(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 200)
    lines = [json.dumps({"id": f"r{i}", "title": f"Judul {i}", "body": "Isi berita. " * 10}) for i in range(20)]
    path = write(tmp_path / "big.jsonl", "\n".join(lines))
    assert path.stat().st_size > 200
    result = read_file(path, tmp_path)
    assert [a.id for a in result.articles] == [f"r{i}" for i in range(20)]
    assert read_file(write(tmp_path / "big.txt", WIRE * 3), tmp_path).errors[0].startswith("file too large")


def test_jsonl_line_over_the_line_cap(tmp_path, monkeypatch):
    from search.readers import jsonl

    monkeypatch.setattr(jsonl, "MAX_LINE_BYTES", 300)
    small = json.dumps({"id": "a", "title": "Pendek", "body": "Isi."})
    large = json.dumps({"id": "b", "title": "Panjang", "body": "kata " * 200})
    other = json.dumps({"id": "c", "title": "Pendek", "body": "Isi."})
    path = write(tmp_path / "mixed.jsonl", f"{small}\n{large}\n{other}\n")
    result = read_file(path, tmp_path)
    assert [a.id for a in result.articles] == ["a", "c"]
    assert result.errors == ["line 2: longer than 300 bytes, skipped"]


def test_reader_bug_becomes_an_error(tmp_path, monkeypatch):
    from search.readers import text

    def boom(*args):
        raise ValueError("unexpected")

    monkeypatch.setattr(text, "parse_text", boom)
    result = read_file(write(tmp_path / "s.txt", WIRE), tmp_path)
    assert result == FileResult(errors=["reader failed: ValueError: unexpected"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=600), extension=st.sampled_from(sorted(SUPPORTED_EXTENSIONS)))
def test_arbitrary_bytes_never_raise(tmp_path, data, extension):
    path = tmp_path / f"fuzz{extension}"
    path.write_bytes(data)
    result = read_file(path, tmp_path)
    assert isinstance(result, FileResult)
    assert result.articles or result.skipped or result.errors
    for article in result.articles:
        assert isinstance(article, Article) and article.id and article.path == path.name


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400))
def test_arbitrary_text_in_every_format_never_raises(tmp_path, text):
    for extension in (".txt", ".html", ".json", ".jsonl"):
        path = tmp_path / f"t{extension}"
        path.write_bytes(text.encode("utf-8", "replace"))
        result = read_file(path, tmp_path)
        assert result.articles or result.skipped or result.errors


# --- .txt ---------------------------------------------------------------------------------


def test_wire_story_without_title_line(tmp_path):
    article = read_file(write(tmp_path / "w.txt", WIRE), tmp_path).articles[0]
    assert article.source == "kabarbaru"
    assert article.title == "Pemerintah kota meresmikan jembatan baru di atas Sungai Ciliwung"
    assert article.related == ["Warga Bantaran Kali Direlokasi ke Rusun Baru"]
    paragraphs = article.body.split("\n\n")
    assert "Dampak bagi Warga" in paragraphs  # the subheading stays, as its own paragraph
    assert not any("Baca juga" in p for p in paragraphs)
    assert paragraphs[0].startswith("JAKARTA, KABARBARU.COM -- Pemerintah kota")
    assert len(paragraphs) == 5


def test_txt_with_title_line_and_date_line(tmp_path):
    text = ("Harga Beras Naik Jelang Ramadan\n\nSelasa, 20 Februari 2024 10:15 WIB\n\n"
            "Harga beras medium di pasar tradisional naik sekitar lima persen dalam sepekan "
            "terakhir, kata pedagang.\n\nPemerintah berjanji menambah pasokan.\n")
    article = read_file(write(tmp_path / "t.txt", text), tmp_path).articles[0]
    assert article.title == "Harga Beras Naik Jelang Ramadan"
    assert article.date == datetime(2024, 2, 20, 10, 15, tzinfo=article.date.tzinfo)
    assert article.date.utcoffset() == timedelta(hours=7)
    assert article.body.split("\n\n") == [
        "Harga beras medium di pasar tradisional naik sekitar lima persen dalam sepekan terakhir, kata pedagang.",
        "Pemerintah berjanji menambah pasokan.",
    ]


def test_txt_hard_wrapped_paragraphs_are_joined(tmp_path):
    text = ("Judul Berita Pendek\n\nBaris pertama paragraf satu yang\ndipotong di tengah kalimat.\n\n"
            "Paragraf kedua juga\nterpotong.\n\nBaca juga: Berita Lain Hari Ini\n\nParagraf ketiga.\n")
    article = read_file(write(tmp_path / "h.txt", text), tmp_path).articles[0]
    assert article.body.split("\n\n") == [
        "Baris pertama paragraf satu yang dipotong di tengah kalimat.",
        "Paragraf kedua juga terpotong.",
        "Paragraf ketiga.",
    ]
    assert article.related == ["Berita Lain Hari Ini"]


def test_txt_date_from_file_name(tmp_path):
    article = read_file(write(tmp_path / "2023-10-23_rupiah.txt", WIRE), tmp_path).articles[0]
    assert (article.date.year, article.date.month, article.date.day) == (2023, 10, 23)
    assert article.date.utcoffset() == timedelta(hours=7)


def test_txt_only_boilerplate_is_skipped(tmp_path):
    result = read_file(write(tmp_path / "b.txt", "ADVERTISEMENT\nSCROLL TO CONTINUE WITH CONTENT\n"), tmp_path)
    assert result.articles == [] and result.skipped == "no text in file"


@pytest.mark.shared_data
def test_seed_story():
    path = needs(SEED)
    result = read_file(path, path.parent.parent)
    assert result.errors == [] and result.skipped is None
    article = result.articles[0]
    assert article.path == "seed/000_fd7004517a8b4e06.txt"
    assert article.source == "tribunnews"
    assert article.title == "Presiden Rusia Vladimir Putin melakukan kunjungan ke China"
    assert len(article.related) == 2 and article.related[0].startswith("20 Negara Kritik Serangan Israel")
    paragraphs = article.body.split("\n\n")
    assert "Tujuan Pertemuan Putin dan Xi Jinping" in paragraphs
    assert "Baca juga" not in article.body
    assert paragraphs[0].startswith("TRIBUNNEWS.COM -- Presiden Rusia")


# --- .json and .jsonl ------------------------------------------------------------------------


def record(**fields) -> dict:
    base = {"title": "Gempa Guncang Pesisir", "body": "Gempa terjadi pagi ini.\n\nTidak ada korban jiwa."}
    base.update(fields)
    return base


def test_json_single_record_uses_its_id(tmp_path):
    path = write(tmp_path / "r.json", json.dumps(record(id="abc-1", source="Kompas.com", category="Sains",
                                                       url="https://kompas.example/x", author="Rina")))
    article = read_file(path, tmp_path).articles[0]
    assert (article.id, article.source, article.category, article.url, article.author) == (
        "abc-1", "kompas", "Sains", "https://kompas.example/x", "Rina")
    assert article.body == "Gempa terjadi pagi ini.\n\nTidak ada korban jiwa."


def test_json_list_without_ids_gets_stable_ids_by_index(tmp_path):
    path = write(tmp_path / "recs" / "list.json", json.dumps([record(), record(title="Kedua")]))
    articles = read_file(path, tmp_path).articles
    assert [a.id for a in articles] == [stable_id("recs/list.json", "0"), stable_id("recs/list.json", "1")]
    assert all(a.path == "recs/list.json" for a in articles)


def test_json_single_record_without_id(tmp_path):
    article = read_file(write(tmp_path / "one.json", json.dumps(record())), tmp_path).articles[0]
    assert article.id == stable_id("one.json")


def test_invalid_json_file(tmp_path):
    result = read_file(write(tmp_path / "bad.json", '{"title": "x", '), tmp_path)
    assert result.articles == [] and result.skipped is None
    assert len(result.errors) == 1 and result.errors[0].startswith("invalid JSON (")


def test_json_list_with_bad_members(tmp_path):
    path = write(tmp_path / "mixed.json", json.dumps([record(id="ok"), "just a string", {"foo": 1}]))
    result = read_file(path, tmp_path)
    assert [a.id for a in result.articles] == ["ok"]
    assert result.errors == ["record 1: not a JSON object (str)", "record 2: no title and no body"]


def test_jsonl_bad_lines_are_errors_and_the_rest_is_read(tmp_path):
    lines = [json.dumps(record(id="a")), "{not json", "", json.dumps([1, 2]), json.dumps(record(id="b"))]
    result = read_file(write(tmp_path / "f.jsonl", "\n".join(lines) + "\n"), tmp_path)
    assert [a.id for a in result.articles] == ["a", "b"]
    assert len(result.errors) == 2
    assert result.errors[0].startswith("line 2: invalid JSON (")
    assert result.errors[1] == "line 4: not a JSON object (list)"


def test_jsonl_truncated_last_line(tmp_path):
    full = json.dumps(record(id="a"))
    result = read_file(write(tmp_path / "t.jsonl", full + "\n" + full[:30]), tmp_path)
    assert [a.id for a in result.articles] == ["a"]
    assert result.errors and result.errors[0].startswith("line 2: invalid JSON")


def test_jsonl_ids_by_line_when_missing(tmp_path):
    lines = [json.dumps(record()), json.dumps(record(title="Dua"))]
    articles = read_file(write(tmp_path / "n.jsonl", "\n".join(lines)), tmp_path).articles
    assert [a.id for a in articles] == [stable_id("n.jsonl", "0"), stable_id("n.jsonl", "1")]


def test_jsonl_bom_crlf_and_latin1_line(tmp_path):
    good = json.dumps(record(id="u", title="Café"), ensure_ascii=False).encode("utf-8")
    latin = json.dumps(record(id="l", title="Caf\u00e9 Latin"), ensure_ascii=False).encode("latin-1")
    data = b"\xef\xbb\xbf" + good + b"\r\n" + latin + b"\r\n"
    articles = read_file(write(tmp_path / "enc.jsonl", data), tmp_path).articles
    assert [(a.id, a.title) for a in articles] == [("u", "Café"), ("l", "Café Latin")]


def test_date_and_time_fields_are_combined_in_wib(tmp_path):
    lines = [json.dumps(record(id="a", date="2019-10-25", time="18:59")),
             json.dumps(record(id="b", date="2019-10-19", time=None)),
             json.dumps(record(id="c", date="2016-02-16T13:01:52+0700")),
             json.dumps(record(id="d", date="bukan tanggal"))]
    a, b, c, d = read_file(write(tmp_path / "d.jsonl", "\n".join(lines)), tmp_path).articles
    assert a.date.isoformat() == "2019-10-25T18:59:00+07:00"
    assert b.date.isoformat() == "2019-10-19T00:00:00+07:00"
    assert c.date.isoformat() == "2016-02-16T13:01:52+07:00"
    assert d.date is None


def test_source_from_record_dateline_or_url(tmp_path):
    lines = [json.dumps(record(id="a", source="posmetro-medan.com")),
             json.dumps(record(id="b", body="Jakarta, Kompas.com - Isi berita.")),
             json.dumps(record(id="c", url="https://news.detik.com/berita/1")),
             json.dumps(record(id="d", body="Jakarta (ANTARA) - Isi berita."))]
    articles = read_file(write(tmp_path / "s.jsonl", "\n".join(lines)), tmp_path).articles
    assert [a.source for a in articles] == ["posmetro", "kompas", "detik", "antara"]


def test_jsonl_body_boilerplate_is_removed(tmp_path):
    body = ("Jakarta - Timnas menang 2-1.Baca juga: Pelatih Puji Mental PemainNamun, laga berjalan ketat."
            "\n\nBaca juga:, Skuad akan bertolak ke Hanoi besok.\n\n#GrowFearless with FIMELA"
            "\n\nPenulis: Rina Wati,")
    article = read_file(write(tmp_path / "b.jsonl", json.dumps(record(id="x", body=body))), tmp_path).articles[0]
    assert article.body == ("Jakarta - Timnas menang 2-1. Namun, laga berjalan ketat.\n\n"
                            "Skuad akan bertolak ke Hanoi besok.")
    assert article.related == ["Pelatih Puji Mental Pemain"]


@pytest.mark.shared_data
def test_clickid_detik_file():
    path = needs(CLICKID / "detik.jsonl")
    result = read_file(path, CLICKID)
    assert result.errors == [] and result.skipped is None
    assert len(result.articles) == sum(1 for _ in open(path, encoding="utf-8"))
    first = result.articles[0]
    assert first.id == "detik-47e9a3d1ba"
    assert first.date.isoformat() == "2019-10-25T18:59:00+07:00"
    assert first.source == "detik"
    assert first.path == "detik.jsonl"
    for article in result.articles:
        assert "Baca juga" not in article.body
        assert "[Gambas:" not in article.body
    assert sum(bool(a.related) for a in result.articles) > 20


@pytest.mark.shared_data
def test_clickid_fimela_file():
    path = needs(CLICKID / "fimela.jsonl")
    articles = read_file(path, CLICKID).articles
    assert not any(p.strip().lower().startswith("#growfearless with")
                   for a in articles for p in a.body.split("\n\n"))
    assert all(a.source == "fimela" and a.date.tzinfo is not None for a in articles)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_denied_for_real(tmp_path):
    path = write(tmp_path / "p.txt", WIRE)
    path.chmod(0)
    try:
        assert read_file(path, tmp_path).errors[0].startswith("cannot read file")
    finally:
        path.chmod(0o644)


def test_json_wrapped_list(tmp_path):
    path = write(tmp_path / "export.json", json.dumps({"articles": [record(id="w1"), record(id="w2")], "count": 2}))
    assert [a.id for a in read_file(path, tmp_path).articles] == ["w1", "w2"]


def test_json_empty_list_is_skipped(tmp_path):
    result = read_file(write(tmp_path / "none.json", "[]"), tmp_path)
    assert result == FileResult(skipped="no records")


def test_registry_covers_every_supported_extension():
    assert set(readers.READERS) == SUPPORTED_EXTENSIONS
    assert all(callable(reader) for reader in readers.READERS.values())


def test_file_outside_root_keeps_its_name(tmp_path):
    path = write(tmp_path / "elsewhere" / "story.txt", WIRE)
    article = read_file(path, tmp_path / "corpus").articles[0]
    assert article.path == "story.txt"


def test_symlinked_file_is_read(tmp_path):
    target = write(tmp_path / "real" / "story.txt", WIRE)
    (tmp_path / "corpus").mkdir()
    link = tmp_path / "corpus" / "link.txt"
    link.symlink_to(target)
    article = read_file(link, tmp_path / "corpus").articles[0]
    assert article.path == "link.txt" and article.source == "kabarbaru"


def test_record_without_title_gets_one_from_its_lede(tmp_path):
    body = "Jakarta, Kompas.com - Harga cabai rawit naik dua kali lipat di pasar induk. Pedagang mengeluh."
    article = read_file(write(tmp_path / "t.jsonl", json.dumps({"id": 7, "body": body})), tmp_path).articles[0]
    assert (article.id, article.title, article.source) == ("7", "Harga cabai rawit naik dua kali lipat di pasar induk", "kompas")
