"""The OpenAPI 3.1 document served at /api/openapi.json.

The parameters come from the declarations the routes validate against
(web/contract.py) and the error codes from web/errors.py, so those cannot
drift. The response schemas and examples are written here, by hand: tests
(tests/test_api.py, tests/test_api_schemathesis.py) check routes, statuses,
schemas and examples against the running app.
"""
from __future__ import annotations

from functools import lru_cache

from search.analysis import ANALYSIS_VERSION
from search.retrieval.responses import FACET_NAMES
from web.contract import ARTICLE, MAX_AGE, RELATED_LIMIT, SEARCH, SUGGEST
from web.errors import ERROR_CODES

JSON = "application/json"
HIT_EXAMPLE = {
    "id": "24591999ebc2d598",
    "title": "Banjir Rob Genangi Pesisir Jakarta Utara, Warga Muara Angke Mengungsi",
    "url": "https://kabarnusa.example/metropolitan/2021/12/06/banjir-rob-genangi-pesisir-jakarta-utara",
    "source": "kabarnusa",
    "category": "metropolitan",
    "date": "2021-12-06T15:20:00",
    "score": 8.9713,
    "snippet": "COM -- <mark>Banjir</mark> rob kembali menggenangi permukiman di "
               "pesisir Jakarta Utara",
    "snippet_text": "COM -- Banjir rob kembali menggenangi permukiman di pesisir Jakarta Utara",
    "all_words": True,
    "group": None,
    "similar": [],
}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(kind: str, **extra) -> dict:
    return {"type": [kind, "null"], **extra}


def obj(properties: dict, description: str = "") -> dict:
    schema = {"type": "object", "required": list(properties), "properties": properties}
    if description:
        schema["description"] = description
    return schema


def error_body() -> dict:
    """An error's fields: code and message always, ``names`` for unknown_parameter."""
    body = obj({
        "code": {"type": "string", "enum": ERROR_CODES},
        "message": {"type": "string", "description": "for people, in Indonesian or English "
                    "(Accept-Language)"},
    })
    body["properties"]["names"] = {"type": "array", "items": {"type": "string", "maxLength": 100},
                                   "maxItems": 10, "description": "unknown_parameter: the parameters "
                                   "the route does not take (at most 10 named)"}
    return body


