"""What the head's checks cost per step: the constants of search/retrieval/head_texts.py.

``python -m bench.head_costs INDEX`` takes 400 random live articles of the
index and, for each, times in one process:

- a posting list opened and skipped to the article, for each term of its
  title and each written word of its title (head_postings.segment_holding:
  what asking the postings costs per word and segment);
- its stored fields read from the index (no cache);
- its title analysed into terms and positions, and its title and lede into
  written words (head_texts.HeadTexts).

It prints the median cost of each in microseconds (thread CPU time, the
median of five rounds). The ratios matter, not the absolute figures: the
rule compares one with the others.
"""
from __future__ import annotations

import random
import statistics
import sys
import time

SAMPLE = 400
ROUNDS = 5


def measure(index: str) -> dict:
    from search.retrieval.engine import Engine
    from search.retrieval.head_postings import by_segment, segment_holding
    from search.retrieval.head_texts import HeadTexts

    engine = Engine(index, result_cache_size=0)
    engine.warm()
    searcher = engine.searcher()
    reader = searcher.reader()
    docs = random.Random(1).sample(sorted(reader.all_doc_ids()), SAMPLE)
    stored = {d: searcher.stored_fields(d) for d in docs}
    texts = HeadTexts(searcher.schema, stored.__getitem__, lambda d: True)
    asked = [(leaf, offset, inside[0], field, word)
             for d in docs for leaf, offset, inside in by_segment(reader, [d])
             for field in ("title", "spell") for word in texts.terms(field, d)]

    def opens():
        for leaf, offset, docnum, field, word in asked:
            segment_holding(leaf, offset, field, word, [docnum])
        return len(asked)

    def reads():
        for d in docs:
            searcher.stored_fields(d)
        return len(docs)

    def analyse(field):
        def run():
            fresh = HeadTexts(searcher.schema, stored.__getitem__, lambda d: True)
            for d in docs:
                fresh.terms(field, d)
            return len(docs)
        return run

    steps = {"open_us": opens, "read_us": reads, "title_us": analyse("title"), "spell_us": analyse("spell")}
    found = {}
    for name, step in steps.items():
        times = []
        for _ in range(ROUNDS):
            started = time.thread_time()
            count = step()
            times.append((time.thread_time() - started) * 1e6 / count)
        found[name] = round(statistics.median(times), 1)
    engine.close()
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m bench.head_costs INDEX", file=sys.stderr)
        return 2
    for name, value in measure(argv[0]).items():
        print(f"{name} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
