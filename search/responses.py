"""The JSON shapes cari answers with, shared by the HTTP API and `--json`.

Kept in the library (not in web/) so the command line prints exactly what the
API returns without importing Flask.
"""
from __future__ import annotations

from search.searcher import SearchResults


def search_response(results: SearchResults) -> dict:
    return {
        "query": results.query,
        "total": results.total,
        "page": results.page,
        "per_page": results.per_page,
        "took_ms": results.took_ms,
        "partial": results.partial,
        "matched_all": results.matched_all,
        "correction": results.correction,
        "hits": [hit_response(h) for h in results.hits],
        "facets": results.facets,
    }


def hit_response(hit) -> dict:
    return {
        "id": hit.id, "title": hit.title, "url": hit.url, "source": hit.source,
        "category": hit.category, "date": hit.date, "score": hit.score,
        "snippet": hit.snippet, "snippet_text": hit.snippet_text,
    }


def error_response(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}
