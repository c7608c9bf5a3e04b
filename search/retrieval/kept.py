"""Bounded caches a process keeps between searches: the oldest entry out first.

The engine's stored fields, the highlighter's bodies, a vocabulary's near
spellings and the head's analyses (head_texts.KeptAnalyses) are each a
plain dict (insertion order is age), shared by the process's threads and
filled under a lock.
"""
from __future__ import annotations


def keep(cache: dict, lock, limit: int, key, value) -> None:
    """``cache[key] = value``, the oldest entries dropped first so that it
    holds at most ``limit``; with ``limit`` 0 nothing is kept."""
    with lock:
        while cache and len(cache) >= limit:
            del cache[next(iter(cache))]
        if limit > 0:
            cache[key] = value
