"""A query's tree (search/retrieval/query_syntax.py) → a Whoosh query.

Words and phrases go through the index's analyzer (each text once per
request: the :class:`~search.retrieval.query.Budget` keeps what it found), a
word's terms are searched in the title and the body, a ``prefix*`` is
expanded over the index vocabulary within its allowance, and filters become
unscored Whoosh queries.

- a prefix stands for at most ``MAX_EXPANSIONS`` words (the most frequent;
  the response is then flagged partial), and all the prefixes of one query
  for at most ``MAX_TOTAL_EXPANSIONS`` together (a prefix past that
  allowance is left out, with a note);
- the words and phrases typed may have at most ``MAX_TERMS`` distinct
  analysed terms;
- a plain word, or a run of adjacent plain words, is searched together with
  what it also stands for (synonyms, spelling variants, near spellings of a
  rare name: ``expansion.py``), each alternative a boosted ``Term``, or for
  several words a boosted ``Phrase`` (matched and scored only where its
  words stand together: ``phrases.py``), beside the typed terms in one ``Or``; a word's other spellings (variants,
  near spellings) and the word itself are boosted so that they score as one
  term, with one blended idf (``Expander.blend``); words in quotes and
  excluded words are searched as typed only.

Text the analyzer drops (emoji, punctuation) simply adds nothing.
"""
from __future__ import annotations

import bisect
import heapq
from dataclasses import dataclass, field

from whoosh import query as wq

from search.errors import QueryError
from search.fields import SPELL_FIELD
from search.retrieval.expansion import Expander, is_spelling
from search.retrieval.phrases import PhraseQuery
from search.retrieval.query_syntax import Filter, Group, Not, Phrase, Tree, Word

MAX_EXPANSIONS = 30       # words one prefix* may stand for
MAX_TOTAL_EXPANSIONS = 90  # words all the prefix* of one query may stand for together
MAX_TERMS = 120           # distinct analysed terms of the words and phrases typed
TIMED_OUT = "was left out: the search ran out of time"
PREFIX_SCAN = 3000        # vocabulary entries read to pick those words
SEARCH_FIELDS = ("title", "body")


@dataclass
class ParsedQuery:
    """What the searcher needs from the user's text."""

    text: str                              # the cleaned text
    query: wq.Query | None                 # scored part; None when only filters were typed
    filter: wq.Query | None                # top-level filters (not scored)
    terms: set[str] = field(default_factory=set)    # analysed terms to highlight
    # How to mark them: ``alone`` wherever they stand, the terms of each of
    # ``phrases`` (as searched, by position) only where they stand together.
    alone: set[str] = field(default_factory=set)
    phrases: list[tuple[frozenset, ...]] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)  # plain words, for spelling
    partial: bool = False                  # an expansion was capped
    positives: int = 0                     # top-level clauses that add matches
    notes: list[str] = field(default_factory=list)
    cut_short: bool = False                # a clause was left out for lack of time: no exact total
    expansions: list = field(default_factory=list)  # expansion.Alternative searched beside the typed words

    @property
    def has_text(self) -> bool:
        return self.query is not None


def date_query(bounds) -> wq.Query:
    low, high = bounds
    if low is None and high is None:
        return wq.Every()
    if low is not None and high is not None and low >= high:
        return wq.NullQuery
    return wq.DateRange("date", low, high, endexcl=True)


def filter_query(node: Filter) -> wq.Query:
    return date_query(node.value) if node.kind == "date" else wq.Term(node.kind, node.value)


# --- tree to Whoosh ----------------------------------------------------------------------


