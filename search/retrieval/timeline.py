"""When the matching articles were published: counts per day, week, month or year.

The period is chosen by the span the matches cover, so a timeline has at
most ``MAX_BARS`` bars: days for up to two months, weeks for up to about a
year, then months, then years. Periods with no article between the first
and the last are kept (as 0), so the bars are a time axis and a gap shows.

The counts come from the dates the column view (``facets.ColumnView``)
already holds: no query runs for them. Each document's day is made once per
date column, as a number in an array, so counting the days of a match set
is one vectorised gather and ``bincount`` (numpy), not a step per document.
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from search.retrieval.docsets import doc_array

MAX_BARS = 62
UNITS = ("day", "week", "month", "year")


def period_start(day: date, unit: str) -> date:
    """The first day of the ``unit`` holding ``day`` (weeks start on Monday)."""
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def next_start(start: date, unit: str) -> date:
    if unit == "day":
        return start + timedelta(days=1)
    if unit == "week":
        return start + timedelta(days=7)
    if unit == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return date(start.year + 1, 1, 1)


def bars_between(first: date, last: date, unit: str) -> int:
    if unit == "day":
        return (last - first).days + 1
    if unit == "week":
        return (period_start(last, "week") - period_start(first, "week")).days // 7 + 1
    if unit == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return last.year - first.year + 1


def choose_unit(first: date, last: date) -> str:
    """The finest period that draws the span in at most ``MAX_BARS`` bars."""
    for unit in UNITS[:-1]:
        if bars_between(first, last, unit) <= MAX_BARS:
            return unit
    return "year"


_DAYS: dict[int, tuple[list, np.ndarray]] = {}     # id(dates) -> (dates, their days): a few index generations


def day_numbers(dates: list) -> np.ndarray:
    """Each document's day as its proleptic ordinal (0: no date), made once
    per date column."""
    found = _DAYS.get(id(dates))
    if found is None or found[0] is not dates:
        if len(_DAYS) >= 4:
            _DAYS.clear()
        days = np.fromiter((d.toordinal() if d is not None else 0 for d in dates), dtype=np.int32,
                           count=len(dates))
        found = _DAYS[id(dates)] = (dates, days)
    return found[1]


def timeline(dates: list, docs) -> dict:
    """Counts of ``docs`` per period: ``{"unit", "bins": [{"start", "end",
    "count"}], "undated"}``; ``dates`` is the view's per-document list
    (datetime or None). ``start``/``end`` are ISO days, both inclusive.

    The periods are made first (at most MAX_BARS), then each document's day
    is placed among their first days with one ``searchsorted`` and counted
    with ``bincount``: no date object per matching day."""
    days = day_numbers(dates)[doc_array(docs)]
    dated = days[days > 0]
    undated = len(days) - len(dated)
    if not len(dated):
        return {"unit": "day", "bins": [], "undated": undated}
    first, last = date.fromordinal(int(dated.min())), date.fromordinal(int(dated.max()))
    unit = choose_unit(first, last)
    starts, ends = [], []
    start = period_start(first, unit)
    while start <= last:
        end = next_start(start, unit)
        starts.append(start)
        ends.append(end - timedelta(days=1))
        start = end
    edges = np.fromiter((s.toordinal() for s in starts), dtype=np.int64, count=len(starts))
    counts = np.bincount(np.searchsorted(edges, dated, side="right") - 1, minlength=len(starts))
    bins = [{"start": s.isoformat(), "end": e.isoformat(), "count": n}
            for s, e, n in zip(starts, ends, counts.tolist())]
    return {"unit": unit, "bins": bins, "undated": undated}
