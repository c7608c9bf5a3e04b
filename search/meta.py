"""What cari records beside a Whoosh index: analysis version and build time.

Whoosh pickles the analyzer into the index but cannot tell whether the code
behind it changed; a version number written at build time lets the searcher
refuse, clearly, an index whose terms were produced by other analysis rules.
"""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

META_FILE = "cari-meta.json"


class IndexVersionError(RuntimeError):
    """The index was built by a different analysis version: it must be rebuilt."""


def read_meta(index_dir: Path) -> dict:
    try:
        return json.loads((Path(index_dir) / META_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def write_meta(index_dir: Path, **values) -> dict:
    """Write atomically (temp file + rename) so a crash never leaves half a file."""
    meta = read_meta(index_dir)
    meta.update(values)
    meta["built_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    path = Path(index_dir) / META_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False), "utf-8")
    os.replace(tmp, path)
    return meta


def check_version(index_dir: Path, expected: str) -> None:
    found = read_meta(index_dir).get("analysis_version")
    if found != expected:
        raise IndexVersionError(
            f"the index at {index_dir} was built with analysis version {found or 'unknown'}, "
            f"this cari uses {expected}: rebuild it with `cari index DIR --index {index_dir} --rebuild`"
        )
