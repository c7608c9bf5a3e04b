"""cari's query language: what a user may type, read into a tree.

- words: every word must match (the searcher retries with OR when that
  finds nothing);
- ``"exact phrase"``, ``-exclude`` (word, phrase or group; also ``NOT``),
  ``OR`` (also ``ATAU``, ``|``, ``||``), ``( )`` nested at most
  ``MAX_NESTING`` deep; ``AND``/``DAN``/``&`` are accepted and add nothing;
- fields: ``judul:``/``title:`` (text in the title), ``sumber:``/``source:``,
  ``kategori:``/``category:``, ``tanggal:``/``date:`` (``2019``, ``2019-09``,
  ``2019-09-15``, ``15/9/2019``, ``[2019-09-01 TO 2019-09-15]``),
  ``sebelum:``/``before:``, ``sesudah:``/``after:``;
- ``prefix*`` (at least ``MIN_PREFIX`` letters before the star).

An unknown ``name:value`` is read as two words. Reading never raises anything
but :class:`QueryError`: unbalanced quotes and brackets are closed, lone
operators are ignored. This module knows nothing of Whoosh or of the index:
``search/retrieval/query_builder.py`` turns the tree into a Whoosh query.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from search.errors import QueryError
from search.schema import category_key
from search.sources import source_key

MAX_QUERY_CHARS = 500
MAX_CLAUSES = 40          # words, phrases and filters in one query
MAX_NESTING = 8           # nested parentheses beyond this are read as plain text
MIN_PREFIX = 2

FIELD_ALIASES = {
    "judul": "title", "title": "title",
    "sumber": "source", "source": "source",
    "kategori": "category", "category": "category",
    "tanggal": "date", "date": "date",
    "sebelum": "before", "before": "before",
    "sesudah": "after", "after": "after", "setelah": "after",
}
RANGE_WORDS = {"to", "sampai", "hingga", "-", ".."}
# Operators, in capitals as written ("atau" and "dan" stay words).
OR_WORDS = ("OR", "|", "||", "ATAU")
NOT_WORDS = ("NOT",)
AND_WORDS = ("AND", "&", "&&", "DAN")


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
class Tree:
    """A query as read: the cleaned text, its tree and what its shape costs."""

    text: str                      # the cleaned text
    root: Group
    clauses: int = 0               # words, phrases and filters
    prefixes: int = 0              # prefix* words
    longest: int = 0               # characters of the longest word


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
        if not neg and chunk in OR_WORDS:
            toks.append(Tok("or", chunk, i, j))
        elif not neg and chunk in NOT_WORDS:
            toks.append(Tok("not", chunk, i, j))
        elif not neg and chunk in AND_WORDS:
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
            if depth >= MAX_NESTING:
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
            return Filter(name, category_key(value) if name == "category" else source_key(value))
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


# --- the entry point ----------------------------------------------------------------------


def read_query(text) -> Tree:
    """Clean, lex and parse what a user typed; QueryError with a message for
    the user when it is too long or holds nothing at all."""
    raw = text if isinstance(text, str) else ("" if text is None else str(text))
    if len(raw) > MAX_QUERY_CHARS * 4:
        raise QueryError(f"query too long: at most {MAX_QUERY_CHARS} characters", "query_too_long")
    cleaned = clean_text(raw)
    if not cleaned:
        raise QueryError("empty query: type one or more words", "empty_query")
    if len(cleaned) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long: at most {MAX_QUERY_CHARS} characters", "query_too_long")
    parser = _Parser(lex(cleaned))
    root = parser.parse()
    return Tree(cleaned, root, parser.clauses, parser.prefixes, parser.longest)
