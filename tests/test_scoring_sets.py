"""scoring.union (an OR's documents) and scoring.top (the best k): the answer
never depends on the order a match set iterates in; equal scores at the cut
go to the lower document number, as Whoosh's collector decides them."""
from __future__ import annotations

import random

import pytest

from search.retrieval.scoring import top, union


def postings(docs) -> dict:
    return dict.fromkeys(sorted(docs), 1.0)


@pytest.mark.parametrize("bound", [40, 1000, 23_013, 368_208])
def test_union_is_the_union_of_its_parts(bound):
    rng = random.Random(bound)
    for _ in range(60):
        parts = []
        for _ in range(rng.choice([1, 2, 2, 3, 4])):
            size = min(bound, int(bound ** rng.uniform(0, 1)))
            docs = rng.sample(range(bound), size)
            kind = rng.choice(["keys", "keys", "set", "frozenset"])
            parts.append(postings(docs).keys() if kind == "keys" else set(docs) if kind == "set" else frozenset(docs))
        found = union(parts)
        assert type(found) is set and found == set().union(*parts)
        for part in parts:                      # the parts are left as they were
            assert len(part) == len(set(part))


def test_union_of_nothing_is_empty():
    assert union([]) == set()


def test_top_breaks_ties_at_the_cut_by_document_number_whatever_the_order():
    rng = random.Random(7)
    for _ in range(200):
        docs = rng.sample(range(5000), rng.randint(0, 60))
        scores = {d: float(rng.choice([0.5, 1.0, 1.0, 2.0, 3.5])) for d in docs}
        depth = rng.randint(1, 20)
        expected = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:depth]
        shuffled = list(scores.items())
        rng.shuffle(shuffled)
        assert top(dict(shuffled), depth) == expected
        assert top(dict(reversed(shuffled)), depth) == expected


def test_top_of_fewer_documents_than_the_depth_lists_them_all():
    assert top({9: 1.0, 2: 1.0, 5: 3.0}, 10) == [(5, 3.0), (2, 1.0), (9, 1.0)]
    assert top({}, 10) == []
