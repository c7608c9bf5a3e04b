"""Indexing: articles per second, index size and peak memory, for cari and its peers.

Every build runs in a fresh process (``common.run_probe``) so that its peak RSS is
its own and nothing is shared with the build before it. Timings start when the
build starts reading files: cari reads with its own readers (text cleaning
included), the peers parse the .jsonl lines themselves, as a tutorial app would.

The indexes built here are kept in the run's scratch dir (``ensure_index``) and
reused by the latency, memory and quality benchmarks.

Run alone: ``python -m bench.indexing [--quick]``.
"""
from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

from bench import common

SYSTEMS = ("cari", "whoosh", "tantivy")
# cari's index built with lowercase-only analysis, right after cari's own
# build: the analysis issue asks the full analyzer for >= 80% of its speed.
BASELINE = "cari-lowercase"
LABELS = {"cari": "cari", BASELINE: "cari, lowercase-only analysis", "whoosh": "Whoosh tutorial",
          "tantivy": "tantivy"}
# Corpus multiples built here. The plain-Python engines take minutes per copy
# of clickid on 2 cores, so only tantivy grows to 4x here; cari's 4x (and 16x)
# builds are the `scaling` benchmark (``python -m bench.scaling``).
SCALES = {"cari": (1,), BASELINE: (1,), "whoosh": (1,), "tantivy": (1, 2, 4)}
QUICK_SCALES = {"cari": (1, 2), BASELINE: (1,), "whoosh": (1, 2), "tantivy": (1, 2, 4)}


# --- building indexes (also the probe targets, run in a child process) -----------------------


def read_plain(corpus: Path) -> list:
    """Articles as a tutorial app reads them: json.loads per line, title and body."""
    from types import SimpleNamespace

    if not common.is_jsonl_corpus(corpus):
        return common.load_articles(corpus)  # other formats need cari's readers
    articles = []
    for path in common.corpus_files(corpus):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    articles.append(SimpleNamespace(id=str(r["id"]), title=r.get("title") or "",
                                                    body=r.get("body") or ""))
    return articles


def build(system: str, corpus: str, index_dir: str, add: bool = False) -> dict:
    """Index ``corpus`` into ``index_dir`` (fresh, or added to with ``add``)."""
    from bench import peers

    corpus, index_dir = Path(corpus), Path(index_dir)
    started = time.perf_counter()
    if system in ("cari", BASELINE):
        from bench.analyzers import lowercase
        analyzer = lowercase() if system == BASELINE else None
        report = peers.Cari(analyzer, procs=common.indexer_procs()).index(corpus, index_dir, rebuild=not add)
        articles = report.articles
        if report.errors:
            print(f"{len(report.errors)} indexing errors, first: {report.errors[0]}", file=sys.stderr)
    else:
        peer = peers.PEERS[system]()
        docs = read_plain(corpus)
        (peer.add if add else peer.build)(docs, index_dir)
        articles = len(docs)
    seconds = time.perf_counter() - started
    return {"articles": articles, "seconds": seconds, "index_bytes": common.dir_size(index_dir)}


def read_only(corpus: str) -> dict:
    """cari's readers alone: how much of its indexing time is reading and cleaning text."""
    started = time.perf_counter()
    n = len(common.load_articles(Path(corpus)))
    return {"articles": n, "seconds": time.perf_counter() - started}


def base_corpus(quick: bool) -> Path:
    corpus = common.corpus_dir()
    return common.quick_corpus(corpus) if quick else corpus


def extra_corpus(quick: bool) -> Path | None:
    """The corpus added for quality runs (indosum), None when there is none."""
    extra = common.extra_corpus_dir()
    if extra is None or not extra.is_dir():
        return None
    return common.quick_corpus(extra) if quick else extra


def full_corpus(quick: bool) -> Path:
    """The quality collection: the base corpus plus the extra one (clickid + indosum),
    base files at the same relative paths so cari's index of the base sees them unchanged."""
    extra = extra_corpus(quick)
    return common.linked_corpus("full-quick" if quick else "full", base_corpus(quick),
                                *([extra] if extra else []))


def added_corpus(system: str, quick: bool) -> Path:
    """What to index into a copy of the base index to get the full one: cari updates
    incrementally from the full collection; the peers are given the new files only."""
    return full_corpus(quick) if system == "cari" else extra_corpus(quick)


def index_path(system: str, which: str, quick: bool) -> Path:
    return common.work_dir() / f"index-{system}-{which}{'-quick' if quick else ''}"


def _done(path: Path) -> Path:
    return path.with_name(path.name + ".done")


