"""Files that hold other files: gzip-compressed files and web archives (WARC).

Archives come as they are stored: ``page.html.gz``, ``records.jsonl.gz``,
``story.txt.gz``, ``x.json.gz`` are decompressed here and read as the kind
inside. A WARC (``.warc``, ``.warc.gz``: what crawlers, the Internet Archive
and Common Crawl's CC-NEWS write) holds many fetched pages; each HTML
``response`` record with status 200 is read as one page by the HTML reader.

Decompression is bounded: a few KB of gzip can stand for gigabytes of output
(a zip bomb). A whole-file kind inside a .gz is read into memory like the
plain file, so it gets the plain file's cap (MAX_FILE_BYTES); a streamed
.jsonl.gz may hold a whole corpus, so it is capped by its compression ratio
instead (GZIP_MAX_RATIO); a WARC record's payload gets the page cap.
"""
from __future__ import annotations

import contextlib
import gzip
import io
import logging
import re
import zlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from search.article import stable_id
from search.readers import html, jsonl, text
from search.readers.dateline import publisher_key
from search.readers.result import FileResult

# Same cap as a plain file read whole (readers.MAX_FILE_BYTES; not imported
# from there because the package imports this module).
MAX_DECOMPRESSED_BYTES = 20 * 1024 * 1024
# News text and markup compress 3-10x with gzip; deflate's ceiling is about
# 1000x, reached only by repeated bytes. Past 100x the data is not prose.
GZIP_MAX_RATIO = 100
# What a failed decompression raises: a bad header (BadGzipFile is an
# OSError), cut-off data (EOFError), corrupt blocks (zlib.error).
GZIP_ERRORS = (OSError, EOFError, zlib.error)
HTML_TYPES = ("text/html", "application/xhtml+xml")
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
# warcio logs the odd URL it repairs (spaces); with no handler Python would
# print the record's raw text to stderr, among cari's report lines.
logging.getLogger("warcio").addHandler(logging.NullHandler())

# The kinds a .gz may hold: whole-file readers take the decompressed bytes.
WHOLE_FILE_READERS: dict[str, Callable[[bytes, str], FileResult]] = {
    ".txt": text.read_data,
    ".html": html.read_html,
    ".htm": html.read_html,
    ".json": jsonl.read_json_data,
}


# -- gzip ------------------------------------------------------------------------
def gzip_reader(inner: str) -> Callable[[Path, str], FileResult]:
    """The reader of ``<name><inner>.gz`` files (``inner``: ".html", ".jsonl"...)."""
    if inner == ".jsonl":
        return read_jsonl_gz
    read_inner = WHOLE_FILE_READERS[inner]

    def read(path: Path, rel_path: str) -> FileResult:
        try:
            with gzip.open(path, "rb") as handle:
                data = handle.read(MAX_DECOMPRESSED_BYTES + 1)
        except GZIP_ERRORS as exc:
            return FileResult(errors=[f"corrupt gzip file: {_gzip_problem(exc)}"])
        if len(data) > MAX_DECOMPRESSED_BYTES:
            return FileResult(errors=[f"decompressed size over {MAX_DECOMPRESSED_BYTES // 1024 // 1024} MB "
                                      f"(the limit for one {inner} file)"])
        if not data:
            return FileResult(skipped="empty file (0 bytes once decompressed)")
        return read_inner(data, rel_path)

    return read


class BoundedGzip:
    """A .gz file's lines, stopping (as at the end of the file) where the
    data turns corrupt or grows past ``limit`` bytes; ``problem`` says which."""

    def __init__(self, path: Path, limit: int):
        self.handle = gzip.open(path, "rb")
        self.limit = limit
        self.read_bytes = 0
        self.problem: str | None = None

    def readline(self, size: int = -1) -> bytes:
        if self.problem:
            return b""
        try:
            line = self.handle.readline(size)
        except GZIP_ERRORS as exc:
            self.problem = (f"corrupt gzip data after {self.read_bytes:,} bytes: {_gzip_problem(exc)}"
                            if self.read_bytes else f"corrupt gzip file: {_gzip_problem(exc)}")
            return b""
        self.read_bytes += len(line)
        if self.read_bytes > self.limit:
            self.problem = (f"decompressed data over {self.limit // 1024 // 1024} MB "
                            f"({GZIP_MAX_RATIO}x the file's size): the rest is not read")
            return b""
        return line

    def close(self) -> None:
        self.handle.close()


def read_jsonl_gz(path: Path, rel_path: str) -> FileResult:
    """A .jsonl.gz, streamed; the records before a corrupt or runaway part are kept."""
    limit = max(MAX_DECOMPRESSED_BYTES, GZIP_MAX_RATIO * path.stat().st_size)
    stream = BoundedGzip(path, limit)
    try:
        result = jsonl.read_jsonl_stream(stream, rel_path)
    finally:
        stream.close()
    if stream.problem:
        result.errors.append(stream.problem)
        result.skipped = None
    return result


