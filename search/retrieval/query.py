"""User text → Whoosh query: cari's query language, limits and filters.

The language (what a user may type):

- words: every word must match (``match_all``); the searcher retries with OR
  when that finds nothing;
- ``"exact phrase"``, ``-exclude`` (word, phrase or group; also ``NOT``),
  ``OR`` (also ``ATAU``, ``|``), ``( )``; ``AND``/``DAN`` are accepted and add nothing;
- fields: ``judul:``/``title:`` (text in the title), ``sumber:``/``source:``,
  ``kategori:``/``category:``, ``tanggal:``/``date:`` (``2019``, ``2019-09``,
  ``2019-09-15``, ``15/9/2019``, ``[2019-09-01 TO 2019-09-15]``),
  ``sebelum:``/``before:``, ``sesudah:``/``after:``;
- ``prefix*``: expanded over the index vocabulary, at most ``MAX_EXPANSIONS``
  words (the most frequent ones; the response is then flagged partial), and
  at most ``MAX_TOTAL_EXPANSIONS`` words for all the prefixes of one query
  together (a prefix past that allowance is left out, with a note).

Cost: one :class:`Budget` per request holds the deadline every stage draws on
(parsing, expansion, spelling, matching, ranking, highlighting) and what a
reparse of the same request reuses (analysed words, expansions), so the
searcher's retries (correction, OR) never redo them.

An unknown ``name:value`` is read as two words. Parsing never raises anything
but :class:`QueryError`: unbalanced quotes and brackets are closed, lone
operators are ignored, and text the analyzer drops (emoji, punctuation)
simply adds nothing. Whoosh's own QueryParser is not used:
it raises on some input, has no cap on wildcard expansion and costs a few
milliseconds per parse.
"""
from __future__ import annotations

import bisect
import heapq
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from whoosh import query as wq

from search.errors import QueryError
from search.schema import category_key

MAX_QUERY_CHARS = 500
MAX_CLAUSES = 40          # words, phrases and filters in one query
MAX_DEPTH = 8             # nested parentheses beyond this are read as plain text
MAX_EXPANSIONS = 30       # words one prefix* may stand for
MAX_TOTAL_EXPANSIONS = 90  # words all the prefix* of one query may stand for together
MAX_TERMS = 120           # distinct analysed terms of the words and phrases typed
HEAVY_CPU = 0.015         # CPU seconds after which a search is heavy (needs its process's heavy slot)
HEAVY_WAIT = 0.05         # seconds a heavy search waits for that slot before it stops, partial
HEAVY_CLAUSES = 16        # a query with more clauses than this, a prefix* or a word longer than
HEAVY_WORD = 24           # this (no vocabulary word is) is heavy from the start
TIMED_OUT = "was left out: the search ran out of time"
PREFIX_SCAN = 3000        # vocabulary entries read to pick those words
MIN_PREFIX = 2
SEARCH_FIELDS = ("title", "body")
SPELL_FIELD = "spell"

FIELD_ALIASES = {
    "judul": "title", "title": "title",
    "sumber": "source", "source": "source",
    "kategori": "category", "category": "category",
    "tanggal": "date", "date": "date",
    "sebelum": "before", "before": "before",
    "sesudah": "after", "after": "after", "setelah": "after",
}
RANGE_WORDS = {"to", "sampai", "hingga", "-", ".."}


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
    seconds of CPU (an ordinary query uses a few ms) it must hold the gate
    to go on, so a process runs one heavy search at a time and its light
    searches share the interpreter with one heavy thread, not with all. A
    heavy search that cannot get the gate within ``HEAVY_WAIT`` stops there
    (``shed``) and answers with what it has, flagged partial, freeing its
    thread. Every stage's checkpoint is :meth:`expired`; :meth:`release`
    gives the gate back.
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
        self.cpu_start = time.thread_time()

    def expired(self) -> bool:
        if self.out_of_time:
            return True
        if (self.gate is not None and not self.holding
                and time.thread_time() - self.cpu_start > HEAVY_CPU):
            if not self.gate.acquire(timeout=max(0.0, min(HEAVY_WAIT, self.left()))):
                self.out_of_time = self.shed = True
                return True
            self.holding = True
        if time.perf_counter() > self.deadline:
            self.out_of_time = True
        return self.out_of_time

    def mark_heavy(self) -> None:
        """This search is expensive by its shape: it needs the gate at its next checkpoint."""
        self.cpu_start -= HEAVY_CPU

    def release(self) -> None:
        """The search is over: give the gate back."""
        if self.holding:
            self.holding = False
            self.gate.release()

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def excuse(self, fn, *args):
        """``fn(*args)`` outside the budget: per-generation work only."""
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            return fn(*args)
        finally:
            self.deadline += time.perf_counter() - started
            self.cpu_start += time.thread_time() - cpu

    def words(self):
        """The vocabulary (built outside the budget), or None."""
        if self.vocabulary is None:
            return None
        return self.excuse(self.vocabulary)


