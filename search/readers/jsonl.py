"""JSON records (.json: one record or a list; .jsonl: one record per line).

Fields: ``title`` and ``body`` (required), optional ``id, date, time, source,
url, category, author``. CLICK-ID records keep ``date`` ("2019-10-25") and
``time`` ("18:59", WIB) apart; they are combined. Bodies keep paragraphs
apart with a blank line; feed boilerplate inside them is removed.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from search.article import Article, stable_id
from search.readers.boilerplate import clean_paragraphs, credit_author
from search.readers.dateline import dateline, publisher_key
from search.readers.dates import WIB, combine
from search.readers.encoding import decode, normalise_newlines
from search.readers.result import FileResult
from search.readers.text import derive_title

MAX_LINE_BYTES = 5 * 1024 * 1024
# Deepest nesting of arrays and objects a record may have. An article record
# is a flat object (a list of paragraphs at most); far deeper input is hostile
# and would cost recursion in json and in anything that walks the value.
MAX_JSON_DEPTH = 64
# The only URL schemes kept as an article's link. A URL is data from the file:
# any other scheme (javascript:, data:, file:...), a URL without a host, or one
# with spaces or control characters is not a link. It is dropped from ``url``
# (the article keeps no link at all) rather than kept as text anywhere.
LINK_SCHEMES = ("http", "https")


def from_record(record, rel_path: str, index: int | None) -> tuple[Article | None, str | None]:
    """(article, None) or (None, reason the record was not used)."""
    if not isinstance(record, dict):
        return None, f"not a JSON object ({type(record).__name__})"
    title = _text(record.get("title"))
    raw_body = record.get("body", record.get("content", record.get("text")))
    body_text = _text(raw_body) if not isinstance(raw_body, list) else "\n\n".join(map(_text, raw_body))
    if not title and not body_text:
        return None, "no title and no body"
    raw_paragraphs = _split(body_text)
    paragraphs, related = clean_paragraphs(raw_paragraphs)
    extra = record.get("related")
    if isinstance(extra, list):
        related = [title for title in map(_text, extra) if title] + related
    body = "\n\n".join(paragraphs)
    record_id = _text(record.get("id"))
    if not record_id:
        record_id = stable_id(rel_path, str(index)) if index is not None else stable_id(rel_path)
    return Article(
        id=record_id,
        title=title or (derive_title(paragraphs[0]) if paragraphs else ""),
        body=body,
        source=_source(record, paragraphs),
        date=_date(record),
        url=link(record.get("url")),
        category=_text(record.get("category")),
        author=_text(record.get("author")) or credit_author(raw_paragraphs[-3:]),
        related=related,
        path=rel_path,
    ), None


def _source(record: dict, paragraphs: list[str]) -> str:
    """Publisher key from the record's source, else the dateline, else the URL host."""
    source = publisher_key(_text(record.get("source")))
    if not source and paragraphs:
        source = dateline(paragraphs[0])[0]
    return source or publisher_key(link(record.get("url")))


def link(value) -> str:
    """``value`` as an article URL when it is an http(s) URL with a host, else ""."""
    url = _text(value)
    if not url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. a malformed IPv6 host
        return ""
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return ""
    return url


def too_deep(value, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when arrays and objects nest deeper than ``limit`` (no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, (dict, list)))
    return False


def parse(text: str):
    """json.loads, with nesting beyond MAX_JSON_DEPTH a ValueError (never RecursionError)."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels") from None
    if too_deep(value):
        raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip() if not isinstance(value, (dict, list)) else ""


def _split(body: str) -> list[str]:
    """Paragraphs: blank-line separated; single newlines too when there are no blank lines."""
    body = normalise_newlines(body)
    if "\n\n" in body:
        return [part.strip() for part in re.split(r"\n\s*\n", body) if part.strip()]
    return [part.strip() for part in body.split("\n") if part.strip()]


def _date(record: dict):
    date = record.get("date") or record.get("published") or record.get("date_published")
    if date is None:
        return None
    # Records of Indonesian publishers carry WIB times; a bare date is taken
    # as that day in WIB so every dated article compares with every other.
    return combine(_text(date), _text(record.get("time")) or None, default_zone=WIB)


def read_json(path: Path, rel_path: str) -> FileResult:
    """A .json file holding one record or a list of records."""
    return read_json_data(path.read_bytes(), rel_path)


def read_json_data(data: bytes, rel_path: str) -> FileResult:
    """The records of one JSON document (a .json file's bytes, or a .json.gz's once decompressed)."""
    result = FileResult()
    text, _ = decode(data)
    try:
        payload = parse(text)
    except json.JSONDecodeError as exc:
        result.errors.append(f"invalid JSON ({exc.msg} at line {exc.lineno})")
        return result
    except ValueError as exc:
        result.errors.append(f"invalid JSON ({exc})")
        return result
    payload = _unwrap(payload)
    records = payload if isinstance(payload, list) else [payload]
    single = not isinstance(payload, list)
    for index, record in enumerate(records):
        add_record(result, record, rel_path, None if single else index, f"record {index}")
    if not result.articles and not result.errors:
        result.skipped = "no records"
    return result


def add_record(result: FileResult, record, rel_path: str, position, where: str) -> None:
    """The record's article into ``result``, or why not (``where``: "line 3", "record 0")."""
    article, problem = from_record(record, rel_path, position)
    if article:
        result.articles.append(article)
    else:
        result.errors.append(f"{where}: {problem}")


WRAPPER_KEYS = ("articles", "items", "records", "data", "results")


def _unwrap(payload):
    """{"articles": [...]} (a common export shape) -> the list; anything else unchanged."""
    if isinstance(payload, dict) and "title" not in payload and "body" not in payload:
        for key in WRAPPER_KEYS:
            if isinstance(payload.get(key), list):
                return payload[key]
    return payload


def _lines(handle: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) streamed; bytes is None for a line over the cap."""
    number = 0
    while True:
        line = handle.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of the long line
                line = handle.readline(MAX_LINE_BYTES)
            yield number, None
            continue
        yield number, line


def read_jsonl(path: Path, rel_path: str) -> FileResult:
    """A .jsonl file, one record per line, streamed."""
    with path.open("rb") as handle:
        return read_jsonl_stream(handle, rel_path)


def read_jsonl_stream(handle: BinaryIO, rel_path: str) -> FileResult:
    """The records of a stream of JSON lines (a .jsonl file, or a .jsonl.gz decompressing)."""
    result = FileResult()
    for number, line in _lines(handle):
        if line is None:
            result.errors.append(f"line {number}: longer than {MAX_LINE_BYTES} bytes, skipped")
            continue
        text, _ = decode(line)
        text = text.strip().lstrip("\ufeff")
        if not text:
            continue
        try:
            record = parse(text)
        except json.JSONDecodeError as exc:
            result.errors.append(f"line {number}: invalid JSON ({exc.msg})")
            continue
        except ValueError as exc:  # too deep: this line only, its neighbours are kept
            result.errors.append(f"line {number}: invalid JSON ({exc}), skipped")
            continue
        add_record(result, record, rel_path, number - 1, f"line {number}")
    if not result.articles and not result.errors:
        result.skipped = "empty file"
    return result
