"""When the matching articles were published: counts per day, week, month or year.

The period is chosen by the span the matches cover, so a timeline has at
most ``MAX_BARS`` bars: days for up to two months, weeks for up to about a
year, then months, then years. Periods with no article between the first
and the last are kept (as 0), so the bars are a time axis and a gap shows.

The counts come from the dates the column view (``facets.ColumnView``)
already holds, one lookup per matched document: no query runs for them.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

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


_DAYS: dict[int, tuple[list, list]] = {}     # id(dates) -> (dates, their days): a few index generations


def day_list(dates: list) -> list:
    """Each document's day (or None), made once per date column: a search
    then counts its documents' days without a Python step per document."""
    found = _DAYS.get(id(dates))
    if found is None or found[0] is not dates:
        if len(_DAYS) >= 4:
            _DAYS.clear()
        found = _DAYS[id(dates)] = (dates, [d.date() if d is not None else None for d in dates])
    return found[1]


def timeline(dates: list, docs) -> dict:
    """Counts of ``docs`` per period: ``{"unit", "bins": [{"start", "end",
    "count"}], "undated"}``; ``dates`` is the view's per-document list
    (datetime or None). ``start``/``end`` are ISO days, both inclusive."""
    days = Counter(map(day_list(dates).__getitem__, docs))      # counted in C
    undated = days.pop(None, 0)
    if not days:
        return {"unit": "day", "bins": [], "undated": undated}
    first, last = min(days), max(days)
    unit = choose_unit(first, last)
    counts = Counter()
    for day, count in days.items():
        counts[period_start(day, unit)] += count
    bins = []
    start = period_start(first, unit)
    while start <= last:
        end = next_start(start, unit)
        bins.append({"start": start.isoformat(), "end": (end - timedelta(days=1)).isoformat(),
                     "count": counts.get(start, 0)})
        start = end
    return {"unit": unit, "bins": bins, "undated": undated}
