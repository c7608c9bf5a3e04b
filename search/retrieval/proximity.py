"""Words typed together rank together: a phrase bonus and lone title words, on the head of the ranking.

BM25F scores each word of ``Joko Widodo`` on its own, so a story about Joko
Anwar that mentions a Widodo elsewhere can outrank one about Joko Widodo.
Two rules look at each pair of words typed next to each other (only spaces
between them), in the best ``DEPTH`` results only:

- **Phrase bonus.** The pair is looked for as a phrase, allowing one dropped
  word between them (``harga cabai naik di pasar``: the stopword *di* leaves
  a gap), in the title or the body. A result holding it gets ``WEIGHT``
  times the pair's idf (the sum of its two words' idf, as a phrase's idf is
  in Lucene), as Elasticsearch users add a ``match_phrase`` should-clause.
- **A lone word in the title counts as much as such titles are about the
  pair.** A title holding one word of the pair and not the other may name
  something else (*Joko Anwar*, *Mas Joko*, *Bambang Irianto*) or the same
  thing shortly (*Anies*, *Mahathir*). The index says which: of the
  articles whose title holds the word, the share that also hold the other
  word anywhere (``belongs``; on clickid 2 of the 24 titles holding *Joko*
  belong to articles naming a *Widodo*, 23 of the 24 holding *Mahathir* to
  articles naming a *Mohamad*). It matters only as far as the stories write
  the two words as one unit (``Found.unit``: of the head's results holding
  both words in a field, the share holding them as a phrase; nearly all for
  a name, few for ``MU kalah``, where *MU* alone in a title is what was
  asked). A lone title word loses ``unit * (1 - belongs)`` of its title
  score, the least over the words typed beside it. Only set lookups on
  postings: no positions beyond the phrase check's.

Scores change only in the head, and none falls below the best score after
the head, so pages stay consistent. The phrase is checked by skipping each
word's matcher to each candidate and comparing their positions, so the cost
is the head's size, not the words' frequency; a candidate the query's own
posting lists say lacks a word is not looked for, and a segment none of
whose candidates may hold both words is not asked for them.
"""
from __future__ import annotations

from bisect import bisect_left

from search.codec import CompactLeafMatcher, unpack_array
from search.retrieval.head_postings import holding, open_postings
from search.retrieval.scoring import Match, documents, score, skip_to

DEPTH = 50          # results re-ranked
# Score added per unit of the pair's idf when the pair is found as a phrase.
# Chosen on the tune half of bench/heldout and ../shared/eval's dev topics
# (1.5, 1.0, 0.5, 0: nDCG@10 summed over both best at 0 and 0.5, within
# 0.005; 1.5 cost the synonym topics 0.1): the bonus breaks ties between
# stories holding the words, it does not outweigh the words themselves.
WEIGHT = 0.5
SLOP = 2            # words may be this far apart (2: one dropped word between them)
MAX_PAIRS = 8       # pairs of a long query looked for
FIELDS = ("title", "body")
MIN_TITLES = 5      # titles holding a word needed to say how often they are about the pair
MIN_SAMPLE = 5      # head results holding both words in the body needed to say how the stories write them


def typed_pairs(text: str, words, analysed: dict) -> list[tuple[str, str]]:
    """(left term, right term) for each two plain words typed side by side."""
    plain = sorted((w for w in words if not w.prefix and w.field in (None, "title")), key=lambda w: w.start)
    pairs = []
    for left, right in zip(plain, plain[1:]):
        if text[left.end:right.start].strip():
            continue                    # an operator, a quote or a word left out lies between them
        a, b = analysed.get(left.text), analysed.get(right.text)
        if not a or not b or a[-1][0] == b[0][0]:
            continue
        pairs.append((a[-1][0], b[0][0]))
    return list(dict.fromkeys(pairs))[:MAX_PAIRS]


class Found:
    """Where one pair is among the candidates: those holding both words in a
    field (``held``) and those holding them as a phrase (``phrased``)."""

    def __init__(self):
        self.held: set[int] = set()
        self.phrased: set[int] = set()

    def unit(self) -> float:
        """How much the stories write the pair as one unit: the share of the
        candidates holding both words in a field that hold them as a phrase
        (0 when fewer than MIN_SAMPLE hold both)."""
        return len(self.phrased) / len(self.held) if len(self.held) >= MIN_SAMPLE else 0.0


