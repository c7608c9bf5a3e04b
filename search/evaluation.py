"""Retrieval evaluation: topics, qrels and known-item sets scored against a search function.

A pure library: it knows nothing of Whoosh. Anything that maps a query string to
a ranked list of document ids can be evaluated, so the same code scores cari,
its peer analyzers and other engines.

The metric definitions are those of ../shared/eval/trec_eval.py, so that a run
written by ``write_run`` and scored by that script gives the same numbers:

- nDCG@10: linear gain (the grade), discount 1/log2(rank+1); the ideal DCG
  comes from all judged grades of the topic.
- MRR@10: 1/rank of the first document with grade >= 1 in the top 10.
- Recall@100: relevant documents (grade >= 1) in the top 100 over all relevant.
- Topic set: every qrels topic with at least one relevant document. A topic
  with no query scores 0; queries for topics absent from the qrels are ignored.
- Unjudged documents count as not relevant; a document repeated in a ranking
  counts only at its first rank.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

SearchFn = Callable[[str], list]

# First-column names that mark a header line in topics / known-item files.
HEADER_IDS = {"topic_id", "topic", "qid", "query_id", "id", "num", "number"}
HEADER_QUERIES = {"query", "title", "text", "question"}

TOPIC_METRICS = ("nDCG@10", "MRR@10", "R@100", "judged@10")
KNOWNITEM_METRICS = ("Success@1", "Success@10", "MRR@10")


@dataclass
class Topic:
    id: str
    query: str


@dataclass
class KnownItem:
    id: str
    query: str
    target: str


# --- reading and writing files ---------------------------------------------------


def _tsv_rows(path: Path) -> list[list[str]]:
    """Tab-separated rows without blank lines and without a header line."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line.strip():
                rows.append(line.split("\t"))
    if rows and _is_header(rows[0]):
        rows = rows[1:]
    return rows


def _is_header(row: list[str]) -> bool:
    first = row[0].strip().lower()
    second = row[1].strip().lower() if len(row) > 1 else ""
    return first in HEADER_IDS or second in HEADER_QUERIES


def read_topics(path: Path) -> list[Topic]:
    """``topic_id<TAB>query`` lines; a header line and further columns are allowed."""
    topics = []
    for row in _tsv_rows(Path(path)):
        if len(row) < 2:
            raise ValueError(f"{path}: expected 'topic_id<TAB>query', got {row!r}")
        topics.append(Topic(row[0].strip(), row[1].strip()))
    return topics


def read_knownitems(path: Path) -> list[KnownItem]:
    """``qid<TAB>query<TAB>target`` lines; a header line and further columns are allowed."""
    items = []
    for row in _tsv_rows(Path(path)):
        if len(row) < 3:
            raise ValueError(f"{path}: expected 'qid<TAB>query<TAB>target', got {row!r}")
        items.append(KnownItem(row[0].strip(), row[1].strip(), row[2].strip()))
    return items


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """TREC qrels: ``topic iteration doc grade`` per line."""
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 4:
                continue
            topic, _, doc, grade = parts[:4]
            qrels.setdefault(topic, {})[doc] = int(grade)
    return qrels


