"""Filters that say when they cannot work: /api/filters, month=, warnings (#19)."""
from __future__ import annotations


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_filters_lists_every_source_and_category_with_counts(client, engine):
    data = get(client, "/api/filters")
    total = engine.search("-zzzz", per_page=1).total
    assert sum(s["count"] for s in data["source"]) == total
    assert {"kabarnusa", "wartasiar"} <= {s["value"] for s in data["source"]}
    categories = {c["value"]: c for c in data["category"]}
    assert "olahraga" in categories and "bola" in categories["olahraga"]["labels"]


def test_a_category_label_finds_our_category(client):
    by_label = get(client, "/api/search?q=-zzzz&category=Sepak+Bola")
    by_name = get(client, "/api/search?q=-zzzz&category=olahraga")
    assert by_label["total"] == by_name["total"] > 0
    assert by_label["warnings"] == []
    assert all(h["category"] == "olahraga" for h in by_name["hits"])


def test_an_unknown_source_is_a_warning_with_the_valid_ones(client):
    data = get(client, "/api/search?q=banjir&source=kabarnus.com")
    assert data["total"] == 0
    (warning,) = data["warnings"]
    assert warning["code"] == "unknown_source" and warning["value"] == "kabarnus.com"
    assert warning["closest"][0] == "kabarnusa"
    assert "kabarnusa" in warning["valid"]
    assert warning["message"] == "Tidak ada sumber “kabarnus.com”."


def test_an_unknown_category_in_the_query_text_is_a_warning_in_english_when_asked(client):
    data = get(client, "/api/search?q=banjir+kategori:cuaca", **{"Accept-Language": "en"})
    (warning,) = data["warnings"]
    assert warning["code"] == "unknown_category" and warning["message"].startswith("There is no category")


def test_unknown_parameters_are_a_400_that_names_them(client):
    response = client.get("/api/search?q=banjir&sumber=kabarnusa&bulan=2019-09")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "unknown_parameter"
    assert error["names"] == ["bulan", "sumber"]
    assert "bulan, sumber" in error["message"] and "source" in error["message"]


def test_unknown_parameters_follow_accept_language(client):
    english = client.get("/api/suggest?q=banj&lmit=3", headers={"Accept-Language": "en"})
    assert english.status_code == 400 and english.headers["Content-Language"] == "en"
    assert english.get_json()["error"]["message"] == "Unknown parameter: lmit. Known: limit, q."
    indonesian = client.get("/api/articles?id=x&lang=en")
    assert indonesian.status_code == 400 and indonesian.headers["Content-Language"] == "id"
    assert indonesian.get_json()["error"] == {
        "code": "unknown_parameter", "names": ["lang"],
        "message": "Parameter tidak dikenal: lang. Yang dikenal: id."}


def test_many_unknown_parameters_are_named_within_bounds(client):
    query = "&".join(f"{'x' * 150}{i:02d}=1" for i in range(30))
    error = client.get("/api/search?q=banjir&" + query).get_json()["error"]
    assert len(error["names"]) == 10 and all(len(name) == 100 for name in error["names"])


def test_month_is_the_pages_month_filter(client):
    every = get(client, "/api/search?q=-zzzz&per_page=100")
    month = every["facets"]["month"][0]
    data = get(client, f"/api/search?q=-zzzz&per_page=100&month={month['value']}")
    assert data["total"] == month["count"]
    assert all(h["date"].startswith(month["value"]) for h in data["hits"])
    # With a date range: the days in both.
    y, m = month["value"].split("-")
    narrowed = get(client, f"/api/search?q=-zzzz&month={month['value']}&date_from={y}-{m}-28&date_to=2100-01-01")
    assert narrowed["total"] <= data["total"]


def test_a_bad_month_is_a_400_that_says_the_format(client):
    response = client.get("/api/search?q=banjir&month=2019-13")
    assert response.status_code == 400
    assert "YYYY-MM" in response.get_json()["error"]["message"]


def test_the_article_keeps_the_publishers_label(client, engine):
    hit = engine.search('kategori:"sepak bola"').hits[0]
    data = get(client, f"/api/articles/{hit.id}")
    assert data["category"] == "olahraga" and data["category_label"]


def test_every_source_is_known_however_many_there_are(tmp_path):
    from conftest import news, write_jsonl
    from search.indexing.indexer import index_corpus
    from web import create_app
    from web.engine import close_engine

    write_jsonl(tmp_path / "c" / "a.jsonl", [news(i, f"Berita {i}", "Isi berita banjir.", source=f"penerbit{i:02d}")
                                              for i in range(60)])
    index_corpus(tmp_path / "c", tmp_path / "ix")
    app = create_app({"CARI_INDEX": str(tmp_path / "ix"), "TESTING": True})
    try:
        client = app.test_client()
        assert len(client.get("/api/filters").get_json()["source"]) == 60
        assert client.get("/api/search?q=banjir&source=penerbit59").get_json()["warnings"] == []
    finally:
        close_engine(app)
