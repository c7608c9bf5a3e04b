"""The JSON API's contract: every field, every error code, caching, CORS, limits.

Responses are checked against the schemas of the published OpenAPI document
as well as against the Engine, so the document, the code and the data agree.
"""
from __future__ import annotations

import html
import io
import json
import re
from contextlib import redirect_stdout
from datetime import datetime

import jsonschema_rs
import pytest

from web import api
from web.errors import CATALOG, QUERY_ERRORS, REASONS, message, query_error
from web.openapi import openapi_document


# -- fixtures and helpers ------------------------------------------------------------------
def with_health(app):
    """/healthz, until create_app registers it itself."""
    if "health" not in app.blueprints:
        app.register_blueprint(api.health_bp)
    return app


@pytest.fixture
def client(app):
    return with_health(app).test_client()


def make_client(sample_index, **config):
    from web import create_app

    app = create_app({"CARI_INDEX": str(sample_index), "TESTING": True, **config})
    return with_health(app).test_client()


def validate(instance, schema_name: str) -> None:
    """Raise unless ``instance`` matches the named schema of /api/openapi.json."""
    doc = openapi_document()
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": doc["components"]}
    jsonschema_rs.Draft202012Validator(schema).validate(instance)


def error_of(response, status: int, code: str) -> str:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    data = response.get_json()
    validate(data, "Error")
    assert data["error"]["code"] == code, data
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "/tmp" not in body and ".py" not in body
    return data["error"]["message"]


def search(client, query: str = "", **headers):
    response = client.get("/api/search?" + query, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    validate(data, "SearchResponse")
    return data


def without_timing(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "took_ms"}


# -- /api/search: every field ----------------------------------------------------------------
def test_search_returns_every_documented_field(client, engine):
    data = search(client, "q=banjir&per_page=3")
    assert set(data) == set(openapi_document()["components"]["schemas"]["SearchResponse"]["properties"])
    assert data["query"] == "banjir" and data["page"] == 1 and data["per_page"] == 3
    assert data["total"] == engine.search("banjir").total >= 4
    assert len(data["hits"]) == 3 and data["took_ms"] >= 0
    assert data["partial"] is False and data["matched_all"] is True
    assert data["correction"] is None and data["corrected"] is False
    scores = [hit["score"] for hit in data["hits"]]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0
    for hit in data["hits"]:
        assert set(hit) == {"id", "title", "url", "source", "category", "date", "score",
                            "snippet", "snippet_text", "all_words", "group", "similar"}
        assert hit["id"] and hit["title"] and hit["source"]
        assert hit["date"] is None or datetime.fromisoformat(hit["date"])


def test_search_snippets_are_escaped_html_with_marks(client):
    data = search(client, "q=banjir&per_page=5")
    assert any("<mark" in hit["snippet"] for hit in data["hits"])
    for hit in data["hits"]:
        # Nothing but <mark> tags is markup; snippet_text is the same text, plain.
        assert not re.search(r"<(?!/?mark\b)", hit["snippet"]), hit["snippet"]
        assert hit["snippet_text"] == html.unescape(re.sub(r"<[^>]+>", "", hit["snippet"]))
        assert "<mark" not in hit["snippet_text"]


def test_search_without_highlight_has_no_marks(client):
    data = search(client, "q=banjir&highlight=false")
    assert data["hits"] and all("<mark" not in hit["snippet"] for hit in data["hits"])


def test_search_response_is_the_engines_and_the_clis(client, engine, sample_index):
    """`cari search --json` prints exactly what /api/search returns."""
    from search.cli import main
    from search.retrieval.responses import search_response

    data = search(client, "q=banjir+jakarta")
    assert data.pop("warnings") == []       # the API's word on the request itself (see test_api_filters.py)
    assert without_timing(data) == without_timing(search_response(engine.search("banjir jakarta")))
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["search", "banjir jakarta", "--index", str(sample_index), "--json"]) == 0
    assert without_timing(json.loads(out.getvalue())) == without_timing(data)


def test_facets_count_the_results(client):
    data = search(client, "q=banjir")
    facets = data["facets"]
    assert set(facets) == {"source", "category", "month"}
    assert sum(f["count"] for f in facets["source"]) <= data["total"]
    assert all(f["count"] >= 1 for values in facets.values() for f in values)
    assert search(client, "q=banjir&facets=false")["facets"] == {}


