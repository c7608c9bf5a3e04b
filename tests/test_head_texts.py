"""The head's documents read as text (search/retrieval/head_texts.py): the
terms they give are the index's own, and the engine answers the same
whichever way a segment is asked."""
from __future__ import annotations

import pytest

from conftest import ZIPF_WORDS, news, segmented_index, zipf_records

# Titles that make the analyzer's harder cases: stopwords leaving gaps,
# repeated words, a phrase's short form added out of order, affixed forms,
# capitals and punctuation.
TITLES = ["Presiden Joko Widodo meninjau banjir di Jakarta",
          "Banjir, banjir lagi: warga mengungsi ke masjid",
          "Harga beras naik di pasar induk Cipinang",
          "KPK menetapkan tersangka korupsi pengadaan kapal",
          "Gempa M 5,2 guncang Lombok, warga berhamburan"]
QUERIES = ["banjir gempa", "pasar harga beras", "korban sungai", "kapal nelayan pelabuhan", "hujan banjir korban",
           "harga beras", "joko widodo banjir", "warga mengungsi", "banjir OR gempa korban", "beras naik pasar"]


@pytest.fixture(scope="module")
def segmented(tmp_path_factory):
    """Three segments or more, the first with deleted articles; some titles
    and ledes of real sentences among the Zipf words."""
    from search.retrieval.engine import Engine

    records = zipf_records(ZIPF_WORDS, 600, seed=5, longest=60)
    for i in range(0, len(records), 7):
        title = TITLES[i % len(TITLES)]
        records[i] = news(i, title, f"{title}. {records[i]['body']}")
    index = segmented_index(tmp_path_factory, "texts", records, 33, [("part0-1.jsonl", records[33:50])])
    engine = Engine(index, result_cache_size=0)
    yield engine
    engine.close()


def index_terms(reader, field: str) -> dict[int, dict]:
    """Per live document, {term: positions} of ``field`` as its postings hold them."""
    from search.retrieval.scoring import segment_postings

    found: dict[int, dict] = {}
    for leaf, offset in reader.leaf_readers():
        for name, text in leaf.all_terms():
            if name != field:
                continue
            term = text.decode("utf-8")
            matcher = segment_postings(leaf, field, term)
            while matcher.is_active():
                positions = matcher.value_as("positions") if field == "title" else None
                found.setdefault(matcher.id() + offset, {})[term] = positions
                matcher.next()
    return found


def texts_of(engine):
    return engine.head_texts(engine.searcher())


@pytest.mark.parametrize("field", ["title", "spell"])
def test_each_documents_terms_are_what_its_postings_hold(segmented, field):
    reader = segmented.searcher().reader()
    texts = texts_of(segmented)
    held = index_terms(reader, field)
    live = sorted(reader.all_doc_ids())
    assert reader.has_deletions() and len(live) > 500
    for docnum in live:
        terms = texts.terms(field, docnum)
        expected = held.get(docnum, {})
        if field == "title":
            assert terms == expected, docnum
        else:
            assert set(terms) == set(expected), docnum
    if field == "title":       # a name's short form, added at its first word after the last
        assert any(terms["jokowi"] == [1] and terms["widodo"] == [2]
                   for terms in held.values() if "jokowi" in terms)


def test_on_the_sample_corpus_too(engine):
    """Real stories: compounds, names with a short form, numbers, acronyms."""
    reader = engine.searcher().reader()
    texts = texts_of(engine)
    titles, words = index_terms(reader, "title"), index_terms(reader, "spell")
    live = sorted(reader.all_doc_ids())
    assert len(live) >= 30
    for docnum in live:
        assert texts.terms("title", docnum) == titles.get(docnum, {}), docnum
        assert texts.terms("spell", docnum) == set(words.get(docnum, {})), docnum


@pytest.mark.parametrize("field, words", [("spell", ["banjir", "gempa", "warga", "tiadakata"]),
                                          ("title", ["banjir", "jokowi", "harga", "tiadakata"])])
def test_holding_each_reads_texts_or_postings_alike(segmented, monkeypatch, field, words):
    from whoosh import query as wq

    import search.retrieval.head_texts as head_texts

    searcher = segmented.searcher()
    live = sorted(searcher.reader().all_doc_ids())
    expected = {w: set(searcher.docs_for_query(wq.Term(field, w))) for w in words}
    for pays in (True, False):
        texts = head_texts.HeadTexts(searcher.schema, lambda d: segmented.stored_fields(searcher, d), lambda d: True)
        monkeypatch.setattr(head_texts.HeadTexts, "pays", lambda self, field, docs, lookups, pays=pays: pays)
        for docs in (live[::9], live[5::40], []):
            found = head_texts.holding_each(searcher.reader(), field, words, docs, texts)
            assert found == {w: expected[w] & set(docs) for w in words}
        assert bool(texts.made) is pays
    assert expected["banjir"] and not expected["tiadakata"]


