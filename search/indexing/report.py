"""What one ``cari index`` run did: counts, and each file it skipped or failed on.

``skipped_records`` counts the pages inside multi-page files (web archives)
that were not articles: (path, reason, how many), one entry per file and reason.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple


class SkipGroup(NamedTuple):
    """The files (unit "file") or an archive's pages (unit "record") skipped for one reason."""
    reason: str
    unit: str
    count: int
    paths: list[tuple[str, str]]   # (file, what its reason said past the kind, or ""), in the order met


def reason_kind(reason: str) -> tuple[str, str]:
    """(kind, detail) of a skip reason: "front/index page: og:type website, ..." is
    of the kind "front/index page", its detail the signs seen on that page."""
    kind, _, detail = reason.partition(": ")
    return kind, detail


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped: int = 0
    articles: int = 0
    doc_count: int = 0
    seconds: float = 0.0
    errors: list[tuple[str, str]] = field(default_factory=list)
    skipped_files: list[tuple[str, str]] = field(default_factory=list)
    truncated: list[tuple[str, str]] = field(default_factory=list)   # (path, article id) cut to MAX_BODY_CHARS
    skipped_records: list[tuple[str, str, int]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "added": self.added, "updated": self.updated, "removed": self.removed,
            "unchanged": self.unchanged, "failed": self.failed, "skipped": self.skipped,
            "articles": self.articles, "doc_count": self.doc_count,
            "seconds": round(self.seconds, 3),
            "errors": [{"path": p, "reason": r} for p, r in self.errors],
            "skipped_files": [{"path": p, "reason": r} for p, r in self.skipped_files],
            "truncated": [{"path": p, "id": i} for p, i in self.truncated],
            "skipped_records": [{"path": p, "reason": r, "count": n} for p, r, n in self.skipped_records],
        }

    def skips_by_reason(self) -> list[SkipGroup]:
        """Skipped files grouped by the kind of their reason (a front page's
        signs differ from page to page), then an archive's skipped pages.
        A group whose files all have the same reason carries it whole."""
        paths: dict[tuple[str, str], list[tuple[str, str]]] = {}
        counts: Counter = Counter()
        for path, reason in self.skipped_files:
            kind, detail = reason_kind(reason)
            paths.setdefault((kind, "file"), []).append((path, detail))
            counts[kind, "file"] += 1
        for path, reason, count in self.skipped_records:
            paths.setdefault((reason, "record"), []).append((path, ""))
            counts[reason, "record"] += count
        groups = []
        for (kind, unit), found in paths.items():
            reason, details = kind, {detail for _, detail in found}
            if len(details) == 1 and details != {""}:
                reason, found = f"{kind}: {details.pop()}", [(path, "") for path, _ in found]
            groups.append(SkipGroup(reason, unit, counts[kind, unit], found))
        return groups