# --- the syntax tree ------------------------------------------------------------


@dataclass
class Word:
    text: str
    start: int
    end: int
    field: str | None = None      # None: title and body; "title": title only
    prefix: bool = False


@dataclass
class Phrase:
    text: str
    field: str | None = None


@dataclass
class Filter:
    kind: str                      # source | category | date
    value: object                  # str, or (start, end) datetimes for dates


@dataclass
class Not:
    child: object


@dataclass
class Group:
    op: str                        # "and" | "or"
    children: list = field(default_factory=list)


@dataclass
class ParsedQuery:
    """What the searcher needs from the user's text."""

    text: str                              # the cleaned text
    query: wq.Query | None                 # scored part; None when only filters were typed
    filter: wq.Query | None                # top-level filters (not scored)
    terms: set[str] = field(default_factory=set)    # analysed terms to highlight
    words: list[Word] = field(default_factory=list)  # plain words, for spelling
    partial: bool = False                  # an expansion was capped
    positives: int = 0                     # top-level clauses that add matches
    notes: list[str] = field(default_factory=list)
    cut_short: bool = False                # a clause was left out for lack of time: no exact total

    @property
    def has_text(self) -> bool:
        return self.query is not None


# --- cleaning and lexing -----------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def clean_text(text) -> str:
    """Drop control and invisible characters and squeeze whitespace."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = _CONTROL.sub(" ", text)
    text = "".join(ch for ch in text if ch.isprintable() or ch == " ")
    return " ".join(text.split())


_FIELD_RE = re.compile(r"([A-Za-z]+):(.*)", re.S)


@dataclass
class Tok:
    kind: str          # word | phrase | lparen | rparen | or | not | field
    text: str
    start: int
    end: int
    neg: bool = False
    name: str = ""     # canonical field name for kind == "field"


def lex(text: str) -> list[Tok]:
    toks: list[Tok] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == " ":
            i += 1
            continue
        if ch in "()":
            toks.append(Tok("lparen" if ch == "(" else "rparen", ch, i, i + 1))
            i += 1
            continue
        neg = False
        if ch == "-" and i + 1 < n and text[i + 1] not in " )":
            neg, i = True, i + 1
            ch = text[i]
        if ch == "(":
            toks.append(Tok("not", "-", i - 1, i))
            continue
        if ch == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end
            toks.append(Tok("phrase", text[i + 1:end], i + 1, end, neg))
            i = end + 1
            continue
        j = i
        while j < n and text[j] not in ' ()"':
            j += 1
        chunk = text[i:j]
        m = _FIELD_RE.fullmatch(chunk)
        if m and m.group(1).lower() in FIELD_ALIASES:
            name = FIELD_ALIASES[m.group(1).lower()]
            value, j = _field_value(text, m.group(2), j)
            toks.append(Tok("field", value, i, j, neg, name))
            i = j
            continue
        if m and m.group(2) and not m.group(2).startswith(":"):
            # An unknown field ("foo:banjir"): two words, each may fall back to OR.
            colon = i + len(m.group(1))
            toks.append(Tok("word", m.group(1), i, colon, neg))
            toks.append(Tok("word", m.group(2), colon + 1, j))
            i = j
            continue
        if not neg and chunk in ("OR", "|", "||", "ATAU"):
            toks.append(Tok("or", chunk, i, j))
        elif not neg and chunk == "NOT":
            toks.append(Tok("not", chunk, i, j))
        elif not neg and chunk in ("AND", "&", "&&", "DAN"):
            pass                        # AND is the default; the word itself adds nothing
        else:
            toks.append(Tok("word", chunk, i, j, neg))
        i = j
    return toks


def _field_value(text: str, value: str, j: int) -> tuple[str, int]:
    """A field's value: the rest of the chunk, or a quoted or bracketed value after it."""
    n = len(text)
    if value or j >= n:
        if value[:1] in "[{" and not value.endswith(("]", "}")):
            close = _find_close(text, j)
            return value + text[j:close + 1], min(close + 1, n)
        return value, j
    if text[j] == '"':
        end = text.find('"', j + 1)
        end = n if end < 0 else end
        return '"' + text[j + 1:end] + '"', end + 1
    return value, j


