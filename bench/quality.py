"""Retrieval quality on ../shared/eval for cari, its peer analyzers and the peer engines.

All systems search the same collection (the base corpus plus the extra one:
clickid + indosum). cari and the peer analyzers (``bench.analyzers``: no
stemming, Snowball, Sastrawi) share one index shape: cari's schema, BM25F,
title boost, cari's query path; only the analyzer differs. The Whoosh tutorial
app and tantivy are scored too, as they would answer.

Metrics come from ``search.evaluation``, the code behind ``cari eval``:
nDCG@10, MRR@10, Recall@100 on graded topics; Success@1, Success@10, MRR@10 on
known-item sets (retrieved to depth 10: ranks below 10 do not change them).

Run alone: ``python -m bench.quality [--quick]``.
"""
from __future__ import annotations

import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import common
from bench.indexing import _done, ensure_index, full_corpus

ANALYZERS = ("nostem", "snowball", "sastrawi")
SYSTEMS = ("cari", *ANALYZERS, "whoosh", "tantivy")
LABELS = {"cari": "cari", "nostem": "no stemming", "snowball": "Snowball (PyStemmer)",
          "sastrawi": "Sastrawi (cached)", "whoosh": "Whoosh tutorial", "tantivy": "tantivy"}
# (name, kind, file(s)); the known-item sets are judged over clickid + indosum.
SETS = [
    ("topics_dev", "topics", ("topics_dev.tsv", "qrels_dev.txt")),
    ("indosum_knownitem", "knownitem", ("indosum_knownitem.tsv",)),
    ("bacajuga_knownitem", "knownitem", ("bacajuga_knownitem.tsv",)),
]
QUICK_ITEMS = 30  # known-item queries per set in quick mode
TOPIC_DEPTH = 100
KNOWNITEM_DEPTH = 10


def analyzer_index(name: str, quick: bool) -> Path:
    """cari's index shape built with a peer analyzer over the full collection."""
    path = common.work_dir() / f"index-{name}-full{'-quick' if quick else ''}"
    if not _done(path).exists() and common.wait_for_builder(path):
        time.sleep(2)  # the other run marks the index done right after its builder exits
    if not _done(path).exists():
        shutil.rmtree(path, ignore_errors=True)
        print(f"quality: building the {name} index", file=sys.stderr, flush=True)
        common.run_probe("bench.quality:build_analyzer_index",
                         {"name": name, "corpus": str(full_corpus(quick)), "index_dir": str(path)})
        _done(path).touch()
    return path


def build_analyzer_index(name: str, corpus: str, index_dir: str) -> dict:
    from bench.analyzers import PEER_ANALYZERS
    from search.indexer import index_corpus

    started = time.perf_counter()
    report = index_corpus(Path(corpus), Path(index_dir), rebuild=True, procs=common.indexer_procs(),
                          analyzer=PEER_ANALYZERS[name]())
    return {"articles": report.articles, "seconds": time.perf_counter() - started}


def search_function(system: str, index_dir: Path, depth_holder: dict):
    """ids-only search for ``system``; ``depth_holder['depth']`` sets how deep."""
    from bench import peers

    if system == "whoosh":
        searcher = peers.WhooshTutorial().open_searcher(index_dir, per_query=False)
    elif system == "tantivy":
        searcher = peers.Tantivy().open_searcher(index_dir)
    else:
        searcher = peers.CariSearcher(index_dir, check_analysis=system == "cari")

    def search(query: str) -> list[str]:
        return [doc_id for doc_id, _ in searcher.search(query, depth_holder["depth"], False)]
    return search, searcher


def evaluate_system(system: str, index_dir: str, quick: bool) -> dict:
    """Child side: every eval set through one system; means plus per-topic rows."""
    import time

    from search import evaluation as ev

    holder = {"depth": TOPIC_DEPTH}
    search, searcher = search_function(system, Path(index_dir), holder)
    out = {}
    try:
        for name, kind, files in SETS:
            paths = [common.eval_dir() / f for f in files]
            if not all(p.is_file() for p in paths):
                out[name] = {"missing": [str(p) for p in paths if not p.is_file()]}
                continue
            started = time.perf_counter()
            if kind == "topics":
                holder["depth"] = TOPIC_DEPTH
                result = ev.evaluate_topics(search, ev.read_topics(paths[0]), ev.read_qrels(paths[1]))
                result.pop("run")
                for row in result["per_query"]:
                    row.pop("query", None)
            else:
                holder["depth"] = KNOWNITEM_DEPTH
                items = ev.read_knownitems(paths[0])
                result = ev.evaluate_knownitem(search, items[:QUICK_ITEMS] if quick else items)
                result.pop("per_query")
            result["errors"] = len(result["errors"])
            result["seconds"] = time.perf_counter() - started
            out[name] = result
    finally:
        searcher.close()
    return out


