"""Build and update a Whoosh index from a corpus directory.

Incremental by default: each file's size and mtime are kept in the index
(``filestamp`` column), so a rerun reads only files that changed and deletes
the articles of files that are gone. Everything lands in one commit, and a
Whoosh commit is atomic (the new table of contents is written last), so a
killed run leaves the previous state readable and the next run redoes it.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

from whoosh import index as whoosh_index
from whoosh import writing
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from search import settings
from search.article import Article
from search.columns import read_column
from search.errors import CorpusNotFound, IndexerBusy
from search.fields import SPELL_LEDE_CHARS, spelling_text
from search.indexing.corpus import walk_corpus
from search.indexing.generations import fresh_generation
from search.indexing.merging import merge_policy
from search.indexing.report import IndexReport
from search.indexing.writers import LengthCachingWriter, ParallelWriter
from search.readers import read_file
from search.readers.dates import WIB
from search.categories import category_of
from search.schema import build_schema
from search.near_duplicates import sketch
from search.sources import source_key
from search.store import check_version, live_dir, read_meta, write_meta

# Above this many bytes of changed input, analysis runs in a second process.
PARALLEL_BYTES = 8 * 1024 * 1024
# Bounds of a writer's posting pool (see ``pool_limit_mb``).
POOL_MIN_MB = 256
POOL_MAX_MB = 1024


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
        "source": source_key(article.source),
        "category": category_of(article.category),
        "category_label": article.category,
        "url": article.url,
        "author": article.author,
        "related": list(article.related),
        "path": article.path,
        "filestamp": stamp,
        "spell": spelling_text(article.title, article.body[:SPELL_LEDE_CHARS]),
        "sketch": sketch(article.title, article.body),
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
        procs = min(2, settings.cpu_count()) if changed_bytes > PARALLEL_BYTES else 1
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
        for reason, count in sorted(result.skipped_records.items()):
            report.skipped_records.append((cf.rel, reason, count))
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
