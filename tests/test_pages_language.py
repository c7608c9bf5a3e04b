"""One language per page: the engine's English notes and errors are said in
the page's language, and the language picked sticks to the next search (#19)."""
from __future__ import annotations

import html

import pytest

import search.retrieval.engine as engine_module
from web.i18n import texts
from web.notes import KINDS, translate_note

ENGLISH = ("took too long", "nothing to search for", "only the first", "results are")


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_query_with_nothing_to_search_says_so_in_indonesian_only(client):
    response = client.get("/search?q=%21%21%21")
    assert response.status_code == 200          # a results page saying why, as /api/search answers 200
    text = text_of(response)
    assert "Kueri tidak memuat kata yang bisa dicari." in text
    assert not any(words in text for words in ENGLISH)
    english = text_of(client.get("/search?q=%21%21%21&lang=en"))
    assert "The query has no searchable words." in english


def test_notes_of_a_search_cut_short_are_in_the_pages_language(client, monkeypatch):
    monkeypatch.setattr(engine_module, "TIME_LIMIT", 0.0)
    text = text_of(client.get("/search?q=banjir+OR+rupiah+OR+gempa"))
    assert "Pencarian terlalu lama:" in text
    assert not any(words in text for words in ENGLISH)
    english = text_of(client.get("/search?q=banjir+OR+rupiah+OR+gempa&lang=en"))
    assert "The search took too long:" in english


def test_the_apis_notes_follow_accept_language(client, monkeypatch):
    monkeypatch.setattr(engine_module, "TIME_LIMIT", 0.0)
    url = "/api/search?q=banjir+OR+rupiah+OR+gempa"
    indonesian = client.get(url).get_json()["notes"]
    assert indonesian and all(not any(words in note for words in ENGLISH) for note in indonesian)
    assert any(note.startswith("Pencarian terlalu lama:") for note in indonesian)
    english = client.get(url, headers={"Accept-Language": "en"})
    assert any(note.startswith("The search took too long:") for note in english.get_json()["notes"])
    assert "Accept-Language" in english.headers["Vary"]


def test_the_api_says_why_a_query_with_nothing_to_search_finds_nothing(client):
    data = client.get("/api/search?q=%21%21%21", headers={"Accept-Language": "en"}).get_json()
    assert data["total"] == 0 and data["notes"] == ["The query has no searchable words."]
    indonesian = client.get("/api/search?q=%21%21%21").get_json()
    assert indonesian["notes"] == ["Kueri tidak memuat kata yang bisa dicari."]


@pytest.mark.parametrize("note, expected", [
    ("only the first 1000 results are ranked and can be paged through: refine the query",
     "hanya 1000 hasil pertama yang diurutkan"),
    ("banj* matches many words: only the 50 most frequent were searched", "banj* cocok dengan banyak kata"),
    ("the server is busy with other long searches: snippets are not marked",
     "Server sedang sibuk dengan pencarian panjang lain: kata kueri tidak ditandai"),
    ("something new the engine says", "sebagian hasil mungkin tidak ada."),
])
def test_each_kind_of_note_has_its_words(app, note, expected):
    with app.test_request_context("/search?q=x"):
        assert expected in translate_note(note, "id")


def test_every_kind_of_note_has_both_languages():
    for _, key in KINDS:
        words = texts(key)
        assert words["id"] and words["en"] and words["id"] != words["en"]


def test_the_language_picked_sticks_to_the_next_search(client):
    first = client.get("/search?q=banjir&lang=en")
    assert "lang=en" in first.headers.get("Set-Cookie", "")
    typed = client.get("/search?q=gempa")          # the form of the next search, no lang in it
    assert '<html lang="en">' in typed.get_data(as_text=True)
    back = client.get("/search?q=gempa&lang=id")
    assert '<html lang="id">' in back.get_data(as_text=True)
    assert '<html lang="id">' in client.get("/search?q=gempa").get_data(as_text=True)


def test_the_api_follows_accept_language_not_the_pages_cookie(client):
    client.get("/search?q=banjir&lang=en")
    data = client.get("/api/search?q=banjir&bogus=1").get_json()
    assert data["error"]["message"].startswith("Parameter tidak dikenal: bogus.")


def test_each_request_decides_its_own_language_inside_one_app_context(app):
    """The language is decided once a request and kept with that request:
    requests made inside one outer app context (a script, a test) still
    each get their own."""
    client = app.test_client()
    with app.app_context():
        indonesian = text_of(client.get("/search?q=%21%21%21"))
        english = text_of(client.get("/search?q=%21%21%21&lang=en"))
        api = client.get("/api/search?q=%21%21%21", headers={"Accept-Language": "en"}).get_json()
    assert "Kueri tidak memuat kata yang bisa dicari." in indonesian
    assert "The query has no searchable words." in english
    assert any("no searchable words" in note for note in api["notes"])
