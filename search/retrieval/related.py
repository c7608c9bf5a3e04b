"""Related stories: more-like-this over key terms, without near-duplicates.

The key terms of an article (title counted twice) are weighted by Whoosh's
Bo1 model against the whole index and searched as one weighted OR query.
News archives hold the same wire story several times (syndicated, updated,
re-titled); such copies of the article, or of each other, are dropped: same
title, or nearly the same words in the title or the lede.

Takes a searcher and the body analyzer, nothing of the engine; the engine
passes its own ranking of a query (scoring.rank_query: Whoosh's scores,
from posting arrays) where Whoosh's matchers, a few method calls per
posting, took 75 ms an article at 23k articles.
"""
from __future__ import annotations

import re

from whoosh import query as wq

from search.retrieval.live import LiveStats, key_terms, live_searcher

KEY_TERMS = 14
CANDIDATES = 30
LEDE_CHARS = 1500
TITLE_SIMILAR = 0.8        # Jaccard of title terms above which two stories are one
LEDE_SIMILAR = 0.6         # Jaccard of lede terms above which two stories are one

_PUNCT = re.compile(r"[^\w\s]+")


def title_key(title: str) -> str:
    return " ".join(_PUNCT.sub(" ", title.casefold()).split())


def jaccard(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


class Story:
    """What near-duplicate checks compare."""

    def __init__(self, analyzer, fields: dict):
        self.title = title_key(fields.get("title", ""))
        self.title_terms = terms_of(analyzer, fields.get("title", ""))
        self.lede_terms = terms_of(analyzer, (fields.get("body") or "")[:LEDE_CHARS])

    def same_story(self, other: "Story") -> bool:
        if self.title and self.title == other.title:
            return True
        if jaccard(self.title_terms, other.title_terms) >= TITLE_SIMILAR:
            return True
        return jaccard(self.lede_terms, other.lede_terms) >= LEDE_SIMILAR


def terms_of(analyzer, text: str) -> set[str]:
    return {t.text for t in analyzer(text, mode="index")}


def related_docs(searcher, analyzer, article_id, limit: int, live: LiveStats | None = None,
                 rank=None, stored_fields=None) -> list[tuple[int, float]]:
    """(docnum, score) of up to ``limit`` stories like the article, best first.

    ``limit``: a whole number, already within bounds (``Engine.related`` clamps it).
    ``live``: the generation's statistics of live documents (search/retrieval/live.py),
    so that key terms and scores are those a fresh build would give.
    ``rank(query, depth, excluded)``: the best ``depth`` (docnum, score) of a
    query but the ``excluded`` documents, as Whoosh's search ranks them
    (default: Whoosh's search); ``stored_fields(docnum)``: a document's
    stored fields (default: the searcher's)."""
    if not isinstance(article_id, str) or not article_id or limit <= 0:
        return []
    docnum = searcher.document_number(id=article_id)
    if docnum is None:
        return []
    fields = searcher.stored_fields(docnum)
    text = f"{fields.get('title', '')}\n{fields.get('title', '')}\n{fields.get('body', '')}"
    live = live if live is not None else LiveStats(searcher.reader())
    keys = key_terms(searcher.reader(), live, "body", text, numterms=KEY_TERMS)
    if not keys:
        return []
    q = wq.Or([wq.Term(f, term, boost=weight) for term, weight in keys for f in ("title", "body")])
    rank = rank or (lambda query, depth, excluded: whoosh_ranked(searcher, live, query, depth, excluded))
    stored_fields = stored_fields or searcher.stored_fields
    results = [(score, n, stored_fields(n)) for n, score in rank(q, CANDIDATES + 1, {docnum})]
    kept: list[Story] = [Story(analyzer, fields)]
    found = []
    # Equal scores in article-id order (Whoosh's is document-number order,
    # which differs between an updated index and a fresh build): the copy of
    # a near-duplicate pair that is kept is then the same in both.
    for score, hit_docnum, hit_fields in sorted(results, key=lambda r: (-r[0], r[2]["id"])):
        story = Story(analyzer, hit_fields)
        if any(story.same_story(k) for k in kept):
            continue
        kept.append(story)
        found.append((hit_docnum, score))
        if len(found) >= limit:
            break
    return found


def whoosh_ranked(searcher, live: LiveStats, query, depth: int, excluded) -> list[tuple[int, float]]:
    """Whoosh's own search of ``query``, scored with the live documents' statistics."""
    scoring = live_searcher(searcher, live)
    try:
        return [(hit.docnum, hit.score) for hit in scoring.search(query, limit=depth, mask=set(excluded))]
    finally:
        if scoring is not searcher:
            scoring.close()
