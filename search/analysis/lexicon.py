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

ROOTS: frozenset[str] = load_words(ROOTS_FILE) | load_words(NEWS_ROOTS_FILE)
# Proper nouns never stemmed; acronyms in the file are harmless (they are
# short or unaffixed) and the apostrophe of ma'ruf is folded as in the index.
NAMES: frozenset[str] = frozenset(w.replace("'", "") for w in load_words(NAMES_FILE))

# Hyphenated words that are one lexical unit, kept whole: true reduplications
# whose half is not a word (kupu-kupu) or means something else
# (undang-undang), and imitative compounds (bolak-balik, sayur-mayur).
LEXICAL_COMPOUNDS: frozenset[str] = load_words(COMPOUNDS_FILE)
