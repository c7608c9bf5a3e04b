"""HTML pages: the search form, results and article pages."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from search.meta import IndexVersionError
from search.query import QueryError
from search.searcher import IndexNotFound
from web.engine import get_engine
from web.text import paragraphs_with_marks

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    return render_template("home.html")


@bp.get("/search")
def search():
    q = request.args.get("q", "").strip()
    page = request.args.get("page", "1")
    if not q:
        return render_template("home.html")
    try:
        results = get_engine().search(q, page=page, per_page=10)
    except QueryError as exc:
        return render_template("results.html", q=q, error=str(exc), results=None), 400
    pages = -(-results.total // results.per_page)
    return render_template("results.html", q=q, results=results, pages=pages, error=None)


@bp.get("/article/<article_id>")
def article(article_id: str):
    found = get_engine().article(article_id)
    if found is None:
        abort(404)
    q = request.args.get("q", "").strip()
    paragraphs = paragraphs_with_marks(found.get("body", ""), q)
    return render_template("article.html", article=found, paragraphs=paragraphs, q=q)


@bp.app_errorhandler(404)
def not_found(exc):
    return render_template("error.html", message="Halaman tidak ditemukan."), 404


@bp.app_errorhandler(IndexNotFound)
@bp.app_errorhandler(IndexVersionError)
def no_index(exc):
    return render_template("error.html", message="Indeks pencarian belum tersedia."), 503
