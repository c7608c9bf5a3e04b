"""What one ``cari index`` run did: counts, and each file it skipped or failed on."""
from __future__ import annotations

from dataclasses import dataclass, field


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

    def to_dict(self) -> dict:
        return {
            "added": self.added, "updated": self.updated, "removed": self.removed,
            "unchanged": self.unchanged, "failed": self.failed, "skipped": self.skipped,
            "articles": self.articles, "doc_count": self.doc_count,
            "seconds": round(self.seconds, 3),
            "errors": [{"path": p, "reason": r} for p, r in self.errors],
            "skipped_files": [{"path": p, "reason": r} for p, r in self.skipped_files],
            "truncated": [{"path": p, "id": i} for p, i in self.truncated],
        }
