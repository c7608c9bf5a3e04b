"""Totals counted exactly up to TOTAL_EXACT, then a lower bound ("lebih dari N"),
in the engine, the API, `--json` and the page (search/retrieval/run.py)."""
from __future__ import annotations

import html
import json

import pytest

from conftest import engine_of, news

# Two words in every article (the all-words set is large), a third in some:
# a query of two words has a tail (articles holding one of them).
RECORDS = ([news(i, f"Banjir kota {i}", "banjir melanda kota pagi ini, warga mengungsi") for i in range(30)]
           + [news(100 + i, f"Banjir desa {i}", "banjir melanda desa, sungai meluap") for i in range(8)]
           + [news(200 + i, f"Kota pasar {i}", "pasar kota ramai menjelang lebaran",
                   source="lain") for i in range(6)])


@pytest.fixture(scope="module")
def small_engine(tmp_path_factory):
    engine = engine_of(tmp_path_factory, "totals", RECORDS, result_cache_size=0)
    yield engine
    engine.close()


@pytest.fixture
def bound(monkeypatch):
    import search.retrieval.run as run

    monkeypatch.setattr(run, "TOTAL_EXACT", 20)
    return 20


def test_below_the_threshold_the_total_is_exact_and_counts_the_tail(small_engine):
    results = small_engine.search("banjir kota")
    assert results.total_exact
    assert results.total_all_words == 30 and results.total_some_words == 14
    assert results.total == 44


def test_past_the_threshold_the_total_is_a_lower_bound_and_the_first_page_is_the_same(small_engine, bound):
    import search.retrieval.run as run

    bounded = small_engine.search("banjir kota", per_page=10)
    assert not bounded.total_exact and not bounded.partial and not bounded.notes
    assert bounded.total == bound and bounded.total_all_words == bound and bounded.total_some_words == 0
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(run, "TOTAL_EXACT", 10**6)
        full = small_engine.search("banjir kota", per_page=10)
    assert full.total_exact and full.total == 44
    assert [(h.id, h.score) for h in bounded.hits] == [(h.id, h.score) for h in full.hits]
    # The facets count the articles holding every word, exactly.
    assert sum(f["count"] for f in bounded.facets["source"]) == 30


def test_a_query_without_a_tail_is_counted_exactly_past_the_threshold(small_engine, bound):
    one_word = small_engine.search("banjir")
    assert one_word.total_exact and one_word.total == 38 > bound
    newest = small_engine.search("banjir kota", sort="newest")
    assert newest.total_exact and newest.total == 30


def test_the_threshold_applies_under_the_requests_filters(small_engine, bound):
    """A filter leaving fewer articles with every word than the threshold
    lists the tail after them and counts it."""
    filtered = small_engine.search("kota pasar", filters={"source": "uji"})
    assert filtered.total_exact
    assert filtered.total_all_words == 0 and filtered.total_some_words == 30


def test_no_page_can_reach_an_uncounted_tail():
    """The tail is left out only where no page lists it: past the ranked results."""
    from search.retrieval.engine import MAX_RANKED
    from search.retrieval.run import TOTAL_EXACT

    assert TOTAL_EXACT > MAX_RANKED


def test_the_api_and_the_page_say_more_than(tmp_path_factory, monkeypatch):
    import search.retrieval.run as run
    from conftest import app_of
    from web.engine import close_engine

    monkeypatch.setattr(run, "TOTAL_EXACT", 20)
    app = app_of(tmp_path_factory, "totals-web", RECORDS)
    try:
        client = app.test_client()
        data = client.get("/api/search?q=banjir+kota").get_json()
        assert data["total"] == 20 and data["total_exact"] is False and data["partial"] is False
        page = html.unescape(client.get("/search?q=banjir+kota").get_data(as_text=True))
        assert "lebih dari 20 hasil" in page
        english = html.unescape(client.get("/search?q=banjir+kota&lang=en").get_data(as_text=True))
        assert "more than 20 results" in english
        exact = html.unescape(client.get("/search?q=banjir&lang=id").get_data(as_text=True))
        assert "38 hasil" in exact and "lebih dari 38" not in exact
    finally:
        close_engine(app)


def test_json_output_says_the_total_is_a_lower_bound(small_engine, bound):
    from search.retrieval.responses import search_response

    data = json.loads(json.dumps(search_response(small_engine.search("banjir kota"))))
    assert data["total"] == bound and data["total_exact"] is False


def test_plain_cli_output_says_more_than(small_engine, bound, capsys):
    from search.cli import print_results

    print_results(small_engine.search("banjir kota"))
    assert capsys.readouterr().out.startswith(f"more than {bound} results")
    print_results(small_engine.search("pasar"))
    assert capsys.readouterr().out.startswith("6 results")