def test_texts_are_read_when_a_segment_holds_few_of_the_documents(segmented):
    from search.retrieval.head_texts import ANALYSE_NS, OPEN_NS, READ_NS

    from search.retrieval.head_texts import HeadTexts

    searcher = segmented.searcher()
    texts = HeadTexts(searcher.schema, lambda d: segmented.stored_fields(searcher, d), lambda d: False)
    live = sorted(searcher.reader().all_doc_ids())
    one, many = live[:1], live[:60]
    assert READ_NS + ANALYSE_NS["title"] < 8 * OPEN_NS        # the measured costs say so
    assert texts.pays("title", one, 8)
    assert not texts.pays("title", many, 8)
    assert not texts.pays("title", one, 1)
    assert not texts.pays("body", one, 100)         # a body is never analysed for the head


def test_a_document_already_read_costs_no_read(segmented):
    from search.retrieval.head_texts import ANALYSE_NS, OPEN_NS, READ_NS, KeptAnalyses

    engine, searcher = segmented, segmented.searcher()
    docs = sorted(searcher.reader().all_doc_ids())[-6:]
    engine._stored.clear()          # the engine's kept stored fields: none yet
    engine._analyses = KeptAnalyses()       # nor analyses
    lookups = (len(docs) * ANALYSE_NS["spell"]) // OPEN_NS + 1     # enough for analysis alone
    assert len(docs) * (READ_NS + ANALYSE_NS["spell"]) >= lookups * OPEN_NS
    assert not texts_of(engine).pays("spell", docs, lookups)
    for d in docs:
        engine.stored_fields(searcher, d)
    assert texts_of(engine).pays("spell", docs, lookups)


def test_analyses_are_kept_for_the_next_search_of_the_generation(segmented):
    """A document analysed for one search is not analysed again for the
    next (the engine keeps its analyses, KEPT_ANALYSES of them, the oldest
    dropped first), and its terms are the same."""
    import search.retrieval.head_texts as head_texts

    searcher = segmented.searcher()
    docs = sorted(searcher.reader().all_doc_ids())[:5]
    first = {d: texts_of(segmented).terms("title", d) for d in docs}
    analysed = []
    later = texts_of(segmented)
    later.analyse = {field: (lambda fields, f=f: analysed.append(1) or f(fields)) for field, f in later.analyse.items()}
    assert {d: later.terms("title", d) for d in docs} == first and not analysed
    kept = head_texts.KeptAnalyses(limit=3)
    for n in range(5):
        kept.put(("title", n), n)
    assert len(kept) == 3 and ("title", 1) not in kept and kept.get(("title", 4)) == 4


def test_a_schema_not_analysed_by_cari_is_never_read_as_text():
    from whoosh import fields

    from search.retrieval.head_texts import HeadTexts

    schema = fields.Schema(title=fields.TEXT(stored=True), body=fields.TEXT(stored=True))
    texts = HeadTexts(schema, lambda d: {"title": "banjir"}, lambda d: True)
    assert not texts.pays("title", [1], 100) and not texts.pays("spell", [1], 100)


def answers(engine):
    found = {}
    for q in QUERIES:
        for kwargs in ({}, {"group": True, "diverse": True}):
            result = engine.search(q, per_page=60, highlight=False, facets=False, **kwargs)
            found[q, bool(kwargs)] = [(h.id, h.score) for h in result.hits]
    return found


def test_the_engine_answers_alike_whichever_way_segments_are_asked(segmented, monkeypatch):
    """Every segment read as text, none, or as the costs say: same hits,
    same scores to the last bit, same order."""
    import search.retrieval.head_texts as head_texts

    chosen = answers(segmented)
    asked = []
    real = head_texts.HeadTexts.pays
    def always(texts, field, docs, lookups):      # every field read as text that can be
        asked.append(field)
        return field in texts.analyse
    for pays in (always, lambda *args: False):
        monkeypatch.setattr(head_texts.HeadTexts, "pays", pays)
        assert answers(segmented) == chosen
    assert {"title", "spell"} <= set(asked)
    monkeypatch.setattr(head_texts.HeadTexts, "pays", real)
    assert any(len(hits) > 10 for hits in chosen.values())


@pytest.mark.parametrize("title, lede", [
    ("Banjir BANJIR banjir di Jakarta", "Warga mengungsi. Ke-3 kalinya, kata BPBD_DKI"),
    ("Pneumonoultramicroscopicsilicovolcanoconiosis", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz ab"),
    ("İstanbul dan Straße", "Ölçü ÇAĞ naïve café 2024an x1y2z3 Ω-meter"),
    ("", ""),
])
def test_written_words_are_what_the_spell_field_indexes(title, lede):
    from search.fields import spelling_text, written_words
    from search.schema import build_schema

    field = build_schema()["spell"]
    indexed = {term.decode("utf-8") for term, *_ in field.index(spelling_text(title, lede))}
    assert written_words(title, lede) == indexed