def read_run(path: Path) -> dict[str, list[str]]:
    """A TREC run as ranked doc ids per topic, ordered as trec_eval.py orders them."""
    rows: dict[str, list[tuple[float, int, str]]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 6:
                continue
            topic, _, doc, rank, score = parts[:5]
            rows.setdefault(topic, []).append((-float(score), int(rank), doc))
    return {topic: _unique([doc for *_, doc in sorted(items)]) for topic, items in rows.items()}


def write_run(run: dict[str, list[str]], path: Path, tag: str = "cari") -> None:
    """Write ranked ids as a TREC run.

    The score column is derived from the rank (n, n-1, ...) so that any scorer
    that orders by score reproduces our order exactly, whatever the engine's
    own scores were (they may tie, or not follow the order under other sorts).
    """
    with open(path, "w", encoding="utf-8") as f:
        for topic, ids in run.items():
            ids = _unique(ids)
            for rank, doc in enumerate(ids, start=1):
                f.write(f"{topic} Q0 {doc} {rank} {len(ids) - rank + 1} {tag}\n")


def _unique(ids: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for doc in ids:
        if doc not in seen:
            seen.add(doc)
            out.append(doc)
    return out


# --- metrics -----------------------------------------------------------------------


def ndcg_at(ranked: list[str], judged: dict[str, int], k: int = 10) -> float:
    dcg = sum(judged.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(judged.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def mrr_at(ranked: list[str], judged: dict[str, int], k: int = 10) -> float:
    for i, d in enumerate(ranked[:k]):
        if judged.get(d, 0) >= 1:
            return 1.0 / (i + 1)
    return 0.0


def recall_at(ranked: list[str], judged: dict[str, int], k: int = 100) -> float:
    relevant = {d for d, g in judged.items() if g >= 1}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def judged_at(ranked: list[str], judged: dict[str, int], k: int = 10) -> float:
    """Share of the top k that the qrels judge: low values mean the pool misses us."""
    top = ranked[:k]
    return sum(1 for d in top if d in judged) / k if top else 0.0


def target_rank(ranked: list[str], target: str) -> int | None:
    """1-based rank of the target, None when it was not retrieved."""
    for i, d in enumerate(ranked):
        if d == target:
            return i + 1
    return None


def score_topics(run: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict:
    """Score a finished run; the means and one row per topic."""
    topics = sorted(t for t, judged in qrels.items() if any(g >= 1 for g in judged.values()))
    per_query = []
    for topic in topics:
        ranked, judged = _unique(run.get(topic, [])), qrels[topic]
        per_query.append({
            "topic": topic,
            "retrieved": len(ranked),
            "nDCG@10": ndcg_at(ranked, judged, 10),
            "MRR@10": mrr_at(ranked, judged, 10),
            "R@100": recall_at(ranked, judged, 100),
            "judged@10": judged_at(ranked, judged, 10),
        })
    return {"topics": len(per_query), **_means(per_query, TOPIC_METRICS), "per_query": per_query}


def _means(rows: list[dict], metrics: Iterable[str]) -> dict[str, float]:
    n = len(rows) or 1
    return {m: sum(r[m] for r in rows) / n for m in metrics}


# --- running queries through a search function ---------------------------------------


def run_topics(search_fn: SearchFn, topics: list[Topic]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Ranked ids per topic, and the error message of every query that raised."""
    run: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    for topic in topics:
        try:
            run[topic.id] = _unique(search_fn(topic.query))
        except Exception as exc:  # one bad query must not sink the whole evaluation
            run[topic.id] = []
            errors[topic.id] = f"{type(exc).__name__}: {exc}"
    return run, errors


def evaluate_topics(search_fn: SearchFn, topics: list[Topic], qrels: dict[str, dict[str, int]]) -> dict:
    """nDCG@10, MRR@10, R@100 (and judged@10) of search_fn over the topics.

    Returns the means, ``per_query`` rows (with the query text), ``missing``
    (qrels topics without a query: scored 0), ``errors`` and ``run`` (the
    ranked ids, ready for ``write_run``).
    """
    run, errors = run_topics(search_fn, topics)
    result = score_topics(run, qrels)
    queries = {t.id: t.query for t in topics}
    for row in result["per_query"]:
        row["query"] = queries.get(row["topic"], "")
    result["missing"] = [row["topic"] for row in result["per_query"] if row["topic"] not in queries]
    result["errors"] = errors
    result["run"] = run
    return result


def evaluate_knownitem(search_fn: SearchFn, items: list[KnownItem]) -> dict:
    """Success@1, Success@10 and MRR@10 for finding each item's single target."""
    per_query = []
    errors: dict[str, str] = {}
    for item in items:
        try:
            ranked = _unique(search_fn(item.query))
        except Exception as exc:  # counted as a miss, and reported
            ranked = []
            errors[item.id] = f"{type(exc).__name__}: {exc}"
        rank = target_rank(ranked, item.target)
        per_query.append({
            "qid": item.id,
            "query": item.query,
            "target": item.target,
            "rank": rank,
            "Success@1": 1.0 if rank == 1 else 0.0,
            "Success@10": 1.0 if rank is not None and rank <= 10 else 0.0,
            "MRR@10": 1.0 / rank if rank is not None and rank <= 10 else 0.0,
        })
    return {"queries": len(per_query), **_means(per_query, KNOWNITEM_METRICS),
            "per_query": per_query, "errors": errors}


def engine_search_fn(engine, depth: int = 100) -> SearchFn:
    """The real search path: ``Engine.search`` without highlights, ids in rank order."""
    def search(query: str) -> list[str]:
        results = engine.search(query, page=1, per_page=depth, highlight=False)
        return [hit.id for hit in results.hits]
    return search


# --- the `cari eval` command ------------------------------------------------------------


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``cari eval``; the CLI opens the engine and calls ``run_eval``."""
    parser.add_argument("--topics", type=Path, help="topic_id<TAB>query file (header line allowed)")
    parser.add_argument("--qrels", type=Path, help="TREC qrels for --topics")
    parser.add_argument("--knownitem", type=Path, help="qid<TAB>query<TAB>target file")
    parser.add_argument("--run-out", type=Path, help="write the --topics run here (TREC format)")
    parser.add_argument("--tag", default="cari", help="run tag written in --run-out (default: cari)")
    parser.add_argument("--depth", type=int, default=100, help="results taken per query (default: 100)")
    parser.add_argument("--per-query", action="store_true", help="print one line per query too")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")


def check_eval_arguments(args: argparse.Namespace) -> str | None:
    """An error message for an unusable combination of arguments, else None."""
    if not args.topics and not args.knownitem:
        return "give --topics with --qrels, or --knownitem"
    if bool(args.topics) != bool(args.qrels):
        return "--topics and --qrels go together"
    if args.run_out and not args.topics:
        return "--run-out needs --topics"
    for path in (args.topics, args.qrels, args.knownitem):
        if path and not Path(path).is_file():
            return f"no such file: {path}"
    return None


def run_eval(args: argparse.Namespace, engine, out=None) -> int:
    """Evaluate ``engine`` as ``args`` ask; print the metrics; return an exit code."""
    out = out or sys.stdout
    problem = check_eval_arguments(args)
    if problem:
        print(f"cari eval: {problem}", file=sys.stderr)
        return 2
    search_fn = engine_search_fn(engine, depth=getattr(args, "depth", 100))
    report: dict[str, dict] = {}
    if args.topics:
        result = evaluate_topics(search_fn, read_topics(args.topics), read_qrels(args.qrels))
        if args.run_out:
            write_run(result["run"], args.run_out, tag=getattr(args, "tag", "cari"))
        report["topics"] = result
    if args.knownitem:
        report["knownitem"] = evaluate_knownitem(search_fn, read_knownitems(args.knownitem))
    if args.json:
        json.dump(_public(report, args.per_query), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        _print_text(report, args.per_query, out)
    errors = sum(len(r["errors"]) for r in report.values())
    if errors:
        print(f"cari eval: {errors} queries raised an error (scored as empty)", file=sys.stderr)
    return 0


def _public(report: dict, per_query: bool) -> dict:
    """The JSON output: metrics always, per-query rows on request, never the raw run."""
    drop = {"run"} if per_query else {"run", "per_query"}
    return {kind: {k: v for k, v in r.items() if k not in drop} for kind, r in report.items()}


def _print_text(report: dict, per_query: bool, out) -> None:
    if "topics" in report:
        r = report["topics"]
        if per_query:
            for row in r["per_query"]:
                print(f"{row['topic']}\t" + "\t".join(f"{m}={row[m]:.4f}" for m in TOPIC_METRICS)
                      + f"\t{row['query']}", file=out)
        print(f"topics({r['topics']})\t" + "\t".join(f"{m}={r[m]:.4f}" for m in TOPIC_METRICS), file=out)
        if r["missing"]:
            print(f"topics without a query (scored 0): {', '.join(r['missing'])}", file=out)
    if "knownitem" in report:
        r = report["knownitem"]
        if per_query:
            for row in r["per_query"]:
                print(f"{row['qid']}\trank={row['rank'] or '-'}\t{row['target']}\t{row['query']}", file=out)
        print(f"knownitem({r['queries']})\t" + "\t".join(f"{m}={r[m]:.4f}" for m in KNOWNITEM_METRICS),
              file=out)
