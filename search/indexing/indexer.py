"""Build and update a Whoosh index from a corpus directory.

Incremental by default: each file's size and mtime are kept in the index
(``filestamp`` column), so a rerun reads only files that changed and deletes
the articles of files that are gone. Everything lands in one commit, and a
Whoosh commit is atomic (the new table of contents is written last), so a
killed run leaves the previous state readable and the next run redoes it.
"""
from __future__ import annotations

import os
import re
import stat
import time
from dataclasses import dataclass, field
from datetime import timezone, timedelta
from pathlib import Path
from typing import Callable, Iterator

from whoosh import index as whoosh_index
from whoosh import writing
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from search.article import Article
from search.columns import read_column
from search.errors import CorpusNotFound, IndexerBusy
from search.fields import SPELL_LEDE_CHARS, spelling_text
from search.indexing.generations import fresh_generation
from search.indexing.writers import LengthCachingWriter, ParallelWriter
from search.readers import SUPPORTED_EXTENSIONS, read_file
from search.schema import build_schema, category_key
from search.store import check_version, live_dir, read_meta, write_meta

WIB = timezone(timedelta(hours=7))
# Above this many bytes of changed input, analysis runs in a second process.
PARALLEL_BYTES = 8 * 1024 * 1024
# Bounds of a writer's posting pool (see ``pool_limit_mb``).
POOL_MIN_MB = 256
POOL_MAX_MB = 1024


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


@dataclass
class CorpusFile:
    path: Path
    rel: str
    stamp: str
    size: int


# A directory holding one of these is a Whoosh index (``_MAIN_3.toc``), cari's
# meta file, or a generation pointer (CURRENT beside a gen-* directory, see
# swap.py): an index, never articles. The walk skips it without a word.
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
        suffix = os.path.splitext(rel)[1]
        if suffix.lower() in SUPPORTED_EXTENSIONS:
            return True
        skip(rel, f"unsupported file type {suffix or '(none)'}")
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


def indexed_files(ix) -> tuple[dict[str, str], dict[str, str]]:
    """(path -> filestamp, article id -> path) for every live document."""
    stamps: dict[str, str] = {}
    owners: dict[str, str] = {}
    with ix.reader() as reader:
        if reader.doc_count() == 0:
            return stamps, owners
        paths = read_column(reader, "path")
        filestamps = read_column(reader, "filestamp")
        for docnum, fields in reader.iter_docs():
            path = paths[docnum]
            stamps[path] = filestamps[docnum]
            owners[fields["id"]] = path
    return stamps, owners


def to_document(article: Article, stamp: str) -> dict:
    doc = {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "source": article.source.lower(),
        "category": category_key(article.category),
        "url": article.url,
        "author": article.author,
        "related": list(article.related),
        "path": article.path,
        "filestamp": stamp,
        "spell": spelling_text(article.title, article.body[:SPELL_LEDE_CHARS]),
    }
    if article.date is not None:
        date = article.date
        if date.tzinfo is not None:
            date = date.astimezone(WIB).replace(tzinfo=None)
        doc["date"] = date
        doc["month"] = date.strftime("%Y-%m")
    return doc


def open_for_writing(index_dir: Path, schema, rebuild: bool, version: str):
    """The index to write into; created when missing or when rebuilding."""
    index_dir.mkdir(parents=True, exist_ok=True)
    storage = FileStorage(str(index_dir))
    exists = whoosh_index.exists_in(str(index_dir))
    if exists and not rebuild:
        check_version(index_dir, version)
        return storage.open_index(), False
    if exists and read_meta(index_dir).get("analysis_version") == version:
        # Same analysis: clear inside one commit so readers switch atomically.
        return storage.open_index(), True
    ix = storage.create_index(schema)
    # Record the version at once: a run killed before its first commit leaves
    # an empty index that the next run must accept and fill.
    write_meta(index_dir, analysis_version=version)
    return ix, True


