"""Exporting a search: ``/search.csv`` and ``/search.json``, the results of a results page as a file.

The URL is the results page's with ``.csv`` or ``.json`` added: the same query,
filters, order and grouping (the page's ``SearchState``), every result up to
MAX_ROWS rather than one page. Each row holds the title, date, source, the
publisher's URL and cari's id. The routes live on the pages blueprint, so
the pages' rate limit and 400 pages apply.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from urllib.parse import urlencode

from flask import Response, url_for

from search.errors import QueryError
from web.api import NOTHING_TO_SEARCH
from web.engine import get_engine
from web.errors import ApiError
from web.follow import search_state, too_far
from web.pages import SearchState, bp

MAX_ROWS = 1000
COLUMNS = ("title", "date", "source", "url", "id")
# A spreadsheet runs a cell starting with one of these as a formula
# (=HYPERLINK(...), +cmd|...); such cells are written after a quote, as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_rows(state: SearchState) -> tuple[list[dict], int]:
    """(rows, total matches): the search's results in the page's order, at most MAX_ROWS."""
    try:
        results = get_engine().first_results(state.q, MAX_ROWS, sort=state.sort, filters=state.filters(),
                                             group=state.group, diverse=state.diverse)
    except QueryError as exc:
        if exc.code not in NOTHING_TO_SEARCH:
            raise
        return [], 0          # nothing searchable in it: a valid search that finds nothing
    rows = [{name: getattr(hit, name) or "" for name in COLUMNS} for hit in results.hits]
    return rows[:MAX_ROWS], results.total


def safe_cell(value) -> str:
    """A cell a spreadsheet shows as text, never runs (CSV injection)."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def as_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(row[name]) for name in COLUMNS])
    return out.getvalue()


def file_name(state: SearchState, extension: str) -> str:
    """cari-banjir-rob.csv: the query in letters, digits and dashes (safe in a header)."""
    words = re.sub(r"[^a-z0-9]+", "-", state.q.casefold()).strip("-")[:60].strip("-")
    return f"cari-{words or 'search'}.{extension}"


def download(body: str, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def export_url(state: SearchState, endpoint: str) -> str:
    """A results page's export link, built from the route: every parameter but the page."""
    params = replace(state, page=1, expand="").params()
    return url_for(endpoint) + "?" + urlencode(params)


@bp.app_context_processor
def export_links() -> dict:
    return {"export_url": export_url}


@bp.get("/search.csv")
def search_csv():
    """The search's results as CSV (UTF-8, one header row: COLUMNS)."""
    try:
        state = search_state()
    except ApiError as error:
        return too_far(error)
    rows, _ = export_rows(state)
    return download(as_csv(rows), "text/csv", file_name(state, "csv"))


@bp.get("/search.json")
def search_json():
    """The search's results as JSON: the search itself, the total, the rows."""
    try:
        state = search_state()
    except ApiError as error:
        return too_far(error)
    rows, total = export_rows(state)
    payload = {"query": state.q, "sort": state.sort, "filters": {
        "source": list(state.source), "category": list(state.category), "month": state.month or None,
        "date_from": state.date_from or None, "date_to": state.date_to or None},
        "total": total, "exported": len(rows), "max_rows": MAX_ROWS, "results": rows}
    return download(json.dumps(payload, ensure_ascii=False, indent=1), "application/json",
                    file_name(state, "json"))
