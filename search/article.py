"""The Article record: what every reader yields and the indexer stores."""
from __future__ import annotations

import hashlib
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

    def to_dict(self) -> dict:
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        return data


def stable_id(*parts: str) -> str:
    """A short id that stays the same for the same inputs on every run."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:16]
