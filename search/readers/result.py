"""FileResult: what reading one file gives back."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from search.article import Article


@dataclass
class FileResult:
    """The articles found in one file, plus what went wrong inside it.

    ``errors`` lists problems that did not stop the rest of the file
    (a bad line in a .jsonl); ``skipped`` says why the whole file is not an
    article (front page, feed, empty, too large...), else None.
    ``skipped_records`` counts, by reason, the records of a multi-page file
    (a web archive) that are not articles: a 404, an image, a front page.
    """

    articles: list[Article] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: str | None = None
    skipped_records: Counter = field(default_factory=Counter)
