"""Issue #20, the indexing side: hostile input in the corpus folder costs a
bounded budget, leaks no file from outside it and stops no run.

Through the real `cari` command line (a subprocess on temporary folders),
with library-level checks where they say more.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, news, write_jsonl


def cari(*args):
    return subprocess.run([sys.executable, "-m", "search", *map(os.fsdecode, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def documents(index: Path) -> int:
    done = cari("stats", "--index", index, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["documents"]


def search(index: Path, query: str) -> dict:
    done = cari("search", query, "--index", index, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def lines(stream: str, start: str) -> list[str]:
    return [line for line in stream.splitlines() if line.startswith(start)]


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "berita"
    write_jsonl(folder / "banjir.jsonl", [news(1, "Banjir Rob Jakarta", "Banjir rob merendam pesisir.")])
    return folder


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder beside the corpus holding a file nobody meant to publish."""
    folder = tmp_path / "rahasia"
    folder.mkdir()
    (folder / "kunci.txt").write_text("Sandi rahasia\n\nkatasandi brankas zamrud tersimpan di sini.\n",
                                      "utf-8")
    write_jsonl(folder / "arsip" / "lama.jsonl", [news(7, "Arsip Lama Zamrud", "Arsip zamrud di luar.")])
    return folder


# -- 1. the corpus is a boundary ------------------------------------------------
@pytest.mark.integration
def test_link_to_etc_passwd_is_skipped_with_the_reason_and_not_searchable(corpus, tmp_path):
    passwd = Path("/etc/passwd")
    if not passwd.is_file():
        pytest.skip("no /etc/passwd on this system")
    (corpus / "passwd.txt").symlink_to(passwd)
    ix = tmp_path / "ix"
    done = cari("index", corpus, "--index", ix)
    assert done.returncode == 0, done.stderr
    assert "skipped: symbolic link to a file outside the corpus: 1 file: passwd.txt" in done.stderr
    assert documents(ix) == 1
    assert search(ix, "root")["total"] == 0
    assert search(ix, "nologin")["total"] == 0


@pytest.mark.integration
def test_links_outside_are_followed_only_with_follow_symlinks(corpus, outside, tmp_path):
    (corpus / "kunci.txt").symlink_to(outside / "kunci.txt")
    (corpus / "arsip").symlink_to(outside / "arsip", target_is_directory=True)
    ix = tmp_path / "ix"
    done = cari("index", corpus, "--index", ix)
    assert done.returncode == 0, done.stderr
    assert "skipped: symbolic link to a file outside the corpus: 1 file: kunci.txt" in done.stderr
    assert "skipped: symbolic link to a directory outside the corpus: 1 file: arsip" in done.stderr
    assert documents(ix) == 1 and search(ix, "zamrud")["total"] == 0

    # The owner of the corpus asks for it: both land, and the next plain run
    # takes them out again.
    done = cari("index", corpus, "--index", ix, "--follow-symlinks")
    assert done.returncode == 0, done.stderr
    assert "skipped:" not in done.stderr
    assert documents(ix) == 3 and search(ix, "zamrud")["total"] == 2
    done = cari("index", corpus, "--index", ix)
    assert "removed 2" in done.stdout
    assert documents(ix) == 1 and search(ix, "zamrud")["total"] == 0


