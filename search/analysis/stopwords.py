"""cari's own Indonesian stopword list (``stopwords_id.txt``, function words only)."""
from __future__ import annotations

from pathlib import Path

STOPWORDS_FILE = Path(__file__).with_name("stopwords_id.txt")


def load_words(path: Path) -> frozenset[str]:
    """Whitespace-separated words; ``#`` starts a comment."""
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        words.update(line.split("#", 1)[0].split())
    return frozenset(words)


STOPWORDS: frozenset[str] = load_words(STOPWORDS_FILE)
