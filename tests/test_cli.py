"""The real `cari` command line, run as a subprocess."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import CORPUS, ROOT, news, write_jsonl


def cari(*args, env=None):
    return subprocess.run([sys.executable, "-m", "search", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env=env)


@pytest.mark.integration
def test_index_search_stats_round_trip(tmp_path):
    corpus = tmp_path / "c"
    write_jsonl(corpus / "x.jsonl", [
        news(1, "Harga Cabai Melonjak di Pasar Induk", "Harga cabai rawit melonjak menjelang hari raya."),
        news(2, "Timnas Menang Tipis", "Tim nasional menang 1-0 atas Malaysia."),
    ])
    ix = tmp_path / "ix"
    done = cari("index", corpus, "--index", ix)
    assert done.returncode == 0, done.stderr
    assert "indexed 2 articles" in done.stdout

    found = cari("search", "harga cabai", "--index", ix, "--json")
    assert found.returncode == 0, found.stderr
    data = json.loads(found.stdout)
    assert data["total"] == 1 and data["hits"][0]["id"] == "t-001"
    assert "<mark" in data["hits"][0]["snippet"]
    assert set(data) >= {"total", "page", "per_page", "took_ms", "hits"}

    text = cari("search", "timnas", "--index", ix)
    assert "Timnas Menang Tipis" in text.stdout

    stats = json.loads(cari("stats", "--index", ix, "--json").stdout)
    assert stats["documents"] == 2 and stats["index_size_bytes"] > 0 and stats["last_indexed"]


@pytest.mark.integration
def test_index_reports_failures_in_exit_code(tmp_path):
    corpus = tmp_path / "c"
    write_jsonl(corpus / "x.jsonl", [news(1, "Satu", "Isi satu.")])
    (corpus / "rusak.json").write_text("{tidak lengkap", "utf-8")
    done = cari("index", corpus, "--index", tmp_path / "ix")
    assert done.returncode == 1
    assert "rusak.json" in done.stderr
    assert "indexed 1 articles" in done.stdout


@pytest.mark.integration
def test_search_without_index_says_how_to_build_one(tmp_path):
    done = cari("search", "banjir", "--index", tmp_path / "none")
    assert done.returncode == 1
    assert "cari index" in done.stderr


@pytest.mark.integration
def test_bad_query_is_a_usage_error(sample_index):
    done = cari("search", "   ", "--index", sample_index)
    assert done.returncode == 2
    assert "empty query" in done.stderr


@pytest.mark.integration
def test_index_reads_the_sample_corpus(tmp_path):
    done = cari("index", CORPUS, "--index", tmp_path / "ix", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["doc_count"] >= 30 and report["failed"] == 0


@pytest.mark.integration
def test_cari_index_env_variable(sample_index):
    import os

    env = dict(os.environ, CARI_INDEX=str(sample_index))
    done = cari("stats", "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["documents"] >= 30


@pytest.mark.integration
def test_analyze_and_extract(tmp_path):
    analyzed = json.loads(cari("analyze", "Banjir di Jakarta", "--json").stdout)
    tokens = analyzed["tokens"]
    assert [t["term"] for t in tokens if t["term"] == "banjir"] == ["banjir"]
    first = tokens[0]
    assert "Banjir di Jakarta"[first["start"]:first["end"]].lower() == "banjir"

    record = tmp_path / "satu.json"
    record.write_text(json.dumps(news(9, "Judul Uji", "Paragraf satu.\n\nParagraf dua.")), "utf-8")
    extracted = json.loads(cari("extract", record, "--json").stdout)
    assert extracted["articles"][0]["title"] == "Judul Uji"
    assert extracted["articles"][0]["body"] == "Paragraf satu.\n\nParagraf dua."


def test_internal_error_is_one_line_and_exit_1(sample_index, monkeypatch, capsys):
    """A bug in the search path reaches the user as one line, never a traceback."""
    import search.retrieval.facets
    from search.cli import main

    def broken(*args, **kwargs):
        raise IndexError("list index out of range")

    monkeypatch.setattr(search.retrieval.facets.ColumnView, "count", broken)
    monkeypatch.delenv("CARI_DEBUG", raising=False)
    assert main(["search", "banjir", "--index", str(sample_index)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("cari: internal error (IndexError: list index out of range)")


@pytest.mark.integration
def test_index_reports_articles_cut_to_the_body_limit(tmp_path):
    from search.article import MAX_BODY_CHARS

    corpus = tmp_path / "c"
    corpus.mkdir()
    paragraph = "Banjir besar melanda kota dan warga mengungsi ke tempat aman. " * 20
    (corpus / "besar.txt").write_text("Banjir Besar\n\n" + (paragraph + "\n\n") * 1200, "utf-8")
    done = cari("index", corpus, "--index", tmp_path / "ix")
    assert done.returncode == 0, done.stderr
    assert "note: besar.txt: article " in done.stderr and f"cut to {MAX_BODY_CHARS:,} characters" in done.stderr
    report = json.loads(cari("index", corpus, "--index", tmp_path / "ix2", "--json").stdout)
    assert [t["path"] for t in report["truncated"]] == ["besar.txt"]


def test_cari_errors_become_one_line_and_an_exit_code_in_main(tmp_path, capsys):
    """Commands raise cari's errors (search/errors.py); main() words them."""
    from search.cli import exit_code, main
    from search.errors import IndexerBusy, IndexNotFound, QueryError
    from search.settings import SettingError

    assert [exit_code(e("x")) for e in (QueryError, SettingError, IndexNotFound, IndexerBusy)] == [2, 2, 1, 1]
    assert main(["index", str(tmp_path / "nowhere"), "--index", str(tmp_path / "ix")]) == 1
    assert capsys.readouterr().err == f"cari: corpus directory not found: {tmp_path / 'nowhere'}\n"
    assert main(["stats", "--index", str(tmp_path / "none")]) == 1
    assert capsys.readouterr().err.startswith(f"cari: no index at {tmp_path / 'none'}")


@pytest.mark.integration
def test_a_bad_setting_stops_serve_with_one_line(sample_index):
    """`cari serve` checks every setting before it starts gunicorn."""
    import os

    env = dict(os.environ, CARI_THREADS="0")
    done = cari("serve", "--index", sample_index, env=env)
    assert done.returncode == 2
    assert done.stderr == "cari: CARI_THREADS must be at least 1, not 0\n"


def test_the_index_flag_defaults_to_the_setting(monkeypatch):
    from search.cli import build_parser

    monkeypatch.delenv("CARI_INDEX", raising=False)
    assert build_parser().parse_args(["stats"]).index == "index"
    monkeypatch.setenv("CARI_INDEX", "/srv/cari/index")
    assert build_parser().parse_args(["stats"]).index == "/srv/cari/index"