def run(quick: bool = False) -> dict:
    if not common.eval_dir().is_dir():
        raise FileNotFoundError(f"eval sets not found at {common.eval_dir()}")
    indexes = {system: ensure_index(system, "full", quick) for system in ("cari", "whoosh", "tantivy")}
    for name in ANALYZERS:
        indexes[name] = analyzer_index(name, quick)

    def evaluate(system: str) -> dict:
        print(f"quality: evaluating {system}", file=sys.stderr, flush=True)
        return common.run_probe("bench.quality:evaluate_system",
                                {"system": system, "index_dir": str(indexes[system]), "quick": quick})

    # Two evaluations at a time: one per core.
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(SYSTEMS, pool.map(evaluate, SYSTEMS)))
    for r in results.values():
        for key in ("wall_s", "child_s", "cpu_s", "peak_rss_mb", "peak_tree_pss_mb"):
            r.pop(key, None)
    from bench.indexing import base_corpus, extra_corpus
    parts = [base_corpus(quick), extra_corpus(quick)]
    return {"collection": [common.corpus_label(p) for p in parts if p is not None], "quick": quick,
            "sets": [name for name, *_ in SETS], "results": results}


def markdown(result: dict) -> str:
    res = result["results"]
    lines = [
        f"Collection: {' + '.join(f'`{c}`' for c in result['collection'])}. cari and the three peer analyzers use the same index shape "
        "(cari's schema, BM25F with the title boost, cari's query path: all terms first, any term "
        "if nothing matches); only the analyzer differs. The Whoosh tutorial requires every query "
        "term (QueryParser's default AND) and has no fallback; tantivy matches any term (BM25). "
        "Metrics are computed by `search.evaluation`, the code of `cari eval`, which agrees with "
        "../shared/eval/trec_eval.py (tested).",
        "",
    ]
    topics = [s for s in SETS if s[1] == "topics"]
    for name, _, _ in topics:
        lines += [f"**{name}** (graded topics; nDCG@10, MRR@10, Recall@100; judged@10 is the share of "
                  "the top 10 that the qrels judge: unjudged documents count as not relevant)", "",
                  "| system | nDCG@10 | MRR@10 | R@100 | judged@10 |", "|---|---:|---:|---:|---:|"]
        for system, r in res.items():
            m = r.get(name, {})
            if "nDCG@10" not in m:
                lines.append(f"| {LABELS[system]} | not run | | | |")
                continue
            lines.append(f"| {LABELS[system]} | {m['nDCG@10']:.3f} | {m['MRR@10']:.3f} | {m['R@100']:.3f} | "
                         f"{m['judged@10']:.2f} |")
        lines.append("")
    known = [s for s in SETS if s[1] == "knownitem"]
    header = "| system | " + " | ".join(f"{n} S@1 | S@10 | MRR@10" for n, *_ in known) + " |"
    lines += ["**Known-item sets** (Success@1, Success@10, MRR@10; queries: " +
              ", ".join(f"{n} {_count(res, n)}" for n, *_ in known) + ")", "", header,
              "|---|" + "---:|" * (3 * len(known))]
    for system, r in res.items():
        cells = []
        for name, *_ in known:
            m = r.get(name, {})
            cells += [f"{m['Success@1']:.3f}", f"{m['Success@10']:.3f}", f"{m['MRR@10']:.3f}"] \
                if "MRR@10" in m else ["not run", "", ""]
        lines.append(f"| {LABELS[system]} | " + " | ".join(cells) + " |")
    errors = {s: sum(m.get("errors", 0) for m in r.values() if isinstance(m, dict)) for s, r in res.items()}
    if any(errors.values()):
        lines += ["", "Queries that raised (scored as no results): " +
                  ", ".join(f"{LABELS[s]} {n}" for s, n in errors.items() if n)]
    return "\n".join(lines)


def _count(res: dict, name: str) -> str:
    for r in res.values():
        if "queries" in r.get(name, {}):
            return str(r[name]["queries"])
    return "?"


if __name__ == "__main__":
    from bench.report import main
    sys.exit(main(["quality", *sys.argv[1:]]))
