"""Pool the held-out topics: the top ``DEPTH`` of each pooled system, merged.

``python -m bench.heldout.pool`` writes ``pool.tsv`` (topic, doc, the best
rank any system gave it, the systems that retrieved it), the list of what the
judge must read; ``--sheet PATH`` also writes, outside the repository, each
pooled document's title and opening for reading while judging. A pool that
already has qrels is re-pooled only with ``--force``: the judged pool is the
record of how the qrels were made.

``--add LABEL`` extends a judged pool with one more system (``--system``,
cari by default) without touching what was judged: the documents of its top
``DEPTH`` that the pool lacks are appended to ``pool.tsv`` with ``LABEL``
(e.g. ``cari@8839055``) in the systems column, and the ones still unjudged are
listed for the judge (``--sheet`` then writes only those, shuffled and without
rank or system, so the judging stays blind). Their grades are appended to
``qrels.txt`` by hand, one line per new pair.
"""
from __future__ import annotations

import argparse
import json
import random
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


def read_pool(path: Path) -> dict[str, set[str]]:
    """{topic: {doc}} of a written pool."""
    pooled: dict[str, set[str]] = {}
    for line in path.read_text("utf-8").splitlines()[1:]:
        topic, doc, *_ = line.split("\t")
        pooled.setdefault(topic, set()).add(doc)
    return pooled


def new_pairs(found: dict, pooled: dict[str, set[str]]) -> dict[str, dict[str, dict]]:
    """The part of ``found`` (as ``pool`` returns it) that ``pooled`` lacks."""
    return {topic: {doc: entry for doc, entry in docs.items() if doc not in pooled.get(topic, set())}
            for topic, docs in found.items()}


def append_pool(added: dict, label: str, path: Path) -> int:
    """Append the new pairs to the pool file with ``label`` as their system; existing rows stay."""
    if "\t" in label or "," in label or not label.strip():
        raise ValueError(f"system label {label!r}: give a name without tabs or commas")
    rows = [f"{topic}\t{doc}\t{entry['rank']}\t{label}"
            for topic, docs in added.items()
            for doc, entry in sorted(docs.items(), key=lambda item: (item[1]["rank"], item[0]))]
    if rows:
        text = path.read_text("utf-8")
        path.write_text(text + ("" if text.endswith("\n") else "\n") + "\n".join(rows) + "\n", "utf-8")
    return len(rows)


def unjudged(pooled: dict[str, set[str]], qrels: dict[str, dict[str, int]]) -> dict[str, set[str]]:
    """The pooled pairs the qrels do not grade yet."""
    return {topic: {doc for doc in docs if doc not in qrels.get(topic, {})} for topic, docs in pooled.items()}


def write_sheet(found: dict, topics, corpus: Path, path: Path, blind: bool = False) -> None:
    """Per topic: its query and narrative, then each pooled doc's title and opening.

    ``blind`` shuffles the topics and their documents and leaves the ranks out,
    so the judge cannot tell which system or rank brought a document."""
    wanted = {doc for docs in found.values() for doc in docs}
    articles = {}
    for file in sorted(Path(corpus).glob("*.jsonl")):
        with open(file, encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                if record["id"] in wanted:
                    articles[record["id"]] = record
    order = random.Random(0)
    topics = [t for t in topics if found.get(t.id)]
    if blind:
        order.shuffle(topics)
    with open(path, "w", encoding="utf-8") as out:
        for topic in topics:
            out.write(f"\n######## {topic.id} [{topic.kind}] {topic.query}\n{topic.narrative}\n")
            docs = sorted(found[topic.id], key=lambda d: (found[topic.id][d]["rank"], d))
            if blind:
                docs = sorted(docs)
                order.shuffle(docs)
            for doc in docs:
                a = articles.get(doc, {})
                body = " ".join((a.get("body") or "").split())[:SHEET_CHARS]
                out.write(f"\n--- {doc} | {a.get('date', '?')} | {a.get('title', '?')}\n{body}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=DEPTH)
    parser.add_argument("--sheet", type=Path, help="also write the reading sheet here (keep it out of the repo)")
    parser.add_argument("--force", action="store_true", help="re-pool although qrels exist")
    parser.add_argument("--add", metavar="LABEL",
                        help="append one more system's new documents to the judged pool, recorded as LABEL")
    parser.add_argument("--system", default="cari", choices=systems.SYSTEMS, help="the system --add pools")
    args = parser.parse_args(argv)
    if args.add:
        return add(args)
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


def add(args) -> int:
    """``--add``: pool one system, append what the pool lacks, list what is unjudged."""
    from bench import common
    from search import evaluation as ev

    topics = collection.read_topics()
    found = pool(topics, pooled=(args.system,), depth=args.depth)
    added = new_pairs(found, read_pool(collection.POOL))
    n = append_pool(added, args.add, collection.POOL)
    halves = {t.id: t.half for t in topics}
    per_half = {h: sum(len(docs) for t, docs in added.items() if halves[t] == h) for h in collection.HALVES}
    print(f"{args.add} ({args.system}) at depth {args.depth}: {n} new pairs appended to {collection.POOL} "
          f"({', '.join(f'{h} {k}' for h, k in per_half.items())})")
    qrels = ev.read_qrels(collection.QRELS) if collection.QRELS.exists() else {}
    todo = unjudged(read_pool(collection.POOL), qrels)
    print(f"unjudged pairs in the pool: {sum(len(d) for d in todo.values())}")
    if args.sheet:
        sheet = {t: {doc: {"rank": 0} for doc in docs} for t, docs in todo.items()}
        write_sheet(sheet, topics, common.corpus_dir(), args.sheet, blind=True)
        print(f"blind reading sheet of the unjudged pairs -> {args.sheet}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
