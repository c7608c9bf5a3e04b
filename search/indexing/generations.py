"""Swap a freshly built index in under a running server, atomically.

A rebuild with the same analysis commits with ``mergetype=CLEAR`` inside the
live index, and Whoosh's commit is atomic for readers. A rebuild with another
schema or analysis version cannot do that: ``create_index`` deletes the live
files first, so a server in between would find no index. Instead it is built
in a new *generation* directory beside the live one, and a pointer file names
the generation readers should open::

    index/
      CURRENT                 "gen-20261125T193000-3fa9c1"   (replaced with os.replace)
      gen-20261125T193000-3fa9c1/   a complete Whoosh index + cari-meta.json
      gen-20261120T080000-77b2e0/   the previous one, kept until the next swap

Without ``CURRENT`` the index lives in the directory itself (what ``cari
index`` creates the first time), so existing indexes need no migration.

Readers call ``live_dir(index_dir)`` when they open, and notice a swap with
``pointer_stamp(index_dir)`` (one ``stat`` per request). Generation
directories are never renamed or changed after the swap, so a reader that
opened one never sees a mix of two builds. The previous generation stays on
disk until the next swap: a worker still finishing a request on it can open
files there; files deleted later stay readable through descriptors already
open (POSIX).
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from search.errors import IndexerBusy
from search.store import GEN_PREFIX, POINTER, live_dir

SWAP_LOCK = "SWAPLOCK"
# The files of a Whoosh index named MAIN (the default) and cari's meta file:
# what a legacy in-place index leaves at the top level.
_LEGACY_FILE = re.compile(r"^(_MAIN_\d+\.toc|MAIN_.+|cari-meta\.json)$")


def new_generation_name() -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    return f"{GEN_PREFIX}{stamp}-{secrets.token_hex(3)}"


@contextmanager
def fresh_generation(index_dir, lock_timeout: float = 0.0) -> Iterator[Path]:
    """Yield an empty generation directory; when the block succeeds, make it live.

    The block must leave a complete index in the directory. If it raises, the
    directory is removed and the live index is untouched. One swap at a time
    (``SWAPLOCK``); the live index's write lock is taken just before the
    switch, so an incremental run in progress commits first.
    """
    from whoosh.filedb.filestore import FileStorage

    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    swap_lock = FileStorage(str(index_dir)).lock(SWAP_LOCK)
    _acquire(swap_lock, lock_timeout, "another rebuild is swapping this index")
    try:
        gen = index_dir / new_generation_name()
        gen.mkdir()
        try:
            yield gen
            _check_complete(gen)
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            raise
        previous = live_dir(index_dir)
        _switch(index_dir, gen, previous, lock_timeout)
        remove_stale(index_dir, keep={gen, previous})
    finally:
        swap_lock.release()


def _check_complete(gen: Path) -> None:
    """Refuse to point readers at something Whoosh cannot open."""
    from whoosh import index as whoosh_index

    if not whoosh_index.exists_in(str(gen)):
        raise RuntimeError(f"the new index in {gen} is incomplete; the live index was kept")


def _switch(index_dir: Path, gen: Path, previous: Path, lock_timeout: float) -> None:
    """Point CURRENT at gen with one rename, holding the previous index's write lock."""
    from whoosh.filedb.filestore import FileStorage

    writelock = None
    if any(previous.glob("_MAIN_*.toc")):
        writelock = FileStorage(str(previous)).lock("MAIN_WRITELOCK")
        _acquire(writelock, max(lock_timeout, 30.0), "an indexer is still writing the live index")
    try:
        _fsync_dir(gen)
        tmp = index_dir / f"{POINTER}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(gen.name + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, index_dir / POINTER)
        _fsync_dir(index_dir)
    finally:
        if writelock is not None:
            writelock.release()


def remove_stale(index_dir: Path, keep: set[Path]) -> list[str]:
    """Delete generations not in ``keep`` (older ones, failed builds) and, once the
    in-place index is no longer the previous one, its files. Returns what went."""
    removed = []
    keep_names = {p.name for p in keep}
    for entry in index_dir.iterdir():
        if entry.is_dir() and entry.name.startswith(GEN_PREFIX) and entry.name not in keep_names:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
    if index_dir not in keep:
        for entry in index_dir.iterdir():
            if entry.is_file() and _LEGACY_FILE.match(entry.name):
                entry.unlink(missing_ok=True)
                removed.append(entry.name)
    return removed


def _acquire(lock, timeout: float, busy_message: str) -> None:
    from whoosh.util.filelock import try_for

    if lock.acquire(blocking=False):
        return
    if timeout > 0 and try_for(lambda: lock.acquire(blocking=False), timeout, 0.1):
        return
    raise IndexerBusy(busy_message + "; wait for it to finish and run again")


def _fsync_dir(path: Path) -> None:
    """Make a rename durable; a no-op where directories cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
