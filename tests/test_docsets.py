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
