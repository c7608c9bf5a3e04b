"""User text → Whoosh query: cari's query language, its limits and the request's budget.

Reading what a user typed into a tree (words, phrases, operators, fields,
dates, prefixes) is ``search/retrieval/query_syntax.py``; turning the tree
into a Whoosh query (analysis, prefix expansion, filters) is
``search/retrieval/query_builder.py``. This module is their entry point,
:func:`parse_query`, and holds what one request may spend (:class:`Budget`)
and the filters the API and the pages pass beside the query.

Cost: one :class:`Budget` per request holds the deadline every stage draws on
(parsing, expansion, spelling, matching, ranking, highlighting) and what a
reparse of the same request reuses (analysed words, expansions), so the
searcher's retries (correction, OR) never redo them.

Parsing never raises anything but :class:`QueryError`. Whoosh's own
QueryParser is not used: it raises on some input, has no cap on wildcard
expansion and costs a few milliseconds per parse.
"""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from search.errors import QueryError
from search.fields import SPELL_WORD_MAX
from search.retrieval import lanes
from search.retrieval.query_builder import (  # the names callers import from here: __all__
    MAX_EXPANSIONS, MAX_TERMS, MAX_TOTAL_EXPANSIONS, PREFIX_SCAN, SEARCH_FIELDS, TIMED_OUT, Builder,
    ParsedQuery, and_with_nots, any_field, build_query, date_query, split_top)
from search.retrieval.query_syntax import (
    FIELD_ALIASES, MAX_CLAUSES, MAX_NESTING, MAX_QUERY_CHARS, MIN_PREFIX, RANGE_WORDS, Filter, Group,
    Not, Phrase, Tok, Tree, Word, clean_text, date_bounds, lex, period, read_query)
from search.schema import category_key
from search.sources import source_key

# CPU seconds after which a search is heavy (needs its process's heavy slot):
# twice an ordinary query's p95 (1-3 words with highlights and facets, 14.6 ms
# on clickid in bench.scaling), so ordinary searches stay light.
HEAVY_CPU = 0.03
HEAVY_WAIT = 0.05         # seconds a heavy search waits for that slot before it stops, partial
HEAVY_CLAUSES = 16        # a query with more clauses than this, a prefix* or a word longer than
HEAVY_WORD = SPELL_WORD_MAX  # this (no vocabulary word is) is heavy from the start
# Checkpoints between two looks at the thread's CPU clock: reading it is a
# system call (4 us on the 2-core VM the benchmarks run on), and a search
# passes 150 checkpoints or more. It is not read at all while the wall clock
# (no system call) says less than HEAVY_CPU has passed: a thread cannot have
# used more CPU than that.
CPU_LOOK_EVERY = 8
# Most seconds a search of ordinary shape, heavy only by its CPU, steps aside
# for light requests in all. Under a steady stream of requests there is
# always one in flight: stepping aside at each of its checkpoints took such a
# search to its deadline (2 s, partial) on a busy machine, while the same
# query alone needs 10-20 ms. A search heavy by its shape (a hostile one)
# keeps stepping aside at every checkpoint.
HEAVY_CPU_YIELD = 0.1

_Builder = Builder        # its former name here (tests slow its expand() down)

__all__ = [
    # this module
    "Budget", "parse_query", "expansions_in", "normalize_filters", "as_list", "as_datetime", "FILTER_KEYS",
    "HEAVY_CPU", "HEAVY_WAIT", "HEAVY_CLAUSES", "HEAVY_WORD", "QueryError",
    # the language (query_syntax)
    "MAX_QUERY_CHARS", "MAX_CLAUSES", "MAX_NESTING", "MIN_PREFIX", "FIELD_ALIASES", "RANGE_WORDS",
    "Word", "Phrase", "Filter", "Not", "Group", "Tree", "Tok", "clean_text", "lex", "period",
    "date_bounds", "read_query",
    # the Whoosh query (query_builder)
    "MAX_EXPANSIONS", "MAX_TOTAL_EXPANSIONS", "MAX_TERMS", "TIMED_OUT", "PREFIX_SCAN", "SEARCH_FIELDS",
    "ParsedQuery", "Builder", "build_query", "date_query", "any_field", "and_with_nots", "split_top",
]


