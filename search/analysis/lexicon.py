"""Word lists the stemmer and the compound rules consult: roots, lexical compounds.

``roots_id.txt`` (a hand-written core) and ``roots_news_id.txt`` (the roots
of the words news uses, written word by word; its header says how) are both
written by us: no dictionary under a non-commercial licence is needed.
"""
from __future__ import annotations

from pathlib import Path

from search.analysis.stopwords import load_words

HERE = Path(__file__).parent
ROOTS_FILE = HERE / "roots_id.txt"
NEWS_ROOTS_FILE = HERE / "roots_news_id.txt"
COMPOUNDS_FILE = HERE / "compounds_id.txt"
NAMES_FILE = HERE / "names_id.txt"
KEPT_APART_FILE = HERE / "kept_apart_id.txt"
ROOT_USE_FILE = HERE / "root_use_id.txt"

ROOTS: frozenset[str] = load_words(ROOTS_FILE) | load_words(NEWS_ROOTS_FILE)
# Proper nouns never stemmed; acronyms in the file are harmless (they are
# short or unaffixed) and the apostrophe of ma'ruf is folded as in the index.
NAMES: frozenset[str] = frozenset(w.replace("'", "") for w in load_words(NAMES_FILE))

# Hyphenated words that are one lexical unit, kept whole: true reduplications
# whose half is not a word (kupu-kupu) or means something else
# (undang-undang), and imitative compounds (bolak-balik, sayur-mayur).
LEXICAL_COMPOUNDS: frozenset[str] = load_words(COMPOUNDS_FILE)

# Learnt from the news corpora by ``python -m bench.stem_data --write`` (the
# principle is in that module): how much news uses each root, and derived
# words that are their own term (word -> term).


def load_counts(path: Path) -> dict[str, int]:
    """``word count`` lines; ``#`` starts a comment."""
    counts: dict[str, int] = {}
    for fields in _lines(path):
        if len(fields) == 2:
            counts[fields[0]] = int(fields[1])
    return counts


def load_terms(path: Path) -> dict[str, str]:
    """``word`` (its own term) or ``word term`` lines; ``#`` starts a comment."""
    return {fields[0]: fields[-1] for fields in _lines(path) if len(fields) in (1, 2)}


def _lines(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    return [line.split("#", 1)[0].split() for line in path.read_text(encoding="utf-8").splitlines()]


ROOT_USE: dict[str, int] = load_counts(ROOT_USE_FILE)
KEPT_APART: dict[str, str] = load_terms(KEPT_APART_FILE)
