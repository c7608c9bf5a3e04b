"""Following a search: /search.atom, read by a feed parser and a strict XML parser (#19)."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlparse
from xml.etree import ElementTree as ET

import feedparser
import pytest

from conftest import app_of, news

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = 'Banjir <b>"kota"</b> & \x01 rob'


@pytest.fixture(scope="module")
def follow_app(tmp_path_factory):
    from web.engine import close_engine

    app = app_of(tmp_path_factory, "follow", [
        news(1, "Banjir lama di Bekasi", "Banjir merendam Bekasi.", date="2019-01-05"),
        news(2, HOSTILE, "Banjir rob menggenangi pesisir.", date="2021-03-07T08:30:00+07:00",
             url="https://uji.example/banjir-rob"),
        news(3, "Banjir bandang di Garut", "Banjir bandang melanda Garut.", date="2020-11-02",
             source="lain", category="olahraga"),
        news(4, "Gempa di Cianjur", "Gempa mengguncang Cianjur.", date="2022-11-21"),
        news(5, "=HYPERLINK(\"http://evil.example\") banjir", "Banjir dan rumus.", date="2018-02-02"),
    ])
    yield app
    close_engine(app)


@pytest.fixture
def follow(follow_app):
    return follow_app.test_client()


def feed_of(client, url: str, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/atom+xml"
    body = response.get_data()
    return ET.fromstring(body), feedparser.parse(body)      # strict first: fromstring raises on bad XML


def test_feed_is_valid_atom_with_the_newest_matches_first(follow):
    root, parsed = feed_of(follow, "/search.atom?q=banjir")
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert root.tag == ATOM + "feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(ATOM + required) is not None, required
    assert parsed.feed.id == "http://localhost/search.atom?q=banjir"
    assert parsed.feed.title == "cari: banjir"
    assert [e.title for e in parsed.entries][:2] == [HOSTILE.replace("\x01", ""), "Banjir bandang di Garut"]
    assert [e.updated_parsed[:3] for e in parsed.entries] == \
        sorted((e.updated_parsed[:3] for e in parsed.entries), reverse=True)
    assert parsed.feed.updated == parsed.entries[0].updated == "2021-03-07T08:30:00+07:00"
    for entry in parsed.entries:
        assert entry.id.startswith("http://localhost/article/") and entry.link == entry.id
        assert entry.updated
    assert "Gempa di Cianjur" not in {e.title for e in parsed.entries}
    self_link = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_link == ["http://localhost/search.atom?q=banjir"]
    related = [link.href for e in parsed.entries for link in e.links if link.rel == "related"]
    assert "https://uji.example/banjir-rob" in related


def test_feed_keeps_every_filter_of_the_page(follow):
    _, parsed = feed_of(follow, "/search.atom?q=banjir&source=lain&date_from=2020-01-01&sort=relevance")
    assert [e.title for e in parsed.entries] == ["Banjir bandang di Garut"]
    assert parse_qs(urlparse(parsed.feed.id).query) == {"q": ["banjir"], "source": ["lain"],
                                                        "date_from": ["2020-01-01"]}
    _, by_month = feed_of(follow, "/search.atom?q=banjir&month=2019-01")
    assert [e.title for e in by_month.entries] == ["Banjir lama di Bekasi"]


def test_feed_speaks_the_language_asked(follow):
    root, parsed = feed_of(follow, "/search.atom?q=banjir&lang=en")
    assert parsed.feed.subtitle.startswith("The ")
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    _, indonesian = feed_of(follow, "/search.atom?q=banjir")
    assert "berita terbaru" in indonesian.feed.subtitle


def test_results_page_links_its_feed_from_the_head(follow):
    html = follow.get("/search?q=banjir&source=lain&sort=newest&page=1").get_data(as_text=True)
    head = html.split("</head>")[0]
    (href,) = re.findall(r'<link rel="alternate" type="application/atom\+xml" title="[^"]*" href="([^"]+)"', head)
    href = unescape(href)
    assert href.startswith("/search.atom?")
    assert parse_qs(urlparse(href).query) == {"q": ["banjir"], "source": ["lain"]}
    _, parsed = feed_of(follow, href)
    assert [e.title for e in parsed.entries] == ["Banjir bandang di Garut"]


def test_feed_needs_a_trusted_address(follow_app):
    client = follow_app.test_client()
    assert client.get("/search.atom?q=banjir", headers={"Host": "evil.example"}).status_code == 404
    page = client.get("/search?q=banjir", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "application/atom+xml" not in page
    follow_app.config["CARI_BASE_URL"] = "https://cari.example"
    try:
        _, parsed = feed_of(client, "/search.atom?q=banjir", headers={"Host": "evil.example"})
    finally:
        follow_app.config["CARI_BASE_URL"] = ""
    assert parsed.feed.id.startswith("https://cari.example/search.atom?")
    assert all(e.id.startswith("https://cari.example/article/") for e in parsed.entries)


def test_feed_of_a_bad_search_is_a_400_not_a_500(follow):
    assert follow.get("/search.atom").status_code == 400
    assert follow.get("/search.atom?q=" + "a" * 501).status_code == 400
    assert follow.get("/search.atom?q=banjir" + "&source=x" * 11).status_code == 400
    assert follow.get("/search.atom?q=banjir&date_from=2020-13-45").status_code == 400
    _, empty = feed_of(follow, "/search.atom?q=yang+dan")       # only stopwords: a feed with no entries
    assert empty.entries == [] and not empty.bozo


def test_feed_and_exports_share_the_pages_rate_limit(follow_app):
    from web import create_app
    from web.engine import close_engine

    limited = create_app({"CARI_INDEX": follow_app.config["CARI_INDEX"], "TESTING": True,
                          "CARI_RATE_LIMIT": "3/m"})
    try:
        client = limited.test_client()
        assert client.get("/search.atom?q=banjir").status_code == 200
        assert client.get("/search.csv?q=banjir").status_code == 200
        assert client.get("/search?q=banjir").status_code == 200
        for url in ("/search.atom?q=banjir", "/search.json?q=banjir", "/search.csv?q=banjir"):
            response = client.get(url)
            assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1, url
    finally:
        close_engine(limited)