def _gzip_problem(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return "the data ends early (a cut-off download?)"
    return str(exc) or type(exc).__name__


# -- WARC ------------------------------------------------------------------------
def read_warc(path: Path, rel_path: str) -> FileResult:
    """A web archive (.warc or .warc.gz): one article per HTML page fetched with status 200.

    The archive is streamed record by record. Records that are not fetched
    responses (requests, metadata, warcinfo) are not pages and pass unsaid;
    responses that are not HTML pages with status 200, and pages that are
    not articles, are counted by reason in ``skipped_records``. A damaged
    archive keeps the pages read before the damage.
    """
    # Imported here: warcio costs ~40 ms to import, and every user of
    # search.readers (the web app's workers too) would pay it.
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    result = FileResult()
    seen: set[str] = set()
    responses = 0
    # warcio writes what it finds wrong to stderr itself, bytes of the file
    # included: caught here and reported as this file's error, escaped like
    # every report line, rather than printed raw among them.
    said = io.StringIO()
    with path.open("rb") as handle, contextlib.redirect_stderr(said):
        records = ArchiveIterator(handle)
        try:
            last = None
            for record in records:
                _check_whole(last)      # read to its end by now
                last = record
                if record.rec_type == "response":
                    responses += 1
                    read_response(record, rel_path, seen, result)
            _check_whole(last)
            unread = path.stat().st_size - records.offset
            if unread > 0:
                raise DamagedArchive(f"its last {unread:,} bytes are not a whole record")
        except DamagedArchive as exc:
            result.errors.append(f"damaged WARC after {responses} responses: {exc}")
        except ArchiveLoadFailed as exc:
            where = f"after {responses} responses" if responses else "at the start"
            result.errors.append(f"not a readable WARC {where}: {_first_line(exc)}")
        except GZIP_ERRORS as exc:
            result.errors.append(f"damaged WARC after {responses} responses: {_gzip_problem(exc)}")
    complaints = [line.strip() for line in said.getvalue().splitlines() if line.strip()]
    if complaints:
        result.errors.append(f"damaged WARC: {complaints[0][:200]}")   # the first says where it went wrong
    if not result.articles and not result.errors:
        counted = sum(result.skipped_records.values())
        result.skipped = (f"no article page in the archive ({counted} responses skipped)"
                          if counted else "no HTTP responses in the archive")
    return result


class DamagedArchive(Exception):
    """A WARC cut short or broken: what comes after cannot be trusted."""


def _check_whole(record) -> None:
    """Raise DamagedArchive when ``record``, read to its end, had fewer bytes than it declared.

    warcio ends quietly at a cut-off file (a download that stopped); the
    record's reader still owing bytes, or a record without parsed headers,
    is the sign.
    """
    if record is None:
        return
    if record.rec_type is None or not hasattr(record.raw_stream, "limit"):
        raise DamagedArchive("a record's headers are cut short")
    if record.raw_stream.limit > 0:
        uri = record.rec_headers.get_header("WARC-Target-URI") or "(no URL)"
        raise DamagedArchive(f"the {record.rec_type} record of {uri} is cut short "
                             f"({record.raw_stream.limit:,} bytes missing)")


def read_response(record, rel_path: str, seen: set[str], result: FileResult) -> None:
    """One response record into ``result``: its article, an error, or a counted skip."""
    uri = (record.rec_headers.get_header("WARC-Target-URI") or "").strip()
    reason = _not_a_page(record)
    if reason is None and uri in seen:
        reason = "same URL as an earlier record in the archive"
    if reason:
        result.skipped_records[reason] += 1
        return
    seen.add(uri)
    try:
        payload = _read_at_most(record.content_stream(), MAX_DECOMPRESSED_BYTES)
    except GZIP_ERRORS as exc:   # a broken Content-Encoding (gzip, deflate, br)
        result.errors.append(f"{uri}: cannot decode the page: {_gzip_problem(exc)}")
        return
    if payload is None:
        result.errors.append(f"{uri}: page over {MAX_DECOMPRESSED_BYTES // 1024 // 1024} MB, not read")
        return
    _check_whole(record)   # a page cut short is not read as if it were whole
    page = html.read_html(payload, rel_path, charset=_charset(record))
    result.errors.extend(f"{uri}: {error}" for error in page.errors)
    if page.skipped:
        # Counted by kind ("front/index page"), not by each page's details.
        result.skipped_records[page.skipped.split(": ", 1)[0]] += 1
    for article in page.articles:
        # The id comes from the record's URL: stable across runs, one per page
        # in the archive (the HTML reader's would be the archive's, for all).
        article.id = stable_id(rel_path, uri)
        article.url = jsonl.link(uri) or article.url
        if article.date is None:
            article.date = _fetch_date(record)
        article.source = article.source or publisher_key(article.url)
        result.articles.append(article)


def _not_a_page(record) -> str | None:
    """Why a response record is not an HTML page to read, or None."""
    headers = record.http_headers
    if headers is None:
        return "not an HTTP response"
    status = headers.get_statuscode()
    if status != "200":
        return f"HTTP status {status or '(none)'}"
    kind = (headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if kind and kind not in HTML_TYPES:
        return f"not HTML ({kind})"
    return None


def _charset(record) -> str | None:
    """The charset the response's Content-Type declares, or None."""
    found = _HEADER_CHARSET.search(record.http_headers.get_header("Content-Type") or "")
    return found.group(1) if found else None


def _read_at_most(stream, limit: int) -> bytes | None:
    """Up to ``limit`` bytes of ``stream``, or None when it holds more."""
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(1 << 20, limit + 1 - size))
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        size += len(chunk)
    return None


def _fetch_date(record) -> datetime | None:
    """The record's WARC-Date (when the page was fetched), timezone-aware."""
    value = (record.rec_headers.get_header("WARC-Date") or "").strip()
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _first_line(exc: BaseException) -> str:
    """The message's first line, the file's own bytes in it escaped (warcio quotes them)."""
    message = str(exc).strip() or type(exc).__name__
    return message.splitlines()[0][:120].encode("ascii", "backslashreplace").decode("ascii")
