"""Score cari and its peers on the held-out collection, per half and kind of query.

Each system answers all 40 topics in its own process (``common.run_probe``) to
depth 100; ``search.evaluation`` (the code of ``cari eval``, which agrees with
../shared/eval/trec_eval.py) gives nDCG@10 and Recall@100 per topic, and the
means are taken per half (tune, heldout) and per kind. Unjudged documents
count as not relevant; judged@10 says how much of a top 10 the pool covered.
"""
from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

from bench import common
from bench.heldout import collection, features, systems

DEPTH = 100
METRICS = ("nDCG@10", "R@100", "judged@10")


def evaluate_system(system: str) -> dict:
    """Child side: every topic through one system; one row per topic, and
    the means on ../shared/eval's dev topics. ``cari-no-<feature>`` is cari
    with that feature switched off (features.py)."""
    from search import evaluation as ev

    if system.startswith("cari-no-"):
        features.switch_off(system[len("cari-no-"):])
        system = "cari"
    topics = collection.read_topics()
    search, searcher = systems.open_search(system, DEPTH)
    try:
        result = ev.evaluate_topics(search, [ev.Topic(t.id, t.query) for t in topics],
                                    ev.read_qrels(collection.QRELS))
        dev = None
        dev_topics, dev_qrels = common.eval_dir() / "topics_dev.tsv", common.eval_dir() / "qrels_dev.txt"
        if dev_topics.is_file() and dev_qrels.is_file():
            dev_result = ev.evaluate_topics(search, ev.read_topics(dev_topics), ev.read_qrels(dev_qrels))
            dev = {m: dev_result[m] for m in ("nDCG@10", "R@100")}
    finally:
        searcher.close()
    rows = [{"topic": row["topic"], **{m: row[m] for m in METRICS}} for row in result["per_query"]]
    return {"per_query": rows, "errors": len(result["errors"]), "dev": dev}


def summarise(per_query: list[dict], topics) -> dict:
    """{half: {kind or "all": {metric: mean, "topics": n}}}."""
    by_id = {t.id: t for t in topics}
    out: dict = {}
    for half in collection.HALVES:
        out[half] = {}
        for kind in (*collection.KINDS, "all"):
            rows = [r for r in per_query if by_id[r["topic"]].half == half and kind in ("all", by_id[r["topic"]].kind)]
            out[half][kind] = {"topics": len(rows),
                               **{m: sum(r[m] for r in rows) / len(rows) if rows else 0.0 for m in METRICS}}
    return out


def run(quick: bool = False) -> dict:
    if quick:
        raise RuntimeError("the held-out qrels judge the whole clickid corpus: there is no quick mode")
    if not collection.QRELS.is_file():
        raise FileNotFoundError(f"{collection.QRELS}: the pool has not been judged yet")
    topics = collection.read_topics()
    for system in systems.SYSTEMS:  # one at a time: the peer builds are single processes of 2-3 CPU minutes
        systems.index_dir(system)

    def evaluate(system: str) -> dict:
        try:
            row = common.run_probe("bench.heldout.score:evaluate_system", {"system": system}, sample_memory=False)
        except Exception as exc:  # one system's failure leaves the others' figures
            print(f"heldout: {system} failed: {exc}", file=sys.stderr, flush=True)
            return {"failed": f"{type(exc).__name__}: {exc}".splitlines()[0][:300]}
        return {"per_query": row["per_query"], "errors": row["errors"], "dev": row.get("dev"),
                "summary": summarise(row["per_query"], topics)}

    runs = (*systems.SYSTEMS, *(f"cari-no-{f}" for f in features.FEATURES))
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(runs, pool.map(evaluate, runs)))
    qrels = _qrels_counts()
    return {"collection": common.corpus_label(common.corpus_dir()), "results": results,
            "pooled": pooled_systems(), "topics": len(topics), "judged": qrels["judged"],
            "relevant": qrels["relevant"]}


def pooled_systems() -> list[str]:
    """The pooled systems, then each later round's label (``pool.py --add``) from pool.tsv."""
    labels = list(systems.POOLED)
    for line in collection.POOL.read_text("utf-8").splitlines()[1:]:
        labels += [s for s in line.split("\t")[3].split(",") if s not in labels]
    return labels


def _qrels_counts() -> dict:
    from search import evaluation as ev
    qrels = ev.read_qrels(collection.QRELS)
    return {"judged": sum(len(d) for d in qrels.values()),
            "relevant": sum(1 for d in qrels.values() for g in d.values() if g >= 1)}


def markdown(result: dict) -> str:
    res = result["results"]
    lines = [
        f"cari's own graded topics over `{result['collection']}` (bench/heldout/README.md): "
        f"{result['topics']} topics, 8 per kind of query, split by a fixed rule into a tune half and a "
        f"held-out half; {result['judged']:,} judged documents ({result['relevant']:,} relevant) pooled "
        f"from the top 20 of {', '.join(systems.LABELS.get(s, s) for s in result['pooled'])}. Every index holds "
        "clickid alone. nDCG@10 / Recall@100, mean over the topics of each cell; unjudged documents "
        "count as not relevant. No rule, synonym or lexicon entry may be added because of a miss seen "
        "on the held-out half.", ""]
    for half in collection.HALVES:
        lines += [f"**{half} half** (nDCG@10 / R@100)", "",
                  "| system | " + " | ".join(collection.KIND_LABELS[k] for k in collection.KINDS) + " | all | judged@10 |",
                  "|---|" + "---:|" * (len(collection.KINDS) + 2)]
        for system, r in res.items():
            if "summary" not in r:
                lines.append(f"| {label(system)} | not run: {r.get('failed', '?')} |")
                continue
            cells = [f"{r['summary'][half][k]['nDCG@10']:.3f} / {r['summary'][half][k]['R@100']:.3f}"
                     for k in (*collection.KINDS, "all")]
            lines.append(f"| {label(system)} | " + " | ".join(cells) +
                         f" | {r['summary'][half]['all']['judged@10']:.2f} |")
        lines.append("")
    dev = {s: r["dev"] for s, r in res.items() if r.get("dev")}
    if dev:
        lines += ["**../shared/eval dev topics** (10 topics over clickid, the same indexes)", "",
                  "| system | nDCG@10 | R@100 |", "|---|---:|---:|"]
        lines += [f"| {label(s)} | {d['nDCG@10']:.3f} | {d['R@100']:.3f} |" for s, d in dev.items()]
        lines.append("")
    errors = {s: r.get("errors", 0) for s, r in res.items() if r.get("errors")}
    if errors:
        lines.append("Queries that raised (scored as no results): " +
                     ", ".join(f"{label(s)} {n}" for s, n in errors.items()))
    return "\n".join(lines)


def label(system: str) -> str:
    """A system's name in the tables; cari with a feature off says which."""
    if system.startswith("cari-no-"):
        return f"cari without {features.FEATURES[system[len('cari-no-'):]]}"
    return systems.LABELS[system]
