"""Property: whatever a user types or sends, the query path answers with results
or a clean QueryError, never another exception."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.retrieval.query import QueryError
from search.retrieval.engine import Engine, SearchResults

PIECES = st.sampled_from([
    "banjir", "jakarta", "kpk", "Kabut", "asap", "pemerinth", "kunjung*", "a*", "*", "**",
    '"', '"kabut asap"', "(", ")", "OR", "AND", "NOT", "-", "-banjir", "|", ":", "[", "]", "{", "}",
    "judul:", "judul:banjir", "title:\"kabut", "sumber:", "sumber:kabarnusa", "kategori:\"sepak bola\"",
    "tanggal:2019-09", "tanggal:[2019-09-01 TO 2019-09-15]", "tanggal:[", "tanggal:[* TO *]",
    "sebelum:2020", "after:2019-13", "date:99999", "before:0000", "tanggal:2019-02-30",
    "😀", "\x00", "\u200b", "\n", "&", "<b>", "Rp1,5", "US$900", "negara-negara", "'", "\\",
])

# This module's tests only: a profile loaded here would change every module collected after it.
QUERY_PATH = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def shared_engine(sample_index):
    eng = Engine(sample_index)
    yield eng
    eng.close()


def check(call):
    try:
        result = call()
    except QueryError as exc:
        assert str(exc) and exc.code
        return None
    return result


def check_results(results):
    assert isinstance(results, SearchResults)
    assert results.total >= len(results.hits)
    for hit in results.hits:
        assert "<script" not in hit.snippet
    return results


@given(text=st.text(max_size=300))
@settings(QUERY_PATH, max_examples=150)
def test_any_text(shared_engine, text):
    results = check(lambda: shared_engine.search(text))
    if results is not None:
        check_results(results)


@given(parts=st.lists(PIECES, max_size=12), joiner=st.sampled_from([" ", "", "  "]))
@settings(QUERY_PATH, max_examples=300)
def test_any_mix_of_syntax(shared_engine, parts, joiner):
    results = check(lambda: shared_engine.search(joiner.join(parts)))
    if results is not None:
        check_results(results)


ANY = st.one_of(st.none(), st.integers(-10, 10**6), st.text(max_size=20), st.floats(allow_nan=True),
                st.lists(st.text(max_size=10), max_size=3), st.dates(min_value=date(1, 1, 1)))


@given(q=st.one_of(st.text(max_size=40), PIECES), page=ANY, per_page=ANY,
       sort=st.one_of(st.sampled_from(["relevance", "newest"]), ANY),
       filters=st.one_of(st.none(), st.dictionaries(
           st.sampled_from(["source", "category", "date_from", "date_to", "other"]), ANY, max_size=4)),
       highlight=st.booleans(), facets=st.booleans())
@settings(QUERY_PATH, max_examples=300)
def test_any_parameters(shared_engine, q, page, per_page, sort, filters, highlight, facets):
    results = check(lambda: shared_engine.search(q, page=page, per_page=per_page, sort=sort,
                                                 filters=filters, highlight=highlight, facets=facets))
    if results is not None:
        check_results(results)


@given(prefix=st.one_of(st.text(max_size=60), PIECES), limit=ANY)
@settings(QUERY_PATH, max_examples=150)
def test_any_autocomplete(shared_engine, prefix, limit):
    found = check(lambda: shared_engine.suggest(prefix, limit=limit))
    if found is not None:
        assert isinstance(found, list) and all(isinstance(s, str) for s in found)


@given(article_id=st.one_of(st.text(max_size=40), st.sampled_from(["kabarnusa-0101", "wartasiar-0001"])),
       limit=ANY)
@settings(QUERY_PATH, max_examples=100)
def test_any_related(shared_engine, article_id, limit):
    found = check(lambda: shared_engine.related(article_id, limit=limit))
    if found is not None:
        assert isinstance(found, list)