def ensure_index(system: str, which: str = "base", quick: bool = False) -> Path:
    """The index of ``system`` over the base corpus or the full (quality) collection,
    built without measurement if this run has not built it yet."""
    if which == "full" and extra_corpus(quick) is None:
        which = "base"  # nothing to add: the base corpus is the whole collection
    path = index_path(system, which, quick)
    if _done(path).exists():
        return path
    shutil.rmtree(path, ignore_errors=True)
    if which == "base":
        common.run_probe("bench.indexing:build", {"system": system, "corpus": str(base_corpus(quick)),
                                                  "index_dir": str(path)})
    else:
        base = ensure_index(system, "base", quick)
        shutil.copytree(base, path)
        common.run_probe("bench.indexing:build", {"system": system, "corpus": str(added_corpus(system, quick)),
                                                  "index_dir": str(path), "add": True})
    _done(path).touch()
    return path


# --- the benchmark --------------------------------------------------------------------------


def measure_build(system: str, corpus: Path, index_dir: Path, add: bool = False) -> dict:
    _done(index_dir).unlink(missing_ok=True)
    if not add:
        shutil.rmtree(index_dir, ignore_errors=True)
    row = common.run_probe("bench.indexing:build", {"system": system, "corpus": str(corpus),
                                                    "index_dir": str(index_dir), "add": add})
    row["articles_per_s"] = row["articles"] / row["seconds"] if row["seconds"] else None
    return row


def run(quick: bool = False) -> dict:
    corpus = base_corpus(quick)
    result = measure_scales(corpus, QUICK_SCALES if quick else SCALES, quick)
    result["incremental"] = measure_incremental(quick)
    result["reading"] = common.run_probe("bench.indexing:read_only", {"corpus": str(corpus)})
    return result


def measure_scales(corpus: Path, scales: dict, quick: bool) -> dict:
    """Build every system at every multiple of the corpus it is given."""
    corpus_bytes = common.corpus_bytes(corpus)
    if not common.is_jsonl_corpus(corpus):  # copies with new ids are made of .jsonl only
        scales = {system: (1,) for system in scales}
    rows, failures = [], []
    for factor in sorted({f for fs in scales.values() for f in fs}):
        scaled = common.scaled_corpus(corpus, factor)
        for system in scales:
            if factor not in scales[system]:
                continue
            target = index_path(system, "base", quick) if factor == 1 else \
                common.work_dir() / f"index-{system}-x{factor}"
            print(f"indexing: {system} x{factor}", file=sys.stderr, flush=True)
            try:
                row = measure_build(system, scaled, target)
            except Exception as exc:  # keep the other systems' figures
                failures.append(f"{LABELS[system]} at {factor}×: {exc}".splitlines()[0][:300])
                continue
            row.update(system=system, factor=factor, corpus_bytes=corpus_bytes * factor,
                       size_ratio=row["index_bytes"] / (corpus_bytes * factor))
            rows.append(row)
            if factor == 1 and system in SYSTEMS:
                _done(target).touch()
            elif factor == 1:
                shutil.rmtree(target, ignore_errors=True)
            else:
                shutil.rmtree(target, ignore_errors=True)
        if factor > 1:
            shutil.rmtree(scaled, ignore_errors=True)
    return {
        "corpus": str(corpus),
        "corpus_bytes": corpus_bytes,
        "procs": common.indexer_procs(),
        "scales": {s: list(f) for s, f in scales.items()},
        "rows": rows,
        "failures": failures,
        "plot": plot_throughput(rows, "indexing-throughput.png"),
    }


def measure_incremental(quick: bool) -> list[dict]:
    """Add the extra corpus to a copy of each 1x index: this gives the quality indexes."""
    extra = extra_corpus(quick)
    if extra is None:
        return []
    rows = []
    for system in SYSTEMS:
        base = ensure_index(system, "base", quick)
        full = index_path(system, "full", quick)
        shutil.rmtree(full, ignore_errors=True)
        shutil.copytree(base, full)
        print(f"indexing: {system} + {extra.name}", file=sys.stderr, flush=True)
        try:
            row = measure_build(system, added_corpus(system, quick), full, add=True)
        except Exception as exc:  # keep the other systems' figures
            rows.append({"system": system, "extra": str(extra), "error": str(exc).splitlines()[0][:300]})
            continue
        row.update(system=system, extra=str(extra), index_bytes_after=common.dir_size(full))
        rows.append(row)
        _done(full).touch()
    return rows


