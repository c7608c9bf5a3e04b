"""The held-out collection (bench/heldout): its split rule, its judged pool and its per-kind means."""
import pytest

from bench.heldout import collection, score
from search import evaluation as ev

HEADER = "id\tkind\thalf\tquery\tnarrative\n"


def test_each_kind_has_eight_topics_split_four_and_four():
    topics = collection.read_topics()
    assert len(topics) == 40
    for kind in collection.KINDS:
        halves = [t.half for t in topics if t.kind == kind]
        assert sorted(halves) == ["heldout"] * 4 + ["tune"] * 4, kind


def test_a_topic_in_the_wrong_half_is_refused(tmp_path):
    path = tmp_path / "topics.tsv"
    path.write_text(HEADER + "t1\tform\ttune\ta\tn\nt2\tform\ttune\tb\tn\n", "utf-8")
    with pytest.raises(ValueError, match="t2.*heldout"):
        collection.read_topics(path)


def test_an_unknown_kind_is_refused(tmp_path):
    path = tmp_path / "topics.tsv"
    path.write_text(HEADER + "t1\tslang\ttune\ta\tn\n", "utf-8")
    with pytest.raises(ValueError, match="unknown kind"):
        collection.read_topics(path)


def test_the_qrels_judge_exactly_the_pool():
    qrels = ev.read_qrels(collection.QRELS)
    pooled: dict[str, set[str]] = {}
    for line in collection.POOL.read_text("utf-8").splitlines()[1:]:
        topic, doc, *_ = line.split("\t")
        pooled.setdefault(topic, set()).add(doc)
    assert {t: set(docs) for t, docs in qrels.items()} == pooled
    assert set(qrels) == {t.id for t in collection.read_topics()}
    assert all(grade in (0, 1, 2) for docs in qrels.values() for grade in docs.values())


def test_means_are_taken_per_half_and_kind():
    topics = [collection.HeldoutTopic("a", "form", "tune", "q", "n"),
              collection.HeldoutTopic("b", "form", "heldout", "q", "n"),
              collection.HeldoutTopic("c", "name", "tune", "q", "n")]
    rows = [{"topic": "a", "nDCG@10": 1.0, "R@100": 0.5, "judged@10": 1.0},
            {"topic": "b", "nDCG@10": 0.2, "R@100": 0.4, "judged@10": 1.0},
            {"topic": "c", "nDCG@10": 0.0, "R@100": 1.0, "judged@10": 0.5}]
    summary = score.summarise(rows, topics)
    assert summary["tune"]["form"]["nDCG@10"] == 1.0
    assert summary["tune"]["all"] == {"topics": 2, "nDCG@10": 0.5, "R@100": 0.75, "judged@10": 0.75}
    assert summary["heldout"]["form"]["R@100"] == 0.4
    assert summary["heldout"]["name"]["topics"] == 0


def test_feature_switches_turn_one_feature_off(monkeypatch):
    import search.retrieval.expansion as expansion
    import search.retrieval.proximity as proximity
    import search.retrieval.run as run
    import search.retrieval.tail as tail
    from bench.heldout import features

    # Saved by monkeypatch first, so each switch is undone after the test.
    monkeypatch.setattr(run, "min_should_match", run.min_should_match)
    monkeypatch.setattr(proximity, "WEIGHT", proximity.WEIGHT)
    monkeypatch.setattr(proximity, "lone_words", proximity.lone_words)
    monkeypatch.setattr(tail, "COMMON_SHARE", tail.COMMON_SHARE)
    for name in ("synonym_list", "variants", "near"):
        monkeypatch.setattr(expansion.Expander, name, getattr(expansion.Expander, name))
    assert run.min_should_match(3) == 2 and proximity.WEIGHT > 0 and tail.COMMON_SHARE < 1
    for feature in features.FEATURES:
        features.switch_off(feature)
    assert run.min_should_match(3) == 3 and proximity.WEIGHT == 0 and tail.COMMON_SHARE == 1
    assert proximity.lone_words({}, [], None) == {}
    assert expansion.Expander.synonym_list(None, ("demo",), {"demo"}) == []
    with pytest.raises(ValueError):
        features.switch_off("stemming")


def test_adding_a_system_appends_only_the_pairs_the_pool_lacks(tmp_path):
    from bench.heldout import pool

    path = tmp_path / "pool.tsv"
    before = "topic\tdoc\tbest_rank\tsystems\nt1\ta\t1\tcari,tantivy\nt1\tb\t2\ttantivy\n"
    path.write_text(before, "utf-8")
    found = {"t1": {"b": {"rank": 1}, "c": {"rank": 3}}, "t2": {"d": {"rank": 1}}}
    added = pool.new_pairs(found, pool.read_pool(path))
    assert pool.append_pool(added, "cari@abc1234", path) == 2
    text = path.read_text("utf-8")
    assert text.startswith(before)  # the judged rows stay as they were
    assert text[len(before):] == "t1\tc\t3\tcari@abc1234\nt2\td\t1\tcari@abc1234\n"
    assert pool.read_pool(path) == {"t1": {"a", "b", "c"}, "t2": {"d"}}
    assert pool.unjudged(pool.read_pool(path), {"t1": {"a": 2, "b": 0}}) == {"t1": {"c"}, "t2": {"d"}}
    assert pool.append_pool(pool.new_pairs(found, pool.read_pool(path)), "cari@abc1234", path) == 0
    with pytest.raises(ValueError, match="label"):
        pool.append_pool({"t3": {"e": {"rank": 1}}}, "cari,x", path)


def test_the_report_names_every_pooling_round(tmp_path, monkeypatch):
    path = tmp_path / "pool.tsv"
    path.write_text("topic\tdoc\tbest_rank\tsystems\nt1\ta\t1\tcari,tantivy\nt1\tb\t4\tcari@abc1234\n", "utf-8")
    monkeypatch.setattr(collection, "POOL", path)
    assert score.pooled_systems() == ["cari", "tantivy", "snowball", "cari@abc1234"]
