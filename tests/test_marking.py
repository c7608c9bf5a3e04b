"""The words a page marks are the words the engine searched: one parser.

The results and article pages take their terms from the engine
(``SearchResults.terms``, ``Engine.query_terms``), so cari's own operators
(``ATAU``, ``DAN``, ``|``) and exclusions, groups included, mark exactly
what the query language means.
"""
from __future__ import annotations

import re

import pytest

from conftest import app_of, news

# banjir, OR (gempa and jakarta), OR (longsor without hujan-and-angin).
QUERY = "banjir ATAU gempa DAN jakarta | longsor -(hujan angin)"
SEARCHED = {"banjir", "gempa", "jakarta", "longsor"}
NEVER = {"hujan", "angin", "atau", "dan"}
MARK = re.compile(r"<mark[^>]*>([^<]*)</mark>")

ARTICLES = [
    news(1, "Banjir merendam Jakarta",
         "Banjir datang setelah hujan dan angin kencang semalam.\n\n"
         "Atau begitulah kata warga Jakarta yang mengungsi."),
    news(2, "Gempa guncang Jakarta", "Gempa terasa di Jakarta pagi ini, tanpa hujan atau angin."),
    news(3, "Longsor di Bogor", "Longsor menimbun rumah warga di Bogor dan jalan desa."),
    news(4, "Longsor saat hujan angin", "Longsor terjadi ketika hujan dan angin melanda desa."),
    news(5, "Pasar ramai menjelang lebaran", "Pedagang pasar menambah stok dan harga stabil."),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from web.engine import close_engine

    app = app_of(tmp_path_factory, "marking", ARTICLES)
    yield app.test_client()
    close_engine(app)


def marked(html: str) -> set[str]:
    return {word.casefold() for word in MARK.findall(html)}


def test_the_results_page_marks_exactly_the_searched_words(client):
    page = client.get("/search", query_string={"q": QUERY})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert {"t-001", "t-002", "t-003"} <= set(re.findall(r"t-00\d", html))
    assert "t-004" not in html                       # longsor with hujan and angin: excluded
    assert marked(html) == SEARCHED


def test_the_article_page_marks_exactly_the_searched_words(client):
    page = client.get("/article/t-001", query_string={"q": QUERY})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert marked(html) == {"banjir", "jakarta"}
    assert not marked(html) & NEVER
    body = html[html.index('class="body"'):]
    assert MARK.findall(body) == ["Banjir", "Jakarta"]     # in the body too, "dan" and "Atau" left alone


def test_excluded_words_and_filters_are_not_marked(client):
    html = client.get("/article/t-002", query_string={"q": "gempa -hujan sumber:uji"}).get_data(as_text=True)
    assert marked(html) == {"gempa"}
    html = client.get("/article/t-002", query_string={"q": "-(hujan angin) gempa"}).get_data(as_text=True)
    assert marked(html) == {"gempa"}
