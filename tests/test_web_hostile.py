"""Hostile input to the web app (issue #20) and internal errors (issue #18).

A small index of records that try to attack the pages: a ``javascript:``
URL, ids holding "/" and "..", bidi controls in titles and sources, a body
of a million characters. Every test here failed on the code before the fix.
"""
from __future__ import annotations

import logging
import re
import urllib.request
from urllib.parse import urljoin, urlsplit

import pytest

from conftest import write_jsonl

BIDI = "\u202e\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
BIG_SENTENCE = "Banjir melanda kota Jakarta lagi hari ini. "
BIG_BODY = "\n\n".join([BIG_SENTENCE * 20] * 1200)  # about a million characters
SLASH_ID = "a/../b"
RECORDS = [
    {"id": "js-1", "title": "Banjir di Kota Jahat", "body": "Banjir melanda kota sejak pagi.",
     "url": "javascript:alert(document.domain)", "source": "uji", "date": "2019-09-10"},
    {"id": "web-1", "title": "Banjir di Kota Baik", "body": "Banjir surut menjelang sore.",
     "url": "https://berita.example/banjir", "source": "uji", "date": "2019-09-11"},
    {"id": SLASH_ID, "title": "Banjir Miring Sekali", "body": "Banjir di artikel yang id-nya aneh.",
     "source": "uji", "date": "2019-09-12"},
    {"id": "..", "title": "Banjir Titik Dua", "body": "Banjir di artikel ber-id dua titik.",
     "source": "uji", "date": "2019-09-13"},
    {"id": "bidi-1", "title": "Banjir \u202eevil\u202c dan \u2066teks\u2069 terbalik",
     "body": "Banjir dengan karakter \u202earah\u202c.", "source": "sum\u202eber\u200f",
     "category": "nasi\u2067onal", "author": "Pe\u202enulis", "date": "2019-09-14",
     "url": "https://ok.example/\u202ey"},
    {"id": "big-1", "title": "Banjir Sangat Panjang", "body": BIG_BODY, "source": "uji", "date": "2019-09-15"},
]


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory):
    from search.indexing.indexer import index_corpus

    root = tmp_path_factory.mktemp("hostile")
    write_jsonl(root / "corpus" / "hostile.jsonl", RECORDS)
    report = index_corpus(root / "corpus", root / "index")
    assert report.articles == len(RECORDS), report.to_dict()
    return root / "index"


@pytest.fixture
def make_client(hostile_index):
    from web import create_app
    from web.engine import close_engine

    apps = []

    def make(**config):
        app = create_app({"CARI_INDEX": str(hostile_index), "TESTING": True, **config})
        apps.append(app)
        return app.test_client()

    yield make
    for app in apps:
        close_engine(app)


@pytest.fixture
def client(make_client):
    return make_client()


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def text_of(response, status: int = 200) -> str:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    return response.get_data(as_text=True)


# -- 1. URLs are data --------------------------------------------------------------------
@pytest.fixture
def javascript_url(monkeypatch):
    """js-1's URL as the record had it, even if a reader or the indexer drops it
    (an index built by older code keeps what it stored)."""
    from search.retrieval.engine import Engine

    original = Engine.article

    def article(self, article_id):
        found = original(self, article_id)
        if found is not None and article_id == "js-1":
            found["url"] = "javascript:alert(document.domain)"
        return found

    monkeypatch.setattr(Engine, "article", article)


def test_javascript_url_is_shown_as_text_not_linked(client, javascript_url):
    html = text_of(client.get("/article/js-1"))
    assert not any(h.lower().startswith("javascript:") for h in hrefs(html))
    assert "javascript:alert(document.domain)" in html  # still shown, as text
    html = text_of(client.get("/article/web-1"))
    assert 'href="https://berita.example/banjir"' in html


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)",
                                 "data:text/html,<b>x</b>", "vbscript:x", "/relative", "//evil.example/x",
                                 "https://", "http://a b", "https://ok.example/\u202e", "ftp://x.example/"])
