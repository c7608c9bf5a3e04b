"""Document sets as a request holds them (search/retrieval/docsets.py): an
ascending array and disjoint parts behave as the set they stand for."""
from __future__ import annotations

import random

import numpy as np

from search.retrieval.docsets import Ascending, Parts, doc_array


def test_an_ascending_array_is_its_set():
    rng = random.Random(1)
    for size in (0, 1, 7, 500):
        members = set(rng.sample(range(2000), size))
        docs = Ascending(np.array(sorted(members), dtype=np.int64))
        assert len(docs) == len(members) and bool(docs) == bool(members)
        assert list(docs) == sorted(members) and all(type(d) is int for d in docs)
        assert all((d in docs) == (d in members) for d in range(-1, 2001))
        assert docs == members and members & docs == members and (docs & {1, 2, 3}) == members & {1, 2, 3}
        assert doc_array(docs) is docs.array


def test_disjoint_parts_are_their_union_never_built():
    rng = random.Random(2)
    everything = list(range(3000))
    rng.shuffle(everything)
    a, b = set(everything[:1000]), Ascending(np.array(sorted(everything[1000:1500]), dtype=np.int64))
    converted = []

    def array_of(part):
        converted.append(part)
        return doc_array(part)

    union = Parts([a, set(), b], array_of)
    assert len(union) == 1500 and union and union == a | set(b)
    assert all((d in union) == (d in a or d in b) for d in range(3000))
    assert sorted(union) == sorted(a | set(b))
    assert sorted(union.array().tolist()) == sorted(a | set(b))
    assert union.array() is union.array() and len(converted) == 2      # made once, no empty part
    assert not Parts([set(), set()]) and len(Parts([])) == 0 and len(Parts([]).array()) == 0


def test_doc_array_of_a_set_and_a_range():
    assert sorted(doc_array({5, 3, 9}).tolist()) == [3, 5, 9]
    assert doc_array(range(2, 8, 2)).tolist() == [2, 4, 6]
    array = np.arange(4)
    assert doc_array(array) is array


def test_an_ascending_arrays_set_algebra_is_the_sets():
    """``&``, ``-`` and ``|`` of an ascending array with sets, a dict's keys
    and another ascending array (numpy, either side walked) give what the
    same sets give."""
    rng = random.Random(3)
    for _ in range(60):
        left = set(rng.sample(range(3000), rng.choice((0, 1, 40, 900))))
        right = set(rng.sample(range(3000), rng.choice((0, 1, 40, 900))))
        docs = Ascending(np.array(sorted(left), dtype=rng.choice((np.int32, np.int64))))
        others = [right, frozenset(right), dict.fromkeys(right).keys(),
                  Ascending(np.array(sorted(right), dtype=np.int64))]
        for other in others:
            assert docs & other == left & right and other & docs == left & right
            assert docs - other == left - right and other - docs == right - left
            assert docs | other == left | right and other | docs == left | right
        assert all(type(d) is int for d in docs & right) and isinstance(docs & right, set)


def test_array_union_and_at_least_count_as_sets_do():
    from search.retrieval.docsets import array_at_least, array_union

    rng = random.Random(4)
    for _ in range(40):
        sets = [set(rng.sample(range(1000), rng.randint(0, 300))) for _ in range(rng.randint(1, 5))]
        arrays = [np.array(sorted(s) if rng.random() < 0.5 else list(s), dtype=np.int64) for s in sets]
        assert array_union(arrays).tolist() == sorted(set().union(*sets))
        for least in range(1, len(sets) + 1):
            want = sorted(d for d in set().union(*sets) if sum(d in s for s in sets) >= least)
            assert array_at_least(arrays, least).tolist() == want
    assert array_union([]).tolist() == [] and array_at_least([np.array([], dtype=np.int64)], 1).tolist() == []


def test_array_union_of_few_members_among_many_documents_counts_as_sets_do():
    """Lists holding few of the document numbers are sorted together, not
    masked: the same union, from lists in any order, repeats included."""
    from search.retrieval.docsets import array_union

    rng = random.Random(7)
    for _ in range(60):
        top = rng.choice([50, 5_000, 100_000])
        lists = [[rng.randrange(top) for _ in range(rng.randint(0, 40))] for _ in range(rng.randint(1, 6))]
        for numbers in lists:
            if rng.random() < 0.5:
                numbers.sort()
        arrays = [np.array(numbers, dtype=rng.choice([np.int64, np.int32])) for numbers in lists]
        found = array_union(arrays)
        assert found.tolist() == sorted(set().union(*lists))
        assert found.dtype == np.int64
