"""The query language, through Engine.search on the sample corpus (and small indexes).

Each feature is checked against an independent reading of the data: the
stored fields of every hit, or the result of a simpler query.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest

from search.retrieval.query import MAX_CLAUSES, MAX_QUERY_CHARS, QueryError, clean_text, lex, period


def all_hits(engine, q, **kw):
    results = engine.search(q, per_page=100, **kw)
    assert results.total == len(results.hits)
    return results


def ids(results) -> set[str]:
    """The hits that match the query as written (every word): the articles
    holding only some of the words, listed after them, are tests/test_tail.py's."""
    return {h.id for h in results.hits if h.all_words}


def bodies(engine, results) -> list[str]:
    return [(engine.article(h.id)["title"] + " " + engine.article(h.id)["body"]).lower() for h in results.hits]


# --- words, AND, OR fallback -------------------------------------------------------


def test_every_word_must_match_by_default(engine):
    both = all_hits(engine, "banjir pompa")
    assert both.matched_all and both.total > 0
    assert ids(both) <= ids(all_hits(engine, "banjir")) & ids(all_hits(engine, "pompa"))
    for text in bodies(engine, both):
        assert "banjir" in text and "pompa" in text


def test_nothing_matches_all_words_falls_back_to_or_and_says_so(engine):
    results = all_hits(engine, "banjir mandalika")
    assert not results.matched_all
    assert ids(results) == ids(all_hits(engine, "banjir")) | ids(all_hits(engine, "mandalika"))


def test_affixed_forms_match_their_root(engine):
    # kunjungan, berkunjung, mengunjungi share one stem (kunjungan, rare in the
    # sample, also gets the near spelling kunjung, "tak kunjung": another term)
    assert ids(all_hits(engine, "berkunjung")) == ids(all_hits(engine, "mengunjungi"))


def test_a_repeated_stem_counts_once(engine):
    """kunjungan and mengunjungi are one term: typed both, it weighs as one word."""
    once = all_hits(engine, "kunjungan")
    twice = all_hits(engine, "kunjungan mengunjungi")
    assert once.total > 0
    assert [(h.id, round(h.score, 6)) for h in twice.hits] == [(h.id, round(h.score, 6)) for h in once.hits]


def test_a_repeat_in_another_group_still_must_match(engine):
    # (kunjungan OR banjir) AND mengunjungi: the second word is not a repeat
    # of a sibling, so it still narrows the results.
    grouped = all_hits(engine, "(kunjungan OR banjir) mengunjungi")
    assert 0 < grouped.total
    assert ids(grouped) <= ids(all_hits(engine, "kunjungan"))


# --- phrases, exclusion, OR, groups ---------------------------------------------------


def test_phrase_needs_words_in_order(engine):
    phrase = all_hits(engine, '"kabut asap"')
    words = all_hits(engine, "kabut asap")
    assert 0 < phrase.total <= words.total
    for text in bodies(engine, phrase):
        assert "kabut asap" in " ".join(text.split())


def test_exclusion_removes_documents(engine):
    everything = ids(all_hits(engine, "banjir"))
    without = ids(all_hits(engine, "banjir -rob"))
    with_rob = ids(all_hits(engine, "banjir rob"))
    assert with_rob and without == everything - with_rob


def test_excluded_phrase_and_group(engine):
    assert ids(all_hits(engine, 'banjir -"banjir rob"')) == ids(all_hits(engine, "banjir")) - ids(
        all_hits(engine, '"banjir rob"'))
    assert ids(all_hits(engine, "kpk -(suap OR bawang)")) == ids(all_hits(engine, "kpk")) - ids(
        all_hits(engine, "kpk suap")) - ids(all_hits(engine, "kpk bawang"))


def test_or_and_parentheses(engine):
    either = ids(all_hits(engine, "gempa OR rupiah"))
    assert either == ids(all_hits(engine, "gempa")) | ids(all_hits(engine, "rupiah"))
    grouped = ids(all_hits(engine, "(banjir OR gempa) jakarta"))
    expected = (ids(all_hits(engine, "banjir")) | ids(all_hits(engine, "gempa"))) & ids(all_hits(engine, "jakarta"))
    assert grouped == expected


def test_only_exclusions_search_everything_else(engine):
    total = engine.search("-zzzz").total
    assert total == engine.stats()["documents"]
    assert engine.search("-banjir").total == total - engine.search("banjir").total


