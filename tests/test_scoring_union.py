"""scoring.union: an OR's documents as a set equal to ``ids |= c`` taken in
turn, in the same iteration order (it decides equal scores at the top-k cut),
for every size of union against the archive's size, the fast path included."""
from __future__ import annotations

import random

import pytest

from search.retrieval.scoring import least_mask, union


def in_turn(collections) -> set:
    ids: set = set()
    for c in collections:
        ids |= c
    return ids


def postings(docs) -> dict:
    return dict.fromkeys(sorted(docs), 1.0)


@pytest.mark.parametrize("bound", [40, 1000, 23_013, 92_052, 368_208])
def test_union_iterates_as_in_turn(bound):
    rng = random.Random(bound)
    fast = 0
    for _ in range(60):
        parts = []
        for _ in range(rng.choice([1, 2, 2, 3, 4])):
            size = min(bound, int(bound ** rng.uniform(0, 1)))
            docs = rng.sample(range(bound), size)
            kind = rng.choice(["keys", "keys", "set", "frozenset"])
            parts.append(postings(docs).keys() if kind == "keys" else set(docs) if kind == "set" else frozenset(docs))
        expected = in_turn(parts)
        found = union(parts, bound)
        assert type(found) is set and found == expected
        assert list(found) == list(expected)
        fast += least_mask(max(map(len, parts))) >= bound - 1
    assert fast          # the presized path was taken, and agreed


def test_union_of_nothing_and_of_other_collections():
    assert union([], 10) == set()
    with pytest.raises(TypeError):       # as ``ids |= [1]`` does
        union([[1, 2]], 10)


def test_least_mask_is_the_smallest_table_of_a_set():
    import sys

    for size in (0, 1, 4, 5, 10, 100, 5_000, 60_000):
        empty = sys.getsizeof(set())
        built = set(range(size))
        for _ in range(3):            # however the set grew, its table is at least this
            table = (sys.getsizeof(built) - empty) // 16 or 8
            assert table - 1 >= least_mask(size)
            built = set(built) | {size * 10 + 1}
            built.discard(size * 10 + 1)
