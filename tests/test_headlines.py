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
