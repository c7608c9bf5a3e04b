"""The principle that learns the stemmer's kept-apart words (bench/stem_data.py),
on made-up scores: which derived words it keeps apart and which share a term."""
from __future__ import annotations

from bench.stem_data import MIN_COUNT, UNRELATED_SHARE, apart, candidates, group_terms

RELATED = UNRELATED_SHARE / 2        # few unrelated families are as close: related
UNRELATED = UNRELATED_SHARE * 4      # many are: unrelated


def test_a_word_unrelated_to_its_family_is_kept_apart():
    assert apart((0.1, UNRELATED, None), count=500, root_count=0)
    assert not apart((0.5, RELATED, None), count=500, root_count=0)


def test_a_word_unrelated_to_its_root_word_is_kept_apart_only_when_as_used_as_the_root():
    assert apart((0.3, RELATED, UNRELATED), count=2000, root_count=1700)
    assert not apart((0.3, RELATED, UNRELATED), count=500, root_count=1700)   # the root's own searcher is not flooded
    assert not apart((0.3, RELATED, RELATED), count=2000, root_count=1700)


def test_kept_words_used_alike_share_the_most_used_ones_term():
    stem_of = {"melakukan": "laku", "dilakukan": "laku", "pelaku": "laku", "meninggal": "tinggal"}
    counts = {"melakukan": 10, "dilakukan": 8, "pelaku": 3, "meninggal": 2}
    alike = {frozenset(("melakukan", "dilakukan"))}

    def close(a, b):
        return frozenset((a, b)) in alike

    terms = group_terms(list(stem_of), [], stem_of, counts, close)
    assert terms == {"melakukan": "melakukan", "dilakukan": "melakukan", "pelaku": "pelaku",
                     "meninggal": "meninggal"}


def test_candidates_need_uses_on_both_sides_and_a_root_other_than_the_word():
    counts = {"meninggal": MIN_COUNT, "tinggal": MIN_COUNT, "ditinggal": 5, "jarang": MIN_COUNT * 3,
              "tertinggal": MIN_COUNT - 1}
    stem_of = {"meninggal": "tinggal", "tinggal": "tinggal", "ditinggal": "tinggal", "jarang": "jarang",
               "tertinggal": "tinggal"}
    found, family = candidates(counts, stem_of)
    assert found == ["meninggal"]
    assert family["tinggal"] == sum(n for w, n in counts.items() if stem_of[w] == "tinggal")


def test_a_sibling_used_alike_follows_a_kept_word_and_never_forms_a_term_alone():
    stem_of = {"diketahui": "tahu", "mengetahui": "tahu", "ketahuan": "tahu"}
    counts = {"diketahui": 9, "mengetahui": 7, "ketahuan": 1}
    alike = {frozenset(("diketahui", "mengetahui"))}

    def close(a, b):
        return frozenset((a, b)) in alike

    terms = group_terms(["diketahui"], list(stem_of), stem_of, counts, close)
    assert terms == {"diketahui": "diketahui", "mengetahui": "diketahui"}
