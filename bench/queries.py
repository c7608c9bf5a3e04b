"""The query engine in-process: latency of searches, typo searches and autocomplete,
beside plain Whoosh in the same run, and retrieval on ../shared/eval per ranking feature.

- cari: ``Engine.search`` with highlights AND facets (source, category, month),
  top 10, the Engine kept open as the web app keeps it;
- plain Whoosh: the tutorial app (StandardAnalyzer index of the same articles,
  MultifieldParser over title and body, ``hit.highlights("body")``, a searcher
  per query), ``bench.peers.WhooshTutorial``;
- typo queries: the same 1-3-word queries with one edit in their longest word;
- autocomplete: what ``/api/suggest`` computes (``Engine.suggest`` and the
  headlines among the suggestions, ``web.headlines``) on prefixes of those
  queries, as typed;
- related stories: ``Engine.related`` (five, as the article page shows) for
  random articles, beside the same stories ranked by Whoosh's own search
  (``related.whoosh_ranked``, what cari used before) in the same run.

Queries are cut from the corpus's own titles at run time (``common.title_queries``),
so nothing from ../shared is copied into the project. Both systems answer each
query in turn, in alternating order, so a busy moment of the shared machine
hits both alike.

Indexes: the 1x indexes of cari and the Whoosh tutorial that the indexing
benchmark built in the run's work dir (``bench.indexing.ensure_index``), so
``make bench`` builds each index once; run alone, this builds them unless
``CARI_BENCH_WORK`` points at a previous run's work dir. ``CARI_QUERIES_INDEX``
and ``CARI_QUERIES_PLAIN`` name other index dirs instead (built there if
missing; cari's is rebuilt when its analysis version or schema is not this code's).

Run alone: ``python -m bench.queries [--quick]``.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import sys
import time
from pathlib import Path

from bench import common

CARI_INDEX = os.environ.get("CARI_QUERIES_INDEX")
PLAIN_INDEX = os.environ.get("CARI_QUERIES_PLAIN")
QUERIES, QUICK_QUERIES = 300, 30
TYPOS, QUICK_TYPOS = 150, 20
PREFIXES, QUICK_PREFIXES = 400, 40
RELATED, QUICK_RELATED = 100, 15
WARMUP = 15
TARGETS = {"words": 15.0, "typos": 50.0, "suggest": 5.0}   # p95 goals in ms (issue 6)


# --- indexes -------------------------------------------------------------------------------


def cari_index_ok(path: Path) -> bool:
    from search.analysis import ANALYSIS_VERSION
    from search.store import read_meta
    from search.schema import build_schema

    if read_meta(path).get("analysis_version") != ANALYSIS_VERSION:
        return False
    try:
        from whoosh import index

        names = set(index.open_dir(str(path)).schema.names())
    except Exception:  # missing or unreadable: rebuild
        return False
    return names == set(build_schema().names())


def ensure_cari(corpus: Path, path: Path) -> Path:
    if not cari_index_ok(path):
        from search.indexing.indexer import index_corpus

        shutil.rmtree(path, ignore_errors=True)
        print(f"building cari index of {corpus} in {path} ...", file=sys.stderr)
        index_corpus(corpus, path, procs=common.indexer_procs())
    return path


def ensure_plain(articles, path: Path) -> Path:
    from bench.peers import WhooshTutorial

    marker = path / "cari-bench-docs.json"
    if marker.exists() and json.loads(marker.read_text()).get("docs") == len(articles):
        return path
    shutil.rmtree(path, ignore_errors=True)
    print(f"building plain Whoosh index in {path} ...", file=sys.stderr)
    WhooshTutorial().build(articles, path)
    marker.write_text(json.dumps({"docs": len(articles)}))
    return path


# --- query sets ------------------------------------------------------------------------------


def typo_of(query: str, rng: random.Random) -> str | None:
    """The query with one edit (drop, swap, replace or double a letter) in its longest word."""
    words = query.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) < 5 or not word.isalpha():
        return None
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["drop", "swap", "replace", "double"])
    if kind == "drop":
        word = word[:i] + word[i + 1:]
    elif kind == "swap":
        word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    elif kind == "replace":
        word = word[:i] + rng.choice("aiueokrnst".replace(word[i], "")) + word[i + 1:]
    else:
        word = word[:i] + word[i] + word[i:]
    words[longest] = word
    return " ".join(words)


def prefixes_of(queries: list[str], n: int, rng: random.Random) -> list[str]:
    """What a user has typed part-way through a query: at least 2 letters of the last word."""
    found = []
    for q in queries:
        last_start = q.rfind(" ") + 1
        if len(q) - last_start < 3:
            continue
        cut = rng.randrange(last_start + 2, len(q))
        found.append(q[:cut])
        if len(found) >= n:
            break
    return found


def query_sets(articles, quick: bool) -> dict[str, list[str]]:
    rng = random.Random(11)
    words = common.title_queries(articles, QUICK_QUERIES if quick else QUERIES, seed=7)
    more = common.title_queries(articles, (QUICK_TYPOS if quick else TYPOS) * 3, seed=8)
    typos = [t for t in (typo_of(q, rng) for q in more) if t][: QUICK_TYPOS if quick else TYPOS]
    prefixes = prefixes_of(common.title_queries(articles, (QUICK_PREFIXES if quick else PREFIXES) * 2, seed=9),
                           QUICK_PREFIXES if quick else PREFIXES, rng)
    return {"words": words, "typos": typos, "suggest": prefixes}


# --- timing -------------------------------------------------------------------------------------


def summarize(ms: list[float]) -> dict:
    return {"n": len(ms), "p50": round(common.percentile(ms, 50), 2), "p95": round(common.percentile(ms, 95), 2),
            "p99": round(common.percentile(ms, 99), 2), "max": round(max(ms), 2)}


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def timed_both(call) -> tuple[float, float]:
    """(wall ms, CPU ms of this thread): on a shared machine the CPU time shows
    the work a query costs, the wall time what a user waited."""
    wall, cpu = time.perf_counter(), time.thread_time()
    call()
    return (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000


def related_ids(engine, quick: bool) -> list[str]:
    """Random articles of the index (a fixed seed) whose related stories are timed."""
    searcher = engine.searcher()
    docnums = sorted(searcher.reader().all_doc_ids())
    chosen = random.Random(13).sample(docnums, min(len(docnums), QUICK_RELATED if quick else RELATED))
    return [searcher.stored_fields(n)["id"] for n in chosen]


def whooshs_related(engine, article_id: str) -> list:
    """The related stories as Whoosh's own search ranks them (the baseline)."""
    from search.retrieval.related import related_docs

    searcher = engine.searcher()
    return related_docs(searcher, engine.analyzer, article_id, 5, engine.generation(searcher).stats.live)


