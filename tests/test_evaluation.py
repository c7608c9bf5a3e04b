"""The evaluator: hand-computed metrics on tiny qrels, file parsing, and agreement
with ../shared/eval/trec_eval.py on a real run over the real corpus."""
import argparse
import io
import json
import math
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from search.evaluation import (
    KnownItem,
    Topic,
    add_eval_arguments,
    evaluate_knownitem,
    evaluate_topics,
    read_knownitems,
    read_qrels,
    read_run,
    read_topics,
    run_eval,
    write_run,
)

from conftest import SHARED

QRELS = {
    "T1": {"a": 2, "b": 1, "c": 0, "d": 1},
    "T2": {"x": 1},
    "T3": {"y": 0},  # nothing relevant: not part of the topic set
}
RANKINGS = {"one": ["c", "a", "e", "b"], "two": [], "three": ["y"]}
TOPICS = [Topic("T1", "one"), Topic("T2", "two"), Topic("T3", "three")]


def fake_search(query):
    return RANKINGS[query]


def test_topic_metrics_match_hand_computation():
    result = evaluate_topics(fake_search, TOPICS, QRELS)
    t1 = {row["topic"]: row for row in result["per_query"]}["T1"]
    # c(0) a(2) e(unjudged) b(1): DCG = 2/log2(3) + 1/log2(5); ideal grades 2,1,1,0.
    dcg = 2 / math.log2(3) + 1 / math.log2(5)
    idcg = 2 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)
    assert t1["nDCG@10"] == pytest.approx(dcg / idcg)
    assert t1["nDCG@10"] == pytest.approx(0.54058, abs=1e-5)
    assert t1["MRR@10"] == pytest.approx(0.5)
    assert t1["R@100"] == pytest.approx(2 / 3)
    assert t1["judged@10"] == pytest.approx(0.3)
    # T2 retrieved nothing and scores 0; T3 has no relevant document and is left out.
    assert result["topics"] == 2
    assert result["nDCG@10"] == pytest.approx(dcg / idcg / 2)
    assert result["MRR@10"] == pytest.approx(0.25)
    assert result["R@100"] == pytest.approx(1 / 3)


def test_cutoffs_are_respected():
    ranked = [f"n{i}" for i in range(10)] + ["rel"]
    result = evaluate_topics(lambda q: ranked, [Topic("T", "q")], {"T": {"rel": 1}})
    assert result["nDCG@10"] == 0.0
    assert result["MRR@10"] == 0.0
    assert result["R@100"] == 1.0  # rank 11 is inside the top 100
    deep = [f"n{i}" for i in range(100)] + ["rel"]
    assert evaluate_topics(lambda q: deep, [Topic("T", "q")], {"T": {"rel": 1}})["R@100"] == 0.0


def test_duplicates_count_once_at_first_rank():
    result = evaluate_topics(lambda q: ["a", "a", "b"], [Topic("T", "q")], {"T": {"b": 1}})
    assert result["MRR@10"] == pytest.approx(0.5)


def test_topic_without_query_scores_zero_and_is_reported():
    result = evaluate_topics(fake_search, [Topic("T1", "one")], QRELS)
    assert result["topics"] == 2
    assert result["missing"] == ["T2"]
    assert result["MRR@10"] == pytest.approx(0.25)


def test_failing_query_is_scored_empty_and_reported():
    def search(query):
        if query == "two":
            raise ValueError("bad syntax")
        return fake_search(query)
    result = evaluate_topics(search, TOPICS, QRELS)
    assert result["errors"] == {"T2": "ValueError: bad syntax"}
    assert result["MRR@10"] == pytest.approx(0.25)


def test_knownitem_metrics_match_hand_computation():
    rankings = {"q1": ["t1", "z"], "q2": ["z", "y", "t2"], "q3": [f"z{i}" for i in range(10)] + ["t3"], "q4": ["z"]}
    items = [KnownItem(f"k{i}", f"q{i}", f"t{i}") for i in range(1, 5)]
    result = evaluate_knownitem(lambda q: rankings[q], items)
    assert result["queries"] == 4
    assert result["Success@1"] == pytest.approx(1 / 4)
    assert result["Success@10"] == pytest.approx(2 / 4)
    assert result["MRR@10"] == pytest.approx((1 + 1 / 3) / 4)
    assert [row["rank"] for row in result["per_query"]] == [1, 3, 11, None]


