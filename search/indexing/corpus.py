"""The corpus folder as the indexer reads it: which files, and which not.

The corpus folder is a boundary (see ``walk_corpus``): files outside it,
index directories inside it and names Whoosh cannot store are skipped with
a reason in the run's report, and nothing stops the walk.
"""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from search.indexing.report import IndexReport
from search.readers import SUPPORTED_EXTENSIONS, kind_of

@dataclass
class CorpusFile:
    path: Path
    rel: str
    stamp: str
    size: int


# A directory holding one of these is a Whoosh index (``_MAIN_3.toc``), cari's
# meta file, or a generation pointer (CURRENT beside a gen-* directory, see
# search/indexing/generations.py): an index, never articles. The walk skips it without a word.
_INDEX_TOC = re.compile(r"^_\w+_\d+\.toc$")


def looks_like_index(names: list[str]) -> bool:
    if "cari-meta.json" in names or any(_INDEX_TOC.match(n) for n in names):
        return True
    return "CURRENT" in names and any(n.startswith("gen-") for n in names)


def shown_path(rel: str) -> str:
    """``rel`` with the bytes of an undecodable name as ``\\xff`` (printable, UTF-8 safe)."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _valid_name(name: str) -> bool:
    """False for a name whose bytes are not UTF-8 (Python holds them as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def walk_corpus(corpus: Path, report: IndexReport, follow_symlinks: bool = False,
                index_dir: Path | None = None) -> Iterator[CorpusFile]:
    """Every supported file under corpus, sorted by path.

    The corpus folder is a boundary. A symbolic link (to a file or a
    directory) is followed only when its resolved target lies inside the
    corpus, unless ``follow_symlinks``; any other link is skipped with the
    reason. Real files and directories are walked first, links after, and
    each directory and file is read once (by device and inode): a link to
    something already read is skipped with the reason, so a link loop ends
    and nothing is indexed twice. Hidden names (``.*``) are ignored, and so
    is ``index_dir`` and any directory that holds an index
    (``looks_like_index``): the indexer never reads an index. A name that
    is not valid UTF-8 cannot be stored in the index (Whoosh keeps text as
    UTF-8): it is skipped with the reason, the name shown with its bytes
    escaped (``bad\\xffname.jsonl``), and the run goes on.
    """
    root = os.path.realpath(corpus)
    excluded = [os.path.realpath(index_dir)] if index_dir is not None else []
    found: list[CorpusFile] = []
    seen_files: dict[tuple[int, int], str] = {}
    seen_dirs: dict[tuple[int, int], str] = {}
    dirs: list[tuple[str, str]] = []    # (path, rel prefix): real directories, walked first
    links: list[tuple[str, str]] = []   # (path, rel): symbolic links, followed after

    def skip(rel: str, reason: str) -> None:
        report.skipped += 1
        report.skipped_files.append((shown_path(rel), reason))

    def fail(rel: str, reason: str) -> None:
        report.failed += 1
        report.errors.append((shown_path(rel), reason))

    def supported(rel: str) -> bool:
        kind = kind_of(rel)   # ".html", or ".html.gz" for a compressed page
        if kind in SUPPORTED_EXTENSIONS:
            return True
        skip(rel, f"unsupported file type {kind or '(none)'}")
        return False

    def add_file(path: str, rel: str, st: os.stat_result) -> None:
        if not stat.S_ISREG(st.st_mode):
            # A FIFO or device would block or never end a read.
            fail(rel, "not a regular file")
            return
        key = (st.st_dev, st.st_ino)
        if key in seen_files:
            skip(rel, f"same file as {shown_path(seen_files[key])}")
            return
        seen_files[key] = rel
        found.append(CorpusFile(Path(path), rel, f"{st.st_size}:{st.st_mtime_ns}", st.st_size))

    def walk_dir(path: str, prefix: str) -> None:
        try:
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            fail(prefix.rstrip("/") or ".", f"cannot list directory: {exc.strerror or exc}")
            return
        if prefix and looks_like_index([e.name for e in entries]):
            excluded.append(os.path.realpath(path))   # links into it are not followed either
            return
        subdirs = []
        for entry in entries:
            name, rel = entry.name, prefix + entry.name
            if name.startswith("."):
                continue
            try:
                is_link = entry.is_symlink()
                is_dir = not is_link and entry.is_dir(follow_symlinks=False)
            except OSError as exc:
                fail(rel, f"cannot stat: {exc.strerror or exc}")
                continue
            if not _valid_name(name):
                kind = "directory" if is_dir else "file"
                skip(rel, f"{kind} name is not valid UTF-8; rename it to index it")
                continue
            if is_link:
                links.append((entry.path, rel))
            elif is_dir:
                subdirs.append((entry.path, rel + "/"))
            elif supported(rel):
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError as exc:
                    fail(rel, f"cannot stat: {exc.strerror or exc}")
                    continue
                add_file(entry.path, rel, st)
        dirs.extend(reversed(subdirs))   # a stack: visited in name order

    def enter_dir(path: str, prefix: str, st: os.stat_result) -> str | None:
        """Walk the directory unless already read; the rel it was read as, if so."""
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            return seen_dirs[key] or "."
        seen_dirs[key] = prefix.rstrip("/")
        if prefix and any(_within(os.path.realpath(path), x) for x in excluded):
            return None
        walk_dir(path, prefix)
        return None

    def follow(path: str, rel: str) -> None:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            fail(rel, "broken symbolic link")
            return
        except OSError as exc:
            fail(rel, f"cannot follow symbolic link: {exc.strerror or exc}")
            return
        target = os.path.realpath(path)
        if any(_within(target, x) for x in excluded):
            return
        is_dir = stat.S_ISDIR(st.st_mode)
        kind = "directory" if is_dir else "file"
        if not is_dir and not supported(rel):
            return
        if not follow_symlinks and not _within(target, root):
            skip(rel, f"symbolic link to a {kind} outside the corpus")
            return
        if is_dir:
            already = enter_dir(path, rel + "/", st)
            if already is not None:
                skip(rel, f"symbolic link to a directory already read as {shown_path(already)}")
        else:
            add_file(path, rel, st)

    try:
        root_stat = os.stat(corpus)
    except OSError as exc:
        fail(".", f"cannot stat: {exc.strerror or exc}")
        return
    enter_dir(str(corpus), "", root_stat)
    while dirs or links:
        if dirs:
            path, prefix = dirs.pop()
            try:
                st = os.stat(path)
            except OSError as exc:
                fail(prefix.rstrip("/"), f"cannot stat: {exc.strerror or exc}")
                continue
            enter_dir(path, prefix, st)
        else:
            links.sort(reverse=True)
            follow(*links.pop())
    found.sort(key=lambda f: f.rel)
    yield from found
