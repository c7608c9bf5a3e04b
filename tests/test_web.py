"""Every route through Flask's test client, on an index of corpus/."""
from __future__ import annotations


def test_home_has_a_search_form(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<form' in html and 'name="q"' in html and 'action="/search"' in html


def test_search_page_lists_ranked_highlighted_results(client):
    page = client.get("/search?q=banjir")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "hasil" in html and "<mark" in html
    assert html.count('class="hit"') >= 2
    assert 'value="banjir"' in html


def test_search_page_bad_query_is_400_with_message(client):
    page = client.get("/search?q=" + "a" * 5000)
    assert page.status_code == 400
    assert "Kueri terlalu panjang" in page.get_data(as_text=True)


def test_search_page_paginates(client, engine):
    total = engine.search("indonesia", per_page=10).total
    assert total > 10, "the sample corpus should have more than ten articles about Indonesia"
    second = client.get("/search?q=indonesia&page=2").get_data(as_text=True)
    assert 'rel="prev"' in second


def test_article_page_highlights_query_terms(client, engine):
    hit = engine.search("banjir").hits[0]
    page = client.get(f"/article/{hit.id}?q=banjir")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert hit.title.split()[0] in html
    assert "<mark>" in html


def test_unknown_article_is_404(client):
    assert client.get("/article/tidak-ada").status_code == 404
    assert client.get("/article/../../etc/passwd").status_code == 404


def test_api_search_shape(client):
    data = client.get("/api/search?q=banjir&per_page=3").get_json()
    assert set(data) >= {"total", "page", "per_page", "took_ms", "hits"}
    assert data["per_page"] == 3 and len(data["hits"]) <= 3 and data["total"] >= 2
    hit = data["hits"][0]
    assert set(hit) >= {"id", "title", "url", "source", "date", "score", "snippet"}
    scores = [h["score"] for h in data["hits"]]
    assert scores == sorted(scores, reverse=True)


def test_api_bad_input_is_400_json(client):
    for url in ("/api/search?q=", "/api/search?q=banjir&page=x", "/api/search?q=banjir&per_page=1000"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.get_json()["error"]["message"]


def test_api_article_and_stats(client, engine):
    hit = engine.search("banjir").hits[0]
    article = client.get(f"/api/articles/{hit.id}").get_json()
    assert article["id"] == hit.id and article["body"]
    assert client.get("/api/articles/tidak-ada").status_code == 404
    stats = client.get("/api/stats").get_json()
    assert stats["documents"] >= 30 and "index" not in stats


def test_missing_index_is_503_not_500(tmp_path):
    from web import create_app

    app = create_app({"CARI_INDEX": str(tmp_path / "none"), "TESTING": True})
    c = app.test_client()
    assert c.get("/api/search?q=banjir").status_code == 503
    assert c.get("/search?q=banjir").status_code == 503


def test_pages_and_api_say_a_query_error_in_the_same_words(client):
    """One catalog (web/i18n.py): the API's error codes name its messages."""
    from web import errors, i18n

    assert all(i18n.has_message(key) for _, key in errors.ERRORS.values())
    api = client.get("/api/search?q=tanggal:2019-13", headers={"Accept-Language": "en"})
    said = api.get_json()["error"]["message"]
    assert api.status_code == 400 and said == i18n.translate("error_bad_date", "en")
    page = client.get("/search?q=tanggal:2019-13", headers={"Accept-Language": "en"})
    assert page.status_code == 400 and said in page.get_data(as_text=True)
    # The pages also take ?lang=; the API goes by Accept-Language alone.
    assert client.get("/api/search?q=tanggal:2019-13&lang=en").headers["Content-Language"] == "id"
