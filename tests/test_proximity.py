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


# -- lone words of a unit in the title ------------------------------------------------------------

def unit_records():
    """A name the stories write as one unit (Joko Widodo: every body holding
    both words holds the phrase), a first name whose titles are mostly about
    someone else (Joko Anwar, whose stories never name Widodo), and a
    surname whose titles name the same man (Mahathir: his stories hold
    Mahathir Mohamad)."""
    filler = " ".join(f"isian{i}" for i in range(30))
    records = [
        # the trap: another Joko in the title, the president named once in the body
        news(1, "Joko Anwar sindir DPR di Twitter", f"Sutradara Joko Anwar menulis kritik. {filler} "
                "Kritik itu juga ditujukan kepada Presiden Joko Widodo."),
        # the president, by his synonym in the title (search/analysis/synonyms_id.txt: Jokowi)
        news(2, "Jokowi resmikan bendungan baru", f"Presiden Joko Widodo meresmikan bendungan. {filler} {filler}"),
        # a surname alone in the title, about the same man
        news(3, "Mahathir sindir DPR di Twitter", f"Perdana Menteri Mahathir Mohamad menulis kritik. {filler} "
                "Mahathir juga menyebut mantan menteri."),
        news(4, "Kritik dari negeri jiran", f"Perdana Menteri Mahathir Mohamad menulis kritik. {filler} "
                "Mahathir juga menyebut mantan menteri."),
    ]
    records += [news(10 + i, f"Film baru Joko Anwar {i}", f"Sutradara Joko Anwar merilis film {i}. {filler}")
                for i in range(8)]
    records += [news(20 + i, f"Presiden resmikan pasar {i}", f"Presiden Joko Widodo meresmikan pasar {i}. {filler}")
                for i in range(8)]
    records += [news(30 + i, f"Mahathir bertemu menteri {i}", f"Perdana Menteri Mahathir Mohamad bertemu menteri {i}. "
                f"{filler}") for i in range(8)]
    records += [news(40 + i, f"Berita lain {i}", f"pasar harga {filler}") for i in range(30)]
    return records


@pytest.fixture(scope="module")
def unit_engine(tmp_path_factory):
    from conftest import engine_of

    engine = engine_of(tmp_path_factory, "units", unit_records(), result_cache_size=0)
    yield engine
    engine.close()


def rank_of(engine, q, doc_id):
    return ids(engine, q).index(doc_id)


def test_a_lone_word_of_a_name_in_the_title_does_not_outrank_the_name(unit_engine, monkeypatch):
    """``Joko`` alone in a title is another Joko here (the titles holding it
    are Joko Anwar's): the title naming the president by his synonym ranks
    above it. Without the rule, the lone word's full title score wins."""
    import search.retrieval.proximity as proximity

    assert rank_of(unit_engine, "Joko Widodo", "t-002") < rank_of(unit_engine, "Joko Widodo", "t-001")
    monkeypatch.setattr(proximity, "lone_words", lambda *args: {})
    assert rank_of(unit_engine, "Joko Widodo", "t-001") < rank_of(unit_engine, "Joko Widodo", "t-002")


def test_a_lone_word_whose_titles_are_about_the_name_keeps_its_title(unit_engine):
    """``Mahathir`` alone in a title is the same man (his titles' stories
    name Mahathir Mohamad): it still ranks above the same story without it."""
    assert rank_of(unit_engine, "Mahathir Mohamad", "t-003") < rank_of(unit_engine, "Mahathir Mohamad", "t-004")


def test_belongs_is_the_share_of_a_words_titles_holding_the_other_word(unit_engine):
    from whoosh import query as wq

    from search.retrieval.proximity import MIN_TITLES, belongs

    searcher = unit_engine.searcher()

    def holds(field, term, among=None):
        docs = set(searcher.docs_for_query(wq.Term(field, term)))
        return docs if among is None else docs & set(among)

    assert belongs("joko", "widodo", holds) == pytest.approx(1 / 9)      # Joko Anwar x8 and the trap
    assert belongs("mahathir", "mohamad", holds) == 1.0
    assert MIN_TITLES > 1 and belongs("jokowi", "widodo", holds) == 1.0   # one title: too few to say