def _find_close(text: str, j: int) -> int:
    for k in range(j, len(text)):
        if text[k] in "]}":
            return k
    return len(text)


# --- parsing tokens into a tree -------------------------------------------------------


class _Parser:
    def __init__(self, toks: list[Tok]):
        self.toks = toks
        self.pos = 0
        self.clauses = 0
        self.prefixes = 0
        self.longest = 0

    def parse(self) -> Group:
        group = self.or_expr(0)
        # Unbalanced ")" end an expression early: read on, as if they were not there.
        while self.pos < len(self.toks):
            self.pos += 1
            more = self.or_expr(0)
            group = Group("and", [group, more])
        return group

    def or_expr(self, depth: int) -> Group:
        alternatives = [self.and_expr(depth)]
        while self.pos < len(self.toks) and self.toks[self.pos].kind == "or":
            self.pos += 1
            alternatives.append(self.and_expr(depth))
        alternatives = [a for a in alternatives if a.children]
        if len(alternatives) == 1:
            return alternatives[0]
        return Group("or", alternatives)

    def and_expr(self, depth: int) -> Group:
        children = []
        while self.pos < len(self.toks):
            tok = self.toks[self.pos]
            if tok.kind == "or" or (tok.kind == "rparen" and depth > 0):
                break
            if tok.kind == "rparen":          # unbalanced at top level: skip
                self.pos += 1
                continue
            node = self.unary(depth)
            if node is not None:
                children.append(node)
        return Group("and", children)

    def unary(self, depth: int):
        tok = self.toks[self.pos]
        if tok.kind == "not":
            self.pos += 1
            if self.pos >= len(self.toks) or self.toks[self.pos].kind in ("or", "rparen"):
                return None                   # a lone NOT / "-": ignore it
            child = self.unary(depth)
            return Not(child) if child is not None else None
        self.pos += 1
        if tok.kind == "lparen":
            if depth >= MAX_DEPTH:
                return None
            inner = self.or_expr(depth + 1)
            if self.pos < len(self.toks) and self.toks[self.pos].kind == "rparen":
                self.pos += 1
            return inner if inner.children else None
        node = self.atom(tok)
        if node is not None:
            self.clauses += 1
            if self.clauses > MAX_CLAUSES:
                raise QueryError(f"too many words: at most {MAX_CLAUSES} words, phrases and filters",
                                 "too_many_terms")
            if tok.neg:
                node = Not(node)
        return node

    def atom(self, tok: Tok):
        if tok.kind == "phrase":
            return Phrase(tok.text) if tok.text.strip() else None
        if tok.kind == "word":
            text = tok.text
            self.longest = max(self.longest, len(text))
            prefix = text.endswith("*") and len(text.rstrip("*")) >= MIN_PREFIX
            self.prefixes += prefix
            text = text.rstrip("*") if prefix else text
            return Word(text, tok.start + (1 if tok.neg else 0), tok.start + (1 if tok.neg else 0) + len(text),
                        prefix=prefix) if text.strip("*") else None
        if tok.kind == "field":
            return self.field(tok)
        return None

    def field(self, tok: Tok):
        name, value = tok.name, tok.text.strip()
        if not value:
            return None
        if name == "title":
            if value.startswith('"'):
                return Phrase(value.strip('"'), field="title")
            prefix = value.endswith("*") and len(value.rstrip("*")) >= MIN_PREFIX
            self.prefixes += prefix
            return Word(value.rstrip("*") if prefix else value, tok.start, tok.end, field="title", prefix=prefix)
        if name in ("source", "category"):
            value = value.strip('"').strip()
            if not value:
                return None
            return Filter(name, category_key(value) if name == "category" else value.lower())
        return Filter("date", date_bounds(name, value.strip('"')))


# --- dates -----------------------------------------------------------------------------