def measure(engine, plain, sets: dict) -> dict:
    from search.retrieval.query import QueryError
    from web.headlines import headlines

    def cari_search(q):
        try:
            return engine.search(q, per_page=10, highlight=True, facets=True)
        except QueryError:
            return None

    for q in sets["words"][:WARMUP]:
        cari_search(q)
        plain.search(q, 10, True)
        engine.suggest(q[:3])
    keys = ("cari words", "whoosh words", "cari typos", "whoosh typos", "cari suggest", "cari related",
            "whoosh related")
    times = {key: [] for key in keys}
    cpu = {key: [] for key in keys}
    outcome = {"typos corrected": 0, "typos with hits": 0, "partial": 0}
    for kind in ("words", "typos"):
        for i, q in enumerate(sets[kind]):
            runs = [("cari", lambda: cari_search(q)), ("whoosh", lambda: plain.search(q, 10, True))]
            for name, call in (runs if i % 2 == 0 else runs[::-1]):
                wall, used = timed_both(call)
                times[f"{name} {kind}"].append(wall)
                cpu[f"{name} {kind}"].append(used)
            if kind == "typos":
                res = cari_search(q)
                outcome["typos corrected"] += bool(res and res.correction)
                outcome["typos with hits"] += bool(res and res.total)
    for q in sets["suggest"]:
        wall, used = timed_both(lambda: headlines(engine, engine.suggest(q, limit=8)))
        times["cari suggest"].append(wall)
        cpu["cari suggest"].append(used)
    outcome["related differ"] = 0
    for i, article_id in enumerate(sets["related"]):
        runs = [("cari", lambda: engine.related(article_id, limit=5)),
                ("whoosh", lambda: whooshs_related(engine, article_id))]
        for name, call in (runs if i % 2 == 0 else runs[::-1]):
            wall, used = timed_both(call)
            times[f"{name} related"].append(wall)
            cpu[f"{name} related"].append(used)
        ours = [h.id for h in engine.related(article_id, limit=5)]
        theirs = [engine.searcher().stored_fields(n)["id"] for n, _ in whooshs_related(engine, article_id)]
        outcome["related differ"] += ours != theirs
    stats = {key: summarize(ms) for key, ms in times.items() if ms}
    cpu_stats = {key: summarize(ms) for key, ms in cpu.items() if ms}
    return {"stats": stats, "cpu": cpu_stats, "outcome": outcome, "load_average": list(os.getloadavg())}