def find_pairs(searcher, pairs, candidates: list[int], known=None, texts=None) -> dict:
    """Where each of ``pairs`` is among ``candidates`` (sorted docnums), in
    the fields of FIELDS (the body is not read for a candidate whose title
    holds the phrase): {pair: Found}. One forward sweep per field and
    segment: each word's matcher skips to each candidate once, whatever the
    pairs it is in, and its positions there are decoded at most once; the
    two words' positions are then compared (Whoosh's own phrase matcher
    walks spans through generic wrappers, many times slower).

    ``known(field, term)``: the documents holding the term in the field when
    they are at hand (the postings cache, the query's own terms), else None.
    A candidate such a list says lacks a word is not looked for, and a
    segment's matcher is opened only for a candidate that may hold both
    words: the cost is the head's, not the archive's (a segment holding no
    such candidate is never asked for the word).

    ``texts`` (head_texts.HeadTexts): a segment's candidates are read as
    text instead when that costs less than opening each word's list."""
    found = {pair: Found() for pair in pairs}
    # Who may hold each pair does not depend on the segment: asked once per
    # field (at 4x copies a headline's candidates lie in 4 to 8 segments).
    everywhere = {field: holders(field, pairs, candidates, known) for field in FIELDS}
    for leaf, offset in searcher.reader().leaf_readers():
        end = offset + leaf.doc_count_all()
        if bisect_left(candidates, offset) == bisect_left(candidates, end):
            continue
        for field in FIELDS:
            may_hold = {pair: between(docs, offset, end) for pair, docs in everywhere[field].items()}
            if not any(may_hold.values()):
                continue
            if texts is not None and texts_pay(texts, field, may_hold):
                sweep(TextPositions(texts, field), found, may_hold)
            else:
                sweep(FieldPostings(leaf, field, offset), found, may_hold)
    return found


def holders(field: str, pairs, candidates: list[int], known) -> dict:
    """Per pair, the ``candidates`` (sorted) that may hold both its words in
    ``field`` (all of them but those ``known`` says lack one), in order."""
    wanted = set(candidates)
    lacking = {}        # term -> the candidates its known list lacks
    for term in dict.fromkeys(t for pair in pairs for t in pair):
        held = known(field, term) if known is not None else None
        if held is not None:
            lacking[term] = wanted - (held if isinstance(held, (set, frozenset)) else documents(held) & wanted)
    may_hold = {}
    for first, second in pairs:
        out = lacking.get(first, set()) | lacking.get(second, set())
        may_hold[(first, second)] = [d for d in candidates if d not in out] if out else candidates
    return may_hold


def between(docs: list[int], start: int, end: int) -> list[int]:
    """The documents of ``docs`` (sorted) from ``start`` up to ``end``."""
    return docs[bisect_left(docs, start):bisect_left(docs, end)]


def texts_pay(texts, field: str, may_hold: dict) -> bool:
    """Reading the candidates of ``may_hold`` as text costs less than a list
    opened per word of the pairs asked about."""
    asked = {d for docs in may_hold.values() for d in docs}
    words = {term for pair, docs in may_hold.items() if docs for term in pair}
    return texts.pays(field, asked, len(words))


def sweep(postings: "FieldPostings", found: dict, may_hold: dict) -> None:
    """Add to ``found`` the candidates of ``may_hold`` (pair -> docnums, in
    one segment) holding a pair in ``postings``' field, and those holding it
    as a phrase. Candidates in docnum order: matchers only move forward."""
    asked: dict[int, list] = {}
    for pair, docs in may_hold.items():
        for docnum in docs:
            asked.setdefault(docnum, []).append(pair)
    for docnum in sorted(asked):
        positions = {}
        for pair in asked[docnum]:
            where = found[pair]
            if docnum in where.phrased:
                continue
            first, second = pair
            if not (postings.holds(first, docnum) and postings.holds(second, docnum)):
                continue
            where.held.add(docnum)
            for term in pair:
                if term not in positions:
                    positions[term] = postings.positions(term)
            if near(positions[first], positions[second]):
                where.phrased.add(docnum)