def test_only_http_urls_are_web_urls(url):
    from web.security import is_web_url

    assert not is_web_url(url)
    assert is_web_url("https://berita.example/a?b=1#c") and is_web_url("HTTP://x.example")


def test_backslash_path_language_links_stay_on_this_host(client):
    html = text_of(client.get("/%5Cevil.example/x"), 404)
    links = [h for h in hrefs(html) if "lang=" in h]
    assert links and all(h.startswith("/") and not h.startswith(("//", "/\\")) for h in links), links
    assert "evil.example" not in html
    for href in links:
        assert urlsplit(urljoin("https://cari.example/%5Cevil.example/x", href)).netloc == "cari.example"


def test_language_links_are_built_from_the_route(client):
    html = text_of(client.get("/search?q=banjir&source=uji"))
    assert 'href="/search?q=banjir&amp;source=uji&amp;lang=en"' in html
    html = text_of(client.get("/article/a%2F..%2Fb?q=banjir"))
    assert 'href="/article/a%2F..%2Fb?q=banjir&amp;lang=en"' in html


def test_opensearch_ignores_a_forged_host(make_client):
    forged = {"Host": "evil.example"}
    client = make_client(CARI_BASE_URL="https://cari.example.org/")
    xml = text_of(client.get("/opensearch.xml", headers=forged))
    assert "evil.example" not in xml
    assert 'template="https://cari.example.org/search?q={searchTerms}"' in xml
    # No base URL configured and a Host that is not loopback: nothing trusted to offer.
    client = make_client()
    assert client.get("/opensearch.xml", headers=forged).status_code == 404
    assert "opensearchdescription" not in text_of(client.get("/", headers=forged))
    # Loopback (make run) still works without configuration.
    xml = text_of(client.get("/opensearch.xml", headers={"Host": "127.0.0.1:8000"}))
    assert 'template="http://127.0.0.1:8000/search?q={searchTerms}"' in xml


def test_a_malformed_base_url_is_refused_at_startup(hostile_index):
    from web import create_app

    with pytest.raises(ValueError, match="CARI_BASE_URL"):
        create_app({"CARI_INDEX": str(hostile_index), "CARI_BASE_URL": "javascript:alert(1)"})


# -- 2. the pages take the API's limits ----------------------------------------------------
def test_820_source_values_are_a_400_in_the_page_language(client):
    query = "&".join(f"source=s{i}" for i in range(820))
    response = client.get("/search?q=banjir&" + query)
    html = text_of(response, 400)
    assert len(response.data) < 100_000
    assert "paling banyak 10 nilai" in html
    html = text_of(client.get("/search?q=banjir&lang=en&" + query), 400)
    assert "at most 10 values" in html
    assert client.get("/search?q=banjir&" + "&".join(f"category=k{i}" for i in range(11))).status_code == 400
    assert client.get("/search?q=banjir&source=" + "x" * 51).status_code == 400
    assert client.get("/search?q=banjir&" + "&".join(f"source=s{i}" for i in range(10))).status_code == 200


def test_query_longer_than_the_api_allows_is_a_400(client):
    # 510 characters as typed, 10 once spaces are folded: the API refuses it, so must the page.
    q = "banjir" + "+" * 500 + "rob"
    assert client.get("/api/search?q=" + q).status_code == 400
    assert "Kueri terlalu panjang" in text_of(client.get("/search?q=" + q), 400)
    assert client.get("/search?q=banjir" + "+" * 480 + "rob").status_code == 200  # 489 characters


