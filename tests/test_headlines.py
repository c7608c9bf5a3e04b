"""Autocomplete: the suggestions that are headlines come with the article they open (#19)."""
from __future__ import annotations


def test_a_headline_suggestion_names_its_article(client, engine):
    hit = engine.search("banjir rob").hits[0]
    typed = " ".join(hit.title.split()[:2]).lower()
    data = client.get("/api/suggest", query_string={"q": typed}).get_json()
    assert hit.title in data["suggestions"]
    assert {"title": hit.title, "id": hit.id} in data["articles"]
    opened = client.get(f"/article?id={hit.id}")
    assert opened.status_code == 200 and hit.title in opened.get_data(as_text=True)


def test_word_completions_are_no_articles(client):
    data = client.get("/api/suggest?q=banj").get_json()
    titles = {a["title"] for a in data["articles"]}
    assert "banjir" in data["suggestions"] and "banjir" not in titles
    assert all(len(t.split()) > 1 for t in titles)


def test_a_headline_is_found_in_any_case_and_spacing(engine):
    hit = engine.search("banjir rob").hits[0]
    typed = "  " + "   ".join(hit.title.upper().split()) + " "
    assert engine.article_titled(typed) == hit.id
    assert engine.article_titled(hit.title + " lagi") is None


def test_a_deleted_article_is_no_headline_and_the_first_of_two_is(tmp_path):
    from conftest import news, write_jsonl
    from search.indexing.indexer import index_corpus
    from search.retrieval.engine import Engine

    first = news(1, "Banjir Rob di Pantai Utara", "Air laut naik ke permukiman warga pesisir.")
    twin = news(2, "Banjir Rob di Pantai Utara", "Rob kembali menggenangi jalan di pesisir.")
    other = news(3, "Gempa Kecil di Sumbawa", "Gempa tidak menimbulkan kerusakan.")
    write_jsonl(tmp_path / "c" / "a.jsonl", [first, other])
    write_jsonl(tmp_path / "c" / "b.jsonl", [twin])
    index_corpus(tmp_path / "c", tmp_path / "ix")
    with Engine(tmp_path / "ix") as engine:
        assert engine.article_titled("banjir rob di pantai utara") == "t-001"
    write_jsonl(tmp_path / "c" / "a.jsonl", [other])           # the first one leaves the corpus
    index_corpus(tmp_path / "c", tmp_path / "ix")
    with Engine(tmp_path / "ix") as engine:
        assert engine.article_titled("Banjir Rob di Pantai Utara") == "t-002"
    (tmp_path / "c" / "b.jsonl").unlink()
    index_corpus(tmp_path / "c", tmp_path / "ix")
    with Engine(tmp_path / "ix") as engine:
        assert engine.article_titled("Banjir Rob di Pantai Utara") is None
        assert engine.article_titled("gempa kecil di sumbawa") == "t-003"