class FieldPostings:
    """One segment's postings of one field, a matcher per term opened when
    first asked for (head_postings.open_postings: the list read in one piece)."""

    def __init__(self, leaf, field: str, offset: int):
        self.leaf, self.field, self.offset = leaf, field, offset
        self.matchers: dict = {}
        self.values: dict = {}      # term -> its block's value lengths (current_value)

    def matcher(self, term: str):
        if term not in self.matchers:
            self.matchers[term] = open_postings(self.leaf, self.field, term)
        return self.matchers[term]

    def holds(self, term: str, docnum: int) -> bool:
        """True when the segment's document ``docnum`` (numbered in the whole
        index) holds ``term``; its matcher stays there."""
        matcher = self.matcher(term)
        return matcher is not None and holds_at(matcher, docnum - self.offset)

    def positions(self, term: str) -> list[int]:
        """The positions of ``term`` in the document its matcher is at."""
        matcher = self.matchers[term]
        value = current_value(matcher, self.values, term)
        return matcher.value_as("positions") if value is None else matcher.format.decode_positions(value)


class TextPositions:
    """:class:`FieldPostings`' answers from the documents' texts
    (head_texts.HeadTexts): the terms and positions the indexer wrote."""

    def __init__(self, texts, field: str):
        self.texts, self.field = texts, field
        self.at: dict = {}          # the document asked about last

    def holds(self, term: str, docnum: int) -> bool:
        self.at = self.texts.terms(self.field, docnum)
        return term in self.at

    def positions(self, term: str) -> list[int]:
        return self.at[term]


def current_value(matcher, blocks: dict, key) -> bytes | None:
    """The value (encoded positions) of ``matcher``'s current posting, sliced
    alone from its block in cari's format (the codec's ``_read_values``
    slices every posting's value in the block, for one or two looked at);
    None for another matcher. ``blocks`` keeps, per ``key``, the block's
    value lengths and where its values start."""
    if not isinstance(matcher, CompactLeafMatcher) or matcher._fixedsize == 0 or matcher._values is not None:
        return None
    raw = matcher._raw
    held = blocks.get(key)
    if held is None or held[0] is not raw:
        count, pos = unpack_array(raw, matcher._data[2], 1)
        if count is None:
            return None
        lengths, pos = unpack_array(raw, pos, count[0])
        held = blocks[key] = (raw, lengths, pos)
    _, lengths, pos = held
    i = matcher._i
    start = pos + sum(lengths[:i])
    return raw[start:start + lengths[i]]


def find_pair(searcher, pair: tuple[str, str], candidates: list[int]) -> Found:
    """Where ``pair`` is among ``candidates``: see :func:`find_pairs`."""
    return find_pairs(searcher, [pair], candidates)[pair]


def phrase_docs(searcher, pair: tuple[str, str], candidates: list[int]) -> set[int]:
    """The ``candidates`` holding ``pair`` as a phrase in a field of FIELDS."""
    return find_pair(searcher, pair, candidates).phrased


def holds_at(matcher, docnum: int) -> bool:
    """Move ``matcher`` to ``docnum`` if it is before it; True when it holds it."""
    if matcher.is_active() and matcher.id() < docnum:
        skip_to(matcher, docnum)
    return matcher.is_active() and matcher.id() == docnum


def near(first_positions, second_positions) -> bool:
    """The second word follows the first within SLOP positions somewhere."""
    following = set(second_positions)
    return any(p + gap in following for p in first_positions for gap in range(1, SLOP + 1))


def postings_at_hand(stats, leaves):
    """``known(field, term)`` for find_pairs: the documents holding the term
    in the field from the generation's postings at hand or from the query's
    own terms read in full (``leaves``, scoring.Leaf), else None. Both hold
    the live documents only, as the head does."""
    complete = {(leaf.field, leaf.text): leaf.postings for leaf in leaves if leaf.complete}

    def known(field: str, term: str):
        found = stats.at_hand(field, term)
        return found if found is not None else complete.get((field, term))
    return known


