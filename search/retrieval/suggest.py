"""Autocomplete: complete the word being typed, and titles that start with the text.

Both lists are built once per index generation (sorted Python lists searched
with ``bisect``), so a keystroke costs a few dictionary and list operations:

- words: the ``spell`` field's vocabulary (surface words of titles and ledes)
  with document frequencies (``spelling.Words``); the last typed word is completed with the most
  frequent words that start with it, the words before it are kept;
- titles: every stored title, lowercased for matching.

The engine builds a ``Vocabulary`` once per index generation and passes it
in; ``suggest`` needs nothing else.
"""
from __future__ import annotations

import bisect
import re
import threading
from array import array

from search.analysis import STOPWORDS
from search.retrieval.query import clean_text

SCAN_LIMIT = 4000          # vocabulary entries read for one prefix
MIN_CHARS = 2              # letters typed before anything is suggested: one says too little
CACHE_LIMIT = 20_000       # remembered prefixes

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


class Vocabulary:
    """Sorted words and titles of one index generation."""

    def __init__(self, reader, words):
        self.words: list[str] = words.words
        self.freqs: list[int] = words.freqs
        titles = {}
        pairs: dict[tuple[str, str], int] = {}
        for docnum in reader.all_doc_ids():
            title = (reader.stored_fields(docnum).get("title") or "").strip()
            if title:
                titles.setdefault(title_key(title), (title, docnum))
                words = _WORD.findall(title.casefold())
                for pair in zip(words, words[1:]):
                    pairs[pair] = pairs.get(pair, 0) + 1
        # word -> the words that follow it in titles, most frequent first
        following: dict[str, list[tuple[int, str]]] = {}
        for (first, second), count in pairs.items():
            following.setdefault(first, []).append((-count, second))
        self.following = {w: [s for _, s in sorted(nexts)] for w, nexts in following.items()}
        self.title_keys = sorted(titles)
        self.titles = [titles[k][0] for k in self.title_keys]
        # The first live article of each title, as 4-byte numbers (a dict
        # would cost tens of MB at a few hundred thousand titles).
        self.title_docs = array("i", (titles[k][1] for k in self.title_keys))
        self._cache: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def complete_word(self, prefix: str, limit: int) -> list[str]:
        """The most frequent words that start with ``prefix`` (cached per prefix)."""
        key = f"{limit}:{prefix}"
        found = self._cache.get(key)
        if found is not None:
            return found
        start = bisect.bisect_left(self.words, prefix)
        candidates = []
        for i in range(start, min(start + SCAN_LIMIT, len(self.words))):
            word = self.words[i]
            if not word.startswith(prefix):
                break
            candidates.append((-self.freqs[i], word))
        candidates.sort()
        found = [w for _, w in candidates[:limit]]
        with self._lock:
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = found
        return found

    def complete_after(self, previous: str, prefix: str, limit: int) -> list[str]:
        """Words that follow ``previous`` in titles and start with ``prefix``."""
        found = []
        for word in self.following.get(previous, ()):
            if word.startswith(prefix):
                found.append(word)
                if len(found) >= limit:
                    break
        return found

    def article_titled(self, title: str) -> int | None:
        """The document number of the first live article titled ``title``
        (in any case and spacing), or None."""
        key = title_key(title)
        at = bisect.bisect_left(self.title_keys, key)
        if at < len(self.title_keys) and self.title_keys[at] == key:
            return self.title_docs[at]
        return None

    def complete_title(self, prefix: str, limit: int) -> list[str]:
        start = bisect.bisect_left(self.title_keys, prefix)
        found = []
        for i in range(start, min(start + limit, len(self.title_keys))):
            if not self.title_keys[i].startswith(prefix):
                break
            found.append(self.titles[i])
        return found


def suggest(vocab: Vocabulary, prefix, limit: int) -> list[str]:
    """Completions for what the user has typed so far: words first, then titles.

    ``limit``: a whole number, already within bounds (``Engine.suggest`` clamps it)."""
    text = clean_text(prefix)[:200].casefold()
    if len(text.replace(" ", "")) < MIN_CHARS or limit <= 0:
        return []
    head, _, last = text.rpartition(" ")
    words = []
    if last.isalpha():
        previous = head.rpartition(" ")[2]
        # After a word, only what follows it in titles ("kebakaran h" -> hutan): a pair
        # never seen together ("kabut asia") is no suggestion. Stopwords complete nothing.
        completions = (vocab.complete_after(previous, last, 2 * limit) if previous
                       else vocab.complete_word(last, 2 * limit))
        completions = [w for w in completions if w not in STOPWORDS][:limit]
        words = [f"{head} {w}" if head else w for w in completions]
    titles = vocab.complete_title(text, limit)
    # Words take the first half when there are titles too; either fills what the other leaves.
    half = max(1, (limit + 1) // 2) if titles else limit
    ordered = words[:half] + titles + words[half:]
    out, seen = [], set()
    for item in ordered:
        key = item.casefold()
        if key not in seen and key != text:
            seen.add(key)
            out.append(item)
    return out[:limit]


def title_key(title: str) -> str:
    """A title as autocomplete matches it: in any case, spaces collapsed."""
    return " ".join(title.split()).casefold()