def test_topics_file_with_header_and_extra_columns(tmp_path):
    path = tmp_path / "topics.tsv"
    path.write_text("topic_id\tquery\tkind\nH1\tkabut asap\ta\tnarrative\n\nH2\tbrexit\n", encoding="utf-8")
    assert read_topics(path) == [Topic("H1", "kabut asap"), Topic("H2", "brexit")]
    headerless = tmp_path / "plain.tsv"
    headerless.write_text("401\tforeign minorities\n", encoding="utf-8")
    assert read_topics(headerless) == [Topic("401", "foreign minorities")]


def test_knownitem_file_with_extra_column(tmp_path):
    path = tmp_path / "ki.tsv"
    path.write_text("q1\tMotoGP San Marino\tdetik-1\tdetik-0\n", encoding="utf-8")
    assert read_knownitems(path) == [KnownItem("q1", "MotoGP San Marino", "detik-1")]


def test_run_round_trip_keeps_order(tmp_path):
    path = tmp_path / "run.txt"
    write_run({"T1": ["c", "a", "c", "b"], "T2": []}, path, tag="x")
    assert read_run(path) == {"T1": ["c", "a", "b"]}
    first = path.read_text().splitlines()[0].split()
    assert first == ["T1", "Q0", "c", "1", "3", "x"]


def fake_engine(rankings):
    def search(query, page=1, per_page=10, highlight=True, **kwargs):
        assert highlight is False and per_page == 100
        return SimpleNamespace(hits=[SimpleNamespace(id=i) for i in rankings[query]])
    return SimpleNamespace(search=search)


def parse_args(argv):
    parser = argparse.ArgumentParser()
    add_eval_arguments(parser)
    return parser.parse_args(argv)


def test_run_eval_prints_metrics_and_writes_run(tmp_path):
    topics = tmp_path / "topics.tsv"
    topics.write_text("topic_id\tquery\nT1\tone\nT2\ttwo\n", encoding="utf-8")
    qrels = tmp_path / "qrels.txt"
    qrels.write_text("T1 0 a 2\nT1 0 b 1\nT1 0 c 0\nT1 0 d 1\nT2 0 x 1\n", encoding="utf-8")
    run_out = tmp_path / "run.txt"
    out = io.StringIO()
    args = parse_args(["--topics", str(topics), "--qrels", str(qrels), "--run-out", str(run_out), "--json"])
    assert run_eval(args, fake_engine(RANKINGS), out=out) == 0
    metrics = json.loads(out.getvalue())["topics"]
    assert metrics["MRR@10"] == pytest.approx(0.25)
    assert "per_query" not in metrics
    assert read_run(run_out) == {"T1": ["c", "a", "e", "b"]}


def test_run_eval_text_output_for_knownitem(tmp_path):
    items = tmp_path / "ki.tsv"
    items.write_text("k1\tone\ta\nk2\ttwo\tx\n", encoding="utf-8")
    out = io.StringIO()
    assert run_eval(parse_args(["--knownitem", str(items)]), fake_engine(RANKINGS), out=out) == 0
    assert "knownitem(2)\tSuccess@1=0.0000\tSuccess@10=0.5000\tMRR@10=0.2500" in out.getvalue()


def test_run_eval_rejects_topics_without_qrels(tmp_path, capsys):
    topics = tmp_path / "topics.tsv"
    topics.write_text("T1\tone\n", encoding="utf-8")
    assert run_eval(parse_args(["--topics", str(topics)]), fake_engine(RANKINGS)) == 2
    assert "--qrels" in capsys.readouterr().err


def test_eval_index_option_comes_from_the_cli():
    """`cari eval` takes --index like every command; evaluation adds no second one."""
    from search.cli import build_parser

    args = build_parser().parse_args(["eval", "--index", "elsewhere", "--knownitem", "k.tsv"])
    assert str(args.index) == "elsewhere"


# --- agreement with the reference scorer on a real run -----------------------------


def term_count_search(docs):
    """A small but real ranking over the real corpus: query-term counts, title x3."""
    def search(query):
        terms = re.findall(r"\w+", query.lower())
        scores = Counter()
        for doc_id, title, body in docs:
            score = sum(3 * title.count(t) + body.count(t) for t in terms)
            if score:
                scores[doc_id] = score
        return [d for d, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:100]]
    return search


