"""A recency boost, measured but not used: ``Engine.search`` never applies it.

The benchmark (``bench/queries.py``, "cari + recency boost") re-orders the
engine's ranking with :func:`boost` to show what it would do.

A story's BM25F score is multiplied by ``1 + WEIGHT * 0.5 ** (age / HALF_LIFE)``,
its age counted in days back from the newest story in the index (not from
today: an archive of 2019 news must not rank by distance to the present).
Only the ranked candidates are re-ordered, so the boost cannot bring in a
document the query did not match. See docs/benchmarks.md for what it does to
retrieval on ../shared/eval before turning it on anywhere.
"""
from __future__ import annotations

WEIGHT = 0.3
HALF_LIFE_DAYS = 30.0
CANDIDATE_FACTOR = 3       # rank this many times the page depth before re-ordering


def boost(ranked: list[tuple[int, float]], view, newest=None) -> list[tuple[int, float]]:
    """``ranked`` (docnum, score) re-ordered by the boosted score."""
    dates = view.dates
    if newest is None:
        newest = view.newest_date()
    if newest is None:
        return ranked
    out = []
    for docnum, score in ranked:
        when = dates[docnum]
        if when is None:
            factor = 1.0
        else:
            age = max(0.0, (newest - when).total_seconds() / 86400)
            factor = 1.0 + WEIGHT * 0.5 ** (age / HALF_LIFE_DAYS)
        out.append((docnum, score * factor))
    out.sort(key=lambda item: -item[1])
    return out
