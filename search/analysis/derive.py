"""A root lexicon learnt from the corpus being indexed (``derive``).

Verb roots are rarely seen bare in news (jarah appears as dijarah, menjarah,
penjarahan), so a root is accepted when the corpus shows it under several
distinct affix patterns; bare use counts as one pattern. Words seen
capitalised mid-sentence nearly always are names and are never stemmed.
It builds on the stemmer's affix readings, so it lives apart from the
lexicon the stemmer reads.
"""
from __future__ import annotations

import re
from collections import Counter

from search.analysis.lexicon import ROOTS
from search.analysis.stemmer import lexicon_stem, prefix_readings, suffix_readings
from search.analysis.stopwords import STOPWORDS

MIN_PATTERNS = 3
MIN_NAME_COUNT = 3
NAME_RATIO = 0.9
# Families that do not change the root's first sound: evidence that the root
# really starts as written (ditunjuk supports tunjuk, not the colloquial nunjuk).
PLAIN_FAMILIES = frozenset({"", "di", "be", "te", "ke", "se"})
# Two consonants may begin a root only as one of these (loanwords included).
ONSETS = frozenset("pr tr kr gr br dr fr bl kl pl fl gl sl sp st sk sm sn sw sy ny ng kh sc".split())
VOWELS = frozenset("aeiou")


def plausible_root(root: str) -> bool:
    """Rejects leftovers like rcaya (pe+rcaya) or mbersih that no root looks like."""
    if len(root) < 4 or not root.isalpha():
        return False                   # short roots are few and all in our list
    if root[0] not in VOWELS and root[1] not in VOWELS and root[:2] not in ONSETS:
        return False
    if root[:2] in ("ng", "ny") and root[2:3] not in VOWELS:
        return False
    return True


def _candidate_patterns(word: str):
    """Yield ``(root, pattern)`` for every single-prefix reading of ``word``."""
    for base, suffix in suffix_readings(word):
        yield base, ("", suffix)
        for family, rest in prefix_readings(base):
            yield rest, (family, suffix)


def _count(texts):
    """Counts of each word form as written and of its lowercase form, plus how
    often each lowercase word is capitalised in the middle of a sentence."""
    counts: Counter = Counter()
    capitalised: Counter = Counter()
    for text in texts:
        previous = "."
        for match in re.finditer(r"[^\W\d_]+|[.!?:\"“”]", text):
            token = match.group()
            if not token[0].isalpha():
                previous = "."
                continue
            word = token.lower()
            counts[word] += 1
            if previous != "." and token[0].isupper() and not token.isupper():
                capitalised[word] += 1
            previous = token
    return counts, capitalised


def derive(texts, trusted: frozenset[str] = ROOTS, min_patterns: int = MIN_PATTERNS):
    """``(extra_roots, names)`` learnt from ``texts`` (body strings; titles are
    capitalised word by word and would make every word look like a name).

    A candidate root must show up under ``min_patterns`` distinct
    (prefix, suffix) patterns, with two prefixes, two suffixes and one prefix
    that leaves the root's first sound alone. Only roots the trusted lexicon
    cannot already explain are kept (e.g. jarah from dijarah, penjarahan).
    """
    counts, capitalised = _count(texts)
    names = frozenset(
        w for w, n in capitalised.items()
        if n >= MIN_NAME_COUNT and n >= NAME_RATIO * counts[w] and len(w) >= 3
    )
    patterns: dict[str, set] = {}
    for word in counts:
        if len(word) < 4 or word in STOPWORDS or word in names:
            continue
        for root, pattern in _candidate_patterns(word):
            if plausible_root(root):
                patterns.setdefault(root, set()).add(pattern)
    candidates = set()
    for root, seen in patterns.items():
        if len(seen) < min_patterns or root in trusted or root in names or root in STOPWORDS:
            continue
        families = {family for family, _ in seen}
        suffixes = {suffix for _, suffix in seen}
        if len(families) >= 2 and len(suffixes) >= 2 and families & PLAIN_FAMILIES:
            candidates.add(root)
    # Keep only minimal roots: drop a candidate that is itself an affixed form
    # of a trusted root or of another candidate (penjarahan of jarah).
    extra = set()
    everything = frozenset(trusted | candidates)
    for root in candidates:
        if lexicon_stem(root, trusted) is not None:
            continue
        if lexicon_stem(root, everything - {root}) is not None:
            continue
        extra.add(root)
    return frozenset(extra), names