def load_clickid():
    docs = []
    for path in sorted((SHARED / "corpus" / "clickid").glob("*.jsonl")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                docs.append((rec["id"], rec.get("title", "").lower(), rec.get("body", "").lower()))
    return docs


@pytest.mark.shared_data
def test_agrees_with_shared_trec_eval_on_a_real_run(tmp_path):
    eval_dir = SHARED / "eval"
    if not (eval_dir / "trec_eval.py").is_file() or not (SHARED / "corpus" / "clickid").is_dir():
        pytest.skip(f"shared eval data not found at {SHARED}")
    topics = read_topics(eval_dir / "topics_dev.tsv")
    qrels = read_qrels(eval_dir / "qrels_dev.txt")
    result = evaluate_topics(term_count_search(load_clickid()), topics, qrels)
    run_path = tmp_path / "run.txt"
    write_run(result["run"], run_path)
    printed = subprocess.run(
        [sys.executable, str(eval_dir / "trec_eval.py"), str(run_path), str(eval_dir / "qrels_dev.txt"), "--per-topic"],
        capture_output=True, text=True, check=True,
    ).stdout
    reference = dict(re.findall(r"([\w@]+)=([0-9.]+)", printed.splitlines()[-1]))
    # The run is not trivial: otherwise agreement would prove little.
    assert 0.05 < result["nDCG@10"] < 0.999
    for metric in ("nDCG@10", "MRR@10", "R@100", "judged@10"):
        assert f"{result[metric]:.4f}" == reference[metric], metric
    per_topic = {line.split("\t")[0]: dict(re.findall(r"([\w@]+)=([0-9.]+)", line))
                 for line in printed.splitlines()[:-1]}
    for row in result["per_query"]:
        assert f"{row['nDCG@10']:.4f}" == per_topic[row["topic"]]["nDCG@10"], row["topic"]


# --- `cari eval` end to end: the real search path on the sample corpus --------------------


def sample_qrels(queries):
    """Judgements made from the sample texts alone: 2 if every query word is in the
    title, 1 if every word is in the body, else unjudged."""
    from search.readers import read_file

    root = Path(__file__).resolve().parents[1] / "corpus"
    articles = [a for p in sorted(root.rglob("*")) if p.is_file() for a in read_file(p, root).articles]
    lines = []
    for topic, query in queries.items():
        words = query.split()
        for a in articles:
            if all(w in a.title.lower() for w in words):
                lines.append(f"{topic} 0 {a.id} 2")
            elif all(w in a.body.lower() for w in words):
                lines.append(f"{topic} 0 {a.id} 1")
    return "\n".join(lines) + "\n"


@pytest.mark.integration
@pytest.mark.shared_data
def test_cari_eval_command_uses_the_engine_and_agrees_with_trec_eval(tmp_path):
    trec_eval = SHARED / "eval" / "trec_eval.py"
    if not trec_eval.is_file():
        pytest.skip(f"reference scorer not found at {trec_eval}")
    from search.indexing.indexer import index_corpus
    from search.retrieval.engine import Engine

    index_dir = tmp_path / "index"
    index_corpus(Path(__file__).resolve().parents[1] / "corpus", index_dir, rebuild=True, procs=1)
    queries = {"S1": "banjir jakarta", "S2": "kpk", "S3": "rupiah", "S4": "hujan deras"}
    (tmp_path / "topics.tsv").write_text("topic_id\tquery\n" + "".join(f"{t}\t{q}\n" for t, q in queries.items()),
                                         encoding="utf-8")
    (tmp_path / "qrels.txt").write_text(sample_qrels(queries), encoding="utf-8")
    run_path = tmp_path / "run.txt"
    out = subprocess.run(
        [sys.executable, "-m", "search", "eval", "--index", str(index_dir), "--topics", str(tmp_path / "topics.tsv"),
         "--qrels", str(tmp_path / "qrels.txt"), "--run-out", str(run_path), "--json"],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1],
    )
    assert out.returncode == 0, out.stderr
    metrics = json.loads(out.stdout)["topics"]
    assert metrics["errors"] == {}
    # The run is what Engine.search returns, in order.
    engine = Engine(index_dir)
    try:
        expected = {t: [h.id for h in engine.search(q, per_page=100, highlight=False).hits] for t, q in queries.items()}
    finally:
        engine.close()
    assert read_run(run_path) == {t: ids for t, ids in expected.items() if ids}
    printed = subprocess.run([sys.executable, str(trec_eval), str(run_path), str(tmp_path / "qrels.txt")],
                             capture_output=True, text=True, check=True).stdout
    reference = dict(re.findall(r"([\w@]+)=([0-9.]+)", printed.splitlines()[-1]))
    assert metrics["topics"] == len(queries)
    assert 0 < metrics["nDCG@10"]
    for metric in ("nDCG@10", "MRR@10", "R@100", "judged@10"):
        assert f"{metrics[metric]:.4f}" == reference[metric], metric
