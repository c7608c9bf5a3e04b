"""What `cari index` says about a run, through the real command line: one line
per skip reason (the count and the first few paths; every path with
--verbose), an archive's skipped pages counted by reason, and nothing at all
about an index kept inside the corpus folder (issue #15, bugs 1 and 2).
"""
from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, news, write_jsonl

pytestmark = pytest.mark.integration

LEDE = ("Pemerintah kota meresmikan jembatan baru di atas Sungai Ciliwung setelah pembangunan "
        "selama dua tahun, kata wali kota kepada wartawan di lokasi peresmian pada pagi hari.")
MORE = ("Pedagang pasar menyambut baik jembatan itu karena jarak tempuh menjadi lebih pendek, "
        "sementara warga berharap lampu jalan segera dipasang sebelum musim hujan tiba.")
ARTICLE = ('<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>Jembatan Baru</title>'
           '<meta property="og:type" content="article"></head><body><article><h1>Jembatan Baru</h1>'
           f"<p>{LEDE}</p><p>{MORE}</p></article></body></html>")
FRONT_PAGE = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Beranda</title>'
              '<meta property="og:type" content="website"></head><body><ul>'
              + "".join(f'<li><a href="/berita/{n}">Judul berita nomor {n} hari ini</a></li>' for n in range(12))
              + "</ul></body></html>")
PROGRESS = re.compile(r"^\d+/\d+ files, \d+ articles, ")


