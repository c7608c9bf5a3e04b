"""Pool the held-out topics: the top ``DEPTH`` of each pooled system, merged.

``python -m bench.heldout.pool`` writes ``pool.tsv`` (topic, doc, the best
rank any system gave it, the systems that retrieved it), the list of what the
judge must read; ``--sheet PATH`` also writes, outside the repository, each
pooled document's title and opening for reading while judging. A pool that
already has qrels is re-pooled only with ``--force``: the judged pool is the
record of how the qrels were made.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.heldout import collection, systems

DEPTH = 20
SHEET_CHARS = 1500


def pool(topics, pooled=systems.POOLED, depth: int = DEPTH) -> dict[str, dict[str, dict]]:
    """{topic: {doc: {"rank": best rank, "systems": [names]}}}, ranks from 1."""
    found: dict[str, dict[str, dict]] = {t.id: {} for t in topics}
    for system in pooled:
        search, searcher = systems.open_search(system, depth)
        try:
            for topic in topics:
                for rank, doc in enumerate(search(topic.query)[:depth], 1):
                    entry = found[topic.id].setdefault(doc, {"rank": rank, "systems": []})
                    entry["rank"] = min(entry["rank"], rank)
                    entry["systems"].append(system)
        finally:
            searcher.close()
    return found


def write_pool(found: dict, path: Path) -> int:
    rows = ["topic\tdoc\tbest_rank\tsystems"]
    for topic, docs in found.items():
        for doc, entry in sorted(docs.items(), key=lambda item: (item[1]["rank"], item[0])):
            rows.append(f"{topic}\t{doc}\t{entry['rank']}\t{','.join(entry['systems'])}")
    path.write_text("\n".join(rows) + "\n", "utf-8")
    return len(rows) - 1


def write_sheet(found: dict, topics, corpus: Path, path: Path) -> None:
    """Per topic: its query and narrative, then each pooled doc's title and opening."""
    wanted = {doc for docs in found.values() for doc in docs}
    articles = {}
    for file in sorted(Path(corpus).glob("*.jsonl")):
        with open(file, encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                if record["id"] in wanted:
                    articles[record["id"]] = record
    with open(path, "w", encoding="utf-8") as out:
        for topic in topics:
            out.write(f"\n######## {topic.id} [{topic.kind}] {topic.query}\n{topic.narrative}\n")
            for doc in sorted(found[topic.id], key=lambda d: found[topic.id][d]["rank"]):
                a = articles.get(doc, {})
                body = " ".join((a.get("body") or "").split())[:SHEET_CHARS]
                out.write(f"\n--- {doc} | {a.get('date', '?')} | {a.get('title', '?')}\n{body}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=DEPTH)
    parser.add_argument("--sheet", type=Path, help="also write the reading sheet here (keep it out of the repo)")
    parser.add_argument("--force", action="store_true", help="re-pool although qrels exist")
    args = parser.parse_args(argv)
    if collection.QRELS.exists() and not args.force:
        print(f"{collection.QRELS} exists: the pool was judged; --force to pool again", file=sys.stderr)
        return 1
    from bench import common
    topics = collection.read_topics()
    found = pool(topics, depth=args.depth)
    n = write_pool(found, collection.POOL)
    print(f"pooled {n} documents for {len(topics)} topics from {', '.join(systems.POOLED)} "
          f"at depth {args.depth} -> {collection.POOL}")
    if args.sheet:
        write_sheet(found, topics, common.corpus_dir(), args.sheet)
        print(f"reading sheet -> {args.sheet}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
