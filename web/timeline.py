"""The timeline of a results page: the engine's counts per period
(search/retrieval/timeline.py) laid out as the bars of a server-drawn SVG.

Each bar with articles is a link narrowing the search to its period, named
for screen readers by its period and count; the template
(``_timeline.html``) draws them. No JavaScript: the chart is the page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from web import i18n

WIDTH = 600            # viewBox units; the SVG scales to its box
HEIGHT = 64
GAP = 1                # between bars
MIN_BAR = 2            # a period with any article stays visible


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    label: str            # the period, in the page's language
    url: str | None       # None for an empty period
    selected: bool


def period_label(start: str, unit: str, lang: str | None = None) -> str:
    day = date.fromisoformat(start)
    if unit == "day":
        return i18n.format_date(day, lang)
    if unit == "week":
        return i18n.translate("week_of", lang, day=i18n.format_date(day, lang))
    if unit == "month":
        return i18n.format_month(start[:7], lang)
    return str(day.year)


def timeline_chart(state, periods: dict | None) -> dict | None:
    """Bars and labels for ``periods`` (None: nothing worth a chart)."""
    bins = (periods or {}).get("bins") or []
    if len(bins) < 2:
        return None
    unit = periods["unit"]
    tallest = max(b["count"] for b in bins) or 1
    step = WIDTH / len(bins)
    bars = []
    for i, b in enumerate(bins):
        height = 0 if not b["count"] else max(MIN_BAR, b["count"] / tallest * HEIGHT)
        bars.append(Bar(
            x=round(i * step, 2), y=round(HEIGHT - height, 2), width=round(max(step - GAP, 1), 2),
            height=round(height, 2), count=b["count"], label=period_label(b["start"], unit),
            url=state.period_url(b["start"], b["end"]) if b["count"] else None,
            selected=state.in_range(b["start"], b["end"]),
        ))
    return {"unit": unit, "bars": bars, "width": WIDTH, "height": HEIGHT, "tallest": tallest,
            "first": bars[0].label, "last": bars[-1].label, "undated": periods.get("undated", 0)}
