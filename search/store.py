"""The index on disk, as both the indexer and the searcher see it: which
directory is live, and what cari records beside the Whoosh files.

Whoosh pickles the analyzer and the field classes into the index but cannot
tell whether the code behind them changed; a version number written at build
time (``cari-meta.json``) lets cari refuse, clearly, an index whose terms were
produced by other analysis rules or whose schema names classes that moved.
It is read before Whoosh opens the index, so such an index gets the rebuild
message rather than an unpickling traceback.

After a rebuild the live index is a generation directory named by the
``CURRENT`` pointer file (``search/indexing/generations.py`` writes it).
"""
from __future__ import annotations

import json
import os
import re
from datetime import datetime, timezone
from pathlib import Path

from search.errors import IndexNotFound, IndexVersionError

__all__ = ["META_FILE", "POINTER", "GEN_PREFIX", "IndexVersionError", "read_meta", "write_meta",
           "check_version", "live_dir", "pointer_stamp", "open_index"]

META_FILE = "cari-meta.json"
POINTER = "CURRENT"
GEN_PREFIX = "gen-"
_GEN_NAME = re.compile(r"^gen-[0-9A-Za-z-]+$")


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


def live_dir(index_dir) -> Path:
    """The directory holding the index readers and writers should use now."""
    index_dir = Path(index_dir)
    try:
        name = (index_dir / POINTER).read_text("utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return index_dir
    if not _GEN_NAME.match(name):
        raise ValueError(f"{index_dir / POINTER} names {name!r}, not a generation directory")
    return index_dir / name


def pointer_stamp(index_dir) -> tuple[int, int] | None:
    """Changes whenever CURRENT is replaced (a new inode each time); None without one."""
    try:
        st = os.stat(Path(index_dir) / POINTER)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return (st.st_ino, st.st_mtime_ns)


def open_index(index_dir: Path, check_analysis: bool = True):
    """The Whoosh index in ``index_dir`` (already resolved by ``live_dir``), for reading.

    The recorded analysis version is checked before Whoosh unpickles the
    schema: an index written by another version of cari, whose schema may
    name classes that moved, gets the rebuild message, never a traceback.
    """
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import EmptyIndexError

    index_dir = Path(index_dir)
    if not index_dir.is_dir() or not any(index_dir.glob("_MAIN_*.toc")):
        raise IndexNotFound(f"no index at {index_dir}: build one with `cari index DIR --index {index_dir}`")
    if check_analysis:
        from search.analysis import ANALYSIS_VERSION

        check_version(index_dir, ANALYSIS_VERSION)
    try:
        return FileStorage(str(index_dir), supports_mmap=False).open_index()
    except EmptyIndexError:
        raise IndexNotFound(f"no index at {index_dir}: build one with `cari index DIR --index {index_dir}`") from None
    except (AttributeError, ImportError, EOFError, ValueError, TypeError) as exc:
        # An unpickling failure: the schema names code this cari does not have.
        raise IndexVersionError(f"the index at {index_dir} cannot be read by this cari ({type(exc).__name__}): "
                                f"rebuild it with `cari index DIR --index {index_dir} --rebuild`") from None
