"""The JSON API: /api/search and friends. Errors are JSON, never a stack trace."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from search.meta import IndexVersionError
from search.query import QueryError
from search.responses import error_response, search_response
from search.searcher import IndexNotFound
from web.engine import get_engine

bp = Blueprint("api", __name__, url_prefix="/api")


def api_error(status: int, code: str, message: str):
    return jsonify(error_response(code, message)), status


@bp.errorhandler(QueryError)
def bad_query(exc):
    return api_error(400, "bad_query", str(exc))


@bp.errorhandler(IndexNotFound)
@bp.errorhandler(IndexVersionError)
def no_index(exc):
    return api_error(503, "index_unavailable", "the search index is not available")


@bp.get("/search")
def search():
    q = request.args.get("q", "")
    page = request.args.get("page", "1")
    per_page = request.args.get("per_page", "10")
    results = get_engine().search(q, page=page, per_page=per_page)
    return jsonify(search_response(results))


@bp.get("/articles/<article_id>")
def article(article_id: str):
    found = get_engine().article(article_id)
    if found is None:
        return api_error(404, "not_found", f"no article with id {article_id}")
    return jsonify(found)


@bp.get("/stats")
def stats():
    data = get_engine().stats()
    data.pop("index", None)  # no server paths leave the server
    return jsonify(data)
