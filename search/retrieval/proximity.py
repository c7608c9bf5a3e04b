"""Words typed together rank together: a phrase bonus on the head of the ranking.

BM25F scores each word of ``Joko Widodo`` on its own, so a story about Joko
Anwar that mentions a Widodo elsewhere can outrank one about Joko Widodo.
Elasticsearch users add a ``match_phrase`` should-clause for this; here each
pair of words typed next to each other (only spaces between them) is looked
for as a phrase, allowing one dropped word between them (``harga cabai naik
di pasar``: the stopword *di* leaves a gap), in the title or the body of the
best ``DEPTH`` results only. A result holding the pair gets ``WEIGHT`` times
the pair's idf (the sum of its two words' idf, as a phrase's idf is in
Lucene). Scores only rise and only in the head, so pages stay consistent.

The phrase is checked by skipping each word's matcher to each candidate and
comparing their positions, so the cost is the head's size, not the words'
frequency.
"""
from __future__ import annotations

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


def phrase_docs(searcher, pair: tuple[str, str], candidates: list[int]) -> set[int]:
    """The ``candidates`` (sorted docnums) holding ``pair`` as a phrase in a
    field of FIELDS: each word's matcher skips to a candidate and the two
    position lists are compared (Whoosh's own phrase matcher walks spans
    through generic wrappers, many times slower)."""
    first, second = pair
    found: set[int] = set()
    for leaf, offset in searcher.reader().leaf_readers():
        end = offset + leaf.doc_count_all()
        local = [d - offset for d in candidates if offset <= d < end]
        for field in FIELDS:
            if not local or (field, first) not in leaf or (field, second) not in leaf:
                continue
            a, b = leaf.postings(field, first), leaf.postings(field, second)
            for docnum in local:
                if docnum + offset in found:
                    continue
                if not (reach(a, docnum) and reach(b, docnum)):
                    if not (a.is_active() and b.is_active()):
                        break
                    continue
                if near(a.value_as("positions"), b.value_as("positions")):
                    found.add(docnum + offset)
    return found


def reach(matcher, docnum: int) -> bool:
    """Move ``matcher`` to ``docnum`` if it is at or before it; True when it holds it."""
    if matcher.is_active() and matcher.id() < docnum:
        matcher.skip_to(docnum)
    return matcher.is_active() and matcher.id() == docnum


def near(first_positions, second_positions) -> bool:
    """The second word follows the first within SLOP positions somewhere."""
    following = set(second_positions)
    return any(p + gap in following for p in first_positions for gap in range(1, SLOP + 1))


def boost_phrases(searcher, ranked: list, pairs, idf) -> list:
    """``ranked`` (docnum, score), its head re-ranked with the phrase bonus.
    ``idf(term)``: the term's idf in the body."""
    if not pairs or len(ranked) < 2:
        return ranked
    head = ranked[:DEPTH]
    candidates = sorted(d for d, _ in head)
    bonus = dict.fromkeys(candidates, 0.0)
    for pair in pairs:
        weight = WEIGHT * (idf(pair[0]) + idf(pair[1]))
        for docnum in phrase_docs(searcher, pair, candidates):
            bonus[docnum] += weight
    head = [(d, s + bonus[d]) for d, s in head]
    head.sort(key=lambda item: (-item[1], item[0]))
    return head + ranked[DEPTH:]
