"""Synonyms and equivalent forms, read from files and applied when a query is read.

Nothing here touches the index: a query for ``demo`` also searches
``demonstrasi`` and the phrase ``unjuk rasa`` because the query builder
(``search/retrieval/query_builder.py``) asks :func:`synonyms_for` what the
typed words stand for. Changing a list therefore never needs a rebuild.

Two sources, in the format Elasticsearch and Solr read:

- cari's own list, ``synonyms_id.txt`` beside this module;
- the user's file named by ``CARI_SYNONYMS`` (read again when its
  modification time or size changes).

A line is either ``a, b, c`` (each finds the others) or ``a, b => c, d``
(``a`` and ``b`` also find ``c`` and ``d``, not the other way); ``#`` starts
a comment. A line that cannot be read is skipped and named in
:attr:`Synonyms.problems` (logged once per load), the rest still apply.

Entries are analysed with the index's body analyzer, so they meet the typed
words as stems (``pemilihan presiden`` and ``pemilihan presidennya`` are one
key). A key is the sequence of the first term at each position; an expansion
keeps its terms by position (a multi-word entry becomes a phrase).
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from search import settings

BUILTIN = Path(__file__).with_name("synonyms_id.txt")
SETTING = "CARI_SYNONYMS"
MAX_LINE_CHARS = 1000        # a longer line is a mistake (a file without line breaks)
MAX_ENTRY_WORDS = 8          # words of one entry: a phrase longer than this is not a name
MAX_FILE_BYTES = 5_000_000   # a larger user file is refused, not read into every worker
CACHED_ANALYZERS = 8         # analyzers whose tables are kept (one per open index, usually)

log = logging.getLogger("cari.synonyms")


@dataclass(frozen=True)
class Expansion:
    """What a key also stands for: ``positions`` (terms by position) and the entry as written."""

    text: str
    positions: tuple[tuple[str, ...], ...]

    @property
    def terms(self) -> set[str]:
        return {t for alts in self.positions for t in alts}


@dataclass(frozen=True)
class Rule:
    """One line: each of ``sources`` also finds each of ``targets``."""

    sources: tuple[str, ...]
    targets: tuple[str, ...]
    origin: str
    line: int


def _entries(side: str) -> list[str]:
    return [" ".join(e.split()) for e in side.split(",") if e.strip()]


def parse_rules(text: str, origin: str) -> tuple[list[Rule], list[str]]:
    """The rules of a synonym file's ``text`` and the problems of the lines left out."""
    rules, problems = [], []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        where = f"{origin}:{number}"
        if len(line) > MAX_LINE_CHARS:
            problems.append(f"{where}: line longer than {MAX_LINE_CHARS} characters, left out")
            continue
        if line.count("=>") > 1:
            problems.append(f"{where}: more than one '=>', left out")
            continue
        if "=>" in line:
            left, right = (_entries(side) for side in line.split("=>"))
            if not left or not right:
                problems.append(f"{where}: '=>' needs words on both sides, left out")
                continue
            rules.append(Rule(tuple(left), tuple(right), origin, number))
            continue
        entries = _entries(line)
        if len(entries) < 2:
            problems.append(f"{where}: one entry only (write 'a, b' or 'a => b'), left out")
            continue
        rules.append(Rule(tuple(entries), tuple(entries), origin, number))
    return rules, problems


def analyse(analyzer, text: str) -> tuple[tuple[str, ...], ...]:
    """``text``'s query terms grouped by position (as the query builder groups a typed word's)."""
    by_pos: dict[int, list[str]] = {}
    for token in analyzer(text, positions=True, mode="query"):
        alts = by_pos.setdefault(token.pos, [])
        if token.text not in alts:
            alts.append(token.text)
    return tuple(tuple(by_pos[p]) for p in sorted(by_pos))


def key_of(positions) -> tuple[str, ...]:
    """The lookup key of analysed positions: the first term at each."""
    return tuple(alts[0] for alts in positions)