@pytest.mark.integration
def test_links_inside_the_corpus_are_followed_once_and_loops_end(corpus, tmp_path):
    hidden = corpus / ".terpilih"
    write_jsonl(hidden / "pilihan.jsonl", [news(2, "Gempa Cianjur", "Gempa mengguncang Cianjur.")])
    (corpus / "pilihan").symlink_to(hidden, target_is_directory=True)      # inside: followed
    (corpus / "terbaru.jsonl").symlink_to(corpus / "banjir.jsonl")         # the same file again
    (corpus / "putar").symlink_to(corpus, target_is_directory=True)        # a loop
    (corpus / "pilihan-lagi").symlink_to(Path("pilihan"), target_is_directory=True)  # relative, chained
    ix = tmp_path / "ix"
    done = cari("index", corpus, "--index", ix, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == []
    skipped = {s["path"]: s["reason"] for s in report["skipped_files"]}
    assert skipped == {
        "terbaru.jsonl": "same file as banjir.jsonl",
        "putar": "symbolic link to a directory already read as .",
        "pilihan-lagi": "symbolic link to a directory already read as pilihan",
    }
    assert documents(ix) == 2
    assert [h["title"] for h in search(ix, "gempa")["hits"]] == ["Gempa Cianjur"]


@pytest.mark.integration
def test_a_link_swapped_in_later_is_caught_on_the_next_run(corpus, outside, tmp_path):
    ix = tmp_path / "ix"
    (corpus / "catatan.txt").write_text("Catatan\n\nCatatan redaksi hari ini.\n", "utf-8")
    assert cari("index", corpus, "--index", ix).returncode == 0
    assert documents(ix) == 2
    (corpus / "catatan.txt").unlink()
    (corpus / "catatan.txt").symlink_to(outside / "kunci.txt")
    done = cari("index", corpus, "--index", ix)
    assert "skipped: symbolic link to a file outside the corpus: 1 file: catatan.txt" in done.stderr
    assert documents(ix) == 1 and search(ix, "zamrud")["total"] == 0


# -- 2. file names: never stop the run, never forge a line ------------------------
BAD_NAME = b"bad\xffname.jsonl"


@pytest.mark.integration
def test_a_name_that_is_not_utf8_is_skipped_and_the_rest_lands(corpus, tmp_path):
    raw = os.fsencode(corpus)
    with open(raw + b"/" + BAD_NAME, "wb") as handle:
        handle.write(json.dumps(news(3, "Kebakaran Hutan", "Kebakaran hutan di Riau.")).encode() + b"\n")
    ix = tmp_path / "ix"
    done = cari("index", corpus, "--index", ix)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert r"skipped: file name is not valid UTF-8; rename it to index it: 1 file: bad\xffname.jsonl" in done.stderr
    assert documents(ix) == 1 and search(ix, "banjir")["total"] == 1

    # Incrementally: the new files beside it land too.
    write_jsonl(corpus / "gempa.jsonl", [news(4, "Gempa Cianjur", "Gempa mengguncang Cianjur.")])
    os.mkdir(raw + b"/dir\xfe")
    done = cari("index", corpus, "--index", ix, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["added"] == 1 and report["doc_count"] == 2
    assert {s["path"] for s in report["skipped_files"]} == {r"bad\xffname.jsonl", r"dir\xfe"}


@pytest.mark.integration
def test_report_lines_escape_control_characters_in_names(corpus, tmp_path):
    forged = "x\nerror: forged.json"
    (corpus / forged).write_text("{tidak lengkap", "utf-8")
    (corpus / "cr\rtab\tesc\x1b[31m.json").write_text("{tidak lengkap", "utf-8")
    (corpus / "gnp.\u202etxt.json").write_text("{tidak lengkap", "utf-8")
    (corpus / "lari\n.exe").write_text("bukan berita", "utf-8")
    ix = tmp_path / "ix"
    done = cari("index", corpus, "--index", ix)
    assert done.returncode == 1
    errors = lines(done.stderr, "error:")
    assert len(errors) == 3, done.stderr
    assert r"error: x\nerror: forged.json: invalid JSON" in done.stderr
    assert r"error: cr\rtab\tesc\x1b[31m.json: invalid JSON" in done.stderr
    assert r"error: gnp.\u202etxt.json: invalid JSON" in done.stderr
    assert not any(ch in done.stderr for ch in "\r\t\x1b\u202e")
    assert "forged.json" not in "".join(line for line in done.stderr.splitlines()
                                        if not line.startswith("error: x\\n"))
    assert documents(ix) == 1


# -- 3. a deep line costs that line only --------------------------------------------
@pytest.mark.integration
def test_a_line_nested_50000_deep_is_reported_and_its_neighbours_kept(tmp_path):
    corpus = tmp_path / "berita"
    corpus.mkdir()
    deep = '{"title": "Dalam", "body": ' + "[" * 50000 + "]" * 50000 + "}"
    (corpus / "campur.jsonl").write_text("\n".join([
        json.dumps(news(1, "Banjir Rob Jakarta", "Banjir rob merendam pesisir.")),
        deep,
        json.dumps(news(2, "Gempa Cianjur", "Gempa mengguncang Cianjur.")),
    ]) + "\n", "utf-8")
    (corpus / "dalam.json").write_text("[" * 50000 + "]" * 50000, "utf-8")
    ix = tmp_path / "ix"
    done = cari("index", corpus, "--index", ix)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "RecursionError" not in done.stderr
    assert "error: campur.jsonl: line 2: invalid JSON (nested deeper than 64 levels), skipped" in done.stderr
    assert "error: dalam.json: invalid JSON (nested deeper than 64 levels)" in done.stderr
    assert documents(ix) == 2
    assert search(ix, "banjir")["total"] == 1 and search(ix, "gempa")["total"] == 1


def test_depth_limit_in_the_reader():
    from search.readers.jsonl import MAX_JSON_DEPTH, parse, too_deep

    assert parse('{"title": "x", "body": ["a", "b"]}')["body"] == ["a", "b"]
    assert not too_deep(json.loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH))
    for depth in (MAX_JSON_DEPTH + 1, 900, 100000):
        with pytest.raises(ValueError, match="nested deeper"):
            parse("[" * depth + "]" * depth)


# -- 4. only http(s) URLs are links -------------------------------------------------
@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "file:///etc/passwd", "vbscript:msgbox",
    "//evil.example/x", "http://", "https:///x", "http://[::1", "berita.example/x",
])
def test_a_url_that_is_not_http_is_not_kept(url):
    from search.readers.jsonl import from_record

    article, _ = from_record({"title": "Judul", "body": "Isi.", "url": url}, "x.jsonl", 0)
    assert article.url == ""