def index_corpus(
    corpus: Path,
    index_dir: Path,
    rebuild: bool = False,
    procs: int | None = None,
    analyzer=None,
    progress: Callable[[int, int, int], None] | None = None,
    lock_timeout: float = 0.0,
    follow_symlinks: bool = False,
) -> IndexReport:
    """Index every article file under ``corpus`` into ``index_dir``.

    ``analyzer`` replaces cari's own (benchmarks build same-shape indexes with
    peer analyzers); ``progress(files_done, files_total, articles)`` is called
    as files are read. ``follow_symlinks`` follows symbolic links whose
    target lies outside the corpus too (see ``walk_corpus``).
    """
    from search.analysis import ANALYSIS_VERSION

    started = time.perf_counter()
    corpus, index_dir = Path(corpus), Path(index_dir)
    if not corpus.is_dir():
        raise CorpusNotFound(f"corpus directory not found: {corpus}")
    version = ANALYSIS_VERSION if analyzer is None else f"custom:{type(analyzer).__name__}"
    if rebuild and whoosh_index.exists_in(str(live_dir(index_dir))):
        # Readers keep the old index until the new one is complete (search/indexing/generations.py).
        return build_fresh(corpus, index_dir, lock_timeout=lock_timeout, procs=procs,
                           analyzer=analyzer, progress=progress, follow_symlinks=follow_symlinks)
    given_index_dir = index_dir
    index_dir = live_dir(index_dir)
    report = IndexReport()
    ix, clearing = open_for_writing(index_dir, build_schema(analyzer), rebuild, version)
    stamps, owners = ({}, {}) if clearing else indexed_files(ix)

    files = list(walk_corpus(corpus, report, follow_symlinks=follow_symlinks,
                             index_dir=given_index_dir))
    changed = [f for f in files if stamps.get(f.rel) != f.stamp]
    report.unchanged = len(files) - len(changed)
    gone = set(stamps) - {f.rel for f in files}
    if not changed and not gone and not clearing:
        report.doc_count = ix.doc_count()
        report.seconds = time.perf_counter() - started
        return report

    changed_bytes = sum(f.size for f in changed)
    if procs is None:
        procs = min(2, os.cpu_count() or 1) if changed_bytes > PARALLEL_BYTES else 1
    writer = acquire_writer(ix, procs, lock_timeout)
    try:
        for rel in gone:
            writer.delete_by_term("path", rel)
            report.removed += 1
        owners = {i: p for i, p in owners.items() if p not in gone}
        write_files(writer, corpus, changed, stamps, owners, report, progress)
        writer.commit(mergetype=writing.CLEAR if clearing else merge_policy)
    except BaseException:
        writer.cancel()
        raise
    write_meta(index_dir, analysis_version=version, corpus=str(corpus.resolve()))
    report.doc_count = ix.doc_count()
    report.seconds = time.perf_counter() - started
    return report


def merge_policy(writer, segments):
    """Whoosh's small-segment merge, plus every segment that holds a deleted
    document, rewritten without it; field-length totals kept exact.

    Whoosh keeps a deleted document in its segment's statistics (document
    count, term frequencies, field lengths) until the segment is merged, so
    an index updated in place would rank and relate stories differently from
    one built fresh from the same folder. Rewriting the segments an update
    touched (Lucene's "expunge deletes") keeps them equal; an update pays for
    the segments its deletions fall in, not for the whole index.
    """
    chosen = small_segments(segments)
    chosen += [s for s in segments if s.has_deletions() and s not in chosen]
    for segment in chosen:
        merge_in(writer, segment)
    return [s for s in segments if s not in chosen]


def small_segments(segments) -> list:
    """The segments Whoosh's MERGE_SMALL would merge (its Fibonacci rule)."""
    from whoosh.util import fib

    ordered = sorted(segments, key=lambda s: s.doc_count_all())
    total = 0
    for i, segment in enumerate(ordered):
        total += max(0, segment.doc_count_all())
        if i > 3 and total < fib(i + 5):
            return ordered[:i + 1]
    return []


def merge_in(writer, segment) -> None:
    """Copy the live documents of ``segment`` into the writer's new segment.

    Whoosh's ``add_reader`` re-adds each document's field length from its
    one-byte encoding, so a merged segment's length totals (hence the
    average field length in every BM25 score) drift from the true sums a
    fresh build has. The exact total is known: the segment's own total less
    the true lengths of its deleted documents, re-counted from their stored
    text.
    """
    from whoosh.reading import SegmentReader

    lengths = writer.perdocwriter._fieldlengths
    reader = SegmentReader(writer.storage, writer.schema, segment)
    try:
        exact = {}
        for name in ("title", "body"):
            if name in writer.schema and writer.schema[name].scorable:
                exact[name] = (lengths.get(name, 0) + segment._fieldlengths.get(name, 0)
                               - deleted_length(reader, segment, name))
        writer.add_reader(reader)
    finally:
        reader.close()
    lengths.update(exact)