def test_bad_date_from_the_engine_is_a_400_in_the_page_language(client, monkeypatch):
    from search.retrieval.query import QueryError
    from search.retrieval.engine import Engine

    def bad_date(self, *args, **kwargs):
        raise QueryError("date out of range", "bad_date")

    monkeypatch.setattr(Engine, "search", bad_date)
    assert "Tanggal tidak dikenali" in text_of(client.get("/search?q=tanggal:99999"), 400)
    assert "Unknown date" in text_of(client.get("/search?q=tanggal:99999&lang=en"), 400)
    response = client.get("/api/search?q=tanggal:99999", headers={"Accept-Language": "en"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_date"


# -- 3. the rate limit covers the pages ------------------------------------------------------
def test_rate_limit_covers_the_pages_and_shares_the_api_budget(make_client):
    client = make_client(CARI_RATE_LIMIT="3/m")
    assert client.get("/search?q=banjir").status_code == 200
    assert client.get("/article/web-1").status_code == 200
    assert client.get("/static/style.css").status_code == 200   # assets are not counted
    assert client.get("/api/search?q=banjir").status_code == 200
    limited = client.get("/search?q=banjir")
    html = text_of(limited, 429)
    assert int(limited.headers["Retry-After"]) >= 1 and "Terlalu banyak permintaan" in html
    assert "Too many requests" in text_of(client.get("/article/web-1?lang=en"), 429)
    assert client.get("/api/suggest?q=banj").status_code == 429
    assert client.get("/healthz").status_code == 200


# -- 4. big articles -------------------------------------------------------------------------
def test_article_page_shows_at_most_the_limit_and_says_so(client):
    response = client.get("/article/big-1?q=banjir")
    html = text_of(response)
    assert len(BIG_BODY) > 1_000_000 and len(response.data) < 1_000_000
    assert html.count("<mark") <= 200_000 // len(BIG_SENTENCE) + 1
    note = re.search(r'<p class="truncated"[^>]*>([^<]*)', html)
    assert note and re.search(r"ditampilkan 19\d\.\d{3} karakter pertama dari \d{3}\.\d{3}", note.group(1)), note
    assert 'class="truncated"' not in text_of(client.get("/article/web-1"))


def test_api_article_body_is_capped_and_flagged(make_client):
    client = make_client(CARI_MAX_ARTICLE_CHARS=5000)
    response = client.get("/api/articles/big-1")
    data = response.get_json()
    assert response.status_code == 200 and len(response.data) < 20_000
    # (the indexer may keep less than the whole record: body_chars is what the index holds)
    assert data["body_truncated"] is True and 5000 < data["body_chars"] <= len(BIG_BODY)
    words = lambda text: " ".join(text.split())  # noqa: E731 - readers may tidy whitespace
    assert 4800 <= len(data["body"]) <= 5000 and words(BIG_BODY).startswith(words(data["body"]))
    small = client.get("/api/articles/web-1").get_json()
    assert small["body_truncated"] is False and small["body"] == "Banjir surut menjelang sore."
    assert small["body_chars"] == len(small["body"])


def test_truncation_ends_at_a_space():
    from web.text import truncate_body

    assert truncate_body("abc", 10) == ("abc", False)
    text, cut = truncate_body("kata " * 100, 52)
    assert cut and text.endswith("kata") and len(text) <= 52


# -- 5. ids, bidi, Vary ------------------------------------------------------------------------
def test_ids_with_slash_and_dots_link_to_their_own_article(client):
    html = text_of(client.get("/search?q=banjir"))
    links = {h for h in hrefs(html) if h.startswith("/article")}
    slash = next(h for h in links if "a%2F..%2Fb" in h)
    dots = next(h for h in links if h.startswith("/article?id=..") or "id=.." in h)
    for href, title in ((slash, "Banjir Miring Sekali"), (dots, "Banjir Titik Dua")):
        # What a browser would request: the link resolved against the page, dot segments and all.
        path = urlsplit(urljoin("http://localhost/search?q=banjir", href.replace("&amp;", "&")))
        assert path.path.startswith("/article"), (href, path)
        page = text_of(client.get(path.path + "?" + path.query))
        assert f"<h1 id=\"article-title\" lang=\"id\">{title}" in page.replace("<mark>", "").replace("</mark>", "")


def test_api_takes_any_id_in_the_query(client):
    for article_id, title in ((SLASH_ID, "Banjir Miring Sekali"), ("..", "Banjir Titik Dua")):
        data = client.get("/api/articles", query_string={"id": article_id}).get_json()
        assert data["id"] == article_id and data["title"] == title
    assert client.get("/api/articles?id=tidak-ada").status_code == 404
    assert client.get("/api/articles").get_json()["error"]["code"] == "invalid_parameter"


def test_bidi_controls_are_stripped_from_what_pages_show(client):
    for url in ("/search?q=banjir", "/article/bidi-1", "/article/bidi-1?q=banjir", "/search?q=teks+%E2%80%AE"):
        html = text_of(client.get(url))
        assert not any(c in html for c in BIDI), url
    html = text_of(client.get("/article/bidi-1"))
    assert "Banjir evil dan teks terbalik" in html and "sumber" in html and "Penulis" in html


@pytest.mark.parametrize("origins", ["*", "https://app.example"])
def test_cors_answers_vary_on_origin(make_client, origins):
    client = make_client(CARI_CORS_ORIGINS=origins)
    for headers in ({"Origin": "https://app.example"}, {"Origin": "https://other.example"}, {}):
        response = client.get("/api/search?q=banjir", headers=headers)
        assert "Origin" in response.headers.get("Vary", ""), (headers, response.headers)
    assert "Origin" not in (make_client().get("/api/search?q=banjir").headers.get("Vary") or "")


# -- 6. (issue #18) internal errors -------------------------------------------------------------
@pytest.fixture
def broken_search(monkeypatch):
    from search.retrieval.engine import Engine

    def boom(self, *args, **kwargs):
        raise IndexError("list index out of range in /srv/secret/segment.py")

    monkeypatch.setattr(Engine, "search", boom)


@pytest.mark.parametrize("lang, words", [("id", "Terjadi galat di server"), ("en", "Something went wrong")])
def test_internal_error_is_a_500_page_in_the_page_language(client, broken_search, caplog, lang, words):
    with caplog.at_level(logging.ERROR, logger="cari.web"):
        response = client.get(f"/search?q=banjir+rob&lang={lang}")
    html = text_of(response, 500)
    assert words in html and f'<html lang="{lang}">' in html
    for leak in ("Traceback", "IndexError", "/srv/secret", "segment.py"):
        assert leak not in html
    record = next(r for r in caplog.records if r.name == "cari.web")
    assert "banjir rob" in record.getMessage() and "/search" in record.getMessage()
    assert record.exc_info and record.exc_info[0] is IndexError


def test_internal_error_in_the_api_is_json_and_logged_with_the_query(client, broken_search, caplog):
    with caplog.at_level(logging.ERROR, logger="cari.web"):
        response = client.get("/api/search?q=banjir+rob", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert response.get_json()["error"] == {"code": "internal_error",
                                            "message": "Something went wrong on the server."}
    assert "secret" not in response.get_data(as_text=True)
    assert any("banjir rob" in r.getMessage() and r.exc_info for r in caplog.records if r.name == "cari.web")


def test_a_newline_in_the_query_cannot_forge_a_log_line(client, broken_search, caplog):
    with caplog.at_level(logging.ERROR, logger="cari.web"):
        client.get("/search?q=banjir%0A2026-12-05+INFO+forged")
    message = next(r for r in caplog.records if r.name == "cari.web").getMessage()
    assert "\n" not in message and "forged" in message


# -- the same through the real gunicorn ----------------------------------------------------------
@pytest.mark.integration
def test_through_gunicorn(hostile_index, tmp_path):
    from conftest import GunicornServer

    server = GunicornServer(hostile_index, tmp_path, workers=1, threads=2).start()
    try:
        status, body = server.get("/article/a%2F..%2Fb")
        assert status == 200 and "Banjir Miring Sekali" in body.decode("utf-8")
        try:
            server.get("/%5Cevil.example/x")
        except urllib.error.HTTPError as exc:
            html = exc.read().decode("utf-8")
            assert exc.code == 404 and 'href="/?lang=en"' in html and "evil.example" not in html
        else:
            pytest.fail("expected 404")
        request = urllib.request.Request(server.base + "/opensearch.xml", headers={"Host": "evil.example"})
        with pytest.raises(urllib.error.HTTPError) as forged:
            urllib.request.urlopen(request, timeout=10)
        assert forged.value.code == 404
        status, body = server.get("/api/articles/big-1")
        assert status == 200 and len(body) < 250_000
    finally:
        server.stop()
