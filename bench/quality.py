"""Retrieval quality on ../shared/eval for cari, its peer analyzers and the peer engines.

All systems search the same collection (the base corpus plus the extra one:
clickid + indosum). cari and the peer analyzers (``bench.analyzers``: no
stemming, Snowball, Sastrawi) share one index shape: cari's schema, BM25F,
title boost, cari's query path; only the analyzer differs. The Whoosh tutorial
app and tantivy are scored too, as they would answer.

Metrics come from ``search.evaluation``, the code behind ``cari eval``:
nDCG@10, MRR@10, Recall@100 on graded topics; Success@1, Success@10, MRR@10 on
known-item sets (retrieved to depth 10: ranks below 10 do not change them).

The IndoSum known-item set is the 500-item sample
(``indosum_knownitem_sample500.tsv``) by default, so ``make bench`` fits its
time budget; ``CARI_BENCH_INDOSUM=full`` scores all 3,450 items (about seven
times the IndoSum evaluation work) and adds the Whoosh tutorial on them. The
report names the file each figure comes from.

The three peer-analyzer indexes are built here (nothing else needs them), each
by one indexing process, the three side by side on the machine's cores.

Run alone: ``python -m bench.quality [--quick]``.
"""
from __future__ import annotations

import math
import os
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
INDOSUM_FILES = {"sample": "indosum_knownitem_sample500.tsv", "full": "indosum_knownitem.tsv"}
# The Whoosh tutorial is a speed peer: on the IndoSum queries (19 words on
# average, every term required) it costs as much CPU as the four
# cari-family systems together, so the default run scores it on the other sets.
SAMPLE_SKIPS = {"whoosh": ("indosum_knownitem",)}
# Jobs start longest first (a peer analyzer's job includes building its index;
# on the IndoSum sample the evaluations take 15-25 CPU seconds each).
ORDER = ("sastrawi", "snowball", "nostem", "cari", "whoosh", "tantivy")
QUICK_ITEMS = 30  # known-item queries per set in quick mode
TOPIC_DEPTH = 100
KNOWNITEM_DEPTH = 10


def indosum_scope() -> str:
    """``sample`` (default) or ``full``, from ``CARI_BENCH_INDOSUM``."""
    scope = (os.environ.get("CARI_BENCH_INDOSUM") or "sample").strip().lower()
    if scope not in INDOSUM_FILES:
        raise ValueError(f"CARI_BENCH_INDOSUM must be one of {', '.join(INDOSUM_FILES)}, not {scope!r}")
    return scope


def eval_sets() -> list[tuple[str, str, tuple[str, ...]]]:
    """(name, kind, file(s)); the known-item sets are judged over clickid + indosum."""
    return [
        ("topics_dev", "topics", ("topics_dev.tsv", "qrels_dev.txt")),
        ("indosum_knownitem", "knownitem", (INDOSUM_FILES[indosum_scope()],)),
        ("bacajuga_knownitem", "knownitem", ("bacajuga_knownitem.tsv",)),
    ]


def skipped_sets(system: str) -> tuple[str, ...]:
    return SAMPLE_SKIPS.get(system, ()) if indosum_scope() == "sample" else ()


def analyzer_index(name: str, quick: bool) -> Path:
    """cari's index shape built with a peer analyzer over the full collection."""
    path = common.work_dir() / f"index-{name}-full{'-quick' if quick else ''}"
    if not _done(path).exists() and common.wait_for_builder(path):
        time.sleep(2)  # the other run marks the index done right after its builder exits
    if not _done(path).exists():
        shutil.rmtree(path, ignore_errors=True)
        print(f"quality: building the {name} index", file=sys.stderr, flush=True)
        row = common.run_probe("bench.quality:build_analyzer_index",
                               {"name": name, "corpus": str(full_corpus(quick)), "index_dir": str(path)},
                               sample_memory=False)
        print(f"quality: built the {name} index in {row['wall_s']:.0f} s ({row['cpu_s']:.0f} CPU s)",
              file=sys.stderr, flush=True)
        _done(path).touch()
    return path


def build_analyzer_index(name: str, corpus: str, index_dir: str) -> dict:
    from bench.analyzers import PEER_ANALYZERS
    from search.indexing.indexer import index_corpus

    started = time.perf_counter()
    # One process: the three builds already run side by side, and a single
    # writer skips the pickling to sub-writers and stems each word once (every
    # sub-writer would fill its own stem cache with the same vocabulary).
    report = index_corpus(Path(corpus), Path(index_dir), rebuild=True, procs=1,
                          analyzer=PEER_ANALYZERS[name](), follow_symlinks=True)   # a linked corpus
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


def evaluate_system(system: str, index_dir: str, quick: bool, sets: list) -> dict:
    """Child side: every eval set through one system; means plus per-topic rows."""
    import time

    from search import evaluation as ev

    holder = {"depth": TOPIC_DEPTH}
    search, searcher = search_function(system, Path(index_dir), holder)
    out = {}
    try:
        for name, kind, files in sets:
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
                # Reciprocal rank per query (as MRR@10 counts it), for the paired comparison.
                result["per_item"] = {row["qid"]: row["MRR@10"] for row in result.pop("per_query")}
            result["errors"] = len(result["errors"])
            result["file"] = files[0]
            result["seconds"] = time.perf_counter() - started
            out[name] = result
    finally:
        searcher.close()
    return out


