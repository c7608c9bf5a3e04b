"""The JSON shapes cari answers with, shared by the HTTP API and `--json`.

Kept in the library (not in web/) so the command line prints exactly what the
API returns without importing Flask. Each shape lists its fields explicitly:
stored fields such as the source file's path never reach a client.
"""
from __future__ import annotations

from search.retrieval.results import FACET_NAMES, SearchResults

HIT_FIELDS = ("id", "title", "url", "source", "category", "date", "score", "snippet", "snippet_text", "all_words",
              "group", "similar")
RELATED_FIELDS = ("id", "title", "url", "source", "category", "date", "score")
ARTICLE_TEXT_FIELDS = ("id", "title", "url", "source", "category", "author", "body")
STATS_FIELDS = ("documents", "index_size_bytes", "last_indexed", "analysis_version")


def search_response(results: SearchResults) -> dict:
    return {
        "query": results.query,
        "total": results.total,
        "total_all_words": results.total if results.total_all_words is None else results.total_all_words,
        "total_some_words": results.total_some_words,
        "page": results.page,
        "per_page": results.per_page,
        "took_ms": results.took_ms,
        "partial": results.partial,
        "total_exact": results.total_exact,
        "notes": list(results.notes),
        "matched_all": results.matched_all,
        "correction": results.correction,
        "corrected": results.corrected,
        "hits": [hit_response(h) for h in results.hits],
        "facets": facets_response(results.facets or {}),
        "timeline": results.timeline,
    }


def hit_response(hit) -> dict:
    return {name: getattr(hit, name) for name in HIT_FIELDS}


def facets_response(facets: dict) -> dict:
    """Only the facets the API documents, each a list of {value, count}."""
    return {
        name: [{"value": str(f["value"]), "count": int(f["count"])} for f in facets[name]]
        for name in FACET_NAMES if name in facets
    }


def article_response(article: dict, related: list) -> dict:
    """One article: its text and metadata, the titles it links to ("Baca juga",
    ``see_also``) and the articles most like it (``related``)."""
    data = {name: article.get(name) or "" for name in ARTICLE_TEXT_FIELDS}
    data["date"] = article.get("date") or None
    data["see_also"] = [str(title) for title in article.get("related") or []]
    data["related"] = [{name: getattr(hit, name) for name in RELATED_FIELDS} for hit in related]
    return data


def suggest_response(prefix: str, suggestions: list[str]) -> dict:
    return {"query": prefix, "suggestions": list(suggestions)}


def stats_response(stats: dict) -> dict:
    return {name: stats.get(name) for name in STATS_FIELDS}


def error_response(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}