# -- schemas -----------------------------------------------------------------------------
def schemas() -> dict:
    text = {"type": "string"}
    date = nullable("string", description="ISO 8601 date and time as the publisher gave it "
                                         "(no time zone), or null when the article has no date.")
    facet_value = obj({"value": text, "count": {"type": "integer", "minimum": 1}})
    return {
        "Hit": obj({
            "id": text, "title": text, "url": {"type": "string", "description": "may be empty"},
            "source": text, "category": text, "date": date, "score": {"type": "number"},
            "snippet": {"type": "string", "description": "HTML: the article's text escaped, query "
                        "terms in <mark> elements; safe to insert as HTML."},
            "snippet_text": {"type": "string", "description": "The same snippet as plain text."},
            "group": nullable("string", description="the key of the story (near-duplicates) this "
                              "article leads, null when it has no near-duplicate"),
            "similar": {"type": "array", "items": text, "description": "ids of the story's other "
                        "matching articles, best-ranked first (group=true: they are not listed again)"},
            "all_words": {"type": "boolean", "description": "false for a partial match: the article "
                          "holds at least half of the query's words, not all, and is listed after those that do"},
        }),
        "Facets": {
            "type": "object", "additionalProperties": False,
            "description": "Result counts by value, most frequent first; empty when facets=false.",
            "properties": {name: {"type": "array", "items": ref("FacetValue")} for name in FACET_NAMES},
        },
        "FacetValue": facet_value,
        "SearchResponse": obj({
            "query": text,
            "total": {"type": "integer", "minimum": 0,
                      "description": "articles listed: total_all_words + total_some_words"},
            "total_all_words": {"type": "integer", "minimum": 0,
                                "description": "articles holding every word (listed first)"},
            "total_some_words": {"type": "integer", "minimum": 0,
                                 "description": "articles holding at least half of the words, not all (listed "
                                 "after the others, each hit's all_words false); 0 for a query of one "
                                 "word, of rare words only, or sorted by newest"},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "took_ms": {"type": "number", "minimum": 0},
            "partial": {"type": "boolean", "description": "true when the time limit cut the search short"},
            "total_exact": {"type": "boolean", "description": "false when `total` is a lower bound: past "
                            "10,000 articles holding every word, those holding only some are not counted "
                            "(`total` is then 10,000: more than that match), or the time limit stopped the "
                            "count (`total` is then what was counted)"},
            "notes": {"type": "array", "items": {"type": "string"},
                      "description": "why the results are partial (time, expansion or spelling "
                      "limits) or empty (nothing searchable), for people, in the language of "
                      "Accept-Language"},
            "matched_all": {"type": "boolean", "description": "false when no article had every word "
                            "and the results match any of them"},
            "correction": nullable("string", description="a suggested spelling of the query"),
            "corrected": {"type": "boolean", "description": "true when the typed query found "
                          "nothing and the hits are for `correction` instead"},
            "hits": {"type": "array", "items": ref("Hit"), "maxItems": 100},
            "facets": ref("Facets"),
            "timeline": {"oneOf": [ref("Timeline"), {"type": "null"}],
                         "description": "matching articles per period, under every filter but the "
                         "dates; null when facets=false"},
            "warnings": {"type": "array", "items": ref("Warning"),
                         "description": "what the request asked that cannot work: filter values "
                         "no article has (a parameter the route does not take is a 400)"},
        }),
        "Timeline": obj({
            "unit": {"type": "string", "enum": ["day", "week", "month", "year"],
                     "description": "the period of one bin: the finest that draws the span in at "
                     "most 62 bins (weeks start on Monday)"},
            "bins": {"type": "array", "items": obj({
                "start": {"type": "string", "format": "date"},
                "end": {"type": "string", "format": "date", "description": "inclusive"},
                "count": {"type": "integer", "minimum": 0}}),
                "description": "oldest first; every period from the first match to the last, empty ones as 0"},
            "undated": {"type": "integer", "minimum": 0, "description": "matches without a date"},
        }),
        "Warning": {
            "type": "object", "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "enum": ["unknown_source", "unknown_category"]},
                "message": {"type": "string", "description": "for people, in the language of Accept-Language"},
                "facet": {"type": "string", "enum": ["source", "category"]},
                "value": {"type": "string", "description": "the filter value as given"},
                "closest": {"type": "array", "items": text, "description": "the values likeliest meant"},
                "valid": {"type": "array", "items": text, "description": "every value there is"},
            },
        },
        "Filters": obj({
            "source": {"type": "array", "items": obj({
                "value": text, "name": {"type": "string", "description": "display name"},
                "count": {"type": "integer", "minimum": 1}})},
            "category": {"type": "array", "items": obj({
                "value": text, "count": {"type": "integer", "minimum": 1},
                "labels": {"type": "array", "items": text,
                           "description": "publishers' section labels filed under this category"}})},
        }),
        "RelatedArticle": obj({
            "id": text, "title": text, "url": text, "source": text, "category": text,
            "date": date, "score": {"type": "number"}}),
        "Article": obj({
            "id": text, "title": text, "url": text, "source": text, "category": text,
            "author": text, "body": {"type": "string", "description": "paragraphs separated by a blank line; "
                                     "at most CARI_MAX_ARTICLE_CHARS characters (200,000 by default)"},
            "body_truncated": {"type": "boolean", "description": "true when body is only the start of "
                               "the article's text, cut at CARI_MAX_ARTICLE_CHARS"},
            "body_chars": {"type": "integer", "minimum": 0,
                           "description": "length of the article's whole text, in characters"},
            "category_label": {"type": "string", "description": "the publisher's own section label "
                               "(`category` is cari's category it maps to)"},
            "date": date,
            "see_also": {"type": "array", "items": text,
                         "description": "titles the article itself links to (\"Baca juga\")"},
            "related": {"type": "array", "items": ref("RelatedArticle"), "maxItems": RELATED_LIMIT,
                        "description": "the most similar articles, near-duplicates left out"},
        }),
        "Suggestions": obj({"query": text, "suggestions": {"type": "array", "items": text},
                            "articles": {"type": "array", "items": obj({"title": text, "id": text}),
                                         "description": "the suggestions that are an article's title, "
                                         "with its id: an article to open, not a query to run"}}),
        "Stats": obj({
            "documents": {"type": "integer", "minimum": 0},
            "index_size_bytes": {"type": "integer", "minimum": 0},
            "last_indexed": nullable("string", description="when the index was last built (UTC, ISO 8601)"),
            "analysis_version": nullable("string"),
        }),
        "Health": obj({"status": {"type": "string", "const": "ok"}}),
        "Error": obj({"error": error_body()}),
    }


