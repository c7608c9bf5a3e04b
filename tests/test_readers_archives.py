"""Archives as they come: gzip-compressed files of every kind and web archives
(WARC), read, indexed and re-indexed incrementally.

Every archive here is written by the test itself (the gzip module, warcio's
WARCWriter), from small pages written for these tests.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from search.indexing.indexer import index_corpus
from search.readers import extract, kind_of, read_file
from search.readers.archives import GZIP_MAX_RATIO, MAX_DECOMPRESSED_BYTES

from conftest import ROOT, news

BRIDGE = ("Pemerintah kota meresmikan jembatan baru di atas Sungai Ciliwung setelah pembangunan "
          "selama dua tahun, kata wali kota kepada wartawan di lokasi peresmian pada pagi hari.")
MARKET = ("Pedagang pasar menyambut baik jembatan itu karena jarak tempuh menjadi lebih pendek, "
          "sementara warga berharap lampu jalan segera dipasang sebelum musim hujan tiba.")
FLOOD = ("Banjir rob kembali merendam permukiman di pesisir utara Jakarta sejak dini hari, "
         "memaksa ratusan warga mengungsi ke masjid dan balai warga terdekat menurut petugas.")
FLOOD_2 = ("Petugas pemadam kebakaran mengerahkan pompa untuk menyedot genangan, sementara dinas sosial "
           "membuka dapur umum bagi warga yang rumahnya masih terendam hingga siang hari.")
FIRE = ("Kebakaran melanda pasar tradisional di Bandung pada malam hari dan menghanguskan puluhan kios "
        "pedagang sayur, kata kepala dinas pemadam kebakaran kota kepada wartawan setempat.")
FIRE_2 = ("Api baru dapat dipadamkan setelah tiga jam oleh belasan mobil pemadam, dan polisi masih "
          "menyelidiki penyebab kebakaran yang diduga berasal dari hubungan arus pendek listrik.")


def article_page(title: str, *paragraphs: str, date: str | None = None) -> str:
    """A small article page; with no ``date`` it shows none of its own."""
    meta = f'<meta property="article:published_time" content="{date}">' if date else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="og:type" content="article">{meta}</head>'
            f"<body><article><h1>{title}</h1>{body}</article></body></html>")


FRONT_PAGE = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Beranda - Kabar</title>'
              '<meta property="og:type" content="website"></head><body><ul>'
              + "".join(f'<li><a href="/berita/{n}">Judul berita nomor {n} hari ini</a></li>' for n in range(12))
              + "</ul></body></html>")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def response(uri: str, body: str | bytes, status: str = "200 OK", kind: str = "text/html; charset=utf-8",
             fetched: str = "2024-03-08T03:15:00Z") -> dict:
    return {"uri": uri, "body": body.encode("utf-8") if isinstance(body, str) else body,
            "status": status, "kind": kind, "fetched": fetched}


def write_warc(path: Path, records: list[dict], compress: bool | None = None) -> Path:
    """A WARC of response records (each with its request, as crawlers write them)."""
    compress = path.name.endswith(".gz") if compress is None else compress
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=compress)
        for rec in records:
            request = StatusAndHeaders(f"GET {rec['uri']} HTTP/1.1", [("Host", "kabar.example")],
                                       is_http_request=True)
            writer.write_record(writer.create_warc_record(
                rec["uri"], "request", http_headers=request,
                warc_headers_dict={"WARC-Date": rec["fetched"]}))
            headers = StatusAndHeaders(rec["status"], [("Content-Type", rec["kind"])], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                rec["uri"], "response", payload=io.BytesIO(rec["body"]), http_headers=headers,
                warc_headers_dict={"WARC-Date": rec["fetched"]}))
    return path


def four_responses() -> list[dict]:
    """One article (200), one 404, one image, one HTML page that is no article."""
    return [
        response("https://kabar.example/read/2024/03/08/jembatan-baru", article_page("Jembatan Baru Diresmikan",
                 BRIDGE, MARKET)),
        response("https://kabar.example/read/hilang", "<html><body><p>Tidak ditemukan</p></body></html>",
                 status="404 Not Found"),
        response("https://kabar.example/foto/jembatan.png", PNG, kind="image/png"),
        response("https://kabar.example/", FRONT_PAGE),
    ]


def search_hits(index: Path, query: str) -> list[dict]:
    from search.retrieval.engine import Engine

    with Engine(index) as engine:
        return [{"id": h.id, "title": h.title, "url": h.url, "date": h.date}
                for h in engine.search(query).hits]


def write_gz(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data.encode("utf-8") if isinstance(data, str) else data))
    return path


def jsonl_text(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


# -- which reader ------------------------------------------------------------------
def test_the_kind_of_a_compressed_file_is_the_kind_inside():
    assert kind_of("berita/page.HTML.gz") == ".html.gz"
    assert kind_of("crawl-00001.warc.gz") == ".warc.gz"
    assert kind_of("2024.03.08.jsonl.gz") == ".jsonl.gz"
    assert kind_of("laporan 1.5.txt") == ".txt"
    assert kind_of("cadangan.tar.gz") == ".tar.gz"
    assert kind_of("README") == ""


# -- gzip --------------------------------------------------------------------------
def test_each_kind_reads_the_same_compressed(tmp_path):
    page = article_page("Jembatan Baru Diresmikan", BRIDGE, MARKET, date="2024-03-04T10:15:00+07:00")
    records = [news(1, "Banjir Rob Jakarta", FLOOD), news(2, "Kebakaran Pasar Bandung", FIRE)]
    story = f"Kebakaran Pasar Bandung\n\n{FIRE}\n\n{FIRE_2}\n"
    for name, data in [("page.html", page), ("records.jsonl", jsonl_text(records)),
                       ("story.txt", story), ("x.json", json.dumps(records[0]))]:
        plain = tmp_path / "plain" / name
        plain.parent.mkdir(exist_ok=True)
        plain.write_text(data, "utf-8")
        packed = write_gz(tmp_path / "packed" / f"{name}.gz", data)
        expected, got = read_file(plain, plain.parent), read_file(packed, packed.parent)
        assert not got.errors and got.skipped is None, (name, got)
        assert [(a.title, a.body, a.date) for a in got.articles] == \
               [(a.title, a.body, a.date) for a in expected.articles], name
        assert got.articles


def test_html_gz_and_jsonl_gz_are_indexed_and_searchable(tmp_path):
    corpus = tmp_path / "berita"
    write_gz(corpus / "jembatan.html.gz", article_page("Jembatan Baru Diresmikan", BRIDGE, MARKET))
    write_gz(corpus / "arsip" / "2024-03.jsonl.gz",
             jsonl_text([news(1, "Banjir Rob Jakarta", FLOOD), news(2, "Kebakaran Pasar Bandung", FIRE)]))
    report = index_corpus(corpus, tmp_path / "ix")
    assert report.errors == [] and report.skipped_files == []
    assert report.added == 2 and report.doc_count == 3
    assert [h["title"] for h in search_hits(tmp_path / "ix", "jembatan ciliwung")] == ["Jembatan Baru Diresmikan"]
    assert [h["id"] for h in search_hits(tmp_path / "ix", "banjir rob")] == ["t-001"]
    assert [h["id"] for h in search_hits(tmp_path / "ix", "kebakaran pasar")] == ["t-002"]


def test_a_corrupt_gzip_is_reported_and_skipped_and_the_rest_indexed(tmp_path):
    corpus = tmp_path / "berita"
    write_gz(corpus / "jembatan.html.gz", article_page("Jembatan Baru Diresmikan", BRIDGE, MARKET))
    (corpus / "rusak.html.gz").write_bytes(b"bukan gzip sama sekali")
    cut = gzip.compress(article_page("Banjir Rob Jakarta", FLOOD, FLOOD_2).encode())
    (corpus / "terpotong.html.gz").write_bytes(cut[: len(cut) // 2])
    report = index_corpus(corpus, tmp_path / "ix")
    errors = dict(report.errors)
    assert set(errors) == {"rusak.html.gz", "terpotong.html.gz"}
    assert errors["rusak.html.gz"].startswith("corrupt gzip file: Not a gzipped file")
    assert errors["terpotong.html.gz"] == "corrupt gzip file: the data ends early (a cut-off download?)"
    assert report.failed == 2 and report.added == 1 and report.doc_count == 1


def test_a_cut_jsonl_gz_keeps_the_records_before_the_damage(tmp_path):
    records = [news(i, f"Berita nomor {i}", f"{FLOOD} Nomor {i}.") for i in range(1, 200)]
    data = gzip.compress(jsonl_text(records).encode())
    path = tmp_path / "arsip.jsonl.gz"
    path.write_bytes(data[: len(data) * 3 // 4])
    result = read_file(path, tmp_path)
    assert 0 < len(result.articles) < len(records)
    assert [a.id for a in result.articles] == [r["id"] for r in records[: len(result.articles)]]
    [error] = result.errors
    assert error.startswith("corrupt gzip data after ") and "the data ends early" in error


def test_a_gzip_bomb_is_refused_with_the_reason_in_bounded_memory(tmp_path):
    # A page: read whole, so capped like a plain page.
    bomb = tmp_path / "bom.html.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as out:
        chunk = b"<p>" + b"a" * (1 << 20)
        for _ in range(MAX_DECOMPRESSED_BYTES // len(chunk) + 2):
            out.write(chunk)
    assert bomb.stat().st_size < 100_000
    result = read_file(bomb, tmp_path)
    assert result.articles == []
    assert result.errors == ["decompressed size over 20 MB (the limit for one .html file)"]
    # Records: streamed, so capped by the compression ratio; the records before the cap are kept.
    stream = tmp_path / "bom.jsonl.gz"
    with gzip.open(stream, "wb", compresslevel=9) as out:
        out.write(jsonl_text([news(1, "Banjir Rob Jakarta", FLOOD)]).encode())
        blank = b" " * (1 << 20) + b"\n"
        for _ in range(MAX_DECOMPRESSED_BYTES // len(blank) + 2):
            out.write(blank)
    assert GZIP_MAX_RATIO * stream.stat().st_size < MAX_DECOMPRESSED_BYTES
    result = read_file(stream, tmp_path)
    assert [a.id for a in result.articles] == ["t-001"]
    assert result.errors == ["decompressed data over 20 MB (100x the file's size): the rest is not read"]


def test_an_empty_gzip_is_skipped_as_empty(tmp_path):
    result = read_file(write_gz(tmp_path / "kosong.json.gz", b""), tmp_path)
    assert result.articles == [] and result.errors == []
    assert result.skipped == "empty file (0 bytes once decompressed)"


# -- WARC --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["crawl.warc.gz", "crawl.warc"])
def test_a_warc_yields_its_html_200_articles_and_counts_the_rest(tmp_path, name):
    path = write_warc(tmp_path / name, four_responses())
    result = read_file(path, tmp_path)
    assert result.errors == [] and result.skipped is None
    [article] = result.articles
    assert article.title == "Jembatan Baru Diresmikan"
    assert article.body == f"{BRIDGE}\n\n{MARKET}"
    assert article.url == "https://kabar.example/read/2024/03/08/jembatan-baru"
    assert article.date == datetime(2024, 3, 8, 3, 15, tzinfo=timezone.utc)
    assert article.path == name
    assert dict(result.skipped_records) == {"HTTP status 404": 1, "not HTML (image/png)": 1,
                                            "front/index page": 1}


def test_a_page_date_wins_over_the_fetch_date(tmp_path):
    page = article_page("Banjir Rob Jakarta", FLOOD, FLOOD_2, date="2024-03-01T07:30:00+07:00")
    path = write_warc(tmp_path / "c.warc.gz", [response("https://kabar.example/read/banjir", page)])
    [article] = read_file(path, tmp_path).articles
    assert article.date.isoformat() == "2024-03-01T07:30:00+07:00"


def test_the_charset_of_the_http_response_reads_a_page_that_declares_none(tmp_path):
    # A Windows-1251 page with no <meta charset>: only the response's header says
    # how to read it (read byte by byte as Western, it would come out garbled).
    title, text = "Пожар на рынке", "Пожар на рынке в Бандунге уничтожил десятки киосков торговцев овощами. " * 3
    page = (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"<p>{text}</p><p>{text}</p></article></body></html>").encode("cp1251")
    path = write_warc(tmp_path / "ru.warc.gz", [response("https://kabar.example/ru/pozhar", page,
                                                         kind="text/html; charset=windows-1251")])
    [article] = read_file(path, tmp_path).articles
    assert article.title == title
    assert article.body.startswith("Пожар на рынке в Бандунге")


def test_warc_article_ids_are_stable_and_one_per_page(tmp_path):
    pages = [response(f"https://kabar.example/read/{n}", article_page(title, text, more))
             for n, (title, text, more) in enumerate([("Jembatan Baru Diresmikan", BRIDGE, MARKET),
                                                      ("Banjir Rob Jakarta", FLOOD, FLOOD_2),
                                                      ("Kebakaran Pasar Bandung", FIRE, FIRE_2)])]
    first = read_file(write_warc(tmp_path / "a" / "c.warc.gz", pages), tmp_path / "a").articles
    again = read_file(write_warc(tmp_path / "b" / "c.warc.gz", pages[::-1]), tmp_path / "b").articles
    assert len({a.id for a in first}) == 3
    assert {a.url: a.id for a in first} == {a.url: a.id for a in again}


def test_the_same_url_twice_in_one_warc_is_read_once(tmp_path):
    page = response("https://kabar.example/read/banjir", article_page("Banjir Rob Jakarta", FLOOD, FLOOD_2))
    result = read_file(write_warc(tmp_path / "c.warc.gz", [page, page]), tmp_path)
    assert len(result.articles) == 1
    assert dict(result.skipped_records) == {"same URL as an earlier record in the archive": 1}


def test_a_warc_of_no_articles_is_skipped_with_the_count(tmp_path):
    records = four_responses()[1:]
    result = read_file(write_warc(tmp_path / "c.warc.gz", records), tmp_path)
    assert result.articles == [] and result.errors == []
    assert result.skipped == "no article page in the archive (3 responses skipped)"


def test_a_damaged_warc_keeps_the_pages_before_the_damage(tmp_path):
    pages = [response(f"https://kabar.example/read/{n}", article_page(title, text, more))
             for n, (title, text, more) in enumerate([("Banjir Rob Jakarta", FLOOD, FLOOD_2),
                                                      ("Kebakaran Pasar Bandung", FIRE, FIRE_2)])]
    good = write_warc(tmp_path / "baik.warc.gz", pages[:1]).read_bytes()
    whole = write_warc(tmp_path / "x.warc.gz", pages).read_bytes()
    damaged = tmp_path / "rusak.warc.gz"
    damaged.write_bytes(whole[: len(good) + 200])   # the second page's records cut short
    result = read_file(damaged, tmp_path)
    assert [a.title for a in result.articles] == ["Banjir Rob Jakarta"]
    assert len(result.errors) == 1 and result.errors[0].startswith("damaged WARC after 1 responses: ")
    not_warc = tmp_path / "bukan.warc"
    not_warc.write_text("ini bukan arsip web\n", "utf-8")
    result = read_file(not_warc, tmp_path)
    assert result.articles == [] and result.errors[0].startswith("not a readable WARC at the start")


def test_what_warcio_finds_wrong_is_this_file_s_error_not_raw_output(tmp_path, capfd):
    pages = [response(f"https://kabar.example/read/{n}", article_page(title, text, more))
             for n, (title, text, more) in enumerate([("Banjir Rob Jakarta", FLOOD, FLOOD_2),
                                                      ("Kebakaran Pasar Bandung", FIRE, FIRE_2)])]
    data = write_warc(tmp_path / "x.warc", pages).read_bytes()
    lengths = sorted({line for line in data.split(b"\r\n") if line.startswith(b"Content-Length: ")})
    wrong = tmp_path / "panjang-salah.warc"
    wrong.write_bytes(data.replace(lengths[-1], lengths[-1][:-1] + b"0", 1))   # one record's length off
    result = read_file(wrong, tmp_path)
    assert result.articles and result.errors
    assert result.errors[-1].startswith("damaged WARC: WARNING: Record not followed by newline")
    assert capfd.readouterr().err == ""


def test_a_warc_is_one_unit_for_incremental_runs(tmp_path):
    corpus, ix = tmp_path / "berita", tmp_path / "ix"
    pages = [response(f"https://kabar.example/read/{n}", article_page(title, text, more))
             for n, (title, text, more) in enumerate([("Jembatan Baru Diresmikan", BRIDGE, MARKET),
                                                      ("Banjir Rob Jakarta", FLOOD, FLOOD_2),
                                                      ("Kebakaran Pasar Bandung", FIRE, FIRE_2)])]
    write_warc(corpus / "crawl.warc.gz", pages + four_responses()[1:])
    first = index_corpus(corpus, ix)
    assert first.added == 1 and first.articles == 3 and first.doc_count == 3
    assert sorted(first.skipped_records) == [("crawl.warc.gz", "HTTP status 404", 1),
                                             ("crawl.warc.gz", "front/index page", 1),
                                             ("crawl.warc.gz", "not HTML (image/png)", 1)]
    # Unchanged: nothing is read again.
    again = index_corpus(corpus, ix)
    assert (again.unchanged, again.updated, again.added, again.articles) == (1, 0, 0, 0)
    assert again.skipped_records == [] and again.doc_count == 3
    # Rewritten with one page fewer: that page's article goes, the others stay.
    write_warc(corpus / "crawl.warc.gz", [pages[0], pages[2]])
    os.utime(corpus / "crawl.warc.gz", ns=(1, 1))   # a different stamp even on a coarse clock
    third = index_corpus(corpus, ix)
    assert third.updated == 1 and third.articles == 2 and third.doc_count == 2
    assert search_hits(ix, "banjir rob") == []
    assert [h["title"] for h in search_hits(ix, "kebakaran pasar")] == ["Kebakaran Pasar Bandung"]
    # Removed: all of its articles go.
    (corpus / "crawl.warc.gz").unlink()
    assert index_corpus(corpus, ix).doc_count == 0


def test_extract_reads_a_warc_page_by_page(tmp_path):
    path = write_warc(tmp_path / "c.warc.gz", four_responses())
    result = extract(path)
    assert [a.url for a in result.articles] == ["https://kabar.example/read/2024/03/08/jembatan-baru"]


# -- through the real command line --------------------------------------------------
def cari(*args):
    return subprocess.run([sys.executable, "-m", "search", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.integration
def test_warc_url_and_fetch_date_show_in_search_json(tmp_path):
    corpus, ix = tmp_path / "berita", tmp_path / "ix"
    write_warc(corpus / "crawl.warc.gz", four_responses())
    done = cari("index", corpus, "--index", ix, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["articles"] == 1 and report["errors"] == []
    assert sorted((r["reason"], r["count"]) for r in report["skipped_records"]) == [
        ("HTTP status 404", 1), ("front/index page", 1), ("not HTML (image/png)", 1)]
    found = cari("search", "jembatan", "--index", ix, "--json")
    assert found.returncode == 0, found.stderr
    [hit] = json.loads(found.stdout)["hits"]
    assert hit["url"] == "https://kabar.example/read/2024/03/08/jembatan-baru"
    # Stored in WIB (UTC+7), as every date in the index: 03:15 UTC is 10:15 WIB.
    assert hit["date"].startswith("2024-03-08T10:15")


@pytest.mark.integration
def test_extract_prints_each_warc_page_and_the_skipped_records(tmp_path):
    path = write_warc(tmp_path / "c.warc.gz", four_responses())
    done = cari("extract", path)
    assert done.returncode == 0, done.stderr
    assert "title:    Jembatan Baru Diresmikan" in done.stdout
    assert "url:      https://kabar.example/read/2024/03/08/jembatan-baru" in done.stdout
    assert "skipped records: 1 HTTP status 404" in done.stdout
    data = json.loads(cari("extract", path, "--json").stdout)
    assert [a["title"] for a in data["articles"]] == ["Jembatan Baru Diresmikan"]
    assert data["skipped_records"] == {"HTTP status 404": 1, "front/index page": 1, "not HTML (image/png)": 1}
