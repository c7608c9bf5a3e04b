"""What an incremental ``cari index`` run costs, and what the first search after it costs.

An updated index answers exactly as one built fresh: the searcher takes
deleted documents out of its statistics (``search/retrieval/live.py``) and
the commit's merge policy (``search/indexing/merging.py``) rewrites a
segment only once a fifth of it is deleted. This measures, on a copy of the
corpus indexed fresh: one run that edits one file (its articles deleted and
added again) and one that adds a new file, under cari's policy and under
one that rewrites every segment holding a deletion (what exactness would
cost without the live statistics), in one process; and the first search on
the edited index (the live statistics are built then). ``python -m
bench.updates``; on demand (about four minutes on clickid).
"""
from __future__ import annotations

import shutil
import time

from bench import common
from search.retrieval.engine import Engine


def measure(policy_name: str, quick: bool) -> dict:
    from search.indexing import indexer

    source = common.quick_corpus(common.corpus_dir()) if quick else common.corpus_dir()
    work = common.work_dir() / f"updates-{policy_name}"
    shutil.rmtree(work, ignore_errors=True)
    corpus = work / "corpus"
    shutil.copytree(source, corpus)
    indexer.index_corpus(corpus, work / "index", procs=common.indexer_procs())
    edited = min(common.corpus_files(corpus), key=lambda p: p.stat().st_size)   # the smallest file
    lines = edited.read_text("utf-8").splitlines()
    saved = indexer.merge_policy
    if policy_name == "expunge":
        indexer.merge_policy = expunge_policy
    try:
        edited.write_text("\n".join(lines[:-1]) + "\n", "utf-8")
        started = time.perf_counter()
        report = indexer.index_corpus(corpus, work / "index", procs=1)
        edit_seconds = time.perf_counter() - started
        with Engine(work / "index") as engine:
            started = time.perf_counter()
            engine.search("jakarta", highlight=False)
            first_search = time.perf_counter() - started
        (corpus / "added.jsonl").write_text(lines[-1] + "\n", "utf-8")
        started = time.perf_counter()
        indexer.index_corpus(corpus, work / "index", procs=1)
        add_seconds = time.perf_counter() - started
    finally:
        indexer.merge_policy = saved
    shutil.rmtree(work, ignore_errors=True)
    return {"policy": policy_name, "documents": report.doc_count, "edited_file": edited.name,
            "edited_articles": len(lines) - 1, "edit_seconds": round(edit_seconds, 2),
            "first_search_seconds": round(first_search, 2), "add_seconds": round(add_seconds, 2)}


def expunge_policy(writer, segments):
    """Every segment holding a deleted document rewritten (Lucene's expunge deletes)."""
    from search.indexing.merging import merge_in, small_segments

    chosen = small_segments(segments)
    chosen += [s for s in segments if s.has_deletions() and s not in chosen]
    for segment in chosen:
        merge_in(writer, segment)
    return [s for s in segments if s not in chosen]


def run(quick: bool = False) -> dict:
    return {"corpus": common.corpus_label(common.corpus_dir()),
            "points": [measure("cari", quick), measure("expunge", quick)]}


def markdown(result: dict) -> str:
    rows = ["| merge policy | documents | edit one file (s) | first search after it (s) | add one file (s) |",
            "|---|---:|---:|---:|---:|"]
    for p in result["points"]:
        label = ("cari: live statistics, a segment rewritten once a fifth is deleted" if p["policy"] == "cari"
                 else "every segment holding a deletion rewritten")
        rows.append(f"| {label} | {p['documents']:,} | {p['edit_seconds']} | {p['first_search_seconds']} | "
                    f"{p['add_seconds']} |")
    first = result["points"][0]
    return "\n".join([
        f"Corpus `{result['corpus']}`, indexed fresh; then one run after `{first['edited_file']}` "
        f"({first['edited_articles']:,} articles) lost its last line, and one run after a new "
        "one-article file was added.",
        "",
        *rows,
        "",
        "An edit deletes the file's articles and adds them again. Both policies answer exactly as a "
        "fresh build (tests/test_index_updates.py): cari by taking the deleted articles out of the "
        "statistics it scores with, built at the first search of the new index generation; the "
        "other by rewriting every segment that holds one. A run that only adds files deletes "
        "nothing and costs the same under both.",
    ])


def main() -> int:
    from bench import report

    record = report.run_module("updates", quick=False, command="python -m bench.updates")
    print(markdown(record["result"]) if record["status"] == "ok" else record.get("reason"))
    return 0 if record["status"] == "ok" else 1


if __name__ == "__main__":
    raise SystemExit(main())
