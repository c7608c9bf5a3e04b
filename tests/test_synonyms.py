"""Synonyms (search/analysis/synonyms.py): cari's own list and the user's CARI_SYNONYMS
file, applied when a query is read, below the words as typed, reloaded when the file changes."""
from __future__ import annotations

import json
import os

import pytest

from conftest import index_of, news
from search.analysis import indonesian_analyzer
from search.analysis.synonyms import BUILTIN, Source, parse_rules
from search.retrieval.engine import Engine

STORIES = [
    news(1, "Demo mahasiswa di depan gedung DPR", "Ribuan mahasiswa menggelar demo menolak revisi undang-undang."),
    news(2, "Unjuk rasa mahasiswa berakhir ricuh", "Mahasiswa menggelar unjuk rasa hingga malam di Senayan."),
    news(3, "Demonstrasi mahasiswa di Makassar", "Demonstrasi mahasiswa di kampus berlangsung tertib."),
    news(4, "Harga kopi naik", "Petani kopi di Toraja menikmati harga yang baik."),
    news(5, "Korea Utara uji rudal lagi", "Pemerintah Korea Utara kembali menguji rudal balistik."),
    news(6, "Warga tewas tertimpa pohon", "Seorang warga tewas tertimpa pohon tumbang di Bogor."),
    news(7, "Warga wafat saat salat", "Seorang warga wafat ketika menunaikan salat di masjid."),
    news(8, "Kebun teh di Puncak", "Wisatawan mengunjungi kebun teh di kawasan Puncak."),
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    return index_of(tmp_path_factory, "synonyms", STORIES)


@pytest.fixture
def engine(index_dir, monkeypatch):
    monkeypatch.delenv("CARI_SYNONYMS", raising=False)
    with Engine(index_dir, result_cache_size=0) as eng:
        yield eng


def ids(results) -> list[str]:
    return [hit.id for hit in results.hits]


# -- the format -------------------------------------------------------------------------------


def test_lines_are_read_as_elasticsearch_and_solr_write_them():
    rules, problems = parse_rules(
        "# a comment\n"
        "demo, unjuk rasa , demonstrasi\n"
        "\n"
        "teh, kopi => minuman   # one way\n"
        "only one\n"
        "a => b => c\n"
        " => b\n", "mine.txt")
    assert [(r.sources, r.targets) for r in rules] == [
        (("demo", "unjuk rasa", "demonstrasi"), ("demo", "unjuk rasa", "demonstrasi")),
        (("teh", "kopi"), ("minuman",)),
    ]
    assert [p.split(":")[1] for p in problems] == ["5", "6", "7"]     # each skipped line is named
    assert all(p.startswith("mine.txt:") for p in problems)


def test_the_builtin_list_reads_without_a_problem():
    source = Source(environ={})
    table = source.synonyms(indonesian_analyzer())
    assert table.problems == []
    assert BUILTIN.read_text("utf-8").count("\n") > 100
    # Stems meet: the typed word's key is its analysed term.
    assert {e.text for e in table.lookup(("demo",))} >= {"unjuk rasa", "demonstrasi"}
    assert {e.text for e in table.lookup(("korea", "utara"))} == {"Korut"}


# -- built-in synonyms in a search ------------------------------------------------------------------


def test_a_synonym_finds_the_stories_that_use_another_word_and_ranks_them_below(engine):
    results = engine.search("demo mahasiswa")
    assert set(ids(results)) == {"t-001", "t-002", "t-003"}
    assert ids(results)[0] == "t-001"                  # the word as typed first
    assert engine.search("Korut").total == 1           # Korea Utara, a phrase
    assert ids(engine.search("warga tewas")) == ["t-006", "t-007"]   # wafat, below tewas


def test_a_run_of_typed_words_stands_for_its_synonym(engine):
    results = engine.search("unjuk rasa")
    assert set(ids(results)) == {"t-001", "t-002", "t-003"} and ids(results)[0] == "t-002"


def test_quoted_and_excluded_words_are_searched_as_typed(engine):
    assert ids(engine.search('"demo"')) == ["t-001"]
    assert set(ids(engine.search("mahasiswa -demo"))) == {"t-002", "t-003"}


def test_the_synonym_that_matched_is_marked_in_the_snippet(engine):
    results = engine.search("demo")
    snippet = {hit.id: hit.snippet for hit in results.hits}["t-003"]
    assert "<mark>Demonstrasi</mark>" in snippet
    assert "demonstrasi" in results.terms


# -- the user's file -------------------------------------------------------------------------------


def test_the_users_file_adds_synonyms_and_is_read_again_when_it_changes(engine, tmp_path, monkeypatch):
    mine = tmp_path / "sinonim.txt"
    mine.write_text("kahwa, kopi\n", "utf-8")
    monkeypatch.setenv("CARI_SYNONYMS", str(mine))
    assert ids(engine.search("kahwa")) == ["t-004"]
    assert ids(engine.search("demo")) and engine.search("demo").total == 3      # cari's own still apply

    mine.write_text("# now one way\nchai => teh\n", "utf-8")
    stat = mine.stat()
    os.utime(mine, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))     # a later edit
    assert engine.search("kahwa").total == 0                 # the old line is gone
    assert ids(engine.search("chai")) == ["t-008"]
    assert engine.search("teh").total == 1                   # one way: teh does not find chai's stories