class Titles:
    """What the lone-word rule reads: a term's score in the titles, from the
    query's scored terms (``leaves``, scoring.Leaf), and who holds a term."""

    def __init__(self, stats, reader, leaves):
        self.stats, self.reader = stats, reader
        self.leaves = [leaf for leaf in leaves if leaf.field == "title"]

    def score(self, term: str, docs) -> dict:
        """{docnum: ``term``'s score in the title} for those of ``docs`` whose title holds it."""
        leaves = [leaf for leaf in self.leaves if leaf.text == term]
        scores = score(Match(set(), leaves), docs, self.stats) if leaves else {}
        return {d: s for d, s in scores.items() if s}

    def holds(self, field: str, term: str, among=None):
        """The documents (of ``among``, when given) holding ``term`` in ``field``:
        from the postings at hand (pinned, read lately or held as arrays:
        ``Stats.at_hand``), else probed for ``among``."""
        if among is None:
            return documents(self.stats.postings(self.reader, field, term))
        found = self.stats.at_hand(field, term)
        if found is None:
            return holding(self.reader, field, term, among)
        return documents(found) & among        # a set, made in C (or numpy)


def belongs(term: str, other: str, holds) -> float:
    """The share of the articles whose title holds ``term`` that hold ``other``
    in the title or the body (1 when fewer than MIN_TITLES titles hold it).
    ``holds(field, term, among=None)``: the documents (of ``among``) holding
    ``term`` in ``field``."""
    titles = holds("title", term)
    if len(titles) < MIN_TITLES:
        return 1.0
    with_other = holds("title", other, titles) | holds("body", other, titles)
    return len(with_other) / len(titles)


def lone_words(found: dict, candidates: list[int], titles: Titles) -> dict[int, float]:
    """Per candidate, the title score it loses for words of the pairs
    (``found``: pair -> Found) its title holds without the word typed beside
    them (see the module's docstring)."""
    beside: dict[str, list[tuple[str, float]]] = {}
    for (first, second), where in found.items():
        unit = where.unit()
        if unit:
            beside.setdefault(first, []).append((second, unit))
            beside.setdefault(second, []).append((first, unit))
    taken: dict[int, float] = {}
    for term, others in beside.items():
        scores = titles.score(term, candidates)
        if not scores:
            continue
        with_other = set().union(*(titles.holds("title", other, scores.keys()) for other, _ in others))
        lone = [d for d in scores if d not in with_other]
        if not lone:
            continue
        share = min(unit * (1 - belongs(term, other, titles.holds)) for other, unit in others)
        for docnum in lone:
            taken[docnum] = taken.get(docnum, 0.0) + share * scores[docnum]
    return taken


def boost_phrases(searcher, ranked: list, pairs, idf, titles: Titles | None = None, known=None,
                  texts=None) -> list:
    """``ranked`` (docnum, score), its head re-ranked by the pairs typed
    together. ``idf(term)``: the term's idf in the body; ``titles``: for
    the lone-word rule (None: no such rule); ``known``, ``texts``: see find_pairs."""
    if not pairs or len(ranked) < 2:
        return ranked
    head = ranked[:DEPTH]
    candidates = sorted(d for d, _ in head)
    change = dict.fromkeys(candidates, 0.0)
    found = find_pairs(searcher, pairs, candidates, known, texts)
    for pair, where in found.items():
        weight = WEIGHT * (idf(pair[0]) + idf(pair[1]))
        for docnum in where.phrased:
            change[docnum] += weight
    if titles is not None:
        for docnum, value in lone_words(found, candidates, titles).items():
            change[docnum] -= value
    floor = ranked[DEPTH][1] if len(ranked) > DEPTH else None
    head = [(d, rescored(s, change[d], floor)) for d, s in head]
    head.sort(key=lambda item: (-item[1], item[0]))
    return head + ranked[DEPTH:]


def rescored(score: float, change: float, floor: float | None) -> float:
    """``score + change``, never below ``floor`` (the best score after the head)
    unless it was already there."""
    new = score + change
    if change < 0 and floor is not None:
        return max(new, min(score, floor))
    return new
