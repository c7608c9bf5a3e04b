"""Cost as the archive grows: cari's indexing, index size, query latency and
worker memory at 1×, 4× and 16× the base corpus.

The copies are temporary .jsonl files with ids suffixed (``~2``, ``~3``...),
so a 16× archive of clickid holds 368,208 articles. At each size:

- the build: cari's indexer in a fresh process (``bench.indexing.build``):
  seconds, CPU seconds, index size against the corpus;
- queries: a fresh process opens the index with ``Engine`` (result cache off,
  so every query is searched), warms it as a gunicorn worker does, and
  answers 300 title queries (1-3 words cut from titles,
  ``common.title_queries``) and 40 topic queries (the dev topics and the
  "Baca juga" headlines of 2-8 words, read from ../shared/eval at run time),
  top 10 with highlights and facets: p50, p95, p99, and how many totals
  were answered as a lower bound ("lebih dari 10.000": run.TOTAL_EXACT);
- memory: that process's resident and proportional set size after the
  queries, which is what one warmed worker holds.

``make bench`` runs 1× and 4×; run alone it adds 16× (its build takes tens
of minutes on 2 cores). ``CARI_SCALING_FACTORS`` (e.g. ``1,4``) chooses the
sizes. An index already built in the run's work dir (``CARI_BENCH_WORK``) at
this analysis version is reused with the figures of the build that made it.

``CARI_SCALING_BUILT`` (e.g. ``1``) names the sizes that are built; any other
size is then made of copies of the 1× index's segments (the same articles N
times, ids repeated: the postings, columns and stored fields of an N× archive
without an N× build), for its query latency and memory only. On a machine too
busy to build 16× in time this still measures the search side; the table
marks such rows.

Run alone: ``python -m bench.scaling [--quick]``.
"""
from __future__ import annotations

import copy
import json
import os
import shutil
import sys
import time
from pathlib import Path

from bench import common
from bench.indexing import base_corpus

FACTORS_ALONE = (1, 4, 16)     # python -m bench.scaling
FACTORS = (1, 4)               # make bench
QUICK_FACTORS = (1, 2)
TITLE_QUERIES, TOPIC_QUERIES = 300, 40
QUICK_TITLE_QUERIES, QUICK_TOPIC_QUERIES = 30, 10
WARMUP = 20
TOPIC_WORDS = (2, 8)
BUILD_TIMEOUT = 4 * 3600       # seconds: a 16× build on a busy 2-core machine
QUERY_TIMEOUT = 3600


def factors(quick: bool) -> tuple[int, ...]:
    from search import settings

    chosen = settings.value("CARI_SCALING_FACTORS")
    if quick or not chosen:
        return QUICK_FACTORS if quick else FACTORS
    try:
        return tuple(sorted({int(f) for f in chosen}))
    except ValueError:
        raise SystemExit(f"CARI_SCALING_FACTORS must be whole numbers like 1,4,16, not {chosen!r}") from None


def built_factors(chosen) -> set[int]:
    from search import settings

    built = settings.value("CARI_SCALING_BUILT")
    return set(chosen) if not built else {int(f) for f in built} | {1}


def topic_queries(n: int) -> list[str]:
    """The dev topics' queries, then "Baca juga" headlines of 2-8 words, in file order, each once."""
    found = []
    for name in ("topics_dev.tsv", "bacajuga_knownitem.tsv"):
        path = common.eval_dir() / name
        if not path.exists():
            continue
        for line in path.read_text("utf-8").splitlines():
            fields = line.split("\t")
            if len(fields) < 2 or fields[0] == "topic_id":
                continue
            query = fields[1].strip()
            if TOPIC_WORDS[0] <= len(query.split()) <= TOPIC_WORDS[1] and query not in found:
                found.append(query)
    return found[:n]


# --- the probes (run in a child process) ------------------------------------------------------