def test_unit_is_the_share_of_candidates_holding_both_words_as_a_phrase(unit_engine):
    from search.retrieval.proximity import MIN_SAMPLE, find_pair

    searcher = unit_engine.searcher()
    everything = sorted(searcher.reader().all_doc_ids())
    assert find_pair(searcher, ("joko", "widodo"), everything).unit() == 1.0
    assert find_pair(searcher, ("joko", "anwar"), everything).unit() == 1.0
    assert find_pair(searcher, ("widodo", "joko"), everything).unit() == 0.0    # never in that order
    assert find_pair(searcher, ("joko", "widodo"), everything[:3]).unit() == 0.0   # fewer than MIN_SAMPLE
    assert MIN_SAMPLE > 2


def test_scores_never_fall_below_the_best_after_the_head():
    from search.retrieval.proximity import rescored

    assert rescored(10.0, -5.0, 8.0) == 8.0
    assert rescored(10.0, -1.0, 8.0) == 9.0
    assert rescored(7.0, -1.0, 8.0) == 7.0        # already below: unchanged (the head's last ties)
    assert rescored(10.0, 2.0, 8.0) == 12.0
    assert rescored(10.0, -5.0, None) == 5.0


def test_pairs_sharing_a_word_are_found_in_one_sweep_as_one_by_one(engine):
    """find_pairs reads each word once for all its pairs: the same answer as
    each pair read alone (itself checked against Whoosh's phrase query above)."""
    from whoosh import query as wq

    from search.retrieval.proximity import FIELDS, SLOP, find_pairs

    searcher = engine.searcher()
    everything = sorted(searcher.reader().all_doc_ids())
    pairs = [("kabut", "asap"), ("asap", "kabut"), ("banjir", "rob"), ("jakarta", "utara"), ("utara", "jakarta")]
    for candidates in (everything, everything[1::2]):
        found = find_pairs(searcher, pairs, candidates)
        for pair in pairs:
            phrase = wq.Or([wq.Phrase(f, list(pair), slop=SLOP) for f in FIELDS])
            both = wq.Or([wq.And([wq.Term(f, pair[0]), wq.Term(f, pair[1])]) for f in FIELDS])
            assert found[pair].phrased == set(searcher.docs_for_query(phrase)) & set(candidates), pair
            assert found[pair].phrased <= found[pair].held <= set(searcher.docs_for_query(both))
    assert any(found[pair].phrased for pair in pairs)


@pytest.fixture(scope="module")
def zipf_engine(tmp_path_factory):
    from conftest import engine_of, zipf_records

    words = [f"kata{i}" for i in range(40)]
    engine = engine_of(tmp_path_factory, "skips", zipf_records(words, 1500, seed=5), result_cache_size=0)
    yield engine
    engine.close()


def test_skip_to_lands_where_whooshs_skip_to_does(zipf_engine):
    """The bisecting skip reaches the same posting as Whoosh's own, from any
    start, across blocks (the frequent words' postings span several)."""
    from search.retrieval.proximity import skip_to

    reader = zipf_engine.searcher().reader()
    docs = sorted(reader.all_doc_ids())
    first = reader.postings("body", "kata0")
    assert first.block_max_id() < max(reader.postings("body", "kata0").all_ids())     # several blocks
    for term in (("body", "kata0"), ("body", "kata7"), ("title", "kata30")):
        ours, theirs = reader.postings(*term), reader.postings(*term)
        for target in docs[5::37] + [docs[-1] + 1]:
            if not theirs.is_active():
                break
            skip_to(ours, target)
            theirs.skip_to(target)
            assert ours.is_active() == theirs.is_active()
            if ours.is_active():
                assert ours.id() == theirs.id()