def facet_cost(engine, queries: list[str]) -> dict:
    """What facets and highlights add: cari's p50/p95 with each turned off."""
    from search.retrieval.query import QueryError

    def search(q, **kw):
        try:
            engine.search(q, per_page=10, **kw)
        except QueryError:
            pass

    out = {}
    for label, kw in (("no facets", {"facets": False}), ("no highlights", {"highlight": False}),
                      ("neither", {"facets": False, "highlight": False})):
        ms = [timed(lambda: search(q, **kw)) for q in queries]
        out[label] = summarize(ms)
    return out


# --- retrieval quality per ranking feature -----------------------------------------------------------


def quality(engine, quick: bool) -> dict | None:
    """nDCG@10 on the dev topics and known-item success on the "Baca juga" titles,
    for the foundation's query path and for each feature of this one that touches ranking."""
    from search import evaluation as ev

    eval_dir = common.eval_dir()
    topics_path, qrels_path = eval_dir / "topics_dev.tsv", eval_dir / "qrels_dev.txt"
    known_path = eval_dir / "bacajuga_knownitem.tsv"
    if quick or not topics_path.exists():
        return None
    topics, qrels = ev.read_topics(topics_path), ev.read_qrels(qrels_path)
    known = ev.read_knownitems(known_path)
    variants = {
        "foundation parser (AND, then OR)": foundation_search_fn(engine),
        "cari, BM25F only (no written-form preference)": bm25_only_search_fn(engine),
        "cari query engine (default)": ev.engine_search_fn(engine),
        "cari + recency boost": recency_search_fn(engine),
    }
    out = {}
    for label, fn in variants.items():
        topic_scores = ev.evaluate_topics(fn, topics, qrels)
        known_scores = ev.evaluate_knownitem(fn, known)
        out[label] = {"nDCG@10": round(topic_scores["nDCG@10"], 4), "MRR@10": round(topic_scores["MRR@10"], 4),
                      "R@100": round(topic_scores["R@100"], 4),
                      "known Success@1": round(known_scores["Success@1"], 4),
                      "known MRR@10": round(known_scores["MRR@10"], 4),
                      "errors": len(topic_scores["errors"]) + len(known_scores["errors"])}
    return {"topics": len(topics), "known_items": len(known), "variants": out}