def cari(*args):
    return subprocess.run([sys.executable, "-m", "search", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def said(done) -> list[str]:
    """What a run wrote to stderr, less its progress lines."""
    return [line for line in done.stderr.splitlines() if not PROGRESS.match(line)]


def documents(index: Path) -> int:
    done = cari("stats", "--index", index, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["documents"]


def write_warc(path: Path, pages: list[tuple[str, str, bytes, str]]) -> Path:
    """A .warc.gz of response records: (url, HTTP status line, payload, content type)."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, status, payload, kind in pages:
            headers = StatusAndHeaders(status, [("Content-Type", kind)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(payload),
                                                          http_headers=headers))
    return path


@pytest.fixture
def mixed(tmp_path) -> Path:
    """A corpus of two articles and, beside them, files skipped for four kinds of reason
    (two front pages, each with its own signs)."""
    corpus = tmp_path / "berita"
    write_jsonl(corpus / "berita.jsonl", [news(1, "Banjir Rob Jakarta", "Banjir rob merendam pesisir.")])
    (corpus / "jembatan.html.gz").write_bytes(gzip.compress(ARTICLE.encode()))
    for name in ("a", "b", "c", "d", "e"):
        (corpus / "foto").mkdir(exist_ok=True)
        (corpus / "foto" / f"{name}.png").write_bytes(b"\x89PNG")
    (corpus / "catatan.csv").write_text("a,b\n", "utf-8")
    (corpus / "data.csv").write_text("a,b\n", "utf-8")
    (corpus / "kosong.txt").write_bytes(b"")
    (corpus / "beranda.html").write_text(FRONT_PAGE, "utf-8")
    (corpus / "indeks.html").write_text(FRONT_PAGE.replace("<li>", "<li><p>").replace("</li>", "</p></li>")
                                        .replace("website", "article"), "utf-8")
    return corpus


def test_one_line_per_skip_reason_with_the_count_and_the_first_paths(mixed, tmp_path):
    done = cari("index", mixed, "--index", tmp_path / "ix")
    assert done.returncode == 0, done.stderr
    assert "indexed 2 articles" in done.stdout and "skipped 10" in done.stdout
    lines = said(done)
    assert sorted(lines) == [
        "skipped: empty file (0 bytes): 1 file: kosong.txt",
        "skipped: front/index page: 2 files: beranda.html, indeks.html",
        "skipped: unsupported file type .csv: 2 files: catatan.csv, data.csv",
        "skipped: unsupported file type .png: 5 files: foto/a.png, foto/b.png, foto/c.png "
        "and 2 more (--verbose lists them)",
    ], lines


def test_verbose_lists_every_skipped_path(mixed, tmp_path):
    done = cari("index", mixed, "--index", tmp_path / "ix", "--verbose")
    assert done.returncode == 0, done.stderr
    assert ("skipped: unsupported file type .png: 5 files: "
            "foto/a.png, foto/b.png, foto/c.png, foto/d.png, foto/e.png") in said(done)
    assert not any("more" in line for line in said(done))
    # Each page with the signs that made it a front page: they differ from page to page.
    [front] = [line for line in said(done) if line.startswith("skipped: front/index page: 2 files: ")]
    assert re.fullmatch(r"skipped: front/index page: 2 files: beranda\.html \(og:type website, [^()]+\), "
                        r"indeks\.html \([^()]+\)", front), front


def test_json_lists_every_skipped_file_as_before(mixed, tmp_path):
    done = cari("index", mixed, "--index", tmp_path / "ix", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert len(report["skipped_files"]) == report["skipped"] == 10
    assert {"path": "foto/e.png", "reason": "unsupported file type .png"} in report["skipped_files"]
    assert report["skipped_records"] == []


def test_an_archive_s_skipped_pages_are_counted_by_reason(tmp_path):
    corpus = tmp_path / "berita"
    corpus.mkdir()
    html = "text/html; charset=utf-8"
    write_warc(corpus / "a.warc.gz", [("https://kabar.example/read/jembatan", "200 OK", ARTICLE.encode(), html),
                                      ("https://kabar.example/hilang", "404 Not Found", b"<p>x</p>", html),
                                      ("https://kabar.example/lagi", "404 Not Found", b"<p>x</p>", html)])
    write_warc(corpus / "b.warc.gz", [("https://kabar.example/foto.png", "200 OK", b"\x89PNG", "image/png"),
                                      ("https://kabar.example/hapus", "404 Not Found", b"<p>x</p>", html)])
    done = cari("index", corpus, "--index", tmp_path / "ix")
    assert done.returncode == 0, done.stderr
    assert sorted(said(done)) == [
        "skipped: HTTP status 404: 3 records in a.warc.gz, b.warc.gz",
        "skipped: no article page in the archive (2 responses skipped): 1 file: b.warc.gz",
        "skipped: not HTML (image/png): 1 record in b.warc.gz",
    ]
    assert "indexed 1 articles" in done.stdout


# -- bug 1: an index inside the corpus folder ---------------------------------------
def test_an_index_inside_the_corpus_is_never_read_nor_mentioned(tmp_path):
    corpus = tmp_path / "berita"
    write_jsonl(corpus / "berita.jsonl", [news(1, "Banjir Rob Jakarta", "Banjir rob merendam pesisir."),
                                          news(2, "Gempa Cianjur", "Gempa mengguncang Cianjur.")])
    (corpus / "jembatan.html.gz").write_bytes(gzip.compress(ARTICLE.encode()))
    write_warc(corpus / "arsip.warc.gz", [("https://kabar.example/read/jembatan", "200 OK", ARTICLE.encode(),
                                           "text/html")])
    elsewhere = tmp_path / "ix"
    done = cari("index", corpus, "--index", elsewhere)
    assert done.returncode == 0 and said(done) == [], done.stderr
    expected = documents(elsewhere)
    assert expected == 4

    inside = corpus / ".index"
    for run in ("first", "second"):
        done = cari("index", corpus, "--index", inside)
        assert done.returncode == 0, (run, done.stderr)
        assert said(done) == [], (run, done.stderr)
        assert "skipped 0, failed 0" in done.stdout, (run, done.stdout)
        assert documents(inside) == expected, run
    assert "unchanged 3" in done.stdout


def test_a_reason_shared_by_every_file_of_its_kind_is_shown_whole():
    from search.cli import skip_lines
    from search.indexing.report import IndexReport

    report = IndexReport(skipped_files=[
        ("a.html", "front/index page: no dated headline, 0 characters of prose"),
        ("b.html", "front/index page: no dated headline, 0 characters of prose"),
        ("c.html", "no article text found in page: its main block is a list of links"),
        ("d.html", "no article text found in page: no block of prose (its text is links, menus or scripts)"),
    ])
    assert skip_lines(report) == [
        "skipped: front/index page: no dated headline, 0 characters of prose: 2 files: a.html, b.html",
        "skipped: no article text found in page: 2 files: c.html, d.html",
    ]
    assert skip_lines(report, verbose=True)[1] == (
        "skipped: no article text found in page: 2 files: c.html (its main block is a list of links), "
        "d.html (no block of prose (its text is links, menus or scripts))")
