"""API errors: one JSON shape, one catalog of messages in Indonesian and English.

Every error the API sends is ``{"error": {"code": ..., "message": ...}}``. The
code is stable for programs; the message is for people, in Indonesian unless
``Accept-Language`` prefers English. Messages are written here, never taken
from an exception, so no stack trace or server path can leak.
"""
from __future__ import annotations

import logging

from flask import jsonify, request

from search.retrieval.query import MAX_CLAUSES, MAX_QUERY_CHARS
from search.retrieval.responses import error_response

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"

# code -> (HTTP status, {language: message}). Placeholders come from ApiError details.
CATALOG: dict[str, tuple[int, dict[str, str]]] = {
    "missing_query": (400, {
        "id": "Parameter q wajib diisi: ketik satu kata atau lebih.",
        "en": "The q parameter is required: type one or more words.",
    }),
    "bad_query": (400, {
        "id": "Kueri tidak dapat dijalankan: {detail}",
        "en": "The query cannot be run: {detail}",
    }),
    "too_many_terms": (400, {
        "id": f"Kueri terlalu panjang: paling banyak {MAX_CLAUSES} kata, frasa, dan filter.",
        "en": f"Too many words: at most {MAX_CLAUSES} words, phrases and filters.",
    }),
    "bad_date": (400, {
        "id": "Tanggal di kueri tidak dikenal: tulis seperti 2019, 2019-09, atau 2019-09-15.",
        "en": "Unknown date in the query: write it as 2019, 2019-09 or 2019-09-15.",
    }),
    "query_too_long": (400, {
        "id": f"Kueri terlalu panjang: paling banyak {MAX_QUERY_CHARS} karakter.",
        "en": f"Query too long: at most {MAX_QUERY_CHARS} characters.",
    }),
    "invalid_parameter": (400, {
        "id": "Parameter {name} tidak valid: {reason}",
        "en": "Invalid parameter {name}: {reason}",
    }),
    "bad_request": (400, {
        "id": "Permintaan tidak valid.",
        "en": "Bad request.",
    }),
    "not_found": (404, {
        "id": "Alamat ini tidak ada di API.",
        "en": "There is no such API address.",
    }),
    "article_not_found": (404, {
        "id": "Tidak ada artikel dengan id {id}.",
        "en": "There is no article with id {id}.",
    }),
    "method_not_allowed": (405, {
        "id": "Metode {method} tidak didukung di alamat ini; gunakan {allowed}.",
        "en": "Method {method} is not supported here; use {allowed}.",
    }),
    "too_large": (413, {
        "id": "Permintaan terlalu besar: alamat paling panjang {max_url} bita, isi paling besar {max_body} bita.",
        "en": "Request too large: at most {max_url} bytes of URL and {max_body} bytes of body.",
    }),
    "rate_limited": (429, {
        "id": "Terlalu banyak permintaan; coba lagi dalam {retry_after} detik.",
        "en": "Too many requests; try again in {retry_after} seconds.",
    }),
    "internal_error": (500, {
        "id": "Terjadi kesalahan di server.",
        "en": "Something went wrong on the server.",
    }),
    "index_unavailable": (503, {
        "id": "Indeks pencarian belum tersedia.",
        "en": "The search index is not available.",
    }),
}

# Why a parameter was rejected, for "invalid_parameter".
REASONS: dict[str, dict[str, str]] = {
    "integer": {"id": "harus bilangan bulat {min}–{max}.",
                "en": "must be a whole number from {min} to {max}."},
    "boolean": {"id": "harus true atau false.", "en": "must be true or false."},
    "choice": {"id": "harus salah satu dari: {choices}.", "en": "must be one of: {choices}."},
    "date": {"id": "harus tanggal berformat YYYY-MM-DD.", "en": "must be a date as YYYY-MM-DD."},
    "text": {"id": "harus teks {min}–{max} karakter.", "en": "must be text of {min} to {max} characters."},
    "list": {"id": "paling banyak {max} nilai.", "en": "takes at most {max} values."},
}

# QueryError codes (search/retrieval/query.py) worded in the catalog; others become "bad_query".
QUERY_ERRORS = ("too_many_terms", "bad_date", "query_too_long")

# HTTP statuses werkzeug may raise by itself -> our code for them (405 and 413,
# whose messages need details, are built where they are detected).
STATUS_CODES = {400: "bad_request", 404: "not_found", 500: "internal_error", 503: "index_unavailable"}

ERROR_CODES = sorted(CATALOG)

log = logging.getLogger("cari.web")
LOGGED_QUERY_CHARS = MAX_QUERY_CHARS


def log_failure(exc: BaseException) -> None:
    """Log an unexpected error with what was asked (method, path, the query),
    traceback included; the client gets only a message from the catalog.
    ``cari.*`` loggers go to gunicorn's error log (web/logging.py)."""
    # %r: a path or query holding a newline cannot forge a log line.
    log.error("request failed: %s %r q=%r (%s)", request.method, request.path,
              request.args.get("q", "")[:LOGGED_QUERY_CHARS], type(exc).__name__,
              exc_info=(type(exc), exc, exc.__traceback__))


class ApiError(Exception):
    """An error the API answers with; ``details`` fill the message's placeholders."""

    def __init__(self, code: str, headers: dict | None = None, status: int | None = None, **details):
        super().__init__(code)
        self.code = code
        self.status = status or CATALOG[code][0]
        self.headers = headers or {}
        self.details = details


def language() -> str:
    """'en' when the client prefers English, else Indonesian."""
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)


def message(code: str, lang: str, **details) -> str:
    template = CATALOG[code][1][lang]
    if code == "invalid_parameter":
        details["reason"] = REASONS[details["reason"]][lang].format(**details)
    return template.format(**details)


def query_error(exc) -> ApiError:
    """A search.retrieval.query.QueryError as ours: its code when we have words for it."""
    code = getattr(exc, "code", None)
    if code in QUERY_ERRORS:
        return ApiError(code)
    return ApiError("bad_query", detail=getattr(exc, "message", None) or str(exc))


def error_json(error: ApiError):
    """The Flask response for ``error``, in the client's language."""
    lang = language()
    response = jsonify(error_response(error.code, message(error.code, lang, **error.details)))
    response.status_code = error.status
    response.headers.update(error.headers)
    response.headers["Content-Language"] = lang
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Accept-Language")
    return response


def from_status(status: int, headers: dict | None = None, **details) -> ApiError:
    """An HTTP error werkzeug raised, as ours (its status kept)."""
    code = STATUS_CODES.get(status, "bad_request" if status < 500 else "internal_error")
    return ApiError(code, headers, status=status, **details)
