"""Engine features: facets, filters, sorting, snippets, spelling, related, autocomplete."""
from __future__ import annotations

import html
import re
from collections import Counter
from datetime import date, datetime

import pytest

from conftest import news, same_related, write_jsonl
from search.indexing.indexer import index_corpus
from search.retrieval.query import QueryError
from search.retrieval.engine import Engine, SearchResults


def everything(engine, q="-zzzz", **kw) -> SearchResults:
    results = engine.search(q, per_page=100, **kw)
    assert results.total == len(results.hits)
    return results


def month_of(hit) -> str | None:
    return hit.date[:7] if hit.date else None


# --- facets ---------------------------------------------------------------------------


def test_facet_counts_agree_with_the_hits(engine):
    results = everything(engine, "banjir OR kpk OR rupiah")
    assert results.total > 5
    for name, value_of in (("source", lambda h: h.source), ("category", lambda h: h.category),
                           ("month", month_of)):
        expected = Counter(v for v in map(value_of, results.hits) if v)
        got = {f["value"]: f["count"] for f in results.facets[name]}
        assert got == dict(expected), name


def test_facets_are_ordered(engine):
    facets = everything(engine).facets
    counts = [f["count"] for f in facets["source"]]
    assert counts == sorted(counts, reverse=True)
    months = [f["value"] for f in facets["month"]]
    assert months == sorted(months, reverse=True)


def test_facets_can_be_turned_off(engine):
    assert engine.search("banjir", facets=False).facets == {}


def test_a_facets_own_filter_leaves_its_other_values_visible(engine):
    unfiltered = everything(engine, "banjir OR kpk")
    filtered = everything(engine, "banjir OR kpk", filters={"source": ["kabarnusa"]})
    # The source facet still shows every source (to add one); the others follow the filter.
    assert filtered.facets["source"] == unfiltered.facets["source"]
    expected = Counter(h.category for h in filtered.hits if h.category)
    assert {f["value"]: f["count"] for f in filtered.facets["category"]} == dict(expected)
    assert filtered.total < unfiltered.total


# --- filters from the dict (API and pages) -------------------------------------------------------


def test_source_and_category_filters(engine):
    base = everything(engine, "banjir OR kpk OR rupiah OR ekspor")
    filtered = everything(engine, "banjir OR kpk OR rupiah OR ekspor",
                          filters={"source": ["wartasiar"], "category": ["Ekonomi", "hukum"]})
    # Filter values name our categories (search/categories.py): "hukum" is filed under nasional.
    expected = {h.id for h in base.hits if h.source == "wartasiar" and h.category in ("ekonomi", "nasional")}
    assert filtered.total > 0
    assert {h.id for h in filtered.hits} == expected


def test_several_values_of_one_filter_are_alternatives(engine):
    one = engine.search("-zzzz", filters={"source": "kabarnusa"}).total
    other = engine.search("-zzzz", filters={"source": "wartasiar"}).total
    both = engine.search("-zzzz", filters={"source": ["kabarnusa", "wartasiar"]}).total
    assert one and other and both == one + other


def test_date_filters_are_inclusive_days(engine):
    all_hits = everything(engine).hits
    results = everything(engine, filters={"date_from": date(2019, 9, 1), "date_to": date(2019, 12, 31)})
    expected = {h.id for h in all_hits if h.date and "2019-09-01" <= h.date[:10] <= "2019-12-31"}
    assert results.total > 0 and {h.id for h in results.hits} == expected
    only_from = everything(engine, filters={"date_from": "2024-01-01"})
    assert {h.id for h in only_from.hits} == {h.id for h in all_hits if h.date and h.date >= "2024"}


def test_query_filters_and_dict_filters_combine(engine):
    results = everything(engine, "sumber:wartasiar", filters={"category": ["ekonomi"]})
    assert results.total > 0
    assert all(h.source == "wartasiar" and h.category == "ekonomi" for h in results.hits)