_DATE_FORMATS = (
    (re.compile(r"(\d{4})$"), "y"),
    (re.compile(r"(\d{4})[-/.](\d{1,2})$"), "ym"),
    (re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"), "ymd"),
    (re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$"), "dmy"),
    (re.compile(r"(\d{1,2})[-/.](\d{4})$"), "my"),
)


def period(value: str) -> tuple[datetime, datetime]:
    """``[start, end)`` of the day, month or year ``value`` names."""
    value = value.strip()
    for pattern, shape in _DATE_FORMATS:
        m = pattern.match(value)
        if not m:
            continue
        parts = [int(g) for g in m.groups()]
        try:
            if shape == "y":
                return datetime(parts[0], 1, 1), datetime(parts[0] + 1, 1, 1)
            if shape in ("ym", "my"):
                year, month = (parts[0], parts[1]) if shape == "ym" else (parts[1], parts[0])
                start = datetime(year, month, 1)
                return start, _next_month(start)
            year, month, day = parts if shape == "ymd" else (parts[2], parts[1], parts[0])
            start = datetime(year, month, day)
            return start, start + timedelta(days=1)
        except (ValueError, OverflowError):    # 2019-13, or past datetime's year 9999
            raise QueryError(f"date out of range: {value[:40]!r}", "bad_date") from None
    raise QueryError(f"unknown date {value[:40]!r}: write it as 2019, 2019-09 or 2019-09-15",
                     "bad_date")


def _next_month(start: datetime) -> datetime:
    return datetime(start.year + (start.month == 12), start.month % 12 + 1, 1)


def date_bounds(name: str, value: str) -> tuple[datetime | None, datetime | None]:
    """``(start, end)`` (end exclusive, either may be None) for a date filter."""
    if name == "before":
        return None, period(value)[0]
    if name == "after":
        return period(value)[1], None
    if value[:1] in "[{":
        inner = value.strip("[]{}").split()
        words = [w for w in inner if w.lower() not in RANGE_WORDS]
        if len(words) == 1:              # an unfinished range: open at the end
            words.append("*")
        if len(words) != 2:
            raise QueryError("write a date range as tanggal:[2019-09-01 TO 2019-09-15]", "bad_date")
        low = None if words[0] == "*" else period(words[0])[0]
        high = None if words[1] == "*" else period(words[1])[1]
        return low, high
    return period(value)


def date_query(bounds) -> wq.Query:
    low, high = bounds
    if low is None and high is None:
        return wq.Every()
    if low is not None and high is not None and low >= high:
        return wq.NullQuery
    return wq.DateRange("date", low, high, endexcl=True)


# --- tree to Whoosh ----------------------------------------------------------------------


class _Builder:
    def __init__(self, reader, schema, analyzer, parsed: ParsedQuery, budget: Budget | None = None):
        self.reader = reader
        self.schema = schema
        self.analyzer = analyzer
        self.parsed = parsed
        self.budget = budget if budget is not None else Budget()
        self._terms = self.budget.analysed
        self._typed: set[str] = set()      # distinct terms of the words and phrases (MAX_TERMS)

    def terms(self, text: str) -> list[list[str]]:
        """Analysed terms of ``text``, grouped by position (a name's short form
        shares its first word's position). Kept per text: ``distinct`` and
        ``word`` both ask."""
        found = self._terms.get(text)
        if found is None:
            found = self._terms[text] = self._analyse(text)
        return found

    def count_terms(self, positions: list[list[str]]) -> None:
        """Hold the typed terms to ``MAX_TERMS`` (expansions have their own allowance)."""
        for alts in positions:
            self._typed.update(alts)
        if len(self._typed) > MAX_TERMS:
            raise QueryError(f"too many words: at most {MAX_TERMS} different terms", "too_many_terms")

    def _analyse(self, text: str) -> list[list[str]]:
        by_pos: dict[int, list[str]] = {}
        for token in self.analyzer(text, positions=True, mode="query"):
            alts = by_pos.setdefault(token.pos, [])
            if token.text not in alts:
                alts.append(token.text)
        return [by_pos[p] for p in sorted(by_pos)]

    def build(self, node, positive: bool = True, match_all: bool = True):
        if isinstance(node, Group):
            parts = [self.build(c, positive, match_all) for c in self.distinct(node.children, positive)]
            parts = [p for p in parts if p is not None]
            if not parts:
                return None
            if len(parts) == 1:
                return parts[0]
            if node.op == "or" or not match_all:
                return wq.Or(parts)
            return and_with_nots(parts)
        if isinstance(node, Not):
            child = self.build(node.child, positive=False)
            return wq.Not(child) if child is not None else None
        if isinstance(node, Filter):
            q = date_query(node.value) if node.kind == "date" else wq.Term(node.kind, node.value)
            return wq.ConstantScoreQuery(q, 0.0)
        if isinstance(node, Phrase):
            return self.phrase(node, positive)
        if isinstance(node, Word):
            return self.word(node, positive)
        return None

    def distinct(self, children: list, positive: bool) -> list:
        """The group's children, less a word whose terms repeat a sibling's.

        In a long query, stemming makes dijalankan and berjalan one term
        (jalan); counted twice, that common term would outweigh the rarer
        words. Within one group a repeat never changes what matches
        (jalan AND jalan), so it is left out of the query and scored once,
        but it stays among the words typed (highlighting, written forms).
        """
        seen: set = set()
        kept = []
        for child in children:
            if isinstance(child, Word) and child.prefix:
                key = (child.field, "*", child.text.lower())     # me* me* me*: one expansion
                if key in seen:
                    continue
                seen.add(key)
            elif isinstance(child, Word):
                key = (child.field, tuple(tuple(alts) for alts in self.terms(child.text)))
                if key[1] and key in seen:
                    if positive and child.field is None:
                        self.parsed.words.append(child)
                    continue
                seen.add(key)
            kept.append(child)
        return kept

    def fields(self, field_name):
        return (field_name,) if field_name else SEARCH_FIELDS

    def word(self, node: Word, positive: bool):
        if node.prefix:
            return self.prefix(node, positive)
        positions = self.terms(node.text)
        if not positions:
            return None
        self.count_terms(positions)
        if positive:
            if node.field is None:
                self.parsed.words.append(node)
            for alts in positions:
                self.parsed.terms.update(alts)
        fields = self.fields(node.field)
        per_pos = [any_field(fields, alts) for alts in positions]
        return per_pos[0] if len(per_pos) == 1 else wq.And(per_pos)

    def phrase(self, node: Phrase, positive: bool):
        positions = self.terms(node.text)
        if not positions:
            return None
        self.count_terms(positions)
        if positive:
            for alts in positions:
                self.parsed.terms.update(alts)
        fields = self.fields(node.field)
        if len(positions) == 1:
            return any_field(fields, positions[0])
        words = [alts[0] for alts in positions]
        return wq.Or([wq.Phrase(f, words) for f in fields])

    def prefix(self, node: Word, positive: bool):
        prefix = node.text.lower()
        memo = self.budget.expanded.get(prefix)
        if memo is None:     # a reparse of the same request reuses the expansion and its cost
            memo = self.budget.expanded[prefix] = self.expand(prefix)
        expansions, notes = memo
        for note in notes:
            self.note(note)
        if expansions is None:
            if any(TIMED_OUT in note for note in notes):
                self.parsed.cut_short = True
            return None      # left out (allowance or time spent): not a clause that matches nothing
        if not expansions:
            return wq.NullQuery
        if positive:
            self.parsed.terms.update(expansions)
        return any_field(self.fields(node.field), sorted(expansions))

    def expand(self, prefix: str) -> tuple[set[str] | None, list[str]]:
        """(terms the prefix stands for, notes): the most frequent words that start with it.

        Words come from the spelling field (surface forms, so ``pemerin*``
        reaches ``pemerintah``) when the index has one, and are analysed like
        any query word; otherwise from the stemmed body terms. A prefix gets
        at most ``MAX_EXPANSIONS`` words and what is left of the query's
        ``MAX_TOTAL_EXPANSIONS``; with nothing left, or no time left, the
        terms are None (the prefix is left out) and a note says why.
        """
        budget = self.budget
        if budget.expired():
            return None, [f"{prefix}* {TIMED_OUT}"]
        allowance = min(MAX_EXPANSIONS, budget.expansions_left)
        if allowance <= 0:
            return None, [f"{prefix}* was left out: the prefixes of one query may stand for at most "
                          f"{MAX_TOTAL_EXPANSIONS} words in all"]
        spell = SPELL_FIELD in self.schema.names()
        fieldname = SPELL_FIELD if spell else "body"
        vocabulary = budget.words() if spell else None
        found, capped = None, False
        if vocabulary is not None:
            # The vocabulary (words in two articles or more, in a large index)
            # is sorted: a prefix's words are one slice of it, ranked by frequency.
            words = vocabulary.words
            lo = bisect.bisect_left(words, prefix)
            hi = bisect.bisect_left(words, prefix + "\U0010ffff")
            if hi - lo > allowance:
                found = heapq.nlargest(allowance, words[lo:hi], key=vocabulary.freq.__getitem__)
                capped = True
        if found is None:
            found = []
            for count, term in enumerate(self.reader.expand_prefix(fieldname, prefix)):
                if count >= PREFIX_SCAN:
                    capped = True
                    break
                if not count % 256 and budget.expired():
                    return None, [f"{prefix}* {TIMED_OUT}"]
                found.append(term.decode("utf-8") if isinstance(term, bytes) else term)
            if len(found) > allowance:
                capped = True
                if vocabulary is not None:     # a word missing from it is in one article
                    freq = vocabulary.freq
                    found.sort(key=lambda t: -freq.get(t, 1))
                else:
                    found.sort(key=lambda t: -self.reader.doc_frequency(fieldname, t))
                found = found[:allowance]
        budget.expansions_left -= len(found)
        terms: set[str] = set()
        for word in found:
            if spell:
                for alts in self.terms(word):
                    terms.update(alts)
            else:
                terms.add(word)
        notes = [f"{prefix}* matches many words: only the {len(found)} most frequent were searched"] if capped else []
        return terms, notes

    def note(self, text: str) -> None:
        self.parsed.partial = True
        if text not in self.parsed.notes:
            self.parsed.notes.append(text)


def any_field(fields, alternatives) -> wq.Query:
    terms = [wq.Term(f, t) for t in alternatives for f in fields]
    return terms[0] if len(terms) == 1 else wq.Or(terms)


def and_with_nots(parts: list[wq.Query]) -> wq.Query:
    """AND of the parts; when every part is a NOT, they subtract from everything."""
    if all(isinstance(p, wq.Not) for p in parts):
        parts = [wq.Every()] + parts
    return wq.And(parts)


def split_top(tree: Group) -> tuple[list, list]:
    """(filters at the top level, everything else): top-level filters are not scored."""
    if tree.op != "and":
        return [], [tree]
    filters = [c for c in tree.children if isinstance(c, Filter)]
    rest = [c for c in tree.children if not isinstance(c, Filter)]
    return filters, rest


def parse_query(text, reader, schema, analyzer, match_all: bool = True,
                budget: Budget | None = None) -> ParsedQuery:
    """Parse what a user typed; raise QueryError with a message for the user.

    ``budget``: the request's (deadline, expansion allowance, and what an
    earlier parse of the same request analysed and expanded); none: no limit
    but the caps."""
    raw = text if isinstance(text, str) else ("" if text is None else str(text))
    if len(raw) > MAX_QUERY_CHARS * 4:
        raise QueryError(f"query too long: at most {MAX_QUERY_CHARS} characters", "query_too_long")
    cleaned = clean_text(raw)
    if not cleaned:
        raise QueryError("empty query: type one or more words", "empty_query")
    if len(cleaned) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long: at most {MAX_QUERY_CHARS} characters", "query_too_long")
    parser = _Parser(lex(cleaned))
    tree = parser.parse()
    if budget is not None and (parser.prefixes or parser.clauses > HEAVY_CLAUSES
                               or parser.longest > HEAVY_WORD):
        budget.mark_heavy()
    parsed = ParsedQuery(text=cleaned, query=None, filter=None)
    builder = _Builder(reader, schema, analyzer, parsed, budget)
    filters, rest = split_top(tree)
    if filters:
        parsed.filter = wq.And([date_query(f.value) if f.kind == "date" else wq.Term(f.kind, f.value)
                                for f in filters])
    parts = [builder.build(node, match_all=match_all) for node in builder.distinct(rest, True)]
    parts = [p for p in parts if p is not None]
    if parts:
        positive = [p for p in parts if not isinstance(p, wq.Not)]
        parsed.positives = len(positive)
        if len(parts) == 1 and positive:
            parsed.query = parts[0]
        elif match_all or not positive:
            parsed.query = and_with_nots(parts)
        else:
            negative = [p for p in parts if isinstance(p, wq.Not)]
            ored = positive[0] if len(positive) == 1 else wq.Or(positive)
            parsed.query = wq.And([ored] + negative) if negative else ored
    if parsed.query is None and parsed.cut_short:
        parsed.query = wq.NullQuery        # not "nothing to search for": nothing could be searched in time
    if parsed.query is None and parsed.filter is None:
        raise QueryError("nothing to search for: the query has no searchable words", "no_terms")
    return parsed


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
    sources = sorted({v.strip().lower() for v in as_list(filters.get("source")) if v.strip()})
    categories = sorted({category_key(v) for v in as_list(filters.get("category")) if v.strip()})
    low = as_datetime(filters.get("date_from"), end=False)
    high = as_datetime(filters.get("date_to"), end=True)
    return {"source": sources, "category": categories, "date": (low, high)}