def test_a_bad_users_file_loses_nothing_and_says_what_is_wrong(engine, tmp_path, monkeypatch, capsys):
    from search.cli import main

    mine = tmp_path / "sinonim.txt"
    mine.write_text("kahwa, kopi\njust one entry\n", "utf-8")
    monkeypatch.setenv("CARI_SYNONYMS", str(mine))
    assert ids(engine.search("kahwa")) == ["t-004"]          # the good line applies
    assert main(["analyze", "--query", "kahwa"]) == 0
    out, err = capsys.readouterr()
    assert "kahwa -> kopi" in out and "sinonim.txt:2" in err

    monkeypatch.setenv("CARI_SYNONYMS", str(tmp_path / "missing.txt"))
    assert engine.search("demo").total == 3                  # cari's own list stays in force
    assert main(["analyze", "--query", "--json", "demo"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert any("no such file" in p for p in shown["problems"])


# -- cari analyze --query ------------------------------------------------------------------------------


def test_analyze_query_shows_the_expansions_and_keeps_the_json_shape(capsys, monkeypatch):
    from search.cli import main

    monkeypatch.delenv("CARI_SYNONYMS", raising=False)
    assert main(["analyze", "--json", "Korut"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert set(plain) == {"text", "tokens"}
    assert main(["analyze", "--query", "--json", "Korut"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["tokens"] == plain["tokens"]
    assert shown["expansions"] == [{"typed": "Korut", "kind": "synonym", "text": "Korea Utara",
                                    "terms": [["korea"], ["utara"]], "phrase": True,
                                    "weight": shown["expansions"][0]["weight"]}]
    assert 0 < shown["expansions"][0]["weight"] < 1
    assert main(["analyze", "--query", "pilpres"]) == 0
    out = capsys.readouterr().out
    assert "pilpres -> \"" in out and "(synonym: pemilihan presiden, weight" in out     # a phrase


def test_a_changed_users_file_is_not_answered_from_the_result_cache(sample_index, tmp_path, monkeypatch):
    """A worker's result cache holds answers by index generation; the user's
    synonym file changes answers without one."""
    from search.retrieval.engine import Engine

    mine = tmp_path / "sinonim.txt"
    mine.write_text("# nothing yet\n", "utf-8")
    monkeypatch.setenv("CARI_SYNONYMS", str(mine))
    with Engine(sample_index, result_cache_size=100) as eng:
        before = eng.search("kahwa").total
        mine.write_text("kahwa, banjir\n", "utf-8")
        stat = mine.stat()
        os.utime(mine, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
        assert before == 0 and eng.search("kahwa").total > 0
