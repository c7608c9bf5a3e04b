"""Autocomplete suggests only what occurs: no pair of words never seen
together, no stopword, nothing for one letter (#19)."""
from __future__ import annotations

from conftest import news, write_jsonl

from search.analysis import STOPWORDS
from search.retrieval.engine import Engine


def small(tmp_path) -> Engine:
    from search.indexing.indexer import index_corpus

    body = "Asap tebal menyelimuti kota karena kebakaran lahan kepada warga."
    write_jsonl(tmp_path / "c" / "a.jsonl", [
        news(1, "Kabut asap menyelimuti Pekanbaru", body),
        news(2, "Pertemuan negara Asia di Jakarta", body),
        news(3, "Asal usul nama kota", body),
        news(4, "Kata Menteri soal kabut asap", body),
        news(5, "Karena hujan, kabut asap berkurang", body),
    ])
    index_corpus(tmp_path / "c", tmp_path / "ix")
    return Engine(tmp_path / "ix")


def test_after_a_word_only_what_follows_it_somewhere(tmp_path):
    with small(tmp_path) as engine:
        words = [s for s in engine.suggest("kabut as") if s.count(" ") == 1]
        assert words == ["kabut asap"]                 # never "kabut asia", "kabut asal"
        assert "asia" in engine.suggest("asi")         # alone, asia is a word


def test_one_letter_suggests_nothing_and_stopwords_are_never_suggested(tmp_path):
    with small(tmp_path) as engine:
        assert engine.suggest("k") == []
        found = engine.suggest("ka")
        assert found and not any(s in STOPWORDS for s in found)       # not "karena", "kata"
        assert "kabut" in found
        assert not any(s in STOPWORDS for s in engine.suggest("kep"))  # not "kepada"