@dataclass
class Synonyms:
    """Analysed rules: key (terms of the typed words) -> what it also stands for."""

    table: dict[tuple[str, ...], list[Expansion]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    longest: int = 0             # words in the longest key

    @classmethod
    def build(cls, rules: list[Rule], analyzer, problems=()) -> "Synonyms":
        out = cls(problems=list(problems))
        analysed: dict[str, tuple] = {}

        def positions(entry: str, rule: Rule):
            found = analysed.get(entry)
            if found is None:
                found = analysed[entry] = analyse(analyzer, entry)
                if not found:
                    out.problems.append(f"{rule.origin}:{rule.line}: {entry!r} has no searchable words "
                                        "(only stopwords or punctuation), left out")
                elif len(found) > MAX_ENTRY_WORDS:
                    out.problems.append(f"{rule.origin}:{rule.line}: {entry!r} has more than "
                                        f"{MAX_ENTRY_WORDS} words, left out")
                    found = analysed[entry] = ()
            return found

        for rule in rules:
            targets = [(t, positions(t, rule)) for t in rule.targets]
            for source in rule.sources:
                key = key_of(positions(source, rule)) if positions(source, rule) else None
                if not key:
                    continue
                found = out.table.setdefault(key, [])
                for text, pos in targets:
                    if pos and key_of(pos) != key and all(e.positions != pos for e in found):
                        found.append(Expansion(text, pos))
                out.longest = max(out.longest, len(key))
        out.table = {k: v for k, v in out.table.items() if v}
        return out

    def lookup(self, key: tuple[str, ...]) -> list[Expansion]:
        return self.table.get(key, [])

    def phrases(self) -> list[tuple[str, ...]]:
        """The multi-word entries as the query builder searches them: a
        phrase of each position's first term."""
        found = {tuple(alts[0] for alts in e.positions)
                 for expansions in self.table.values() for e in expansions if len(e.positions) > 1}
        return sorted(found)


class Source:
    """The built-in list plus the file ``CARI_SYNONYMS`` names, analysed per analyzer.

    Each call of :meth:`synonyms` checks the user file's modification time and
    size (one ``stat``); when they changed, the rules are read again and every
    analyzer's table is rebuilt on its next use.
    """

    def __init__(self, builtin: Path = BUILTIN, environ=None):
        self.builtin = builtin
        self.environ = environ              # None: the process's environment (search.settings reads it)
        self._lock = threading.Lock()
        self._stamp = None
        self._rules: list[Rule] = []
        self._problems: list[str] = []
        self._tables: dict[int, tuple[object, object, Synonyms]] = {}   # id -> (analyzer, stamp, table)
        self._builtin_rules = None

    def user_path(self) -> str | None:
        value = settings.value(SETTING, self.environ)
        return value.strip() if value and value.strip() else None

    def stamp(self):
        """What identifies the current rules: the user file's path, mtime and size."""
        path = self.user_path()
        if path is None:
            return None
        try:
            st = os.stat(path)
        except OSError as exc:
            return (path, "missing", type(exc).__name__)
        return (path, st.st_mtime_ns, st.st_size)

    def _load(self, stamp) -> None:
        if self._builtin_rules is None:
            self._builtin_rules = parse_rules(self.builtin.read_text(encoding="utf-8"), self.builtin.name)
        rules, problems = list(self._builtin_rules[0]), list(self._builtin_rules[1])
        path = self.user_path()
        if path is not None:
            user_rules, user_problems = read_user_file(Path(path))
            rules += user_rules
            problems += user_problems
        for problem in problems:
            log.warning("synonyms: %s", problem)
        self._rules, self._problems, self._stamp = rules, problems, stamp

    def synonyms(self, analyzer) -> Synonyms:
        stamp = self.stamp()
        held = self._tables.get(id(analyzer))
        if held is not None and held[0] is analyzer and held[1] == stamp and self._stamp == stamp:
            return held[2]
        with self._lock:
            if self._stamp != stamp or self._builtin_rules is None:
                self._load(stamp)
                self._tables.clear()
            held = self._tables.get(id(analyzer))
            if held is None or held[0] is not analyzer:
                table = Synonyms.build(self._rules, analyzer, self._problems)
                for problem in table.problems[len(self._problems):]:
                    log.warning("synonyms: %s", problem)
                if len(self._tables) >= CACHED_ANALYZERS:
                    self._tables.clear()
                held = self._tables[id(analyzer)] = (analyzer, stamp, table)
            return held[2]


def read_user_file(path: Path) -> tuple[list[Rule], list[str]]:
    """The rules of the user's file; a file that cannot be read is one problem, not an error."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return [], [f"{SETTING}={path}: larger than {MAX_FILE_BYTES} bytes, not read"]
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], [f"{SETTING}={path}: no such file, only cari's own synonyms apply"]
    except UnicodeDecodeError:
        return [], [f"{SETTING}={path}: not UTF-8 text, only cari's own synonyms apply"]
    except OSError as exc:
        return [], [f"{SETTING}={path}: cannot be read ({exc.strerror or exc}), only cari's own synonyms apply"]
    return parse_rules(text, path.name)


SOURCE = Source()


def synonyms_for(analyzer) -> Synonyms:
    """The synonyms in force now, analysed with ``analyzer`` (the index's body analyzer)."""
    return SOURCE.synonyms(analyzer)