def foundation_search_fn(engine, depth: int = 100):
    """The query path this module replaced: Whoosh's MultifieldParser, AND then OR."""
    from whoosh import qparser

    def search(query: str) -> list[str]:
        searcher = engine.searcher()
        for group in (qparser.AndGroup, qparser.OrGroup):
            parser = qparser.MultifieldParser(["title", "body"], engine.schema, group=group)
            parser.remove_plugin_class(qparser.WildcardPlugin)
            results = searcher.search(parser.parse(query), limit=depth)
            if len(results):
                return [hit["id"] for hit in results]
        return []
    return search


def bm25_only_search_fn(engine, depth: int = 100):
    """The engine with ``prefer_written_forms`` off: ranking is BM25F alone."""
    import search.retrieval.run as searcher_module
    from search import evaluation as ev

    plain = ev.engine_search_fn(engine, depth)

    def search(query: str) -> list[str]:
        saved = searcher_module.WRITTEN_FORM_WEIGHT
        searcher_module.WRITTEN_FORM_WEIGHT = 0.0
        try:
            return plain(query)
        finally:
            searcher_module.WRITTEN_FORM_WEIGHT = saved
    return search


def recency_search_fn(engine, depth: int = 100):
    """The engine's ranking re-ordered by ``search/retrieval/recency.boost``, which
    the engine does not apply: its best ``depth * CANDIDATE_FACTOR`` results, boosted,
    cut to ``depth``."""
    from search.retrieval.recency import CANDIDATE_FACTOR, boost

    per_page = 100

    def search(query: str) -> list[str]:
        hits = []
        for page in range(1, -(-depth * CANDIDATE_FACTOR // per_page) + 1):
            results = engine.search(query, page=page, per_page=per_page, highlight=False, facets=False)
            hits += results.hits
            if len(results.hits) < per_page:
                break
        hits = hits[:depth * CANDIDATE_FACTOR]
        searcher = engine.searcher()
        docnums = [searcher.document_number(id=hit.id) for hit in hits]
        ranked = boost([(n, hit.score) for n, hit in zip(docnums, hits)], engine.generation(searcher).view)
        ids = dict(zip(docnums, (hit.id for hit in hits)))
        return [ids[n] for n, _ in ranked[:depth]]
    return search


# --- the benchmark --------------------------------------------------------------------------------------


def run(quick: bool = False) -> dict:
    from bench.indexing import base_corpus, ensure_index
    from bench.peers import WhooshTutorial
    from search.retrieval.result_cache import ResultCache
    from search.retrieval.engine import Engine

    corpus = base_corpus(quick)
    articles = common.load_articles(corpus)
    cari_path = ensure_cari(corpus, Path(CARI_INDEX)) if CARI_INDEX else ensure_index("cari", "base", quick)
    plain_path = ensure_plain(articles, Path(PLAIN_INDEX)) if PLAIN_INDEX else ensure_index("whoosh", "base", quick)
    sets = query_sets(articles, quick)
    engine = Engine(cari_path)
    engine.results = ResultCache(0)     # every query is timed through the search, none from the cache
    plain = WhooshTutorial().open_searcher(plain_path)
    try:
        started = time.perf_counter()
        engine.warm(settle=True)    # per-generation caches, as a server builds them at start
        warm_s = round(time.perf_counter() - started, 2)
        sets["related"] = related_ids(engine, quick)
        result = measure(engine, plain, sets)
        result["facet_cost"] = facet_cost(engine, sets["words"][: 60 if not quick else 10])
        result["quality"] = quality(engine, quick)
        result["documents"] = engine.stats()["documents"]
        result["warm_seconds"] = warm_s
    finally:
        plain.close()
        engine.close()
    result.update({"corpus": common.corpus_label(corpus), "quick": quick, "targets_ms": TARGETS,
                   "examples": {k: v[:6] for k, v in sets.items()},
                   "machine": common.machine_info(), "date": common.now_utc()})
    return result


def markdown(result: dict) -> str:
    stats = result["stats"]
    lines = [
        f"In-process, {result['documents']} documents of {result['corpus']}, top 10 per query. "
        "cari: `Engine.search` with highlights and facets (source, category, month), engine kept open; "
        "plain Whoosh: StandardAnalyzer index of the same articles, MultifieldParser, `highlights()`, "
        "a searcher per query (the tutorial app). Both answer each query in turn. "
        f"cari's per-index caches (columns, norms, vocabularies, the frequent terms' postings, the word forms snippets meet) were built first by `Engine.warm()` "
        f"in {result.get('warm_seconds', '?')} s, untimed.",
        "",
        "| queries | system | n | p50 ms | p95 ms | p99 ms | CPU p50 ms | CPU p95 ms | goal p95 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    cpu = result.get("cpu", {})
    rows = [("1-3 words", "cari (highlights + facets)", "cari words", "words"),
            ("1-3 words", "plain Whoosh (highlights)", "whoosh words", None),
            ("typo (one edit)", "cari (with correction)", "cari typos", "typos"),
            ("typo (one edit)", "plain Whoosh", "whoosh typos", None),
            ("autocomplete prefix", "cari suggest (with its headlines, as /api/suggest)", "cari suggest",
             "suggest"),
            ("related stories of an article", "cari (its own scoring)", "cari related", None),
            ("related stories of an article", "the same ranked by Whoosh's search", "whoosh related", None)]
    for label, system, key, goal in rows:
        if key in stats:
            s = stats[key]
            target = f"≤ {result['targets_ms'][goal]:g}" if goal else ""
            c = cpu.get(key, {})
            lines.append(f"| {label} | {system} | {s['n']} | {s['p50']} | {s['p95']} | {s['p99']} | "
                         f"{c.get('p50', '')} | {c.get('p95', '')} | {target} |")
    load = result.get("load_average")
    if load:
        lines += ["", f"Wall times are what a caller waited; CPU times are this thread's own work "
                  f"(`time.thread_time`), which other processes on the machine do not inflate. "
                  f"Load average during the run: {load[0]:.1f} on {os.cpu_count()} cores."]
    out = result.get("outcome", {})
    n_typos = stats.get("cari typos", {}).get("n", 0)
    lines += ["", f"Typo queries: {out.get('typos corrected', 0)} of {n_typos} got a correction, "
              f"{out.get('typos with hits', 0)} returned results."]
    if "cari related" in stats:
        lines += ["", f"Related stories: {stats['cari related']['n']} random articles, five stories each, "
                  "both rankings in turn; the two lists differed for "
                  f"{out.get('related differ', 0)} of them."]
    cost = result.get("facet_cost")
    if cost:
        lines += ["", "What facets and highlights cost (cari, same 1-3-word queries):", "",
                  "| cari | p50 ms | p95 ms |", "|---|---:|---:|"]
        lines.append(f"| highlights + facets | {stats['cari words']['p50']} | {stats['cari words']['p95']} |")
        for label, s in cost.items():
            lines.append(f"| {label} | {s['p50']} | {s['p95']} |")
    q = result.get("quality")
    if q:
        lines += ["", f"Retrieval on ../shared/eval ({q['topics']} dev topics, graded; "
                  f"{q['known_items']} \"Baca juga\" known items), cari index of the corpus above:", "",
                  "| query path | nDCG@10 | MRR@10 | R@100 | known Success@1 | known MRR@10 |",
                  "|---|---:|---:|---:|---:|---:|"]
        for label, v in q["variants"].items():
            lines.append(f"| {label} | {v['nDCG@10']} | {v['MRR@10']} | {v['R@100']} | "
                         f"{v['known Success@1']} | {v['known MRR@10']} |")
    lines += ["", f"_{common.machine_line(result.get('machine', {}))}, {result.get('date', '')}._"]
    return "\n".join(lines)


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    try:
        result = run(quick=args.quick)
    finally:
        common.cleanup_work_dir()
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
