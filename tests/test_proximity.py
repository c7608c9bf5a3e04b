"""Words typed together rank together (search/retrieval/proximity.py)."""
from __future__ import annotations

import pytest

from conftest import news, write_jsonl


@pytest.fixture(scope="module")
def names_engine(tmp_path_factory):
    from search.indexing.indexer import index_corpus
    from search.retrieval.engine import Engine

    filler = " ".join(f"isian{i}" for i in range(40))
    records = [
        news(1, "Sutradara Joko Anwar rilis film baru", f"Film baru itu tayang pekan depan. {filler} "
                "Ulasan ditulis oleh Budi Widodo."),
        news(2, "Presiden resmikan bendungan", f"Presiden Joko Widodo meresmikan bendungan di Jawa Tengah. "
                f"{filler} {filler}"),
    ]
    records += [news(10 + i, f"Berita lain {i}", f"pasar harga {filler}") for i in range(30)]
    corpus = tmp_path_factory.mktemp("names-corpus")
    write_jsonl(corpus / "n.jsonl", records)
    index_dir = tmp_path_factory.mktemp("names-index")
    index_corpus(corpus, index_dir)
    engine = Engine(index_dir, result_cache_size=0)
    yield engine
    engine.close()


def ids(engine, q):
    return [h.id for h in engine.search(q).hits]


def test_words_typed_together_rank_the_phrase_first(names_engine, monkeypatch):
    """t-001 has Joko in its title and a Widodo far away; t-002 the phrase
    once in a long body. (The written-form preference, which also favours
    t-002 here, is off to see the phrase bonus alone.)"""
    import search.retrieval.proximity as proximity
    import search.retrieval.run as run_module

    monkeypatch.setattr(run_module, "WRITTEN_FORM_WEIGHT", 0.0)
    assert ids(names_engine, "joko widodo")[0] == "t-002"
    monkeypatch.setattr(proximity, "WEIGHT", 0.0)       # without the bonus the title's lone word wins
    assert ids(names_engine, "joko widodo")[0] == "t-001"


def test_words_apart_in_the_query_get_no_phrase_bonus(names_engine):
    """An operator between the words: they were not typed as a phrase."""
    from search.retrieval.proximity import typed_pairs

    class W:
        def __init__(self, text, start, end):
            self.text, self.start, self.end, self.prefix, self.field = text, start, end, False, None

    analysed = {"joko": [["joko"]], "widodo": [["widodo"]], "anwar": [["anwar"]]}
    text = "joko OR widodo anwar"
    words = [W("joko", 0, 4), W("widodo", 8, 14), W("anwar", 15, 20)]
    assert typed_pairs(text, words, analysed) == [("widodo", "anwar")]



@pytest.mark.parametrize("pair, found", [(("banjir", "rob"), True), (("kabut", "asap"), True),
                                         (("jakarta", "utara"), True), (("asap", "kabut"), False)])
def test_phrase_check_is_whooshs_phrase_query(engine, pair, found):
    """The candidates holding a pair as a phrase (within SLOP) are those
    Whoosh's own phrase query finds among them."""
    from whoosh import query as wq

    from search.retrieval.proximity import FIELDS, SLOP, phrase_docs

    searcher = engine.searcher()
    candidates = sorted(searcher.reader().all_doc_ids())
    whoosh = wq.Or([wq.Phrase(f, list(pair), slop=SLOP) for f in FIELDS])
    expected = set(searcher.docs_for_query(whoosh))
    assert bool(expected) is found
    assert phrase_docs(searcher, pair, candidates) == expected
    assert phrase_docs(searcher, pair, candidates[::3]) == expected & set(candidates[::3])