# --- field filters ------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["judul", "title"])
def test_title_field(engine, field):
    results = all_hits(engine, f"{field}:banjir")
    assert results.total > 0
    assert all("banjir" in h.title.lower() for h in results.hits)
    assert results.total < all_hits(engine, "banjir").total


@pytest.mark.parametrize("field", ["sumber", "source"])
def test_source_field(engine, field):
    results = all_hits(engine, f"{field}:kabarnusa banjir")
    assert results.total > 0 and all(h.source == "kabarnusa" for h in results.hits)
    assert ids(results) == {h.id for h in all_hits(engine, "banjir").hits if h.source == "kabarnusa"}


@pytest.mark.parametrize("field", ["kategori", "category"])
def test_category_field_ignores_case_and_takes_quotes(engine, field):
    results = all_hits(engine, f"{field}:Ekonomi")
    assert results.total > 0 and all(h.category == "ekonomi" for h in results.hits)
    quoted = all_hits(engine, f'{field}:"sepak bola"')
    # "sepak bola" is a publisher's label: it finds our category, olahraga (search/categories.py).
    assert quoted.total > 0 and all(h.category == "olahraga" for h in quoted.hits)


def dates_of(results) -> list[datetime]:
    return [datetime.fromisoformat(h.date) for h in results.hits]


def test_date_month_and_day(engine):
    month = all_hits(engine, "tanggal:2019-09")
    assert month.total > 0 and all(d.year == 2019 and d.month == 9 for d in dates_of(month))
    everything = all_hits(engine, "-zzzz")
    assert month.total == sum(1 for d in dates_of(everything) if (d.year, d.month) == (2019, 9))
    day = all_hits(engine, f"date:{dates_of(month)[0]:%Y-%m-%d}")
    assert day.total >= 1 and all(d.date() == dates_of(month)[0].date() for d in dates_of(day))


def test_date_range_before_after(engine):
    everything = dates_of(all_hits(engine, "-zzzz"))
    ranged = all_hits(engine, "tanggal:[2019-09-01 TO 2019-09-15]")
    assert ranged.total == sum(1 for d in everything if datetime(2019, 9, 1) <= d < datetime(2019, 9, 16))
    before = all_hits(engine, "sebelum:2020")
    assert before.total == sum(1 for d in everything if d < datetime(2020, 1, 1))
    after = all_hits(engine, "after:2023-12")
    assert after.total == sum(1 for d in everything if d >= datetime(2024, 1, 1))
    assert all_hits(engine, "sesudah:2023-12").total == after.total
    open_end = all_hits(engine, "tanggal:[2024-01-01 TO *]")
    assert open_end.total == after.total


def test_filters_combine_with_words(engine):
    results = all_hits(engine, "kabut tanggal:2019-09 sumber:wartasiar")
    expected = {h.id for h in all_hits(engine, "kabut").hits
                if h.source == "wartasiar" and h.date.startswith("2019-09")}
    assert ids(results) == expected


def test_bad_date_is_a_user_error(engine):
    with pytest.raises(QueryError) as err:
        engine.search("tanggal:kemarin")
    assert err.value.code == "bad_date" and "2019-09" in str(err.value)
    with pytest.raises(QueryError):
        engine.search("tanggal:2019-13")


def test_unknown_field_is_plain_text(engine):
    assert ids(all_hits(engine, "foo:banjir")) == ids(all_hits(engine, "foo banjir"))


# --- prefixes -----------------------------------------------------------------------------


def test_prefix_expands_over_surface_words(engine):
    results = all_hits(engine, "pemerin*")
    assert results.total > 0
    assert ids(results) >= ids(all_hits(engine, "pemerintah"))
    assert not results.partial