def deleted_length(reader, segment, name: str) -> int:
    """The true length of field ``name`` summed over the segment's deleted documents."""
    field = reader.schema[name]
    total = 0
    for docnum in segment.deleted_docs():
        value = reader.stored_fields(docnum).get(name)
        if value:
            total += sum(freq for _, freq, _, _ in field.index(value))
    return total


def build_fresh(corpus, index_dir, lock_timeout: float = 0.0, **index_args) -> IndexReport:
    """Index ``corpus`` into a new generation and swap it in (search/indexing/generations.py).

    ``index_args`` go to ``index_corpus`` (procs, analyzer, progress, follow_symlinks).
    """
    with fresh_generation(index_dir, lock_timeout) as gen:
        return index_corpus(corpus, gen, rebuild=True, lock_timeout=lock_timeout, **index_args)


def acquire_writer(ix, procs: int, lock_timeout: float):
    limitmb = pool_limit_mb(procs)
    try:
        if procs > 1:
            # Separate segments per process: merging them would cost more than
            # searching a few extra segments.
            return ParallelWriter(ix, procs=procs, limitmb=limitmb, timeout=lock_timeout)
        return LengthCachingWriter(ix, timeout=lock_timeout, limitmb=limitmb)
    except LockError:
        raise IndexerBusy(
            "another `cari index` is writing this index; wait for it to finish and run again"
        ) from None


def pool_limit_mb(procs: int) -> int:
    """Each writer's in-memory posting pool, in Whoosh's estimated MB.

    A pool that outgrows its limit is sorted into runs on disk and merged
    back at the commit, through marshal and a Python heap merge. On clickid
    (23,000 articles, two writers of ~2 million postings each) a 256 MB pool
    spilled, and raising it cut the build's CPU time from 107 s to 64 s, for
    ~100 MB more memory per writer (all processes' peak 755 -> 946 MB). So the limit is as large as an eighth of
    the machine's memory allows (shared by the writer processes), between
    POOL_MIN_MB and POOL_MAX_MB.
    """
    try:
        total_mb = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2**20
    except (OSError, ValueError, AttributeError):
        return POOL_MIN_MB
    return max(POOL_MIN_MB, min(POOL_MAX_MB, total_mb // 8 // max(1, procs)))


def write_files(writer, corpus, changed, stamps, owners, report, progress) -> None:
    """Replace the documents of each changed file with what the file holds now."""
    known_fields = set(writer.schema.names())
    by_path: dict[str, list[str]] = {}
    for article_id, path in owners.items():
        by_path.setdefault(path, []).append(article_id)
    for done, cf in enumerate(changed, 1):
        if cf.rel in stamps:
            writer.delete_by_term("path", cf.rel)
            for article_id in by_path.get(cf.rel, ()):
                owners.pop(article_id, None)
        result = read_file(cf.path, corpus)
        if result.skipped:
            report.skipped += 1
            report.skipped_files.append((cf.rel, result.skipped))
        for reason in result.errors:
            report.errors.append((cf.rel, reason))
        if result.errors and not result.articles:
            report.failed += 1
        elif not result.skipped:
            if cf.rel in stamps:
                report.updated += 1
            else:
                report.added += 1
        for article in result.articles:
            if article.id in owners:
                report.errors.append((cf.rel, f"duplicate id {article.id} (already in {owners[article.id]}): skipped"))
                continue
            article.path = cf.rel
            if article.truncated:
                report.truncated.append((cf.rel, article.id))
            owners[article.id] = cf.rel
            doc = to_document(article, cf.stamp)
            # An index built before a field was added keeps its own schema.
            writer.add_document(**{k: v for k, v in doc.items() if k in known_fields})
            report.articles += 1
        if progress:
            progress(done, len(changed), report.articles)
