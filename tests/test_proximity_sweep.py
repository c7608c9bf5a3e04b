"""The phrase check's shortcuts answer as its plain sweep (search/retrieval/proximity.py).

find_pairs skips the candidates a known posting list says lack a word,
opens a segment's matcher only when a candidate there may hold both words,
and slices a posting's positions alone from its block; the head's lists are
read in one piece (head_postings.py). Here, on an index of several segments
with deleted articles, each shortcut is compared with the plain walk and
with Whoosh's own phrase query, and the engine's answers with every
shortcut off."""
from __future__ import annotations

import pytest

from conftest import ZIPF_WORDS, segmented_index, zipf_records

PAIRS = [("banjir", "gempa"), ("gempa", "banjir"), ("korban", "sungai"), ("pasar", "harga"),
         ("harga", "beras"), ("hujan", "banjir"), ("kapal", "nelayan"), ("bandara", "labuh"), ("tani", "jembatan")]
QUERIES = ["banjir gempa", "pasar harga beras", "korban sungai", "kapal nelayan pelabuhan", "hujan banjir korban",
           "harga beras", "gempa", "sekolah listrik", "petani jembatan bandara", "banjir OR gempa korban"]


@pytest.fixture(scope="module")
def segmented(tmp_path_factory):
    """An engine over three segments or more, the first with articles
    deleted (one of its six files rewritten after the others were indexed:
    too few deletions for a merge to reclaim them)."""
    from search.retrieval.engine import Engine

    records = zipf_records(ZIPF_WORDS, 900, seed=11, longest=50)
    index = segmented_index(tmp_path_factory, "sweep", records, 50, [("part0-0.jsonl", records[:30])])
    engine = Engine(index, result_cache_size=0)
    yield engine
    engine.close()


def test_the_index_has_segments_and_deletions(segmented):
    reader = segmented.searcher().reader()
    assert len(list(reader.leaf_readers())) >= 3
    assert reader.has_deletions()


def known_lists(searcher):
    """``known`` from every word's full posting list (live documents only)."""
    from whoosh import query as wq

    def known(field, term):
        return set(searcher.docs_for_query(wq.Term(field, term)))
    return known


def test_known_lists_and_single_values_find_what_the_plain_walk_finds(segmented, monkeypatch):
    from whoosh import query as wq

    import search.retrieval.proximity as proximity

    searcher = segmented.searcher()
    live = sorted(searcher.reader().all_doc_ids())
    for candidates in (live, live[::7], live[3::11], live[-40:]):
        fast = proximity.find_pairs(searcher, PAIRS, candidates, known_lists(searcher))
        with monkeypatch.context() as patch:
            patch.setattr(proximity, "current_value", lambda *args: None)
            plain = proximity.find_pairs(searcher, PAIRS, candidates)
        for pair in PAIRS:
            assert (fast[pair].held, fast[pair].phrased) == (plain[pair].held, plain[pair].phrased), pair
            phrase = wq.Or([wq.Phrase(f, list(pair), slop=proximity.SLOP) for f in proximity.FIELDS])
            assert fast[pair].phrased == set(searcher.docs_for_query(phrase)) & set(candidates), pair
    assert any(fast[pair].phrased for pair in PAIRS) and any(fast[pair].held - fast[pair].phrased for pair in PAIRS)


def test_no_matcher_is_opened_for_candidates_lacking_a_word(segmented, monkeypatch):
    """With known lists, a word is looked up in a segment only for a
    candidate holding both words of a pair (the plain walk asks every
    segment holding a candidate)."""
    import search.retrieval.proximity as proximity

    searcher = segmented.searcher()
    opened = []
    real = proximity.open_postings
    monkeypatch.setattr(proximity, "open_postings",
                        lambda leaf, field, term: opened.append(term) or real(leaf, field, term))
    known = known_lists(searcher)
    pair = ("bandara", "labuh")      # the analysed words (pelabuhan: labuh)
    live = sorted(searcher.reader().all_doc_ids())
    lacking = [d for d in live if not any(d in known(f, pair[0]) and d in known(f, pair[1])
                                          for f in proximity.FIELDS)]
    found = proximity.find_pairs(searcher, [pair], lacking[::5], known)[pair]
    assert not found.held and opened == []
    assert proximity.find_pairs(searcher, [pair], lacking[::5])[pair].held == set()
    assert opened
    opened.clear()
    assert proximity.find_pairs(searcher, [pair], live, known)[pair].held and opened


def answers(engine):
    found = {}
    for q in QUERIES:
        result = engine.search(q, per_page=60, highlight=False, facets=False)
        found[q] = [(h.id, h.score) for h in result.hits]
    return found


def test_the_engine_answers_as_with_every_shortcut_off(segmented, monkeypatch):
    """Same hits, same scores to the last bit, same order."""
    from whoosh import query as wq

    import search.retrieval.head_postings as head_postings
    import search.retrieval.proximity as proximity
    import search.retrieval.run as run_module
    import search.retrieval.scoring as scoring

    fast = answers(segmented)
    monkeypatch.setattr(head_postings, "open_postings", scoring.segment_postings)    # lists walked on disk
    monkeypatch.setattr(proximity, "open_postings", scoring.segment_postings)
    monkeypatch.setattr(proximity, "current_value", lambda *args: None)
    monkeypatch.setattr(run_module, "postings_at_hand", lambda *args: None)

    def whooshs_holding(reader, field, text, docs):      # Whoosh's term query, among the documents
        return set(segmented.searcher().docs_for_query(wq.Term(field, text))) & set(docs)
    monkeypatch.setattr(run_module, "holding_each", lambda reader, field, words, docs, texts=None: {
        word: whooshs_holding(reader, field, word, docs) for word in words})
    monkeypatch.setattr(proximity, "holding", whooshs_holding)
    monkeypatch.setattr(type(segmented), "head_texts", lambda engine, searcher: None)    # no document read as text
    monkeypatch.setattr(scoring, "skip_to", lambda matcher, docnum: matcher.skip_to(docnum))
    monkeypatch.setattr(proximity, "skip_to", lambda matcher, docnum: matcher.skip_to(docnum))
    assert answers(segmented) == fast
    assert any(len(hits) > 10 for hits in fast.values())