def run(quick: bool = False) -> dict:
    if not common.eval_dir().is_dir():
        raise FileNotFoundError(f"eval sets not found at {common.eval_dir()}")
    sets = eval_sets()
    # The engines' indexes come from the indexing benchmark (built here only if it has not run).
    indexes = {system: ensure_index(system, "full", quick) for system in ("cari", "whoosh", "tantivy")}
    full_corpus(quick)  # made here, once: the builds below run side by side

    def evaluate(system: str) -> dict:
        try:
            index_dir = indexes.get(system) or analyzer_index(system, quick)
            print(f"quality: evaluating {system}", file=sys.stderr, flush=True)
            own_sets = [item for item in sets if item[0] not in skipped_sets(system)]
            row = common.run_probe("bench.quality:evaluate_system",
                                   {"system": system, "index_dir": str(index_dir), "quick": quick, "sets": own_sets},
                                   sample_memory=False)
        except Exception as exc:  # one system's failure leaves the others' figures
            print(f"quality: {system} failed: {exc}", file=sys.stderr, flush=True)
            return {"failed": f"{type(exc).__name__}: {exc}".splitlines()[0][:300]}
        print(f"quality: evaluated {system} in {row['wall_s']:.0f} s ({row['cpu_s']:.0f} CPU s)",
              file=sys.stderr, flush=True)
        for key in ("wall_s", "child_s", "cpu_s", "peak_rss_mb", "peak_tree_pss_mb"):
            row.pop(key, None)
        return row

    # A peer's job builds its index first (one process, 2-3 minutes of CPU).
    # Three jobs at a time: the three builds share the two cores rather than
    # leaving one core idle while the third build runs alone.
    with ThreadPoolExecutor(max_workers=3) as pool:
        done = dict(zip(ORDER, pool.map(evaluate, ORDER)))
    results = {system: done[system] for system in SYSTEMS}
    if all("failed" in r for r in results.values()):
        raise RuntimeError("every system failed; first: " + results["cari"]["failed"])
    from bench.indexing import base_corpus, extra_corpus
    parts = [base_corpus(quick), extra_corpus(quick)]
    return {"collection": [common.corpus_label(p) for p in parts if p is not None], "quick": quick,
            "sets": [name for name, *_ in sets], "kinds": {name: kind for name, kind, _ in sets},
            "files": {name: files[0] for name, _, files in sets},
            "indosum_scope": indosum_scope(), "results": results,
            "skipped": {system: list(skipped_sets(system)) for system in SYSTEMS if skipped_sets(system)}}


def last_full_run() -> dict | None:
    """The record of the last ``CARI_BENCH_INDOSUM=full`` run (bench.report keeps
    it), read when the report is written, so it is always the latest."""
    import json
    path = common.out_dir() / "bench-results" / "quality-full.json"
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def full_run_markdown(record: dict) -> list[str]:
    """The IndoSum rows of the last run over all 3,450 items."""
    result = record.get("result") or {}
    res = result.get("results") or {}
    name = "indosum_knownitem"
    rows = [(system, r[name]) for system, r in res.items() if "MRR@10" in r.get(name, {})]
    if not rows:
        return []
    lines = ["", f"**indosum_knownitem, all {rows[0][1]['queries']:,} items** (the last run of "
                 f"`{record.get('command', 'CARI_BENCH_INDOSUM=full python -m bench.quality')}`, "
                 f"{record.get('date', '?')}, commit {record.get('machine', {}).get('commit', '?')}; same "
                 "indexes and query path as above)", "",
             "| system | S@1 | S@10 | MRR@10 | cari higher / lower (sign test p) |", "|---|---:|---:|---:|---:|"]
    paired = dict(_paired_cells(result, [name]))
    for system, m in rows:
        lines.append(f"| {LABELS[system]} | {m['Success@1']:.3f} | {m['Success@10']:.3f} | {m['MRR@10']:.3f} | "
                     f"{paired.get(system, [''])[0]} |")
    return lines


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
        "Eval sets (../shared/eval): " + ", ".join(f"{name}: `{file}`" for name, file in _files(result).items())
        + ". " + _indosum_note(result),
        "",
    ]
    kinds = result.get("kinds") or {name: kind for name, kind in _OLD_KINDS.items() if name in result["sets"]}
    topics = [name for name in result["sets"] if kinds.get(name) == "topics"]
    for name in topics:
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
    known = [name for name in result["sets"] if kinds.get(name) == "knownitem"]
    header = "| system | " + " | ".join(f"{n} S@1 | S@10 | MRR@10" for n in known) + " |"
    lines += ["**Known-item sets** (Success@1, Success@10, MRR@10; queries: " +
              ", ".join(f"{n} {_count(res, n)}" for n in known) + ")", "", header,
              "|---|" + "---:|" * (3 * len(known))]
    for system, r in res.items():
        cells = []
        for name in known:
            m = r.get(name, {})
            cells += [f"{m['Success@1']:.3f}", f"{m['Success@10']:.3f}", f"{m['MRR@10']:.3f}"] \
                if "MRR@10" in m else ["not run", "", ""]
        lines.append(f"| {LABELS[system]} | " + " | ".join(cells) + " |")
    lines += paired_table(result, topics + known)
    full_run = last_full_run() if _files(result).get("indosum_knownitem") == INDOSUM_FILES["sample"] else None
    if full_run and not result.get("quick"):
        lines += full_run_markdown(full_run)
    skipped = result.get("skipped") or {}
    if skipped:
        lines += ["", "Not run by default (time budget of `make bench`; `CARI_BENCH_INDOSUM=full` runs them): " +
                  "; ".join(f"{LABELS[s]} on {', '.join(names)}" for s, names in skipped.items()) +
                  ". The tutorial requires every term of these queries (19 words on average), which costs Whoosh as much as "
                  "the four cari-family runs together."]
    failed = {s: r["failed"] for s, r in res.items() if "failed" in r}
    if failed:
        lines += ["", "Failed (rows above say not run): " + "; ".join(f"{LABELS[s]}: {why}" for s, why in failed.items())]
    errors = {s: sum(m.get("errors", 0) for m in r.values() if isinstance(m, dict)) for s, r in res.items()}
    if any(errors.values()):
        lines += ["", "Queries that raised (scored as no results): " +
                  ", ".join(f"{LABELS[s]} {n}" for s, n in errors.items() if n)]
    return "\n".join(lines)