def test_source_and_category_filters(client):
    everything = search(client, "q=banjir")
    source = everything["facets"]["source"][0]
    only = search(client, f"q=banjir&source={source['value']}&per_page=100")
    assert only["total"] == source["count"]
    assert {hit["source"] for hit in only["hits"]} == {source["value"]}
    category = everything["facets"]["category"][0]
    only = search(client, f"q=banjir&category={category['value']}&per_page=100")
    assert only["total"] == category["count"]
    assert {hit["category"].lower() for hit in only["hits"]} == {category["value"]}
    two = search(client, "q=banjir&" + "&".join(f"source={f['value']}" for f in everything["facets"]["source"]))
    assert two["total"] == sum(f["count"] for f in everything["facets"]["source"])


def test_date_filters_and_newest_sort(client):
    data = search(client, "q=indonesia&date_from=2020-01-01&date_to=2022-12-31&per_page=100&sort=newest")
    assert data["total"] >= 1
    dates = [hit["date"] for hit in data["hits"]]
    assert all(d is not None and "2020-01-01" <= d[:10] <= "2022-12-31" for d in dates)
    assert dates == sorted(dates, reverse=True)
    assert search(client, "q=indonesia&date_from=2022-01-01&date_to=2020-01-01")["total"] == 0


def test_paging(client):
    first = search(client, "q=indonesia&per_page=5")
    second = search(client, "q=indonesia&per_page=5&page=2")
    assert first["total"] == second["total"] > 5 and second["page"] == 2
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}


def test_a_page_past_the_ranked_results_is_empty_not_an_error(client):
    from search.retrieval.engine import MAX_RANKED

    page = MAX_RANKED // 100 + 1
    data = search(client, f"q=indonesia&per_page=100&page={page}")
    assert data["hits"] == [] and data["page"] == page and data["per_page"] == 100
    assert data["total"] == search(client, "q=indonesia")["total"]


@pytest.mark.parametrize("q", ["%20%20", "%21%21%21", "%F0%9F%98%80", "%00"])
def test_text_with_nothing_searchable_finds_nothing(client, q):
    data = search(client, "q=" + q)
    assert data["total"] == 0 and data["hits"] == []


# -- errors: every code ---------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/api/search", "/api/search?q=", "/api/search?page=2"])
def test_missing_query(client, url):
    error_of(client.get(url), 400, "missing_query")


@pytest.mark.parametrize("query", [
    "per_page=0", "per_page=101", "per_page=x", "per_page=1.5", "per_page=%2B5", "page=0",
    "page=1001", "page=-1", "sort=oldest", "facets=yes", "highlight=1", "date_from=2019-13-01",
    "date_from=20190101", "date_to=2019-02-30", "source=", "category=" + "x" * 51,
    "&".join(f"source=s{i}" for i in range(11)),
])
def test_invalid_parameters(client, query):
    name = query.split("=")[0]
    text = error_of(client.get("/api/search?q=banjir&" + query), 400, "invalid_parameter")
    assert name in text


def test_query_too_long_is_invalid_parameter(client):
    error_of(client.get("/api/search?q=" + "a" * 501), 400, "invalid_parameter")
    assert search(client, "q=" + "a" * 500)["total"] == 0


def test_query_language_errors(client):
    error_of(client.get("/api/search?q=" + "+".join(f"kata{i}" for i in range(41))), 400, "too_many_terms")
    error_of(client.get("/api/search?q=tanggal:kemarin"), 400, "bad_date")


def test_other_query_errors_keep_the_engines_words():
    from search.retrieval.query import QueryError

    error = query_error(QueryError("something odd", "brand_new_code"))
    assert error.code == "bad_query" and error.details == {"detail": "something odd"}
    assert query_error(QueryError("x", "too_many_terms")).code == "too_many_terms"


@pytest.mark.parametrize("url", ["/api", "/api/", "/api/nope", "/api/search/extra", "/api/articles/"])
def test_unknown_api_paths_are_json_404(client, url):
    error_of(client.get(url), 404, "not_found")