class Builder:
    """Builds one query's Whoosh form, filling ``parsed`` as it goes.

    ``budget`` (search.retrieval.query.Budget) is the request's: its
    deadline, its expansion allowance, and what an earlier parse of the same
    request analysed and expanded."""

    def __init__(self, reader, schema, analyzer, parsed: ParsedQuery, budget):
        self.reader = reader
        self.schema = schema
        self.analyzer = analyzer
        self.parsed = parsed
        self.budget = budget
        self._terms = self.budget.analysed
        self._typed: set[str] = set()      # distinct terms of the words and phrases (MAX_TERMS)
        self._expander: Expander | None = None

    @property
    def expander(self) -> Expander:
        if self._expander is None:
            self._expander = Expander(self.reader, self.analyzer, self.terms, self.budget)
        return self._expander

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

    def build_all(self, children: list, positive: bool, match_all: bool = True) -> list:
        """The Whoosh parts of a group's children (repeats left out, runs of
        plain words that stand for something together taken as one part)."""
        children = self.distinct(children, positive)
        parts = []
        i = 0
        while i < len(children):
            end, alternatives = self.run_at(children, i) if positive else (i + 1, [])
            if end - i > 1:
                words = [self.build(c, positive, match_all) for c in children[i:end]]
                words = [w for w in words if w is not None]
                core = words[0] if len(words) == 1 else wq.And(words)
                parts.append(self.with_alternatives(core, alternatives, self.fields(children[i].field)))
            else:
                parts.append(self.build(children[i], positive, match_all))
            i = end
        return [p for p in parts if p is not None]

    def run_at(self, children: list, start: int) -> tuple[int, list]:
        """(end, alternatives) of the longest run of plain words from ``start``
        that stands for something as a whole; (start + 1, []) when none does."""
        first = children[start]
        if not self.plain(first) or not self.terms(first.text) or self.budget.expired():
            return start + 1, []      # a run starts and ends with a word that has terms (not "di")
        expander = self.expander
        words, positions = [], []
        best = (start + 1, [])
        for end in range(start + 1, min(len(children), start + expander.longest_key()) + 1):
            child = children[end - 1]
            if not self.plain(child) or child.field != first.field:
                break
            found = self.terms(child.text)
            words.append(child.text)
            positions.extend(found)
            if end - start < 2 or not found:
                continue
            alternatives = expander.run(words, positions)
            if alternatives:
                best = (end, alternatives)
        return best

    @staticmethod
    def plain(node) -> bool:
        return isinstance(node, Word) and not node.prefix

    def with_alternatives(self, core, alternatives: list, fields, blended: bool = False):
        """``core`` or any of its ``alternatives``, each a boosted Term or Phrase per
        field; ``blended``: ``core`` already holds the spellings (:meth:`spellings`)."""
        if not alternatives:
            return core
        parts = list(core.subqueries) if isinstance(core, wq.Or) else [core]
        for alt in alternatives:
            self.parsed.terms.update(alt.terms)
            self.marks(alt.positions)
            if blended and is_spelling(alt):
                continue
            if len(alt.positions) == 1:
                parts.extend(wq.Term(f, t, boost=alt.weight) for t in alt.positions[0] for f in fields)
                continue
            words = [alts[0] for alts in alt.positions]
            parts.extend(PhraseQuery(f, words, boost=alt.weight) for f in fields)
        self.parsed.expansions.extend(alternatives)
        return wq.Or(parts)

    def marks(self, positions) -> None:
        """Mark one position's terms anywhere, several positions' as the phrase
        searched (a PhraseQuery of each position's first term)."""
        if len(positions) == 1:
            self.parsed.alone.update(positions[0])
            return
        phrase = tuple(frozenset((alts[0],)) for alts in positions)
        if phrase not in self.parsed.phrases:
            self.parsed.phrases.append(phrase)

    def build(self, node, positive: bool = True, match_all: bool = True):
        if isinstance(node, Group):
            parts = self.build_all(node.children, positive, match_all)
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
            return wq.ConstantScoreQuery(filter_query(node), 0.0)
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
                self.parsed.alone.update(alts)
        fields = self.fields(node.field)
        per_pos = [any_field(fields, alts) for alts in positions]
        core = per_pos[0] if len(per_pos) == 1 else wq.And(per_pos)
        if not positive or self.budget.expired():
            return core
        alternatives = self.expander.word(node.text, positions)
        blended = len(positions) == 1 and any(is_spelling(a) for a in alternatives)
        if blended:
            core = self.spellings(fields, positions[0], alternatives)
        return self.with_alternatives(core, alternatives, fields, blended)

    def spellings(self, fields, typed: list[str], alternatives: list) -> wq.Query:
        """A word's terms and its other spellings' (variants, near spellings) in
        each field, scored as one term: one blended idf (``Expander.blend``)."""
        spellings = [a for a in alternatives if is_spelling(a)]
        return wq.Or([wq.Term(f, t, boost=boost) for f in fields
                      for t, boost in self.expander.blend(f, typed, spellings)])

    def phrase(self, node: Phrase, positive: bool):
        positions = self.terms(node.text)
        if not positions:
            return None
        self.count_terms(positions)
        if positive:
            for alts in positions:
                self.parsed.terms.update(alts)
            self.marks(positions)
        fields = self.fields(node.field)
        if len(positions) == 1:
            return any_field(fields, positions[0])
        words = [alts[0] for alts in positions]
        return wq.Or([PhraseQuery(f, words) for f in fields])

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
            self.parsed.alone.update(expansions)
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


def build_query(tree: Tree, reader, schema, analyzer, budget, match_all: bool = True) -> ParsedQuery:
    """The Whoosh query for ``tree``; QueryError when it has nothing to search for.

    ``match_all``: every top-level clause must match (else any of them,
    with the exclusions still applied)."""
    parsed = ParsedQuery(text=tree.text, query=None, filter=None)
    builder = Builder(reader, schema, analyzer, parsed, budget)
    filters, rest = split_top(tree.root)
    if filters:
        parsed.filter = wq.And([filter_query(f) for f in filters])
    parts = builder.build_all(rest, True, match_all)
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
