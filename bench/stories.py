"""Stories on clickid: how many near-duplicate groups the sketches make, how
precise they are when read, how many first pages grouping and the diversity
re-rank change, and what grouping and the timeline cost a query.

- groups: ``search.retrieval.stories.Groups`` over the index (built once per
  generation; its CPU time is measured here);
- precision: a seeded sample of ``SAMPLE`` groups of two or more is written to
  ``docs/bench-results/stories-sample.txt`` for reading; the verdicts are
  ``bench/stories_judged.tsv`` (group key, 1 = one story, 0 = not, a note),
  written by a person who read them. Precision is the share of judged groups
  of the sample that are one story; a group the sample holds but the file does
  not judge is counted as unjudged, never as right;
- first pages: the 10 dev topics (``../shared/eval/topics_dev.tsv``) and 100
  title queries (``common.title_queries``): the share whose first 10 ids
  change with grouping, with the diversity re-rank, with both;
- latency: the same queries as the search page asks them (facets on, top 10,
  highlights, result cache off), with the timeline left out (its call made a
  no-op), as today (timeline), and with grouping and diversity on; each query
  is asked once untimed, then by every arm in an order that rotates, so a
  busy moment or a first call favours none.

Index: ``CARI_STORIES_INDEX`` (built there if missing or stale), else the
1x index of the run's work dir. Run: ``python -m bench.stories [--quick]``.
"""
from __future__ import annotations

import csv
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

from bench import common

SAMPLE = 50
TITLE_QUERIES, QUICK_TITLE_QUERIES = 100, 20
JUDGED = Path(__file__).with_name("stories_judged.tsv")
SAMPLE_FILE = "stories-sample.txt"


def index_dir(quick: bool) -> Path:
    from bench.queries import cari_index_ok
    from search.indexing.indexer import index_corpus

    path = Path(os.environ.get("CARI_STORIES_INDEX") or common.work_dir() / "stories-index")
    if not cari_index_ok(path):
        corpus = common.quick_corpus(common.corpus_dir()) if quick else common.corpus_dir()
        index_corpus(corpus, path, rebuild=True)
    return path


def dev_topics() -> list[str]:
    with open(common.eval_dir() / "topics_dev.tsv", encoding="utf-8") as f:
        return [row["query"] for row in csv.DictReader(f, delimiter="\t")]


def judged() -> dict[str, int]:
    if not JUDGED.exists():
        return {}
    with open(JUDGED, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip() and not line.startswith("#")]
    return {row[0]: int(row[1]) for row in rows}


def group_stats(engine) -> tuple[dict, list[dict]]:
    from search.retrieval.stories import Groups

    searcher = engine.searcher()
    view = engine.generation(searcher).view
    cpu = time.process_time()
    groups = Groups.build(searcher.reader(), view)
    build_cpu = time.process_time() - cpu
    sizes = Counter(len(m) for m in groups.members.values())
    sources = view.columns["source"]
    cross = sum(1 for m in groups.members.values() if len({sources[n] for n in m}) > 1)
    stats = {"groups": len(groups.members), "articles": sum(len(m) for m in groups.members.values()),
             "documents": len(view.live), "cross_publisher": cross, "build_cpu_s": round(build_cpu, 2),
             "sizes": {str(k): v for k, v in sorted(sizes.items())}}
    rng = random.Random(19)
    keys = rng.sample(sorted(groups.members), min(SAMPLE, len(groups.members)))
    sample = []
    for key in keys:
        members = []
        for n in groups.members[key]:
            fields = searcher.stored_fields(n)
            date = fields.get("date")
            members.append({"id": fields["id"], "source": fields.get("source", ""),
                            "date": date.date().isoformat() if date else None,
                            "title": fields.get("title", ""), "lede": " ".join(fields.get("body", "").split())[:160]})
        sample.append({"key": key, "members": members})
    return stats, sample


