"""Readers: turn a file into Article records, chosen by the file's kind (``kind_of``).

``read_file`` is the one entry point. It never raises for a bad file. What
went wrong comes back in one of two ways:

- ``errors``: the file (or part of it) should have been read and could not:
  unreadable, too large, a broken link, invalid JSON, a bad .jsonl line.
- ``skipped``: the file is fine but holds no article: an unsupported type,
  an empty file, a front page or a feed.

A file of many pages (a web archive) also counts the pages it holds that are
not articles, by reason (``FileResult.skipped_records``).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from search.article import MAX_BODY_CHARS, bound_body
from search.readers.result import FileResult  # first: the format modules import it
from search.readers import archives, html, jsonl, text  # noqa: E402  (after FileResult on purpose)

__all__ = ["SUPPORTED_EXTENSIONS", "READERS", "FileResult", "read_file", "MAX_FILE_BYTES",
           "MAX_BODY_CHARS", "extract", "kind_of"]

# The registry: kind -> reader(path, path relative to the corpus root).
READERS: dict[str, Callable[[Path, str], FileResult]] = {
    ".txt": text.read,
    ".html": html.read,
    ".htm": html.read,
    ".json": jsonl.read_json,
    ".jsonl": jsonl.read_jsonl,
}
# Each kind gzip-compressed (search/readers/archives.py), and web archives.
READERS.update({kind + ".gz": archives.gzip_reader(kind) for kind in list(READERS)})
READERS.update({".warc": archives.read_warc, ".warc.gz": archives.read_warc})
SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(READERS)

# Whole-file formats are read into memory: cap them. A .jsonl is streamed and
# only capped per line (see jsonl.MAX_LINE_BYTES); a .jsonl.gz and a WARC are
# streamed too, their decompressed size bounded in archives.py.
MAX_FILE_BYTES = archives.MAX_DECOMPRESSED_BYTES
STREAMED_KINDS = frozenset({".jsonl", ".jsonl.gz", ".warc", ".warc.gz"})


def kind_of(name) -> str:
    """The kind of file ``name`` is, which picks its reader: its extension in
    lower case, with the one before it for a compressed file ("page.html.gz"
    -> ".html.gz", "crawl.warc.gz" -> ".warc.gz")."""
    suffixes = [suffix.lower() for suffix in Path(name).suffixes]
    if len(suffixes) >= 2 and suffixes[-1] == ".gz":
        return "".join(suffixes[-2:])
    return suffixes[-1] if suffixes else ""
# Other limits, each named where it applies: an article's body is cut to
# MAX_BODY_CHARS (search/article.py) and marked ``truncated``; an HTML page
# with more than html.MAX_HTML_ELEMENTS elements is not parsed.


def relative_path(path: Path, root: Path | None) -> str:
    """``path`` relative to ``root`` in posix form (the file name if outside root)."""
    if root is not None:
        try:
            return path.absolute().relative_to(root.absolute()).as_posix()
        except ValueError:
            try:
                return path.resolve().relative_to(root.resolve()).as_posix()
            except (ValueError, OSError):
                pass
    return path.as_posix() if not path.is_absolute() else path.name


def read_file(path: Path, root: Path | None = None) -> FileResult:
    """Read one file into articles. Never raises for a bad file."""
    path = Path(path)
    extension = kind_of(path)
    if extension not in SUPPORTED_EXTENSIONS:
        return FileResult(skipped=f"unsupported file type {extension or '(no extension)'}")
    rel = relative_path(path, root)
    problem = _unreadable(path)
    if problem:
        return FileResult(errors=[problem])
    try:
        if path.stat().st_size == 0:
            return FileResult(skipped="empty file (0 bytes)")
        result = READERS[extension](path, rel)
        for article in result.articles:  # every format, .json/.jsonl records too
            bound_body(article)
        return result
    except MemoryError:
        return FileResult(errors=["out of memory while reading the file"])
    except OSError as exc:
        return FileResult(errors=[f"cannot read file: {exc.strerror or exc}"])
    except Exception as exc:  # a reader bug must not stop a whole indexing run
        return FileResult(errors=[f"reader failed: {type(exc).__name__}: {exc}"])


def _unreadable(path: Path) -> str | None:
    """Why the file cannot be read at all, or None."""
    if path.is_symlink() and not path.exists():
        return "broken symbolic link"
    if not path.exists():
        return "file not found"
    if not path.is_file():
        return "not a regular file"
    try:
        size = path.stat().st_size
    except OSError as exc:
        return f"cannot read file: {exc.strerror or exc}"
    if size > MAX_FILE_BYTES and kind_of(path) not in STREAMED_KINDS:
        return (f"file too large ({size / 1024 / 1024:.1f} MB; "
                f"the limit is {MAX_FILE_BYTES // 1024 // 1024} MB)")
    return None


def extract(path) -> FileResult:
    """The articles in one file, read as ``cari extract`` reads it (the file's
    folder taken as the corpus root). Never raises for a bad file."""
    path = Path(path)
    return read_file(path, path.parent)
