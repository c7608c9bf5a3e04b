"""What an incremental ``cari index`` run costs, with cari's merge policy and with Whoosh's.

cari's commit rewrites every segment that holds a deleted document
(``search/indexing/merging.py``), so that an updated index answers exactly
as one built fresh. This measures what that costs: on a copy of the corpus,
indexed fresh, one run that edits one file (its articles deleted and added
again) and one run that adds one new file, first with cari's policy and then
with Whoosh's own MERGE_SMALL, in one process. ``python -m bench.updates``;
on demand (about four minutes on clickid).
"""
from __future__ import annotations

import shutil
import time

from whoosh import writing

from bench import common


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
    if policy_name == "whoosh":
        indexer.merge_policy = writing.MERGE_SMALL
    try:
        edited.write_text("\n".join(lines[:-1]) + "\n", "utf-8")
        started = time.perf_counter()
        report = indexer.index_corpus(corpus, work / "index", procs=1)
        edit_seconds = time.perf_counter() - started
        (corpus / "added.jsonl").write_text(lines[-1] + "\n", "utf-8")
        started = time.perf_counter()
        indexer.index_corpus(corpus, work / "index", procs=1)
        add_seconds = time.perf_counter() - started
    finally:
        indexer.merge_policy = saved
    shutil.rmtree(work, ignore_errors=True)
    return {"policy": policy_name, "documents": report.doc_count, "edited_file": edited.name,
            "edited_articles": len(lines) - 1, "edit_seconds": round(edit_seconds, 2),
            "add_seconds": round(add_seconds, 2)}


def run(quick: bool = False) -> dict:
    return {"corpus": common.corpus_label(common.corpus_dir()),
            "points": [measure("cari", quick), measure("whoosh", quick)]}


def markdown(result: dict) -> str:
    rows = ["| merge policy | documents | edit one file (s) | add one file (s) |", "|---|---:|---:|---:|"]
    for p in result["points"]:
        label = ("cari: segments with deletions rewritten" if p["policy"] == "cari"
                 else "Whoosh MERGE_SMALL: deleted documents kept in the statistics")
        rows.append(f"| {label} | {p['documents']:,} | {p['edit_seconds']} | {p['add_seconds']} |")
    first = result["points"][0]
    return "\n".join([
        f"Corpus `{result['corpus']}`, indexed fresh; then one run after `{first['edited_file']}` "
        f"({first['edited_articles']:,} articles) lost its last line, and one run after a new "
        "one-article file was added.",
        "",
        *rows,
        "",
        "An edit deletes the file's articles and adds them again. cari then rewrites each segment "
        "that holds a deleted article, so scores, related stories and corrections equal a fresh "
        "build's (tests/test_index_updates.py); with Whoosh's own policy the deleted articles stay "
        "in the statistics until a merge happens to reach them. A run that only adds files deletes "
        "nothing and costs the same under both.",
    ])


def main() -> int:
    from bench import report

    record = report.run_module("updates", quick=False, command="python -m bench.updates")
    print(markdown(record["result"]) if record["status"] == "ok" else record.get("reason"))
    return 0 if record["status"] == "ok" else 1


if __name__ == "__main__":
    raise SystemExit(main())