def test_unknown_filter_value_finds_nothing(engine):
    assert engine.search("banjir", filters={"source": ["tidak-ada"]}).total == 0


# --- sorting -----------------------------------------------------------------------------------


def test_sort_newest(engine):
    results = engine.search("banjir OR kpk OR gempa", sort="newest", per_page=100)
    dates = [h.date for h in results.hits]
    assert None not in dates and dates == sorted(dates, reverse=True)
    assert {h.id for h in results.hits} == {h.id for h in everything(engine, "banjir OR kpk OR gempa").hits}


def test_sort_relevance_is_by_score(engine):
    scores = [h.score for h in everything(engine, "banjir jakarta").hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


def test_bad_sort_is_a_user_error(engine):
    with pytest.raises(QueryError):
        engine.search("banjir", sort="random")


def test_pages_do_not_overlap(engine):
    first = engine.search("banjir OR kpk OR rupiah", per_page=3, page=1)
    second = engine.search("banjir OR kpk OR rupiah", per_page=3, page=2)
    whole = engine.search("banjir OR kpk OR rupiah", per_page=6)
    assert [h.id for h in first.hits + second.hits] == [h.id for h in whole.hits]
    assert engine.search("banjir", page=50).hits == []


def test_a_page_past_the_ranked_results_has_no_hits_and_says_why(engine, monkeypatch):
    import search.retrieval.engine as engine_module

    monkeypatch.setattr(engine_module, "MAX_RANKED", 6)
    q = "banjir OR kpk OR rupiah"
    total = engine.search(q).total
    assert total > 9
    straddling = engine.search(q, per_page=4, page=2)        # results 5-8: 5 and 6 are ranked
    assert [h.id for h in straddling.hits] == [h.id for h in engine.search(q, per_page=6).hits][4:]
    past = engine.search(q, per_page=3, page=3)               # results 7-9
    assert past.hits == [] and past.total == total and past.page == 3 and not past.partial
    assert past.facets == engine.search(q).facets
    assert any("first 6 results" in note for note in past.notes)
    assert not engine.search(q, per_page=3, page=2).notes     # within the ranked results: no note
    # The API and the command line ask the engine and answer what it says.


# --- snippets -------------------------------------------------------------------------------------


def marked(snippet: str) -> list[str]:
    return [html.unescape(m).lower() for m in re.findall(r"<mark>(.*?)</mark>", snippet)]


def test_highlight_marks_every_form_of_the_word(engine):
    results = engine.search("kunjungan", per_page=20)
    forms = {m for h in results.hits for m in marked(h.snippet)}
    assert {"kunjungan", "berkunjung", "mengunjungi"} <= forms


def test_snippets_are_whole_sentences_and_whole_words(engine):
    for q in ("banjir", "kpk", "rupiah melemah", "kabut asap"):
        for hit in engine.search(q).hits:
            text = hit.snippet_text
            body = " ".join(engine.article(hit.id)["body"].split())
            for piece in text.replace("…", "\n").split("\n"):
                piece = piece.strip()
                if not piece:
                    continue
                at = body.find(piece)
                assert at >= 0, piece
                # Starts and ends between words.
                assert at == 0 or not body[at - 1].isalnum(), piece
                end = at + len(piece)
                assert end == len(body) or not body[end].isalnum(), piece


def test_snippets_are_html_escaped(engine):
    results = engine.search('cabai bawang "meroket"')
    assert results.hits
    for hit in results.hits:
        assert re.sub(r"</?mark>", "", hit.snippet) == html.escape(html.unescape(re.sub(r"</?mark>", "", hit.snippet)))
        assert "<" not in re.sub(r"</?mark>", "", hit.snippet)


def test_escaping_of_markup_in_text(tmp_path):
    write_jsonl(tmp_path / "c" / "a.jsonl", [news(1, "Uji <b>tebal</b>", 'Kalimat <script>alert(1)</script> tentang banjir & "hujan".')])
    with small_engine(tmp_path) as eng:
        hit = eng.search("banjir").hits[0]
        assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
        assert "<mark>banjir</mark>" in hit.snippet and "&amp;" in hit.snippet


def test_without_highlight_the_snippet_is_an_escaped_excerpt(engine):
    hit = engine.search("banjir", highlight=False).hits[0]
    assert "<mark>" not in hit.snippet and hit.snippet_text


def test_long_sentence_is_cut_between_words(tmp_path):
    long_sentence = " ".join(["kata"] * 150 + ["banjir"] + ["lain"] * 150) + "."
    write_jsonl(tmp_path / "c" / "a.jsonl", [news(1, "Panjang", long_sentence)])
    with small_engine(tmp_path) as eng:
        hit = eng.search("banjir").hits[0]
        assert "<mark>banjir</mark>" in hit.snippet
        assert len(hit.snippet_text) < 500
        words = hit.snippet_text.replace("…", " ").split()
        assert set(words) <= {"kata", "banjir", "lain", "lain."}


# --- spelling -----------------------------------------------------------------------------------


@pytest.mark.parametrize("typo, fixed, stands_for", [
    ("pemerinth", "pemerintah", "pemerintah"),
    ("kebakran hutan", "kebakaran hutan", "kebakaran hutan"),
    ("Jokowu", "Jokowi", "jokowi"),
])
def test_typos_find_the_right_stories_and_offer_the_correction(engine, typo, fixed, stands_for):
    results = engine.search(typo, per_page=100)
    assert results.correction == fixed
    assert results.corrected and results.total > 0
    assert {h.id for h in results.hits} == {h.id for h in everything(engine, stands_for).hits}


def test_known_words_get_no_correction(engine):
    for q in ("pemerintah", "kebakaran hutan", "banjir jakarta", "kpk"):
        results = engine.search(q)
        assert results.correction is None and not results.corrected, q


def test_rare_typo_beside_a_common_word_gets_did_you_mean(tmp_path):
    records = [news(i, f"Pemerintah umumkan kebijakan {i}", "Pemerintah pusat menjelaskan rencana.")
               for i in range(40)]
    records.append(news(99, "Pemerintha salah ketik", "Pemerintha menjelaskan rencana."))
    write_jsonl(tmp_path / "c" / "a.jsonl", records)
    with small_engine(tmp_path) as eng:
        results = eng.search("pemerintha")
        assert results.total == 1 and not results.corrected      # the typo's own story is kept
        assert results.correction == "pemerintah"                # and the common word is offered


def test_corrections_come_from_the_index_vocabulary(tmp_path):
    write_jsonl(tmp_path / "c" / "a.jsonl", [news(1, "Gunung meletus", "Abu vulkanik turun di desa.")])
    with small_engine(tmp_path) as eng:
        assert eng.search("vulkanis").correction == "vulkanik"
        assert eng.search("pemerinth").correction is None       # not in this index


# --- related stories --------------------------------------------------------------------------------


def test_related_stories_share_the_topic(engine):
    kpk = engine.search("kpk suap").hits[0]
    related = engine.related(kpk.id, limit=3)
    assert 0 < len(related) <= 3 and kpk.id not in {h.id for h in related}
    kpk_stories = {h.id for h in everything(engine, "kpk OR korupsi").hits}
    assert related[0].id in kpk_stories


def test_related_drops_near_duplicates(tmp_path):
    body = ("Banjir merendam ratusan rumah warga di Kecamatan Sukamaju setelah hujan deras sepanjang malam. "
            "Petugas BPBD mengevakuasi warga lansia dan anak-anak ke masjid terdekat. ")
    records = [
        news(1, "Banjir Rendam Ratusan Rumah di Sukamaju", body),
        news(2, "Banjir Rendam Ratusan Rumah di Sukamaju", body + "Pembaruan sore hari."),   # same story
        news(3, "BANJIR RENDAM RATUSAN RUMAH DI SUKAMAJU!", body),                          # re-titled copy
        news(4, "Warga Sukamaju Mulai Bersihkan Rumah Usai Banjir",
             "Setelah banjir surut, warga Sukamaju membersihkan lumpur dari rumah mereka. Petugas BPBD membantu."),
        news(5, "Harga Beras Naik", "Harga beras di pasar naik dua persen pekan ini."),
    ]
    write_jsonl(tmp_path / "c" / "a.jsonl", records)
    with small_engine(tmp_path) as eng:
        related = [h.id for h in eng.related("t-001", limit=5)]
        assert related and related[0] == "t-004"
        assert "t-002" not in related and "t-003" not in related and "t-001" not in related




def test_related_stories_are_those_whooshs_search_ranks(engine):
    searcher = engine.searcher()
    ids = [searcher.stored_fields(n)["id"] for n in searcher.reader().all_doc_ids()]
    assert len(ids) > 30
    same_related(engine, ids)


def test_related_stories_after_deletions_are_those_whooshs_search_ranks(tmp_path_factory):
    from conftest import ZIPF_WORDS, segmented_index, zipf_records

    records = zipf_records(ZIPF_WORDS, 300, seed=11, longest=40)
    index = segmented_index(tmp_path_factory, "related", records, 16, [("part0-1.jsonl", records[16:20])])
    with Engine(index) as eng:
        assert eng.searcher().reader().has_deletions()
        gone = {r["id"] for r in records[20:32]}
        ids = [r["id"] for r in records[::5] if r["id"] not in gone]
        same_related(eng, ids)
        assert not gone & {h.id for i in ids for h in eng.related(i, limit=20)}


def test_related_of_unknown_article_is_empty(engine):
    assert engine.related("tidak-ada") == []
    assert engine.related("") == []


# --- autocomplete ----------------------------------------------------------------------------------


def test_suggest_completes_words_and_titles(engine):
    found = engine.suggest("banj")
    assert "banjir" in found
    titles = {h.title for h in everything(engine, "banjir").hits}
    assert any(s in titles for s in found)
    assert all(s.lower().startswith("banj") for s in found)


def test_suggest_completes_the_last_word_after_the_first(engine):
    found = engine.suggest("kebakaran hu")
    assert found[0] == "kebakaran hutan"
    assert all(s.lower().startswith("kebakaran h") for s in found)


def test_suggest_respects_limit_and_odd_input(engine):
    assert len(engine.suggest("ba", limit=3)) == 3
    for text in ("", "   ", "😀", "\x00", "x" * 5000, "zzzzqq"):
        assert engine.suggest(text) == []


# --- recency (measured by the benchmark, never applied by the engine) ---------------------------------


def test_the_engine_never_boosts_by_recency_and_the_boost_reorders_only(tmp_path):
    from search.retrieval.recency import boost

    body = "Banjir merendam ratusan rumah warga setelah hujan deras sepanjang malam."
    write_jsonl(tmp_path / "c" / "a.jsonl", [
        news(1, "Banjir rendam rumah warga", body, date="2019-06-01"),
        news(2, "Banjir rendam rumah warga", body, date="2019-12-01"),     # the same story, newer
        news(3, "Harga beras naik", "Harga beras di pasar naik.", date="2019-12-02"),
    ])
    with small_engine(tmp_path) as eng:
        plain = eng.search("banjir rumah")
        # Equal scores: index order, not the newer story first.
        assert [h.id for h in plain.hits] == ["t-001", "t-002"]
        assert plain.hits[0].score == plain.hits[1].score
        searcher = eng.searcher()
        docnums = {searcher.document_number(id=h.id): h.id for h in plain.hits}
        boosted = boost([(n, h.score) for n, h in zip(docnums, plain.hits)], eng.generation(searcher).view)
        assert [docnums[n] for n, _ in boosted] == ["t-002", "t-001"]


# --- the rest of the contract ---------------------------------------------------------------------------


def test_results_shape(engine):
    results = engine.search("banjir")
    assert results.query == "banjir" and results.page == 1 and results.per_page == 10
    assert results.took_ms >= 0 and not results.partial
    hit = results.hits[0]
    assert hit.id and hit.title and hit.source and hit.snippet
    datetime.fromisoformat(hit.date)
    assert results.to_dict()["hits"][0]["id"] == hit.id


def test_results_name_the_terms_they_matched_on(engine):
    results = engine.search("kunjungan -banjir sumber:kabarnusa")
    assert results.terms == sorted(engine.query_terms("kunjungan -banjir sumber:kabarnusa"))
    assert "kunjung" in results.terms or "kunjungan" in results.terms
    assert not {"banjir"} & set(results.terms)           # excluded words and filters are not marked
    assert not {"kabarnusa"} & set(results.terms)
    fixed = engine.search("pemerinth")
    assert fixed.corrected and fixed.terms == sorted(engine.query_terms("pemerintah"))
    assert engine.query_terms("!!!") == set() and engine.query_terms("") == set()


def test_article_and_stats_and_health(engine):
    hit = engine.search("banjir").hits[0]
    article = engine.article(hit.id)
    assert article["title"] == hit.title and isinstance(article["related"], list)
    assert engine.article("tidak-ada") is None
    assert engine.stats()["documents"] == everything(engine).total
    assert engine.healthy()


def test_engine_sees_a_rebuilt_index(tmp_path):
    from search.indexing.indexer import index_corpus

    write_jsonl(tmp_path / "c" / "a.jsonl", [news(1, "Banjir", "Banjir besar.")])
    with small_engine(tmp_path) as eng:
        assert eng.search("banjir").total == 1
        assert eng.search("-zzzz").facets["source"] == [{"value": "uji", "count": 1}]
        write_jsonl(tmp_path / "c" / "b.jsonl", [news(2, "Banjir lagi", "Banjir lagi.", source="lain")])
        index_corpus(tmp_path / "c", tmp_path / "ix")
        assert eng.search("banjir").total == 2
        assert {f["value"] for f in eng.search("-zzzz").facets["source"]} == {"uji", "lain"}
        assert eng.search("banjir", filters={"source": ["lain"]}).total == 1


def small_engine(tmp_path) -> Engine:
    from search.indexing.indexer import index_corpus

    index_corpus(tmp_path / "c", tmp_path / "ix")
    return Engine(tmp_path / "ix")


# --- internals that must agree with Whoosh ---------------------------------------------------------


def test_scores_are_whooshs_bm25f(engine, monkeypatch):
    """Set-based matching and scoring give Whoosh's own ranking and scores
    (before the written-form preference and the phrase bonus, turned off here)."""
    import search.retrieval.proximity as proximity
    import search.retrieval.run as run_module

    monkeypatch.setattr(run_module, "WRITTEN_FORM_WEIGHT", 0.0)
    monkeypatch.setattr(proximity, "WEIGHT", 0.0)
    monkeypatch.setattr(run_module, "min_should_match", lambda n: n)    # every word, as Whoosh's AND
    searcher = engine.searcher()
    for q in ("banjir jakarta", "kpk OR rupiah", "kabut asap", "banjir -rob", "sumber:kabarnusa banjir",
              '"kabut asap" kebakaran', "pemerin*"):
        ours = engine.search(q, per_page=50)
        parsed = engine.parse(q, searcher)
        theirs = searcher.search(parsed.query, limit=50, filter=parsed.filter)
        assert ours.total == len(theirs), q
        got = {h.id: h.score for h in ours.hits}
        want = {hit["id"]: hit.score for hit in theirs}
        assert set(got) == set(want), q
        if "-" not in q and '"' not in q:    # Whoosh adds a constant for NOT; phrases score as words here
            for doc_id, score in want.items():
                assert got[doc_id] == pytest.approx(score, abs=1e-3), (q, doc_id)


def test_facet_counts_are_each_values_matching_articles(engine):
    """The vectorised counts equal a count of the column values, article by
    article, over the matches (under the other facets' filters)."""
    from collections import Counter

    searcher = engine.searcher()
    view = engine.generation(searcher).view
    for q, filters in (("-zzzz", None), ("banjir OR kpk", None), ("banjir OR kpk OR rupiah", {"source": ["kabarnusa"]})):
        results = engine.search(q, filters=filters, per_page=100)
        everything = engine.search(q, per_page=100)
        docs = [searcher.document_number(id=h.id) for h in everything.hits]
        assert everything.total == len(docs), q          # every match is on the page
        for name in ("category", "month"):
            chosen = [n for n in docs if not filters or view.columns["source"][n] in filters["source"]]
            want = Counter(view.columns[name][n] for n in chosen if view.columns[name][n] is not None)
            assert {f["value"]: f["count"] for f in results.facets[name]} == dict(want), (q, name)
        want = Counter(view.columns["source"][n] for n in docs)       # its own filter left out
        assert {f["value"]: f["count"] for f in results.facets["source"]} == dict(want), q


def test_spelling_candidates_by_symmetric_deletion():
    from search.retrieval.spelling import Words, distance

    words = Words.from_counts({"banjir": 50, "banjar": 5, "pemerintah": 90, "pemerintahan": 20, "hutan": 30})
    assert words.candidates("bajir", 1)[0][2] == "banjir"
    assert [c for _, _, c in words.candidates("pemerinth", 2)][:1] == ["pemerintah"]
    assert words.candidates("hutna", 1)[0][2] == "hutan"          # transposition
    assert all(distance("banjr", c) <= 1 for _, _, c in words.candidates("banjr", 1))
    assert distance("kebakran", "kebakaran") == 1 and distance("ab", "ba") == 1


def test_sentences_split_at_ends_and_blank_lines():
    from search.retrieval.highlight import split_sentences

    text = '  Satu dua.  Tiga "empat." Lima\n\n  Enam tujuh?\r\n\r\nRp. 5 juta. Delapan.  '
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Satu dua.", 'Tiga "empat."', "Lima", "Enam tujuh?", "Rp. 5 juta.", "Delapan."]
    assert split_sentences("   ") == []


def test_time_limit_gives_partial_results_not_an_error(engine, monkeypatch):
    import search.retrieval.engine as searcher_module

    engine.search("banjir")                      # caches built outside the limit
    monkeypatch.setattr(searcher_module, "TIME_LIMIT", -1.0)
    results = engine.search("banjir OR kpk")
    assert results.partial and "too long" in results.notes[0]
    assert results.total == 0 and results.hits == []        # stopped before matching anything


@pytest.mark.shared_data
@pytest.mark.integration            # clickid_index: all 23,013 articles
def test_typos_on_the_real_corpus(clickid_index):
    """The issue's examples, on 23k real articles: same stories as the right spelling."""
    index_dir, _ = clickid_index
    with Engine(index_dir) as eng:
        for typo, right in (("pemerinth", "pemerintah"), ("kebakran hutan", "kebakaran hutan"),
                            ("Jokowu", "Jokowi")):
            results = eng.search(typo, per_page=10)
            assert results.correction == right and results.corrected, typo
            assert [h.id for h in results.hits] == [h.id for h in eng.search(right, per_page=10).hits]
        forms = {m.lower() for h in eng.search("kunjungan").hits
                 for m in re.findall(r"<mark>(.*?)</mark>", h.snippet)}
        assert {"kunjungan", "berkunjung", "mengunjungi"} <= forms


def test_articles_without_a_date_are_searchable_and_sortable(tmp_path):
    """A record with no date must not break sorting, facets or the month filter."""
    from conftest import write_jsonl

    from search.indexing.indexer import index_corpus
    from search.retrieval.engine import Engine

    write_jsonl(tmp_path / "c" / "x.jsonl", [
        {"id": "tanpa-tanggal", "title": "Banjir besar", "body": "Banjir di kota."},
        {"id": "bertanggal", "title": "Banjir lagi", "body": "Banjir lagi.", "date": "2019-09-01"},
    ])
    index_corpus(tmp_path / "c", tmp_path / "ix")
    engine = Engine(tmp_path / "ix")
    try:
        for sort in ("relevance", "newest"):
            results = engine.search("banjir", sort=sort)
            assert {h.id for h in results.hits} == {"tanpa-tanggal", "bertanggal"}
        newest = engine.search("banjir", sort="newest").hits
        assert newest[0].id == "bertanggal" and newest[1].date is None
        months = {f["value"]: f["count"] for f in engine.search("banjir").facets["month"]}
        assert months == {"2019-09": 1}
    finally:
        engine.close()


# --- result cache --------------------------------------------------------------------------------


def test_a_repeated_search_is_answered_from_the_cache(tmp_path):
    write_jsonl(tmp_path / "c" / "a.jsonl", [news(1, "Banjir Jakarta", "Banjir merendam Jakarta.")])
    with small_engine(tmp_path) as eng:
        first = eng.search("banjir")
        first.hits.clear()                          # what a caller does to its copy stays there
        second = eng.search("banjir")
        assert eng.results.hits == 1
        assert [h.id for h in second.hits] == ["t-001"]
        assert eng.search("banjir", sort="newest").hits and eng.results.hits == 1   # another request


def test_the_cache_never_serves_results_of_an_older_index(tmp_path):
    write_jsonl(tmp_path / "c" / "a.jsonl", [news(1, "Banjir Jakarta", "Banjir merendam Jakarta.")])
    with small_engine(tmp_path) as eng:
        assert eng.search("banjir").total == 1
        write_jsonl(tmp_path / "c" / "b.jsonl", [news(2, "Banjir Bekasi", "Banjir juga di Bekasi.")])
        index_corpus(tmp_path / "c", tmp_path / "ix")
        assert eng.search("banjir").total == 2


def test_the_cache_can_be_turned_off(tmp_path):
    from search.indexing.indexer import index_corpus

    write_jsonl(tmp_path / "c" / "a.jsonl", [news(1, "Banjir Jakarta", "Banjir merendam Jakarta.")])
    index_corpus(tmp_path / "c", tmp_path / "ix")
    with Engine(tmp_path / "ix", result_cache_size=0) as eng:   # CARI_RESULT_CACHE=0, as the web app passes it
        eng.search("banjir")
        eng.search("banjir")
        assert eng.results.hits == 0 and eng.results.misses == 0


def test_the_words_as_typed_break_a_tie_between_forms(tmp_path):
    body = "Presiden datang ke Bali pada hari Senin bersama rombongan."
    write_jsonl(tmp_path / "c" / "a.jsonl", [news(1, "Berkunjung presiden ke Bali", body),
                                            news(2, "Kunjungan presiden ke Bali", body)])
    with small_engine(tmp_path) as eng:
        # Both titles stem to the same terms: BM25 alone ties, the written form decides.
        assert [h.id for h in eng.search("kunjungan presiden").hits] == ["t-002", "t-001"]
        assert [h.id for h in eng.search("berkunjung presiden").hits] == ["t-001", "t-002"]


def test_a_rare_word_as_typed_counts_more_than_a_common_one(tmp_path):
    body = "Warga datang ke pasar pada hari Senin bersama keluarga."
    others = [news(n, f"Pedagang menjual barang nomor {n}", body) for n in range(3, 9)]
    write_jsonl(tmp_path / "c" / "a.jsonl", [news(1, "Kunjungan sambil menjual", body),
                                            news(2, "Berkunjung sambil penjualan", body), *others])
    with small_engine(tmp_path) as eng:
        # BM25F ties the first two (same stems); each holds one query word as
        # typed, and "berkunjung" is rarer in titles than "menjual".
        assert [h.id for h in eng.search("berkunjung menjual").hits][:2] == ["t-002", "t-001"]


def test_a_word_of_two_letters_counts_as_typed_like_the_longer_ones(tmp_path):
    """The spelling field holds words of three letters or more; a typed MU
    is looked for in the titles, so the preference does not lift only the
    titles holding the query's other word."""
    filler = "Pertandingan berlangsung di stadion pada Sabtu malam di depan ribuan penonton. " * 6
    others = [news(n, f"Pedagang menjual barang nomor {n}", filler) for n in range(3, 9)]
    write_jsonl(tmp_path / "c" / "a.jsonl", [news(1, "MU tersandung di stadion", filler + "Hasilnya kalah."),
                                            news(2, "Tim tamu kalah di stadion", filler + "Lawannya MU."),
                                            *others])
    with small_engine(tmp_path) as eng:
        # Each title holds one of the words, each word is in one title; had
        # only the three-letter word counted, "Tim tamu kalah" would come first.
        assert [h.id for h in eng.search("MU kalah").hits] == ["t-001", "t-002"]


def test_boosted_queries_score_as_whooshs(engine):
    """Boosts on terms and on groups (as query expansions use them) multiply
    the scores as Whoosh's matchers do."""
    from whoosh import query as wq

    from search.retrieval.scoring import Evaluator, score

    searcher = engine.searcher()
    generation = engine.generation(searcher)
    q = wq.And([
        wq.Or([wq.Term("body", "banjir"), wq.Term("title", "banjir", boost=2.0)]),
        wq.Or([wq.Term("body", "rob"), wq.Term("body", "genang", boost=0.5)], boost=0.7),
    ])
    match = Evaluator(searcher, generation.view, generation.stats, float("inf")).evaluate(q)
    ours = score(match, match.ids, generation.stats)
    theirs = {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}
    assert ours.keys() == theirs.keys() and theirs
    for docnum, want in theirs.items():
        assert ours[docnum] == pytest.approx(want, abs=1e-3)


def test_a_hit_shows_the_article_as_it_is_after_an_update(tmp_path):
    """A hit's stored fields are kept for the next page that shows it, but
    an update (a new index generation) shows the new text."""
    from search.indexing.indexer import index_corpus

    write_jsonl(tmp_path / "c" / "a.jsonl", [news(1, "Banjir lama", "Banjir merendam kota."),
                                             news(2, "Gempa", "Gempa mengguncang desa.")])
    with small_engine(tmp_path) as eng:
        first = eng.search("banjir").hits
        assert [h.title for h in first] == ["Banjir lama"]
        assert [(h.title, h.snippet) for h in eng.search("banjir").hits] == [(h.title, h.snippet) for h in first]
        write_jsonl(tmp_path / "c" / "a.jsonl", [news(1, "Banjir baru", "Banjir surut di kota itu."),
                                                 news(2, "Gempa", "Gempa mengguncang desa.")])
        index_corpus(tmp_path / "c", tmp_path / "ix")
        again = eng.search("banjir").hits
        assert [h.title for h in again] == ["Banjir baru"] and "surut" in again[0].snippet


def test_a_worker_warm_freezes_its_caches_for_the_collector(sample_index):
    """warm(settle=True), as a worker warms: what it built is frozen out of
    the collector's full passes (gc.freeze); a plain warm freezes nothing."""
    import gc

    before = gc.get_freeze_count()
    with Engine(sample_index, result_cache_size=0) as eng:
        eng.warm()
        assert gc.get_freeze_count() == before
        try:
            eng.warm(settle=True)
            assert gc.get_freeze_count() > before
            assert eng.search("banjir").hits          # still answers
        finally:
            gc.unfreeze()