def test_prefix_expansions_are_capped_and_flagged(tmp_path):
    from conftest import news, write_jsonl
    from search.indexing.indexer import index_corpus
    from search.retrieval.query import MAX_EXPANSIONS
    from search.retrieval.engine import Engine

    words = [f"kata{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(MAX_EXPANSIONS + 10)]
    write_jsonl(tmp_path / "c" / "a.jsonl",
                [news(i, f"Judul {w}", f"Isi berita {w} lengkap.") for i, w in enumerate(words)])
    index_corpus(tmp_path / "c", tmp_path / "ix")
    eng = Engine(tmp_path / "ix")
    try:
        results = eng.search("kata*", per_page=100)
        assert results.partial and results.notes
        assert results.total == MAX_EXPANSIONS
        assert not eng.search("katab*").partial
    finally:
        eng.close()


# --- what users type by accident ---------------------------------------------------------------


@pytest.mark.parametrize("q", ['"kabut asap', "(banjir", "banjir)", "banjir OR", "OR banjir",
                               "- banjir", "banjir -", "banjir NOT", "((((banjir", 'judul:"banjir',
                               "banjir\x00\x07", "banjir 😀", "tanggal:[2019-09-01 TO", "banjir*"])
def test_sloppy_syntax_still_searches(engine, q):
    results = engine.search(q)
    assert results.total > 0


@pytest.mark.parametrize("q", ["", "   ", "OR", "NOT", "( )", "😀😀", "\x00\x01", "-", '""', "sumber:"])
def test_nothing_searchable_is_a_user_error(engine, q):
    with pytest.raises(QueryError) as err:
        engine.search(q)
    assert err.value.code in ("empty_query", "no_terms")


def test_limits_answer_with_a_message(engine):
    with pytest.raises(QueryError) as err:
        engine.search("banjir " * 2000)
    assert err.value.code == "query_too_long" and str(MAX_QUERY_CHARS) in str(err.value)
    with pytest.raises(QueryError) as err:
        engine.search(" ".join(f"w{i}" for i in range(MAX_CLAUSES + 1)))
    assert err.value.code == "too_many_terms"
    deep = engine.search("banjir", page=200, per_page=10)      # past the ranked results: no hits, no error
    assert deep.hits == [] and deep.total == engine.search("banjir").total


def test_clean_text_drops_controls_and_invisible_characters():
    assert clean_text("ban\x00jir\u200b  jakarta\n") == "ban jir jakarta"
    assert clean_text(None) == ""


def test_lexer_reads_fields_ranges_and_negation():
    kinds = [(t.kind, t.text, t.neg) for t in lex('-"a b" judul:x tanggal:[2019 TO 2020] OR -y')]
    assert kinds == [("phrase", "a b", True), ("field", "x", False),
                     ("field", "[2019 TO 2020]", False), ("or", "OR", False), ("word", "y", True)]


def test_period_formats():
    assert period("2019") == (datetime(2019, 1, 1), datetime(2020, 1, 1))
    assert period("2019-12") == (datetime(2019, 12, 1), datetime(2020, 1, 1))
    assert period("15/9/2019") == (datetime(2019, 9, 15), datetime(2019, 9, 16))


def test_filter_dict_dates_accept_date_and_text(engine):
    a = engine.search("kabut", filters={"date_from": date(2019, 9, 1), "date_to": date(2019, 9, 30)})
    b = engine.search("kabut", filters={"date_from": "2019-09-01", "date_to": "2019-09-30"})
    assert a.total == b.total > 0
    with pytest.raises(QueryError):
        engine.search("kabut", filters={"date_from": "sometime"})
    with pytest.raises(QueryError):
        engine.search("kabut", filters={"colour": ["red"]})


# --- the language apart from Whoosh (search/retrieval/query_syntax.py) -----------------------


def shape(node):
    """A tree without character offsets, to compare two spellings of one query."""
    from search.retrieval.query_syntax import Group, Not, Word

    if isinstance(node, Group):
        return (node.op, [shape(c) for c in node.children])
    if isinstance(node, Not):
        return ("not", shape(node.child))
    if isinstance(node, Word):
        return ("word", node.text, node.field, node.prefix)
    return node


def test_cari_operators_read_like_their_english_names():
    from search.retrieval.query_syntax import read_query

    english = read_query("banjir OR gempa AND jakarta OR longsor NOT (hujan angin)")
    for q in ("banjir ATAU gempa DAN jakarta | longsor -(hujan angin)",
              "banjir || gempa && jakarta | longsor -(hujan angin)"):
        assert shape(read_query(q).root) == shape(english.root), q
    assert shape(read_query("atau dan").root) == ("and", [("word", "atau", None, False),
                                                          ("word", "dan", None, False)])


def test_parentheses_nest_at_most_max_nesting_deep_and_the_words_stay():
    from search.retrieval.query_syntax import MAX_NESTING, Group, read_query

    def depth(node):
        return 1 + max((depth(c) for c in node.children), default=0) if isinstance(node, Group) else 0

    tree = read_query("(" * 30 + "banjir" + ")" * 30)
    assert depth(tree.root) == MAX_NESTING + 1 and tree.clauses == 1


def test_the_syntax_module_does_not_import_whoosh():
    import ast
    from pathlib import Path

    import search.retrieval.query_syntax as syntax

    tree = ast.parse(Path(syntax.__file__).read_text("utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {name for name in imported if name and name.split(".")[0] == "whoosh"}
