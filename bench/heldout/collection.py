"""The held-out collection: cari's own graded topics over clickid, and their halves.

``topics.tsv`` (id, kind, half, query, narrative) was written by the cari team
before any system ran on it; ``qrels.txt`` holds the judged pool in TREC form
(``topic 0 doc grade``). README.md says how both were made.

The split is a rule, not a choice per topic: within each kind, in id order,
the 1st, 3rd, ... topic is ``tune`` and the 2nd, 4th, ... is ``heldout``.
Reading the file checks that every row follows it.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOPICS = HERE / "topics.tsv"
QRELS = HERE / "qrels.txt"
POOL = HERE / "pool.tsv"

KINDS = ("form", "synonym", "question", "name", "keyword")
KIND_LABELS = {"form": "other word form", "synonym": "synonym / abbreviation", "question": "question",
               "name": "name spelt another way", "keyword": "plain keywords"}
HALVES = ("tune", "heldout")


@dataclass(frozen=True)
class HeldoutTopic:
    id: str
    kind: str
    half: str
    query: str
    narrative: str


def split_half(position_in_kind: int) -> str:
    """The split rule: alternate within each kind, starting with ``tune``."""
    return HALVES[position_in_kind % 2]


def read_topics(path: Path = TOPICS) -> list[HeldoutTopic]:
    with open(path, encoding="utf-8", newline="") as f:
        topics = [HeldoutTopic(**{k: (v or "").strip() for k, v in row.items()})
                  for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]
    seen: dict[str, int] = {}
    for topic in sorted(topics, key=lambda t: t.id):
        if topic.kind not in KINDS:
            raise ValueError(f"{path}: topic {topic.id}: unknown kind {topic.kind!r}")
        expected = split_half(seen.get(topic.kind, 0))
        seen[topic.kind] = seen.get(topic.kind, 0) + 1
        if topic.half != expected:
            raise ValueError(f"{path}: topic {topic.id} is in {topic.half!r}; the split rule puts it in {expected!r}")
    return topics
