"""Memory: peak RSS of a searching process, next to the peak RSS of indexing.

Each searching process is a fresh Python process (``common.run_probe``) that
imports the engine, opens the index and answers the latency queries with
highlights. Reported: RSS after imports (the interpreter and libraries), after
opening the index, and the peak over the queries. Indexing peaks come from the
indexing benchmark's last run, where every build is its own process too.

Run alone: ``python -m bench.memory [--quick]``.
"""
from __future__ import annotations

import sys
from pathlib import Path

from bench import common
from bench.indexing import LABELS, SYSTEMS, base_corpus, ensure_index, read_plain

QUERIES = 300
QUICK_QUERIES = 40


def search_probe(system: str, index_dir: str, queries: list[str]) -> dict:
    """Child side: import, open, search; RSS at each step."""
    from bench import peers

    makers = {"cari": peers.Cari, "whoosh": peers.WhooshTutorial, "tantivy": peers.Tantivy}
    maker = makers[system]()
    if system == "cari":
        import search.retrieval.engine  # noqa: F401  (count the engine's imports in the baseline)
    after_import = common.current_rss_mb()
    searcher = maker.open_searcher(Path(index_dir))
    searcher.search(queries[0], 10, True)
    after_open = common.current_rss_mb()
    for query in queries:
        searcher.search(query, 10, True)
    after_queries = common.current_rss_mb()
    searcher.close()
    return {"after_import_mb": after_import, "after_open_mb": after_open, "after_queries_mb": after_queries}


def run(quick: bool = False) -> dict:
    queries = common.title_queries(read_plain(base_corpus(quick)), QUICK_QUERIES if quick else QUERIES)
    searching = []
    for system in SYSTEMS:
        index_dir = ensure_index(system, "base", quick)
        row = common.run_probe("bench.memory:search_probe",
                               {"system": system, "index_dir": str(index_dir), "queries": queries})
        row.update(system=system, index_bytes=common.dir_size(index_dir))
        searching.append(row)
    return {"queries": len(queries), "searching": searching, "indexing": indexing_peaks()}


def indexing_peaks() -> dict | None:
    """The 1x rows of the indexing benchmark's last run, with its date."""
    from bench.report import load_record

    record = load_record("indexing")
    if not record or record.get("status") != "ok":
        return None
    rows = [r for r in record["result"]["rows"] if r["factor"] == 1]
    return {"date": record["date"], "quick": record.get("quick", False), "rows": rows}


def markdown(result: dict) -> str:
    lines = [
        f"A searching process: a fresh Python process that opens the 1× index and answers "
        f"{result['queries']} queries (top 10 with highlights). RSS in MB.",
        "",
        "| system | index MB | after imports | after opening + 1 query | after all queries | peak RSS |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in result["searching"]:
        lines.append(f"| {LABELS[r['system']]} | {common.mb(r['index_bytes']):.1f} | {r['after_import_mb']:.0f} | "
                     f"{r['after_open_mb']:.0f} | {r['after_queries_mb']:.0f} | {r['peak_rss_mb']:.0f} |")
    indexing = result.get("indexing")
    if indexing:
        quick = " (quick mode)" if indexing["quick"] else ""
        lines += ["", f"Indexing the 1× corpus (from the indexing run of {indexing['date']}{quick}): peak RSS in MB "
                      "of the indexing process, and the largest sum of PSS over it and its worker processes.", "",
                  "| system | articles | peak RSS | all processes (PSS) |", "|---|---:|---:|---:|"]
        for r in indexing["rows"]:
            lines.append(f"| {LABELS[r['system']]} | {r['articles']:,} | {r['peak_rss_mb']:.0f} | "
                         f"{r['peak_tree_pss_mb']:.0f} |")
    else:
        lines += ["", "Indexing peak RSS: not run (run `python -m bench.indexing`)."]
    return "\n".join(lines)


if __name__ == "__main__":
    from bench.report import main
    sys.exit(main(["memory", *sys.argv[1:]]))
