"""Query latency in-process: p50/p95/p99 for 1-3-word queries cut from real titles.

All systems answer the same queries in one process, interleaved query by query
(the order of systems rotates), so a slow moment of a shared machine hits them
alike. Each call returns the top 10 with highlighted snippets, as a result page
needs; cari is also timed without highlights to show what they cost.

Run alone: ``python -m bench.latency [--quick]``.
"""
from __future__ import annotations

import sys
import time

from bench import common
from bench.indexing import base_corpus, ensure_index, read_plain

QUERIES = 300
QUICK_QUERIES = 40
WARMUP = 20
SYSTEMS = [  # (key, label, index system, highlight)
    ("cari", "cari", "cari", True),
    ("cari-nohl", "cari, no highlights", "cari", False),
    ("whoosh", "Whoosh tutorial", "whoosh", True),
    ("tantivy", "tantivy", "tantivy", True),
]


def open_searchers(quick: bool) -> dict:
    from bench import peers

    makers = {"cari": peers.Cari(), "whoosh": peers.WhooshTutorial(), "tantivy": peers.Tantivy()}
    return {system: maker.open_searcher(ensure_index(system, "base", quick)) for system, maker in makers.items()}


def run(quick: bool = False) -> dict:
    queries = common.title_queries(read_plain(base_corpus(quick)), QUICK_QUERIES if quick else QUERIES)
    searchers = open_searchers(quick)
    try:
        for query in queries[:WARMUP]:  # first queries pay for loading: not what a running app sees
            for _, _, system, hl in SYSTEMS:
                searchers[system].search(query, 10, hl)
        times = {key: [] for key, *_ in SYSTEMS}
        for i, query in enumerate(queries):
            order = SYSTEMS[i % len(SYSTEMS):] + SYSTEMS[:i % len(SYSTEMS)]
            for key, _, system, hl in order:
                started = time.perf_counter()
                searchers[system].search(query, 10, hl)
                times[key].append((time.perf_counter() - started) * 1000)
    finally:
        for s in searchers.values():
            s.close()
    stats = {key: summarize(ms) for key, ms in times.items()}
    return {"queries": len(queries), "examples": queries[:12], "stats": stats, "times_ms": times,
            "plot": plot_distribution(times)}


def summarize(ms: list[float]) -> dict:
    return {"n": len(ms), "mean": sum(ms) / len(ms), "p50": common.percentile(ms, 50),
            "p95": common.percentile(ms, 95), "p99": common.percentile(ms, 99), "max": max(ms)}


def plot_distribution(times: dict) -> str:
    plt = common.pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    for key, label, *_ in SYSTEMS:
        ms = sorted(times[key])
        ax.plot(ms, [(i + 1) / len(ms) for i in range(len(ms))], label=label)
    ax.set(xscale="log", xlabel="latency per query, ms (log scale)", ylabel="share of queries",
           title="Query latency, top 10 with highlights")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return common.save_figure(fig, "latency-cdf.png")


def markdown(result: dict) -> str:
    labels = {key: label for key, label, *_ in SYSTEMS}
    base = result["stats"]["cari"]["p50"]
    lines = [
        f"{result['queries']} queries of 1–3 words cut from titles of the indexed corpus (fixed seed), "
        f"e.g. {', '.join(f'`{q}`' for q in result['examples'][:6])}. Each system returns the top 10 "
        f"with a highlighted body snippet; {WARMUP} warm-up queries first, not counted. The Whoosh "
        "tutorial opens a searcher per query, as tutorial apps do; cari and tantivy keep theirs open, "
        "and cari's engine is warmed first as a server worker is (`Engine.warm`: column arrays, "
        "word lists and the postings of the most frequent terms).",
        "",
        "| system | p50 ms | p95 ms | p99 ms | mean ms | max ms | p50 vs cari |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key, s in result["stats"].items():
        ratio = s["p50"] / base if base else float("nan")
        lines.append(f"| {labels.get(key, key)} | {s['p50']:.1f} | {s['p95']:.1f} | {s['p99']:.1f} | "
                     f"{s['mean']:.1f} | {s['max']:.1f} | {ratio:.2g}× |")
    if result.get("plot"):
        lines += ["", f"![latency distribution]({result['plot']})"]
    return "\n".join(lines)


if __name__ == "__main__":
    from bench.report import main
    sys.exit(main(["latency", *sys.argv[1:]]))