def per_query_scores(system_result: dict, name: str) -> dict[str, float] | None:
    """The score each query of one set got: nDCG@10 per topic, MRR@10 per known item."""
    m = system_result.get(name, {})
    if "per_item" in m:
        return m["per_item"]
    if "per_query" in m:
        return {row["topic"]: row["nDCG@10"] for row in m["per_query"]}
    return None


def sign_test(better: int, worse: int) -> float:
    """Two-sided sign test: the chance of a split at least this uneven if
    neither system were better (ties left out)."""
    n = better + worse
    if n == 0:
        return 1.0
    k = min(better, worse)
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n)


def _paired_cells(result: dict, names: list[str]) -> list[tuple[str, list[str]]]:
    """For each peer: per set, "higher / lower (p ...)" of cari against it."""
    res = result["results"]
    ours = res.get("cari", {})
    out = []
    for peer in res:
        if peer == "cari" or not any(per_query_scores(res[peer], n) for n in names):
            continue
        cells = []
        for name in names:
            a, b = per_query_scores(ours, name), per_query_scores(res[peer], name)
            if not a or not b:
                cells.append("")
                continue
            common_ids = a.keys() & b.keys()
            better = sum(1 for q in common_ids if a[q] > b[q])
            worse = sum(1 for q in common_ids if a[q] < b[q])
            p = sign_test(better, worse)
            cells.append(f"{better} / {worse} (p {'< 0.001' if p < 0.001 else f'{p:.2f}'})")
        out.append((peer, cells))
    return out


def paired_table(result: dict, names: list[str]) -> list[str]:
    """cari against each peer query by query: a mean hides whether a gap of a
    few queries is anything but chance."""
    cells = _paired_cells(result, names)
    if not cells or not any(per_query_scores(result["results"].get("cari", {}), n) for n in names):
        return []
    lines = ["", "**cari against each peer, query by query** (queries where cari scores higher / lower; "
                 "nDCG@10 per topic, reciprocal rank@10 per known item; ties left out; p is a two-sided "
                 "sign test: below 0.05, the difference is unlikely to be chance)", "",
             "| peer | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for peer, row in cells:
        lines.append(f"| {LABELS[peer]} | " + " | ".join(row) + " |")
    return lines


_OLD_KINDS = {"topics_dev": "topics", "indosum_knownitem": "knownitem", "bacajuga_knownitem": "knownitem"}


def _files(result: dict) -> dict[str, str]:
    """Which file each set was read from (records before the sample existed used the full set)."""
    return result.get("files") or {"topics_dev": "topics_dev.tsv", "indosum_knownitem": INDOSUM_FILES["full"],
                                   "bacajuga_knownitem": "bacajuga_knownitem.tsv"}


def _indosum_note(result: dict) -> str:
    if _files(result).get("indosum_knownitem") == INDOSUM_FILES["sample"]:
        return ("indosum_knownitem is the 500-item sample of the 3,450 items; "
                "`CARI_BENCH_INDOSUM=full python -m bench.quality` scores them all.")
    return "indosum_knownitem is the full set of 3,450 items."


def _count(res: dict, name: str) -> str:
    for r in res.values():
        if "queries" in r.get(name, {}):
            return str(r[name]["queries"])
    return "?"


if __name__ == "__main__":
    from bench.report import main
    sys.exit(main(["quality", *sys.argv[1:]]))