# -- responses ------------------------------------------------------------------------------
ERRORS = {
    "400": ("Invalid or unknown parameters (unknown_parameter names them in `names`), or a query "
            "that cannot run.", "invalid_parameter",
            "Parameter per_page tidak valid: harus bilangan bulat 1–100."),
    "404": ("Not found.", "article_not_found", "Tidak ada artikel dengan id tidak-ada."),
    "413": ("The URL or body is too large.", "too_large",
            "Permintaan terlalu besar: alamat paling panjang 8000 bita, isi paling besar 16384 bita."),
    "429": ("Too many requests from this client (when rate limiting is on); see Retry-After.",
            "rate_limited", "Terlalu banyak permintaan; coba lagi dalam 2 detik."),
    "500": ("An unexpected server error (never with details).", "internal_error",
            "Terjadi kesalahan di server."),
    "503": ("No usable search index.", "index_unavailable", "Indeks pencarian belum tersedia."),
}


def error(status: str) -> dict:
    description, code, message = ERRORS[status]
    response = {
        "description": description,
        "headers": {"Content-Language": {"schema": {"type": "string", "enum": ["id", "en"]}}},
        "content": {JSON: {"schema": ref("Error"),
                           "example": {"error": {"code": code, "message": message}}}},
    }
    if status == "429":
        response["headers"]["Retry-After"] = {"schema": {"type": "string"},
                                              "description": "seconds to wait"}
    return response


def ok(schema: str, example: dict, max_age: int | None, weak: bool = False) -> dict:
    response = {"description": "OK", "content": {JSON: {"schema": ref(schema), "example": example}}}
    if max_age is not None:
        response["headers"] = {
            "ETag": {"required": True, "schema": {"type": "string"},
                     "description": ("weak tag: " if weak else "") + "send it back in If-None-Match"},
            "Cache-Control": {"required": True, "schema": {"type": "string"},
                              "example": f"public, max-age={max_age}"},
        }
    return response


NOT_MODIFIED = {"description": "Not modified: the If-None-Match tag still matches (no body)."}
# A request line longer than gunicorn's limit_request_line (8190 bytes) never
# reaches the app: gunicorn refuses it itself, in HTML. Shorter ones over
# CARI_MAX_URL_BYTES get the app's JSON 413.
URI_TOO_LONG = {"description": "The request line is over the HTTP server's limit (gunicorn's "
                "limit_request_line): refused before the app runs, so the body is gunicorn's HTML "
                "page, not JSON.",
                "content": {"text/html": {"schema": {"type": "string"}}}}


def responses(success: dict, *statuses: str, cached: bool = True) -> dict:
    out = {"200": success}
    if cached:
        out["304"] = NOT_MODIFIED
    for status in ("400", "404", "413", "429", "500", "503"):
        if status in statuses:
            out[status] = error(status)
    out["414"] = URI_TOO_LONG
    return out


def operation(summary: str, operation_id: str, description: str, response_map: dict,
              parameters: list | None = None) -> dict:
    op = {"summary": summary, "operationId": operation_id, "description": description,
          "responses": response_map}
    if parameters:
        op["parameters"] = parameters
    return op


