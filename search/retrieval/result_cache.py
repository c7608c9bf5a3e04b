"""Recent search results, kept per worker so a repeated search costs a lookup.

News search traffic repeats itself (the day's stories are searched by many
readers at once), and a result depends only on the request and the index
generation, so a small LRU keyed by both is always correct: a commit makes a
new generation and old entries simply stop being asked for. The size (entries;
0 turns it off) is given by whoever builds the Engine: ``CARI_RESULT_CACHE``
for the web app (search/settings.py).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace


class ResultCache:
    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key):
        """A copy of the stored results (the caller may change its lists), or None."""
        if not self.size:
            return None
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
        return copy(found)

    def put(self, key, results) -> None:
        if not self.size or results.partial:   # a timed-out search may finish next time
            return
        results = copy(results)
        with self._lock:
            self._entries[key] = results
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def copy(results):
    """Results whose lists can be changed without touching the cached ones."""
    return replace(results, hits=list(results.hits), notes=list(results.notes),
                   facets={name: list(values) for name, values in results.facets.items()})