def plot_throughput(rows: list[dict], filename: str) -> str | None:
    if not rows:
        return None
    plt = common.pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for system in SYSTEMS:
        mine = sorted((r for r in rows if r["system"] == system), key=lambda r: r["articles"])
        if not mine:
            continue
        xs = [r["articles"] for r in mine]
        axes[0].plot(xs, [r["articles_per_s"] for r in mine], marker="o", label=LABELS[system])
        axes[1].plot(xs, [r["seconds"] for r in mine], marker="o", label=LABELS[system])
    axes[0].set(xscale="log", yscale="log", xlabel="articles in corpus", ylabel="articles / s",
                title="Indexing throughput")
    axes[1].set(xscale="log", yscale="log", xlabel="articles in corpus", ylabel="seconds",
                title="Indexing time")
    for ax in axes:
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    return common.save_figure(fig, filename)


def rows_table(result: dict) -> list[str]:
    """The builds table, shared with the scaling benchmark."""
    lines = [
        f"Corpus `{common.corpus_label(result['corpus'])}` ({common.mb(result['corpus_bytes']):.1f} MB); "
        f"N× copies have their ids suffixed. cari uses its indexer with procs={result['procs']}; "
        "the Whoosh tutorial one writer process with `StandardAnalyzer`; tantivy 2 threads with a "
        "128 MB heap. Each build is a fresh process; times include reading the files. "
        "CPU s is user + system time of the build and its workers: it depends less than the wall "
        "time on what else the machine runs. Peak RSS is the building process's high-water mark; "
        "all processes is the largest sum of PSS over it and its workers (sampled every 50 ms for the first second, then every 250 ms).",
        "",
        "| system | corpus | articles | seconds | CPU s | articles/s | index MB | index/corpus | peak RSS MB | all processes MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        lines.append(
            f"| {LABELS[r['system']]} | {r['factor']}× | {r['articles']:,} | {r['seconds']:.1f} | "
            f"{r.get('cpu_s', float('nan')):.1f} | {r['articles_per_s']:,.0f} | {common.mb(r['index_bytes']):.1f} | "
            f"{r['size_ratio']:.2f} | {r['peak_rss_mb']:.0f} | {r['peak_tree_pss_mb']:.0f} |")
    if result.get("failures"):
        lines += ["", "Not run: " + "; ".join(result["failures"])]
    lines += analysis_cost(result["rows"])
    return lines


def analysis_cost(rows: list[dict]) -> list[str]:
    """cari's full analyzer against the same build with lowercase-only analysis."""
    one = {r["system"]: r for r in rows if r["factor"] == 1}
    full, low = one.get("cari"), one.get(BASELINE)
    if not full or not low:
        return []
    return ["", f"Cost of the Indonesian analysis: the same cari index built with lowercase-only analysis "
                f"(cari's tokenizer and lowercasing; no stopwords, stemming, acronyms, numbers or "
                f"variants), right after cari's own build: {low['articles_per_s']:,.0f} articles/s. "
                f"cari's full analyzer indexes at {full['articles_per_s'] / low['articles_per_s']:.0%} "
                f"of that (goal ≥ 80%), and uses {full['cpu_s'] / low['cpu_s']:.2f}× its CPU seconds."]


def markdown(result: dict) -> str:
    lines = rows_table(result)
    reading = result.get("reading")
    if reading:
        lines += ["", f"cari's readers alone (reading and cleaning, no indexing): {reading['articles']:,} "
                      f"articles in {reading['seconds']:.1f} s ({reading['articles'] / reading['seconds']:,.0f} articles/s)."]
    if result.get("incremental"):
        lines += ["", "Adding a second corpus to an existing 1× index (incremental update; these are the "
                      "indexes the quality section searches):", "",
                  "| system | added | articles | seconds | CPU s | articles/s | index MB after |",
                  "|---|---|---:|---:|---:|---:|---:|"]
        for r in result["incremental"]:
            if "error" in r:
                lines.append(f"| {LABELS[r['system']]} | not run: {r['error']} | | | | | |")
                continue
            lines.append(f"| {LABELS[r['system']]} | `{common.corpus_label(r['extra'])}` | {r['articles']:,} | {r['seconds']:.1f} | "
                         f"{r.get('cpu_s', float('nan')):.1f} | {r['articles_per_s']:,.0f} | "
                         f"{common.mb(r['index_bytes_after']):.1f} |")
    scales = result.get("scales", {})
    missing = [f"{LABELS[s]} at {', '.join(f'{f}×' for f in (2, 4) if f not in scales.get(s, ()))}"
               for s in SYSTEMS if not {2, 4} <= set(scales.get(s, ()))]
    if missing:
        lines += ["", "Not built here (time budget): " + "; ".join(missing) +
                  ". cari's growth to 4× (16× run alone) is the scaling section (`python -m bench.scaling`)."]
    if result.get("plot"):
        lines += ["", f"![indexing throughput]({result['plot']})"]
    return "\n".join(lines)


if __name__ == "__main__":
    from bench.report import main
    sys.exit(main(["indexing", *sys.argv[1:]]))