def test_unknown_article_is_json_404(client):
    text = error_of(client.get("/api/articles/tidak-ada"), 404, "article_not_found")
    assert "tidak-ada" in text
    error_of(client.get("/api/articles/..%2F..%2Fetc%2Fpasswd"), 404, "not_found")


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize("url", ["/api/search?q=banjir", "/api/stats", "/healthz", "/api/articles/x"])
def test_other_methods_are_json_405_with_allow(client, method, url):
    response = getattr(client, method)(url, data="{}")
    error_of(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_html_pages_keep_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_too_large_requests_are_413(client):
    error_of(client.get("/api/search?q=banjir&source=" + "x" * 9000), 413, "too_large")
    error_of(client.get("/api/stats", data="x" * 20_000), 413, "too_large")


def test_rate_limit_is_429_per_client_with_retry_after(sample_index):
    limited = make_client(sample_index, CARI_RATE_LIMIT="3/m")
    for _ in range(3):
        assert limited.get("/api/stats").status_code == 200
    response = limited.get("/api/search?q=banjir")
    error_of(response, 429, "rate_limited")
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert limited.get("/healthz").status_code == 200, "health checks are never throttled"
    other = limited.get("/api/stats", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200, "each client has its own bucket"


def test_rate_limit_is_off_by_default(client):
    assert all(client.get("/api/stats").status_code == 200 for _ in range(50))


def test_rate_limiter_refills_over_time():
    from web.ratelimit import RateLimiter, parse_rule

    now = [0.0]
    limiter = RateLimiter(*parse_rule("2/s"), clock=lambda: now[0])
    assert limiter.take("a") == 0 and limiter.take("a") == 0
    assert limiter.take("a") == pytest.approx(0.5)
    now[0] = 0.5
    assert limiter.take("a") == 0
    assert parse_rule("off") is None and parse_rule(None) is None
    assert parse_rule("120/m") == (120, 60.0) and parse_rule("10/30") == (10, 30.0)
    with pytest.raises(ValueError):
        parse_rule("lots")


def test_unexpected_failures_are_json_500_without_details(client, app, monkeypatch):
    from search.retrieval.engine import Engine

    def broken(*args, **kwargs):
        raise RuntimeError("disk error in /srv/secret/index/_MAIN_1.seg at searcher.py:42")

    monkeypatch.setattr(Engine, "search", broken)
    response = client.get("/api/search?q=banjir")
    error_of(response, 500, "internal_error")
    assert "secret" not in response.get_data(as_text=True)


def test_no_index_is_503_everywhere(tmp_path):
    from web import create_app

    app = with_health(create_app({"CARI_INDEX": str(tmp_path / "none"), "TESTING": True}))
    broken = app.test_client()
    for url in ("/api/search?q=banjir", "/api/stats", "/api/articles/x", "/api/suggest?q=ba", "/healthz"):
        response = broken.get(url)
        error_of(response, 503, "index_unavailable")
        assert "none" not in response.get_data(as_text=True)


# -- languages -------------------------------------------------------------------------------
@pytest.mark.parametrize("accept, lang", [
    (None, "id"), ("id", "id"), ("en", "en"), ("en-US,en;q=0.9", "en"), ("fr", "id"),
    ("id;q=0.9, en;q=0.5", "id"), ("en;q=0.3, id;q=0.8", "id"), ("de, en;q=0.5", "en"),
])
def test_messages_follow_accept_language(client, accept, lang):
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get("/api/search?q=banjir&per_page=0", headers=headers)
    text = error_of(response, 400, "invalid_parameter")
    assert response.headers["Content-Language"] == lang
    assert "Accept-Language" in response.headers["Vary"]
    expected = message("invalid_parameter", lang, name="per_page", reason="integer", min=1, max=100)
    assert text == expected


def test_catalog_has_both_languages_for_every_code():
    samples = {"detail": "d", "name": "n", "reason": "integer", "min": 1, "max": 2, "id": "x",
               "method": "POST", "allowed": "GET", "max_url": 1, "max_body": 2, "retry_after": 3,
               "names": "a, b", "known": "q"}
    for code, (status, texts) in CATALOG.items():
        assert set(texts) == {"id", "en"} and 400 <= status < 600
        indonesian, english = (message(code, lang, **dict(samples)) for lang in ("id", "en"))
        assert indonesian and english and indonesian != english, code
    for reason, texts in REASONS.items():
        assert texts["id"] != texts["en"], reason
    assert set(QUERY_ERRORS) <= set(CATALOG)


# -- caching ---------------------------------------------------------------------------------
@pytest.mark.parametrize("url, max_age, weak", [
    ("/api/search?q=banjir", 60, True), ("/api/stats", 10, False),
    ("/api/suggest?q=banj", 300, False), ("/api/openapi.json", 3600, False),
])
def test_get_answers_carry_etag_and_304_on_match(client, url, max_age, weak):
    first = client.get(url)
    assert first.status_code == 200
    etag, is_weak = first.get_etag()
    assert etag and is_weak is weak
    assert first.headers["Cache-Control"] == f"public, max-age={max_age}"
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_etag_follows_the_content(client):
    one = client.get("/api/search?q=banjir").headers["ETag"]
    assert client.get("/api/search?q=banjir").headers["ETag"] == one, "timings do not change the tag"
    assert client.get("/api/search?q=banjir&per_page=3").headers["ETag"] != one
    assert client.get("/api/search?q=kabut").headers["ETag"] != one


def test_head_is_answered_like_get(client):
    response = client.head("/api/search?q=banjir")
    assert response.status_code == 200 and response.get_data() == b""
    assert response.headers["ETag"] == client.get("/api/search?q=banjir").headers["ETag"]


def test_healthz(client, monkeypatch):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    validate(response.get_json(), "Health")
    assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers
    from search.retrieval.engine import Engine

    monkeypatch.setattr(Engine, "healthy", lambda self: False)
    error_of(client.get("/healthz"), 503, "index_unavailable")


# -- CORS ------------------------------------------------------------------------------------
def test_cors_is_off_by_default(client):
    response = client.get("/api/stats", headers={"Origin": "https://example.org"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_for_configured_origins(sample_index):
    cors = make_client(sample_index, CARI_CORS_ORIGINS="https://a.example, https://b.example")
    allowed = cors.get("/api/search?q=banjir", headers={"Origin": "https://b.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://b.example"
    assert "Origin" in allowed.headers["Vary"] and "ETag" in allowed.headers["Access-Control-Expose-Headers"]
    other = cors.get("/api/search?q=banjir", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = cors.options("/api/search", headers={"Origin": "https://a.example",
                                                     "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    page = cors.get("/", headers={"Origin": "https://a.example"})
    assert "Access-Control-Allow-Origin" not in page.headers, "CORS is for the API only"
    anyone = make_client(sample_index, CARI_CORS_ORIGINS="*")
    assert anyone.get("/api/stats", headers={"Origin": "https://x.example"}).headers[
        "Access-Control-Allow-Origin"] == "*"


# -- articles, suggest, stats ------------------------------------------------------------------
def test_article_has_text_metadata_and_related(client, engine):
    hit = engine.search("banjir rob").hits[0]
    response = client.get(f"/api/articles/{hit.id}")
    assert response.status_code == 200
    data = response.get_json()
    validate(data, "Article")
    stored = engine.article(hit.id)
    for name in ("id", "title", "body", "source", "category", "author", "url", "date"):
        assert data[name] == (stored.get(name) or ("" if name != "date" else None)), name
    assert "path" not in data, "server paths never leave the server"
    assert data["see_also"] == stored["related"]
    assert data["related"] and hit.id not in {r["id"] for r in data["related"]}
    for related in data["related"]:
        assert client.get(f"/api/articles/{related['id']}").status_code == 200


def test_article_lists_the_titles_it_links_to(client, engine):
    with_links = [h for h in engine.search("indonesia", per_page=100).hits if engine.article(h.id)["related"]]
    assert with_links, "the sample corpus has wire stories with 'Baca juga' lines"
    data = client.get(f"/api/articles/{with_links[0].id}").get_json()
    assert data["see_also"] and all(isinstance(t, str) and t for t in data["see_also"])


def test_suggest(client, engine):
    response = client.get("/api/suggest?q=banj")
    data = response.get_json()
    validate(data, "Suggestions")
    assert data["query"] == "banj" and data["suggestions"] == engine.suggest("banj", limit=8)
    assert any(s.lower().startswith("banjir") for s in data["suggestions"])
    assert len(client.get("/api/suggest?q=ba&limit=2").get_json()["suggestions"]) <= 2
    assert client.get("/api/suggest?q=").get_json()["suggestions"] == []
    assert client.get("/api/suggest").get_json()["suggestions"] == []
    error_of(client.get("/api/suggest?q=ba&limit=0"), 400, "invalid_parameter")
    error_of(client.get("/api/suggest?q=" + "a" * 101), 400, "invalid_parameter")


def test_stats(client, engine, sample_index):
    from search.analysis import ANALYSIS_VERSION

    response = client.get("/api/stats")
    data = response.get_json()
    validate(data, "Stats")
    assert set(data) == {"documents", "index_size_bytes", "last_indexed", "analysis_version"}
    assert data["documents"] == engine.stats()["documents"] >= 30
    assert data["index_size_bytes"] > 10_000 and data["analysis_version"] == ANALYSIS_VERSION
    assert datetime.fromisoformat(data["last_indexed"])
    assert str(sample_index) not in response.get_data(as_text=True)


# -- the OpenAPI document matches the code ----------------------------------------------------
def test_openapi_document_lists_exactly_the_routes(client, app):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0" and doc == json.loads(json.dumps(openapi_document()))
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api") or rule.rule == "/healthz":
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routes[path] = {m.lower() for m in rule.methods} - {"head", "options"}
    assert routes == {path: set(ops) for path, ops in doc["paths"].items()}


def test_openapi_parameters_are_the_ones_parsed(client):
    doc = openapi_document()
    names = lambda path: [p["name"] for p in doc["paths"][path]["get"].get("parameters", [])]  # noqa: E731
    assert names("/api/search") == ["q", "page", "per_page", "sort", "source", "category", "month",
                                     "date_from", "date_to", "facets", "highlight", "group", "diverse"]
    assert names("/api/suggest") == ["q", "limit"]
    assert names("/api/articles/{article_id}") == ["article_id"]


def test_openapi_examples_match_their_schemas():
    doc = openapi_document()
    checked = 0
    for path, operations in doc["paths"].items():
        for operation in operations.values():
            for status, response in operation["responses"].items():
                content = response.get("content", {}).get("application/json", {})
                if "example" in content:
                    schema = dict(content["schema"], components=doc["components"])
                    jsonschema_rs.Draft202012Validator(schema).validate(content["example"])
                    checked += 1
    assert checked >= 20


def test_openapi_documents_every_error_code_and_status():
    doc = openapi_document()
    codes = doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"]
    assert set(codes) == set(CATALOG)
    documented = {int(s) for ops in doc["paths"].values() for op in ops.values()
                  for s in op["responses"]} | {405}  # 405: any undocumented method
    assert {status for status, _ in CATALOG.values()} <= documented
    for ops in doc["paths"].values():
        for op in ops.values():
            for status, response in op["responses"].items():
                if int(status) >= 400 and status != "414":  # 414 is gunicorn's, not ours
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/Error"}


@pytest.mark.parametrize("exc, status, code", [
    ("NotFound", 404, "not_found"), ("MethodNotAllowed", 405, "method_not_allowed"),
    ("RequestEntityTooLarge", 413, "too_large"), ("BadRequest", 400, "bad_request"),
    ("UnsupportedMediaType", 415, "bad_request"), ("ServiceUnavailable", 503, "index_unavailable"),
    ("InternalServerError", 500, "internal_error"),
])
def test_http_errors_raised_inside_views_are_json(app, exc, status, code):
    """Werkzeug's own errors, raised in an API view, keep their status and get our shape."""
    from werkzeug import exceptions

    kwargs = {"valid_methods": ["GET"]} if exc == "MethodNotAllowed" else {}
    error = getattr(exceptions, exc)(**kwargs)
    with app.test_request_context("/api/stats", headers={"Accept-Language": "en"}):
        response = api.on_error(error)
    assert response.status_code == status and response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]


def test_healthz_reads_an_article(client, monkeypatch):
    """A probe that cannot read the stored articles says the index is unavailable."""
    from whoosh.reading import MultiReader, SegmentReader

    def broken(self, docnum):
        raise OSError("stored fields unreadable")

    for reader in (MultiReader, SegmentReader):     # before the app opens its searcher
        monkeypatch.setattr(reader, "stored_fields", broken)
    error_of(client.get("/healthz"), 503, "index_unavailable")