# -- paths --------------------------------------------------------------------------------
def paths() -> dict:
    search_example = {
        "query": "banjir", "total": 6, "total_all_words": 6, "total_some_words": 0, "page": 1, "per_page": 1, "took_ms": 12.4, "partial": False,
        "total_exact": True, "notes": [], "matched_all": True, "correction": None, "corrected": False, "hits": [HIT_EXAMPLE],
        "timeline": {"unit": "month", "undated": 0, "bins": [
            {"start": "2021-12-01", "end": "2021-12-31", "count": 6}]},
        "warnings": [],
        "facets": {"source": [{"value": "kabarnusa", "count": 4}],
                   "category": [{"value": "metropolitan", "count": 2}],
                   "month": [{"value": "2021-12", "count": 1}]},
    }
    related = {k: v for k, v in HIT_EXAMPLE.items() if not k.startswith("snippet") and k not in ("group", "similar")}
    article_example = {
        "id": HIT_EXAMPLE["id"], "title": HIT_EXAMPLE["title"], "url": HIT_EXAMPLE["url"],
        "source": "kabarnusa", "category": "metropolitan", "author": "Rina Kusumawati",
        "date": "2021-12-06T15:20:00", "body": "JAKARTA, KABARNUSA.COM -- Banjir rob kembali ...",
        "body_truncated": False, "body_chars": 1834, "category_label": "Metropolitan",
        "see_also": [], "related": [dict(related, id="7ae93e3f3e6952b9", score=3.2)],
    }
    article_param = {"name": "article_id", "in": "path", "required": True,
                     "schema": {"type": "string"}, "example": HIT_EXAMPLE["id"],
                     "description": "an article id, as in search hits"}
    everywhere = ("413", "429", "500", "503")
    search_ok = ok("SearchResponse", search_example, MAX_AGE["search"], weak=True)
    search_ok["links"] = {"FirstHit": {
        "operationId": "getArticle", "parameters": {"article_id": "$response.body#/hits/0/id"},
        "description": "The first hit's article."}}
    article_ok = ok("Article", article_example, MAX_AGE["article"])
    article_ok["links"] = {"FirstRelated": {
        "operationId": "getArticle", "parameters": {"article_id": "$response.body#/related/0/id"},
        "description": "The most similar article."}}
    return {
        "/api/search": {"get": operation(
            "Search articles", "search",
            "Ranked, highlighted results with facets. Every word must match; when no article has "
            "every word, articles with any of them are returned and matched_all is false.",
            responses(search_ok, "400", *everywhere),
            SEARCH.openapi())},
        "/api/articles/{article_id}": {"get": operation(
            "One article", "getArticle",
            "The article's text and metadata, the titles it links to and the most similar articles.",
            responses(article_ok, "404", *everywhere),
            [article_param])},
        "/api/articles": {"get": operation(
            "One article, id in the query", "getArticleById",
            "The same answer as /api/articles/{article_id}, for any id: ids holding \"/\" or made "
            "only of dots cannot travel in a URL path.",
            responses(article_ok, "400", "404", *everywhere),
            ARTICLE.openapi())},
        "/api/suggest": {"get": operation(
            "Autocomplete", "suggest", "Completions of what the user has typed, most likely first.",
            responses(ok("Suggestions", {"query": "banj", "suggestions": ["banjir", "banjir rob"], "articles": []},
                         MAX_AGE["suggest"]), "400", *everywhere),
            SUGGEST.openapi())},
        "/api/filters": {"get": operation(
            "Sources and categories", "filters",
            "Every source and category the index holds, with its number of articles: the values "
            "the search's source= and category= take. Categories are cari's own; each lists the "
            "publisher labels mapped to it.",
            responses(ok("Filters", {"source": [{"value": "kabarnusa", "name": "kabarnusa", "count": 18}],
                                     "category": [{"value": "daerah", "count": 2,
                                                   "labels": ["daerah", "metropolitan"]}]},
                         MAX_AGE["filters"]), *everywhere))},
        "/api/stats": {"get": operation(
            "Index statistics", "stats", "Document count, index size, last build, analysis version.",
            responses(ok("Stats", {"documents": 41, "index_size_bytes": 512000,
                                   "last_indexed": "2026-11-25T19:30:00+00:00",
                                   "analysis_version": ANALYSIS_VERSION}, MAX_AGE["stats"]), *everywhere))},
        "/api/openapi.json": {"get": operation(
            "This document", "openapi", "The OpenAPI 3.1 description of this API.",
            responses({"description": "OK", "content": {JSON: {"schema": {"type": "object"}}}},
                      "413", "429", "500"))},
        "/healthz": {"get": operation(
            "Health check", "health",
            "200 only when the index is open and answers a query, else 503. Never cached; not "
            "rate limited.",
            responses(ok("Health", {"status": "ok"}, None), "413", "500", "503", cached=False))},
    }


@lru_cache(maxsize=1)
def _document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "cari API",
            "version": "1.0.0",
            "summary": "Full-text search over Indonesian news articles.",
            "description": (
                "Read-only JSON API. GET answers carry ETag and Cache-Control; send the ETag back "
                "in If-None-Match to get 304 Not Modified. Errors are always "
                "`{\"error\": {\"code\", \"message\"}}`; messages are Indonesian unless "
                "Accept-Language prefers English. Methods other than GET, HEAD and OPTIONS get "
                "405 with an Allow header. CORS is off unless the server enables it."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "paths": paths(),
        "components": {"schemas": schemas()},
    }


def openapi_document() -> dict:
    """The document (built once per process; callers must not change it)."""
    return _document()
