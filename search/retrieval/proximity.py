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
is the head's size, not the words' frequency.
"""
from __future__ import annotations

import bisect

from whoosh.codec.whoosh3 import W3LeafMatcher

from search.retrieval.scoring import Match, score

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


def find_pairs(searcher, pairs, candidates: list[int]) -> dict:
    """Where each of ``pairs`` is among ``candidates`` (sorted docnums), in
    the fields of FIELDS (the body is not read for a candidate whose title
    holds the phrase): {pair: Found}. One forward sweep per field and
    segment: each word's matcher skips to each candidate once, whatever the
    pairs it is in, and its positions there are decoded at most once; the
    two words' positions are then compared (Whoosh's own phrase matcher
    walks spans through generic wrappers, many times slower)."""
    found = {pair: Found() for pair in pairs}
    terms = list(dict.fromkeys(t for pair in pairs for t in pair))
    for leaf, offset in searcher.reader().leaf_readers():
        end = offset + leaf.doc_count_all()
        local = [d - offset for d in candidates if offset <= d < end]
        for field in FIELDS:
            matchers = {t: leaf.postings(field, t) for t in terms if local and (field, t) in leaf}
            looked = [(pair, found[pair]) for pair in pairs if pair[0] in matchers and pair[1] in matchers]
            for docnum in local:
                docnum_all = docnum + offset
                wanted = [(pair, where) for pair, where in looked if docnum_all not in where.phrased]
                if not wanted:
                    continue
                positions = {}
                for (first, second), where in wanted:
                    if not (holds_at(matchers[first], docnum) and holds_at(matchers[second], docnum)):
                        continue
                    where.held.add(docnum_all)
                    for term in (first, second):
                        if term not in positions:
                            positions[term] = matchers[term].value_as("positions")
                    if near(positions[first], positions[second]):
                        where.phrased.add(docnum_all)
    return found


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


def skip_to(matcher, docnum: int) -> None:
    """``matcher.skip_to(docnum)``; within a block of Whoosh's W3 format (and
    cari's, which extends it), by bisecting the block's ids: W3 steps through
    them one ``next()`` at a time, which was most of the phrase check's cost."""
    if not isinstance(matcher, W3LeafMatcher):
        matcher.skip_to(docnum)
        return
    if docnum > matcher.block_max_id():
        matcher._skip_to_block(lambda: docnum > matcher.block_max_id())
        if not matcher.is_active():
            return
    if matcher._ids is None:
        matcher._read_ids()
    matcher._i = bisect.bisect_left(matcher._ids, docnum, matcher._i)  # docnum <= the block's last id


def near(first_positions, second_positions) -> bool:
    """The second word follows the first within SLOP positions somewhere."""
    following = set(second_positions)
    return any(p + gap in following for p in first_positions for gap in range(1, SLOP + 1))


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
        from the postings cache when it has the term, else probed for ``among``."""
        if among is None:
            return self.stats.postings(self.reader, field, term).keys()
        found = self.stats.cached(field, term)
        if found is None:
            found = self.stats.probe(self.reader, field, term, among)
        return {d for d in among if d in found}


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


def boost_phrases(searcher, ranked: list, pairs, idf, titles: Titles | None = None) -> list:
    """``ranked`` (docnum, score), its head re-ranked by the pairs typed
    together. ``idf(term)``: the term's idf in the body; ``titles``: for
    the lone-word rule (None: no such rule)."""
    if not pairs or len(ranked) < 2:
        return ranked
    head = ranked[:DEPTH]
    candidates = sorted(d for d, _ in head)
    change = dict.fromkeys(candidates, 0.0)
    found = find_pairs(searcher, pairs, candidates)
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