def write_sample(sample: list[dict]) -> Path:
    path = common.out_dir() / "bench-results" / SAMPLE_FILE
    lines = []
    for group in sample:
        lines.append(f"== {group['key']}")
        for m in group["members"]:
            lines.append(f"   {m['source']:<10} {m['date']}  {m['title']}")
            lines.append(f"              {m['lede']}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def first_pages(engine, queries: list[str]) -> dict:
    changed = Counter()
    for q in queries:
        base = [h.id for h in engine.search(q, facets=False, highlight=False).hits]
        for arm, options in (("group", {"group": True}), ("diverse", {"diverse": True}),
                             ("both", {"group": True, "diverse": True})):
            if [h.id for h in engine.search(q, facets=False, highlight=False, **options).hits] != base:
                changed[arm] += 1
    return {arm: round(changed[arm] / len(queries), 3) for arm in ("group", "diverse", "both")}


def latency(engine, queries: list[str]) -> dict:
    import search.retrieval.engine as engine_module

    real = engine_module.timeline
    arms = {"no timeline": {}, "timeline (today)": {}, "timeline + group + diverse": {"group": True, "diverse": True}}
    times = {arm: [] for arm in arms}
    for q in queries[:5]:                                   # warm every arm's code paths
        for options in arms.values():
            engine.search(q, **options)
    names = list(arms)
    for i, q in enumerate(queries):
        engine.search(q)                        # untimed: what a first call of a query pays
        order = names[i % len(names):] + names[:i % len(names)]   # each arm first as often
        for arm in order:
            engine_module.timeline = (lambda dates, docs: None) if arm == "no timeline" else real
            started = time.perf_counter()
            engine.search(q, **arms[arm])
            times[arm].append((time.perf_counter() - started) * 1000)
    engine_module.timeline = real
    return {arm: {"p50": round(common.percentile(v, 50), 2), "p95": round(common.percentile(v, 95), 2)}
            for arm, v in times.items()}


def run(quick: bool = False) -> dict:
    from search.retrieval.engine import Engine

    path = index_dir(quick)
    articles = common.load_articles(common.quick_corpus(common.corpus_dir()) if quick else common.corpus_dir())
    titles = common.title_queries(articles, QUICK_TITLE_QUERIES if quick else TITLE_QUERIES, seed=19)
    topics = dev_topics()
    with Engine(path, result_cache_size=0) as engine:
        stats, sample = group_stats(engine)
        write_sample(sample)
        pages = {"dev topics": first_pages(engine, topics), "title queries": first_pages(engine, titles)}
        timing = latency(engine, topics + titles)
    return {"index": common.corpus_label(path), "stats": stats, "sample": [g["key"] for g in sample],
            "pages": pages, "queries": {"dev topics": len(topics), "title queries": len(titles)},
            "latency_ms": timing}


def markdown(result: dict) -> str:
    s = result["stats"]
    sizes = ", ".join(f"{k}: {v}" for k, v in s["sizes"].items())
    verdicts = judged()        # read at report time: `--report-only` after judging updates it
    read = [verdicts[key] for key in result["sample"] if key in verdicts]
    precision = (f"{sum(read)} of {len(read)} read groups are one story ({sum(read) / len(read):.0%})"
                 if read else "no group judged yet")
    lines = [
        f"Near-duplicate groups over {s['documents']:,} articles (bottom-32 MinHash of word 3-shingles, "
        f"estimated resemblance ≥ 0.5, published within 7 days; `search/near_duplicates.py`): "
        f"**{s['groups']} groups of two or more**, {s['articles']} articles, {s['cross_publisher']} of "
        f"them across publishers; sizes {sizes}. Built once per index generation in "
        f"{s['build_cpu_s']} CPU s.",
        "",
        f"Precision, read by hand on a seeded sample of {len(result['sample'])} groups "
        f"(`docs/bench-results/{SAMPLE_FILE}`, verdicts in `bench/stories_judged.tsv`): {precision}.",
        "",
        "First pages (top 10) that change, against the ranking as scored:",
        "",
        "| queries | n | grouping | diversity | both |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, share in result["pages"].items():
        lines.append(f"| {name} | {result['queries'][name]} | {share['group']:.0%} | {share['diverse']:.0%} | "
                     f"{share['both']:.0%} |")
    lines += ["", "Query latency as the search page asks (facets, highlights, top 10, result cache off), "
                  "each query asked once untimed, then by every arm in a rotating order:", "", "| arm | p50 ms | p95 ms |", "|---|---:|---:|"]
    for arm, t in result["latency_ms"].items():
        lines.append(f"| {arm} | {t['p50']:.1f} | {t['p95']:.1f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    from bench.report import main
    sys.exit(main(["stories", *sys.argv[1:]]))
