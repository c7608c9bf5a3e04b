"""The principle that learns the stemmer's kept-apart words (bench/stem_data.py),
on made-up data: which derived words become a term of their own, and which share one."""
from __future__ import annotations

from bench.stem_data import MIN_COUNT, candidates, drop_inflected, group_terms

STEM_OF = {"melakukan": "laku", "dilakukan": "laku", "lakukan": "laku", "pelaku": "laku",
           "perilaku": "laku", "kelakuan": "laku", "meninggal": "tinggal"}
COUNTS = {"melakukan": 10, "dilakukan": 8, "lakukan": 4, "pelaku": 3, "perilaku": 2, "kelakuan": 1,
          "meninggal": 2}


def test_words_unrelated_to_their_family_are_their_own_term_unless_used_alike():
    alike = {frozenset(("perilaku", "kelakuan"))}

    def close(a, b):
        return frozenset((a, b)) in alike

    terms = group_terms(["pelaku", "perilaku", "kelakuan"], [], STEM_OF, COUNTS, close)
    assert terms == {"pelaku": "pelaku", "perilaku": "perilaku", "kelakuan": "perilaku"}


def test_words_unrelated_to_the_bare_root_split_the_family_in_two():
    def never(a, b):
        return False

    terms = group_terms([], ["melakukan", "dilakukan", "lakukan", "meninggal"], STEM_OF, COUNTS, never)
    assert terms == {"melakukan": "melakukan", "dilakukan": "melakukan", "lakukan": "melakukan",
                     "meninggal": "meninggal"}


def test_a_word_apart_from_its_family_is_not_pulled_into_the_root_split():
    def never(a, b):
        return False

    terms = group_terms(["pelaku"], ["melakukan", "dilakukan", "pelaku"], STEM_OF, COUNTS, never)
    assert terms["pelaku"] == "pelaku" and terms["dilakukan"] == "melakukan"


def test_an_inflected_form_follows_its_base():
    assert drop_inflected({"menarik": "menarik", "menariknya": "menariknya", "umumnya": "umumnya"}) == {
        "menarik": "menarik", "umumnya": "umumnya"}


def test_candidates_need_uses_on_both_sides_and_a_root_other_than_the_word():
    counts = {"meninggal": MIN_COUNT, "tinggal": MIN_COUNT, "ditinggal": 5, "jarang": MIN_COUNT * 3,
              "tertinggal": MIN_COUNT - 1}
    stem_of = {"meninggal": "tinggal", "tinggal": "tinggal", "ditinggal": "tinggal", "jarang": "jarang",
               "tertinggal": "tinggal"}
    found, family = candidates(counts, stem_of)
    assert found == ["meninggal"]
    assert family["tinggal"] == sum(n for w, n in counts.items() if stem_of[w] == "tinggal")