def query_latency(index_dir: str, titles: list[str], topics: list[str], warmup: int) -> dict:
    """Open, warm and query one index as a worker does; latency per kind and memory."""
    from search.retrieval.engine import Engine
    from search.retrieval.query import QueryError

    started = time.perf_counter()
    engine = Engine(index_dir, result_cache_size=0)
    engine.warm(settle=True)     # as a worker does (web/engine.py warm_engine)
    warm_s = time.perf_counter() - started
    warm_rss = common.current_rss_mb()

    def search(q):
        try:
            return engine.search(q, per_page=10, highlight=True, facets=True)
        except QueryError:
            return None

    for q in (titles + topics)[:warmup]:
        search(q)
    kinds = {}
    for kind, queries in (("titles", titles), ("topics", topics)):
        wall, cpu, bounded = [], [], 0
        for q in queries:
            w0, c0 = time.perf_counter(), time.thread_time()
            results = search(q)
            wall.append((time.perf_counter() - w0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
            # A total given as a lower bound ("lebih dari 10.000"), not for lack of time.
            bounded += results is not None and not results.total_exact and not results.partial
        kinds[kind] = {"wall": summarize(wall), "cpu": summarize(cpu), "lower_bound_totals": bounded}
    with engine.ix.reader() as reader:
        docs = reader.doc_count()
    return {"docs": docs, "warm_s": warm_s, "warm_rss_mb": warm_rss, "rss_mb": common.current_rss_mb(),
            "pss_mb": common.mb(common.pss_bytes(os.getpid())), "kinds": kinds,
            "load_average": list(os.getloadavg())}


def summarize(ms: list[float]) -> dict:
    return {"n": len(ms), "p50": round(common.percentile(ms, 50), 2), "p95": round(common.percentile(ms, 95), 2),
            "p99": round(common.percentile(ms, 99), 2), "max": round(max(ms), 2)}


# --- the benchmark ------------------------------------------------------------------------------


def build_record(index_dir: Path) -> Path:
    return index_dir.with_name(index_dir.name + ".build.json")


def ensure_build(corpus: Path, factor: int, index_dir: Path) -> dict:
    """Build cari's index of ``corpus``, or reuse one this work dir holds at
    this analysis version, with the figures of the build that made it."""
    from search.analysis import ANALYSIS_VERSION

    record = build_record(index_dir)
    try:
        kept = json.loads(record.read_text("utf-8"))
    except (OSError, ValueError):
        kept = None
    if kept and kept.get("analysis_version") == ANALYSIS_VERSION and index_dir.is_dir():
        return {**kept, "reused": True}
    record.unlink(missing_ok=True)
    shutil.rmtree(index_dir, ignore_errors=True)
    scaled = common.scaled_corpus(corpus, factor)
    print(f"scaling: building cari x{factor}", file=sys.stderr, flush=True)
    row = common.run_probe("bench.indexing:build", {"system": "cari", "corpus": str(scaled),
                                                    "index_dir": str(index_dir)}, timeout=BUILD_TIMEOUT)
    row["articles_per_s"] = row["articles"] / row["seconds"] if row["seconds"] else None
    row["analysis_version"] = ANALYSIS_VERSION
    record.write_text(json.dumps(row), "utf-8")
    if factor > 1:
        shutil.rmtree(scaled, ignore_errors=True)
    return row


def segment_copies(source: Path, target: Path, copies: int) -> dict:
    """An index of ``copies`` copies of ``source``'s segments (see the module's
    note): each compound segment file is copied under a new segment id and
    its directory renamed to match; one table of contents lists them all."""
    from whoosh import index
    from whoosh.filedb.filestore import FileStorage
    from whoosh.filedb.structfile import StructFile
    from whoosh.index import TOC

    from search.store import live_dir

    source = live_dir(source)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    ix = index.open_dir(str(source))
    segments = []
    for _ in range(copies):
        for segment in ix._segments():
            new = copy.copy(segment)
            new.segid = segment._random_id()
            path = target / new.make_filename(".seg")
            shutil.copyfile(source / segment.make_filename(".seg"), path)
            old_prefix, new_prefix = f"{ix.indexname}_{segment.segid}", f"{ix.indexname}_{new.segid}"
            with StructFile(open(path, "r+b")) as f:
                dirpos = f.read_long()
                f.seek(dirpos)
                names, options = f.read_pickle(), f.read_pickle()
                f.seek(0, os.SEEK_END)
                start = f.tell()
                f.write_pickle({name.replace(old_prefix, new_prefix): info for name, info in names.items()})
                f.write_pickle(options)
                end = f.tell()
                f.seek(0)
                f.write_long(start)
                f.write_int(end - start)
            segments.append(new)
    TOC(ix.schema, segments, 1).write(FileStorage(str(target)), ix.indexname)
    if (source / "cari-meta.json").exists():      # a cari index (bench.load copies the naive one too)
        shutil.copyfile(source / "cari-meta.json", target / "cari-meta.json")
    return {"copies_of": 1, "index_bytes": common.dir_size(target), "seconds": None, "articles_per_s": None}


def run(quick: bool = False) -> dict:
    corpus = base_corpus(quick)
    corpus_bytes = common.corpus_bytes(corpus)
    chosen = factors(quick)
    if not common.is_jsonl_corpus(corpus):      # copies with new ids are made of .jsonl only
        chosen = (1,)
    articles = common.load_articles(corpus)
    titles = common.title_queries(articles, QUICK_TITLE_QUERIES if quick else TITLE_QUERIES, seed=7)
    topics = topic_queries(QUICK_TOPIC_QUERIES if quick else TOPIC_QUERIES)
    del articles
    rows, failures = [], []
    build = built_factors(chosen)
    for factor in chosen:
        index_dir = common.work_dir() / f"scaling-cari-x{factor}{'-quick' if quick else ''}"
        try:
            if factor in build:
                built = ensure_build(corpus, factor, index_dir)
            else:
                print(f"scaling: copying the 1x segments {factor} times", file=sys.stderr, flush=True)
                built = segment_copies(index_dir.with_name(index_dir.name.replace(f"x{factor}", "x1")),
                                       index_dir.with_name(index_dir.name + "-copies"), factor)
                index_dir = index_dir.with_name(index_dir.name + "-copies")
            print(f"scaling: querying cari x{factor}", file=sys.stderr, flush=True)
            served = common.run_probe("bench.scaling:query_latency",
                                      {"index_dir": str(index_dir), "titles": titles, "topics": topics,
                                       "warmup": WARMUP}, timeout=QUERY_TIMEOUT)
        except Exception as exc:  # keep the other sizes' figures
            failures.append(f"{factor}×: {exc}".splitlines()[0][:300])
            continue
        rows.append({"factor": factor, "corpus_bytes": corpus_bytes * factor, "build": built,
                     "size_ratio": built["index_bytes"] / (corpus_bytes * factor), "served": served})
    return {"corpus": str(corpus), "corpus_bytes": corpus_bytes, "procs": common.indexer_procs(),
            "factors": list(chosen), "titles": len(titles), "topics": len(topics), "rows": rows,
            "failures": failures}


def markdown(result: dict) -> str:
    if "factors" not in result:      # a result of the earlier, indexing-only benchmark
        return "not run since this benchmark measures queries too (`python -m bench.scaling`)."
    lines = [
        f"Corpus `{common.corpus_label(result['corpus'])}` ({common.mb(result['corpus_bytes']):.1f} MB) "
        f"and copies of it with ids suffixed. Build: cari's indexer, procs={result['procs']}, a fresh "
        "process; a build marked * was reused from an earlier run in the same work dir, with that "
        "run's figures; a size marked † was not built but made of copies of the 1× index's segments "
        "(the same articles N times, ids repeated), for its queries and memory only. Queries: a fresh process opens the index with `Engine` (result cache off), "
        f"warms it as a gunicorn worker does, then answers {result['titles']} title queries "
        f"(1–3 words) and {result['topics']} topic queries (2–8 words: dev topics and "
        "\"Baca juga\" headlines), top 10 with highlights and facets, one at a time. Worker MB is "
        "that process's resident set after the queries (PSS in brackets).",
        "",
        "| corpus | articles | index MB | index/corpus | build s | CPU s | articles/s | warm s | worker MB "
        "| titles p50 / p95 / p99 ms | topics p50 / p95 / p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in result["rows"]:
        b, s = r["build"], r["served"]
        t, o = s["kinds"]["titles"]["wall"], s["kinds"]["topics"]["wall"]
        mark = "†" if b.get("copies_of") else "*" if b.get("reused") else ""
        build = ("– | – | –" if b.get("copies_of") else
                 f"{b['seconds']:.0f} | {b.get('cpu_s', float('nan')):.0f} | {b['articles_per_s']:,.0f}")
        lines.append(
            f"| {r['factor']}×{mark} | {s['docs']:,} | {common.mb(b['index_bytes']):.1f} | "
            f"{r['size_ratio']:.2f} | {build} | {s['warm_s']:.1f} | {s['rss_mb']:.0f} ({s['pss_mb']:.0f}) | "
            f"{t['p50']:.1f} / {t['p95']:.1f} / {t['p99']:.1f} | {o['p50']:.1f} / {o['p95']:.1f} / {o['p99']:.1f} |")
    by = {r["factor"]: r["served"]["kinds"] for r in result["rows"]}
    if 1 in by and len(by) > 1:
        growth = [f"{f}×: titles {by[f]['titles']['wall']['p95'] / by[1]['titles']['wall']['p95']:.1f}×, "
                  f"topics {by[f]['topics']['wall']['p95'] / by[1]['topics']['wall']['p95']:.1f}×"
                  for f in sorted(by) if f != 1]
        lines += ["", "p95 relative to 1×: " + "; ".join(growth) + " (goal: at most 2× at 4×)."]
        cpu = [f"{f}×: titles {by[f]['titles']['cpu']['p95']:.1f}, topics {by[f]['topics']['cpu']['p95']:.1f}"
               for f in sorted(by)]
        lines += ["", "CPU ms per query at p95 (the work, less the waiting on a shared machine): "
                  + "; ".join(cpu) + "."]
    bounded = [f"{r['factor']}×: {r['served']['kinds']['titles']['lower_bound_totals']} of "
               f"{r['served']['kinds']['titles']['wall']['n']} title and "
               f"{r['served']['kinds']['topics']['lower_bound_totals']} of {r['served']['kinds']['topics']['wall']['n']} "
               "topic queries" for r in result["rows"] if "lower_bound_totals" in r["served"]["kinds"]["titles"]]
    if bounded:
        lines += ["", "Totals answered as a lower bound (more than 10,000 articles hold every word, so those "
                  "holding only some are not counted): " + "; ".join(bounded) + "."]
    loads = [f"{r['factor']}×: {r['served']['load_average'][0]:.1f}" for r in result["rows"]]
    if loads:
        lines += ["", "Load average (1 min) when each size's queries ended: " + "; ".join(loads)
                  + " (2 cores; other work on the machine slows the wall times)."]
    if result.get("failures"):
        lines += ["", "Not run: " + "; ".join(result["failures"])]
    return "\n".join(lines)


if __name__ == "__main__":
    os.environ.setdefault("CARI_SCALING_FACTORS", ",".join(map(str, FACTORS_ALONE)))
    from bench.report import main
    sys.exit(main(["scaling", *sys.argv[1:]]))
