"""The article page: a phrase query marks the phrase, not its lone words, and
each match leads to the previous and next one, with a count (#19)."""
from __future__ import annotations

import re

import pytest

from conftest import app_of, news
from web.text import article_blocks, mark_terms, query_marking

LABELS = {"prev": "Temuan sebelumnya", "next": "Temuan berikutnya", "of": "{n} dari {total}"}
TEXT = "Titik panas di Riau bertambah. Di titik lain udara makin panas. Titik-titik panas terpantau satelit."


def marked(html) -> list[str]:
    return re.findall(r"<mark[^>]*>(.*?)</mark>", str(html))


def test_a_phrase_is_marked_whole_and_its_lone_words_are_not():
    marking = query_marking('"titik panas"', {"titik", "panas"})
    assert marked(mark_terms(TEXT, marking)) == ["Titik panas", "Titik-titik panas"]


def test_a_word_asked_on_its_own_beside_a_phrase_is_marked_everywhere():
    marking = query_marking('"titik panas" udara', {"titik", "panas", "udara"})
    assert marked(mark_terms(TEXT, marking)) == ["Titik panas", "udara", "Titik-titik panas"]
    both = query_marking('"titik panas" panas', {"titik", "panas"})
    assert marked(mark_terms(TEXT, both)) == ["Titik panas", "panas", "Titik-titik panas"]


def test_words_without_quotes_are_marked_one_by_one():
    marking = query_marking("titik panas", {"titik", "panas"})
    assert marked(mark_terms(TEXT, marking)) == ["Titik", "panas", "titik", "panas", "Titik-titik", "panas"]


def test_each_match_links_to_the_previous_and_the_next_with_a_count():
    body = "Titik panas muncul.\n\nTidak ada apa-apa.\n\nTitik panas lagi dan titik panas lagi."
    blocks, count = article_blocks(body, query_marking('"titik panas"', {"titik", "panas"}), LABELS)
    html = "".join(str(b.html) for b in blocks)
    assert count == 3
    assert re.findall(r'<mark id="([^"]+)">', html) == ["first-match", "match-2", "match-3"]
    assert re.findall(r'<span class="where">([^<]+)</span>', html) == ["1 dari 3", "2 dari 3", "3 dari 3"]
    nav = re.findall(r'href="#([^"]+)" aria-label="([^"]+)"', html)
    assert nav == [("match-2", "Temuan berikutnya"), ("first-match", "Temuan sebelumnya"),
                   ("match-3", "Temuan berikutnya"), ("match-2", "Temuan sebelumnya")]


def body_of(page: str) -> str:
    return page[page.find('<div class="body"'):page.find("</article>")]


def test_the_article_page_marks_a_phrase_query_whole(client, engine):
    hit = engine.search('"banjir rob"').hits[0]
    page = client.get(f"/article/{hit.id}?q=%22banjir+rob%22").get_data(as_text=True)
    words = marked(body_of(page))
    assert words and all(" " in w for w in words)             # "Banjir rob", never "Banjir" alone
    assert f"{len(words)} temuan." in page
    lone = client.get(f"/article/{hit.id}?q=banjir+rob").get_data(as_text=True)
    assert len(marked(body_of(lone))) > len(words)
    english = client.get(f"/article/{hit.id}?q=%22banjir+rob%22&lang=en").get_data(as_text=True)
    assert 'aria-label="Next match"' in english or len(words) == 1


def test_only_the_first_hundred_matches_carry_the_way_on():
    from web.text import NAVIGATED

    body = "banjir datang. " * (NAVIGATED + 50)
    blocks, count = article_blocks(body, {"banjir"}, LABELS)
    html = str(blocks[0].html)
    assert count == NAVIGATED + 50
    assert html.count('class="match-nav"') == NAVIGATED and f'id="match-{NAVIGATED + 1}"' not in html
    assert f"{NAVIGATED} dari {NAVIGATED + 50}</span></span>" in html      # the last, with no next


# -- a multi-word synonym: the page marks what the snippets mark ---------------------------------

SYNONYM_STORY = news(1, "Newcastle United menang, MU kalah",
                     "Newcastle United menang besar. Pelatih MU kecewa setelah Man United kalah dua gol.")


@pytest.fixture(scope="module")
def synonym_client(tmp_path_factory):
    from web.engine import close_engine

    app = app_of(tmp_path_factory, "synonym-marks", [SYNONYM_STORY, news(2, "Harga kopi", "Kopi naik.")])
    yield app.test_client()
    close_engine(app)


@pytest.fixture
def builtin_synonyms_only(monkeypatch):
    monkeypatch.delenv("CARI_SYNONYMS", raising=False)      # MU, Man United, Manchester United, ...


@pytest.mark.usefixtures("builtin_synonyms_only")
def test_the_article_page_marks_a_synonym_phrase_as_the_snippet_does(synonym_client):
    found = synonym_client.get("/api/search", query_string={"q": "MU kalah"}).get_json()
    snippet = found["hits"][0]["snippet"]
    assert marked(snippet) == ["MU", "Man United", "kalah"]        # "Newcastle United": not marked
    page = synonym_client.get("/article/t-001", query_string={"q": "MU kalah"}).get_data(as_text=True)
    assert marked(body_of(page)) == marked(snippet)                 # the whole body is in the snippet
    results = synonym_client.get("/search", query_string={"q": "MU kalah"}).get_data(as_text=True)
    title = re.search(r'<h2 lang="id"><a [^>]*>(.*?)</a></h2>', results).group(1)
    assert marked(title) == ["MU", "kalah"]                         # the title's "United" stands alone


@pytest.mark.usefixtures("builtin_synonyms_only")
def test_a_word_typed_alone_is_marked_alone_on_the_page_too(synonym_client):
    page = synonym_client.get("/article/t-001", query_string={"q": "MU united"}).get_data(as_text=True)
    assert marked(body_of(page)) == ["United", "MU", "Man United"]