@pytest.mark.parametrize("url", ["https://news.detik.com/berita/1", "HTTP://kompas.example/a?b=1#c"])
def test_an_http_url_is_kept(url):
    from search.readers.jsonl import from_record

    article, _ = from_record({"title": "Judul", "body": "Isi.", "url": url}, "x.jsonl", 0)
    assert article.url == url


@pytest.mark.integration
def test_a_javascript_url_is_never_served(tmp_path):
    corpus = tmp_path / "berita"
    write_jsonl(corpus / "x.jsonl", [
        news(1, "Banjir Rob Jakarta", "Banjir rob merendam pesisir.", url="javascript:alert(1)"),
        news(2, "Banjir Bandang Garut", "Banjir bandang di Garut.", url="https://garut.example/banjir"),
    ])
    ix = tmp_path / "ix"
    assert cari("index", corpus, "--index", ix).returncode == 0
    urls = {hit["id"]: hit["url"] for hit in search(ix, "banjir")["hits"]}
    assert not urls["t-001"] and urls["t-002"] == "https://garut.example/banjir"
    extracted = cari("extract", corpus / "x.jsonl", "--json")
    assert [a["url"] for a in json.loads(extracted.stdout)["articles"]] == [
        "", "https://garut.example/banjir"]


# -- the indexer never reads an index -------------------------------------------------
@pytest.mark.integration
@pytest.mark.parametrize("name", ["idx", ".index"])
def test_an_index_inside_the_corpus_is_never_read(corpus, name):
    ix = corpus / name
    for args in ((), (), ("--rebuild",), ("--rebuild",), ()):
        done = cari("index", corpus, "--index", ix, "--json", *args)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert report["errors"] == [] and report["skipped_files"] == [], report
        assert report["doc_count"] == 1
    assert documents(ix) == 1


@pytest.mark.integration
def test_another_index_inside_the_corpus_is_skipped_silently(corpus, tmp_path):
    other = tmp_path / "lain"
    write_jsonl(other / "lain.jsonl", [news(9, "Berita Lain", "Berita lain sekali.")])
    assert cari("index", other, "--index", corpus / "salinan-indeks").returncode == 0
    assert cari("index", other, "--index", corpus / "generasi").returncode == 0
    assert cari("index", other, "--index", corpus / "generasi", "--rebuild").returncode == 0
    assert (corpus / "generasi" / "CURRENT").exists()
    ix = tmp_path / "ix"
    done = cari("index", corpus, "--index", ix, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["errors"] == [] and report["skipped_files"] == [], report
    assert report["doc_count"] == 1


def test_walk_corpus_library_level(corpus, outside):
    from search.indexing.corpus import looks_like_index, walk_corpus
    from search.indexing.report import IndexReport

    (corpus / "kunci.txt").symlink_to(outside / "kunci.txt")
    report = IndexReport()
    assert [f.rel for f in walk_corpus(corpus, report)] == ["banjir.jsonl"]
    assert report.skipped_files == [("kunci.txt", "symbolic link to a file outside the corpus")]
    report = IndexReport()
    assert [f.rel for f in walk_corpus(corpus, report, follow_symlinks=True)] == [
        "banjir.jsonl", "kunci.txt"]
    assert looks_like_index(["_MAIN_3.toc", "MAIN_x.seg"]) and looks_like_index(["cari-meta.json"])
    assert looks_like_index(["CURRENT", "gen-20261125T193000-3fa9c1"])
    assert not looks_like_index(["CURRENT", "berita.txt"])
