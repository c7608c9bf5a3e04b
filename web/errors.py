"""API errors: one JSON shape, each code with its status and its message.

Every error the API sends is ``{"error": {"code": ..., "message": ...}}``. The
code is stable for programs; the message is for people, in Indonesian unless
``Accept-Language`` prefers English. Messages come from the interface's one
catalog (web/i18n.py), never from an exception, so no stack trace or server
path can leak.
"""
from __future__ import annotations

import logging

from flask import jsonify, request

from search.retrieval.query import MAX_QUERY_CHARS
from search.retrieval.responses import error_response
from web import i18n

# code -> (HTTP status, its message's key in web/i18n.py's catalog). Placeholders come from
# ApiError details. The query's own errors share their words with the results page.
ERRORS: dict[str, tuple[int, str]] = {
    "missing_query": (400, "error_missing_query"),
    "bad_query": (400, "error_bad_query"),
    "too_many_terms": (400, "error_too_many_terms"),
    "bad_date": (400, "error_bad_date"),
    "query_too_long": (400, "error_query_too_long"),
    "invalid_parameter": (400, "error_invalid_parameter"),
    "unknown_parameter": (400, "error_unknown_parameter"),
    "bad_request": (400, "error_bad_request"),
    "not_found": (404, "error_api_not_found"),
    "article_not_found": (404, "error_article_not_found"),
    "method_not_allowed": (405, "error_method_not_allowed"),
    "too_large": (413, "error_too_large"),
    "rate_limited": (429, "rate_limited"),
    "internal_error": (500, "error_internal"),
    "index_unavailable": (503, "no_index"),
}

# The same, with the words: code -> (HTTP status, {language: message}).
CATALOG: dict[str, tuple[int, dict[str, str]]] = {
    code: (status, i18n.texts(key)) for code, (status, key) in ERRORS.items()}

# Why a parameter was rejected, for "invalid_parameter": reason -> {language: text}.
REASONS: dict[str, dict[str, str]] = {
    reason: i18n.texts("reason_" + reason) for reason in ("integer", "boolean", "choice", "date", "month", "text", "list")}

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
    ``cari.*`` loggers go to gunicorn's error log (web/logs.py)."""
    # %r: a path or query holding a newline cannot forge a log line.
    log.error("request failed: %s %r q=%r (%s)", request.method, request.path,
              request.args.get("q", "")[:LOGGED_QUERY_CHARS], type(exc).__name__,
              exc_info=(type(exc), exc, exc.__traceback__))


class ApiError(Exception):
    """An error the API answers with; ``details`` fill the message's placeholders."""

    def __init__(self, code: str, headers: dict | None = None, status: int | None = None,
                 fields: dict | None = None, **details):
        super().__init__(code)
        self.code = code
        self.status = status or CATALOG[code][0]
        self.headers = headers or {}
        self.fields = fields or {}        # for programs, beside code and message (unknown_parameter: names)
        self.details = details


def message(code: str, lang: str, **details) -> str:
    """The message of error ``code`` in ``lang``, its placeholders filled from ``details``."""
    if code == "invalid_parameter":
        details["reason"] = i18n.translate("reason_" + details["reason"], lang, **details)
    return i18n.translate(ERRORS[code][1], lang, **details)


def query_error(exc) -> ApiError:
    """A search.retrieval.query.QueryError as ours: its code when we have words for it."""
    code = getattr(exc, "code", None)
    if code in QUERY_ERRORS:
        return ApiError(code)
    return ApiError("bad_query", detail=getattr(exc, "message", None) or str(exc))


def error_json(error: ApiError):
    """The Flask response for ``error``, in the client's language."""
    lang = i18n.current_lang(from_url=False)
    body = error_response(error.code, message(error.code, lang, **error.details))
    body["error"].update(error.fields)
    response = jsonify(body)
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