class Budget:
    """What one request may spend, shared by every stage and every reparse.

    ``deadline`` is a ``time.perf_counter()`` value. ``excuse`` runs work
    that belongs to the index generation, not to the query (building a
    vocabulary the first time it is needed) and moves the deadline by its
    duration. ``vocabulary``, when given, returns the spelling vocabulary
    (``search.retrieval.spelling.Words``: sorted ``words`` with document frequencies in
    ``freq``), which ranks prefix expansions without a lookup per word.

    ``gate`` (a lock shared by the searches of one process, or None) keeps
    heavy searches from piling up: once a search has used ``HEAVY_CPU``
    seconds of CPU (an ordinary query uses a few ms), or from the start when
    its shape is expensive (:meth:`mark_heavy`), it must hold the gate to go
    on, so a process runs one heavy search at a time. A heavy search that
    cannot get the gate within ``HEAVY_WAIT``, or, heavy by its shape, finds
    no place to wait (``lanes.WAITERS``), stops there (``shed``) and answers
    with what it has, flagged partial, freeing its thread. A heavy search leaves the
    light lane and, at each checkpoint, steps aside while light requests
    run (search/retrieval/lanes.py): one heavy by its shape every time, one
    heavy only by its CPU for ``HEAVY_CPU_YIELD`` seconds in all. Every stage's checkpoint is
    :meth:`expired`; :meth:`release` gives the gate back.
    """

    def __init__(self, seconds: float = float("inf"), expansions: int = MAX_TOTAL_EXPANSIONS,
                 vocabulary=None, gate=None):
        self.deadline = time.perf_counter() + seconds
        self.expansions_left = expansions
        self.vocabulary = vocabulary
        self.analysed: dict[str, list[list[str]]] = {}        # text -> terms by position
        self.expanded: dict[tuple, tuple] = {}                # (field, prefix) -> (terms, note)
        self.out_of_time = False
        self.shed = False               # stopped for a heavier search, not by the clock
        self.gate = gate
        self.holding = False
        self.by_shape = False           # heavy from the start (mark_heavy)
        self.cpu_start = time.thread_time()
        self.wall_start = time.perf_counter()     # CPU used since cpu_start is at most the time since
        self._until_look = 0            # checkpoints before the next look at the CPU clock
        self.yielded = 0.0              # seconds spent stepping aside for light requests

    def expired(self) -> bool:
        if self.gate is not None and not (self.holding or self.out_of_time):
            if self._until_look > 0:
                self._until_look -= 1
            else:
                self._until_look = CPU_LOOK_EVERY - 1
                if (time.perf_counter() - self.wall_start > HEAVY_CPU
                        and time.thread_time() - self.cpu_start > HEAVY_CPU and not self._take_gate()):
                    self.out_of_time = self.shed = True
        if self.holding or self.shed:       # heavy: light requests first
            self._step_aside()
        if not self.out_of_time and time.perf_counter() > self.deadline:
            self.out_of_time = True
        return self.out_of_time

    def _step_aside(self) -> None:
        most = min(lanes.HEAVY_YIELD, self.left())
        if not self.by_shape:
            most = min(most, HEAVY_CPU_YIELD - self.yielded)
        if most > 0:
            started = time.monotonic()
            if lanes.LIGHT.step_aside(most):
                self.yielded += time.monotonic() - started

    def _take_gate(self) -> bool:
        """This search is heavy: out of the light lane, then the gate if it is
        free, or if it frees within HEAVY_WAIT. A search heavy by its shape
        waits only in a free place (it holds a server thread meanwhile: see
        lanes.WAITERS); one of ordinary shape that costs more always may."""
        lanes.LIGHT.leave()
        if self.gate.acquire(blocking=False):
            self.holding = True
        elif not self.by_shape:         # an ordinary query that costs more: it waits its turn
            self.holding = self._wait_for_gate()
        elif lanes.WAITERS.acquire(blocking=False):
            try:
                self.holding = self._wait_for_gate()
            finally:
                lanes.WAITERS.release()
        return self.holding

    def _wait_for_gate(self) -> bool:
        return self.gate.acquire(timeout=max(0.0, min(HEAVY_WAIT, self.left())))

    def mark_heavy(self) -> None:
        """This search is expensive by its shape: out of the light lane now, and
        it needs the gate at its next checkpoint."""
        self.cpu_start -= HEAVY_CPU
        self.wall_start -= HEAVY_CPU
        self._until_look = 0            # the next checkpoint asks for the gate
        self.by_shape = True
        if self.gate is not None:
            lanes.LIGHT.leave()

    def release(self) -> None:
        """The search is over: give the gate back."""
        if self.holding:
            self.holding = False
            self.gate.release()

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def excuse(self, fn, *args):
        """``fn(*args)`` outside the budget: per-generation work only. Its
        time comes off the CPU counted toward heavy too, by the wall clock:
        it is at least the CPU the work used, and most calls find the work
        done (a dictionary lookup), where two reads of the CPU clock, system
        calls, would cost more than the call."""
        started = time.perf_counter()
        try:
            return fn(*args)
        finally:
            waited = time.perf_counter() - started
            self.deadline += waited
            self.wall_start += waited
            self.cpu_start += waited

    def words(self):
        """The vocabulary (built outside the budget), or None."""
        if self.vocabulary is None:
            return None
        return self.excuse(self.vocabulary)



