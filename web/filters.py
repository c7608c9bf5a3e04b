"""Filter values: which sources and categories the index holds, and what to
say when a filter names none of them.

A filter on a value no article has finds nothing, and without a word the
user reads that as "no such story". Every source or category a search asks
for, as a parameter (``source=``, ``category=``) or in the query text
(``sumber:``, ``kategori:``), is checked against the values the index holds
(the facet columns, counted once per index generation); one it does not hold
comes back as an :class:`Unknown` with the valid values and the closest ones.
"""
from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

from search.categories import CATEGORIES, category_key, labels_of
from search.errors import QueryError
from search.retrieval.query_syntax import FIELD_ALIASES, Filter, Group, Not, read_query
from search.sources import display_name, source_key

FILTER_FACETS = ("source", "category")
KEY = {"source": source_key, "category": category_key}
CLOSEST = 3
# A field filter as typed in a query: sumber:kompas.com, kategori:"sepak bola".
TYPED_FILTER = re.compile(r'(?<![\w-])([A-Za-z]+):("[^"]*"|\S+)')


_held: tuple = (None, {})            # (the view counted, its counts)


@dataclass
class Unknown:
    """A filter value the index holds no article for."""

    facet: str                      # "source" | "category"
    value: str                      # as the user gave it
    closest: list[str] = field(default_factory=list)   # the likeliest meant, best first
    valid: list[str] = field(default_factory=list)     # every value there is
    in_query: bool = False          # typed in the query text (sumber:x), not a parameter

    def to_dict(self) -> dict:
        return {"facet": self.facet, "value": self.value, "closest": self.closest, "valid": self.valid}


def date_range(month, date_from, date_to) -> tuple:
    """The days a search keeps: the range given, narrowed to the month's days
    when a month is given too (``month`` is (first, last) or None)."""
    if month is not None:
        first, last = month
        date_from = max(date_from, first) if date_from else first
        date_to = min(date_to, last) if date_to else last
    return date_from, date_to


def view_of(engine):
    """The column view of the engine's current index generation."""
    return engine.generation(engine.searcher()).view


def held(engine, facet: str) -> dict[str, int]:
    """Value -> number of live articles, for every value of ``facet`` the index holds."""
    global _held
    view = view_of(engine)
    last_view, counts = _held
    if last_view is not view:       # a view per index generation: count once for each
        # Every value, not the facet's top ones: a value past them is still there.
        live = view.live
        counts = {name: dict(Counter(v for n, v in enumerate(view.columns[name]) if v is not None and n in live)
                             .most_common())
                  for name in FILTER_FACETS}
        _held = (view, counts)
    return counts[facet]


def available(engine) -> dict:
    """Every source and category the index holds, most articles first."""
    sources = [{"value": key, "name": display_name(key), "count": count}
               for key, count in held(engine, "source").items()]
    order = {name: i for i, name in enumerate(CATEGORIES)}
    categories = [{"value": key, "count": count, "labels": labels_of(key)}
                  for key, count in held(engine, "category").items()]
    categories.sort(key=lambda item: order.get(item["value"], len(order)))
    return {"source": sources, "category": categories}


def closest(facet: str, value: str, values: list[str]) -> list[str]:
    """The held values nearest ``value``, by their keys and (sources) display names."""
    names = {v: v for v in values}
    if facet == "source":
        names.update({display_name(v).lower(): v for v in values})
    matches = difflib.get_close_matches(KEY[facet](value), list(names), n=CLOSEST, cutoff=0.5)
    return list(dict.fromkeys(names[m] for m in matches))


def query_filters(q: str) -> list[tuple[str, str]]:
    """(facet, key) of every source or category filter typed in ``q``."""
    if isinstance(q, str) and ":" not in q:
        return []                     # a filter is typed as name:value (most queries have none)
    try:
        root = read_query(q).root
    except QueryError:
        return []
    found, stack = [], [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Group):
            stack.extend(node.children)
        elif isinstance(node, Not):
            continue                  # "-sumber:x" excludes: an unknown value there excludes nothing
        elif isinstance(node, Filter) and node.kind in FILTER_FACETS:
            found.append((node.kind, node.value))
    return found


def unknown_values(engine, q: str, filters: dict) -> list[Unknown]:
    """The filter values of a search (parameters and query text) no article has."""
    asked = [(facet, value, False) for facet in FILTER_FACETS for value in filters.get(facet) or ()]
    asked += [(facet, value, True) for facet, value in query_filters(q)]
    out, seen = [], set()
    for facet, value, in_query in asked:
        values = held(engine, facet)
        key = KEY[facet](value)
        if not key or key in values or (facet, key) in seen:
            continue
        seen.add((facet, key))
        valid = sorted(values, key=lambda v: -values[v])
        out.append(Unknown(facet, value, closest(facet, value, valid), valid, in_query))
    return out


def without_filters(q: str) -> str:
    """``q`` without the source, category and date filters typed in it ("" when
    nothing else is left, or when it has none)."""
    kept = TYPED_FILTER.sub(lambda m: "" if FIELD_ALIASES.get(m.group(1).lower()) in FILTERED else m.group(0), q)
    kept = " ".join(kept.split())
    return kept if kept != " ".join(q.split()) else ""


FILTERED = ("source", "category", "date")


def replace_in_query(q: str, facet: str, value: str, new: str) -> str:
    """``q`` with the typed filter on ``value`` changed to ``new``."""
    key = KEY[facet]

    def swap(match):
        name, typed = match.group(1), match.group(2)
        if FIELD_ALIASES.get(name.lower()) == facet and key(typed.strip('"')) == key(value):
            return f'{name}:"{new}"' if " " in new else f"{name}:{new}"
        return match.group(0)

    return TYPED_FILTER.sub(swap, q)
