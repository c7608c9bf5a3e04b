"""The Article record: what every reader yields and the indexer stores."""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime


@dataclass
class Article:
    """One news article, independent of the file format it came from.

    ``body`` keeps paragraphs separated by a blank line ("\\n\\n"), so pages can
    show them again. ``date`` is timezone-aware when the source says the zone
    (Indonesian sites publish in WIB, UTC+7), naive otherwise.
    ``related`` holds titles of stories the article links to ("Baca juga:").
    ``path`` is the file it was read from, relative to the corpus root.
    ``truncated`` is True when the body was cut to ``MAX_BODY_CHARS``.
    """

    id: str
    title: str
    body: str
    source: str = ""
    date: datetime | None = None
    url: str = ""
    category: str = ""
    author: str = ""
    related: list[str] = field(default_factory=list)
    path: str = ""
    truncated: bool = False

    def to_dict(self) -> dict:
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        return data


def stable_id(*parts: str) -> str:
    """A short id that stays the same for the same inputs on every run."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:16]


# The longest body an article keeps: 1 MB of text (characters). A news story
# is 2-20 thousand characters; anything past a million is a dump, a log or
# a mistake, and would make indexing, highlighting and showing it slow.
MAX_BODY_CHARS = 1_000_000
# How far back from the limit a sentence end is looked for before falling
# back to the last word boundary (a "sentence" longer than this is not one).
SENTENCE_SEARCH_CHARS = 2_000
# A sentence end: . ! ? or an ellipsis, with any closing quotes or brackets,
# before a space; or a paragraph break.
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*(?=\s)|(?=\n\n)")


def cut_body(body: str, limit: int = MAX_BODY_CHARS) -> tuple[str, bool]:
    """(body, whether it was cut): a body longer than ``limit`` characters ends
    at the last sentence end before the limit, else at the last word boundary,
    else exactly at the limit."""
    if len(body) <= limit:
        return body, False
    head = body[:limit + 1]  # one more: a sentence ending exactly at the limit counts
    window_start = max(0, limit - SENTENCE_SEARCH_CHARS)
    end = None
    for match in _SENTENCE_END.finditer(head, window_start):
        if match.end() <= limit:
            end = match.end()
    if end is None:
        space = max(head.rfind(" ", 0, limit + 1), head.rfind("\n", 0, limit + 1))
        end = space if space > 0 else limit
    return head[:end].rstrip(), True


def bound_body(article: Article) -> Article:
    """Cut ``article.body`` to ``MAX_BODY_CHARS`` in place, marking it ``truncated``."""
    body, cut = cut_body(article.body)
    if cut:
        article.body = body
        article.truncated = True
    return article