def parse_query(text, reader, schema, analyzer, match_all: bool = True,
                budget: Budget | None = None) -> ParsedQuery:
    """Parse what a user typed; raise QueryError with a message for the user.

    ``budget``: the request's (deadline, expansion allowance, and what an
    earlier parse of the same request analysed and expanded); none: no limit
    but the caps."""
    tree = read_query(text)
    if budget is not None and (tree.prefixes or tree.clauses > HEAVY_CLAUSES
                               or tree.longest > HEAVY_WORD):
        budget.mark_heavy()
    return build_query(tree, reader, schema, analyzer, budget if budget is not None else Budget(),
                       match_all=match_all)


def expansions_in(text, reader, schema, analyzer, vocabulary=None) -> tuple[list[dict], list[str]]:
    """(what the words of ``text`` also stand for, the synonym lists' problems), as
    ``cari analyze --query`` shows them: ``expansion.Alternative.to_dict()`` each."""
    from search.analysis.synonyms import synonyms_for

    try:
        parsed = parse_query(text, reader, schema, analyzer, budget=Budget(vocabulary=vocabulary))
        found = [alt.to_dict() for alt in parsed.expansions]
    except QueryError:
        found = []                  # nothing to search for: nothing to expand
    return found, list(synonyms_for(analyzer).problems)


# --- filters from the API and the pages -----------------------------------------------------


def as_list(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    try:
        return [str(v) for v in value if v is not None and str(v) != ""]
    except TypeError:
        return [str(value)]


def as_datetime(value, end: bool) -> datetime | None:
    """A filter date (date, datetime or ISO text) as the index's naive datetime;
    ``end`` bounds are inclusive of the whole day (returned exclusive)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        start = datetime(value.year, value.month, value.day)
        if not end:
            return start
        try:
            return start + timedelta(days=1)
        except OverflowError:       # 9999-12-31: the last day there is
            raise QueryError(f"date out of range: {value.isoformat()}", "bad_date") from None
    start, stop = period(str(value)[:40])
    return stop if end else start


FILTER_KEYS = ("source", "category", "date_from", "date_to")


def normalize_filters(filters) -> dict:
    """The filters dict in one shape: lists of lowercase values, datetime bounds."""
    if not filters:
        return {"source": [], "category": [], "date": (None, None)}
    if not isinstance(filters, dict):
        raise QueryError("filters must be a mapping", "bad_filter")
    unknown = set(filters) - set(FILTER_KEYS)
    if unknown:
        raise QueryError(f"unknown filter {sorted(unknown)[0]!r}: use one of {', '.join(FILTER_KEYS)}",
                         "bad_filter")
    sources = sorted({source_key(v) for v in as_list(filters.get("source")) if v.strip()})
    categories = sorted({category_key(v) for v in as_list(filters.get("category")) if v.strip()})
    low = as_datetime(filters.get("date_from"), end=False)
    high = as_datetime(filters.get("date_to"), end=True)
    return {"source": sources, "category": categories, "date": (low, high)}
