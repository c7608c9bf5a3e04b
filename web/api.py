"""The JSON API: /api/search, /api/articles/<id>, /api/suggest, /api/stats,
/api/openapi.json and /healthz.

Every answer is JSON, errors included (see web/errors.py); GET answers carry an
ETag and Cache-Control and honour If-None-Match. Two blueprints: ``bp`` under
/api and ``health_bp`` for /healthz, which monitors expect at the root.
"""
from __future__ import annotations

import hashlib

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound, RequestEntityTooLarge

from search.errors import IndexNotFound, IndexVersionError, QueryError
from search.retrieval.query import clean_text
from search.retrieval.responses import article_response, search_response, stats_response, suggest_response
from search.retrieval.results import SearchResults
from web.engine import get_engine
from web.errors import ApiError, error_json, from_status, log_failure, query_error
from web.contract import ARTICLE, MAX_AGE, RELATED_LIMIT, SEARCH, SUGGEST
from web.text import truncate_body
from web import i18n, ratelimit
from web.filters import available, date_range, unknown_values
from web.headlines import headlines
from web.notes import translate_notes

bp = Blueprint("api", __name__, url_prefix="/api")
health_bp = Blueprint("health", __name__)

# URLs: CARI_MAX_URL_BYTES (8000 by default), below gunicorn's request-line limit
# (limit_request_line, at most 8190) so the answer is ours, in JSON; a longer
# line gets gunicorn's own 414 first.
MAX_BODY_BYTES = 16 * 1024  # the API reads no bodies; anything big is a mistake or an attack
def is_api_path(path: str) -> bool:
    return path == "/healthz" or path == "/api" or path.startswith("/api/")


# -- setup: limits, rate limiter and CORS from app.config (checked by create_app) ------
@bp.record_once
def configure(state) -> None:
    ratelimit.install(state.app, state.app.config["CARI_RATE_LIMIT"])


def cors_origins() -> tuple[str, ...]:
    """CARI_CORS_ORIGINS: none (off, the default), "*", or the origins allowed."""
    return current_app.config["CARI_CORS_ORIGINS"]


# -- before every API request: size, rate, routing ----------------------------------
@bp.before_app_request
def guard():
    """Answer oversized, throttled and unroutable API requests with JSON.

    Routing errors (404, 405) happen before any blueprint is chosen, so
    blueprint error handlers never see them; an app-wide handler would take
    the HTML pages' 404 too. Flask runs before-request hooks before it raises
    the routing error, so this is where API paths get their JSON answer.
    """
    if not is_api_path(request.path):
        return None
    try:
        check_size()
        if request.path != "/healthz":
            check_rate()
        check_route()
    except ApiError as error:
        return error_json(error)
    return None


def limits() -> tuple[int, int]:
    """(most bytes of URL, most bytes of body) this app accepts."""
    max_url = current_app.config["CARI_MAX_URL_BYTES"]
    return max_url, current_app.config.get("MAX_CONTENT_LENGTH") or MAX_BODY_BYTES


def too_large() -> ApiError:
    max_url, max_body = limits()
    return ApiError("too_large", max_url=max_url, max_body=max_body)


def method_not_allowed(valid_methods) -> ApiError:
    allowed = ", ".join(sorted(valid_methods or ()))
    return ApiError("method_not_allowed", headers={"Allow": allowed},
                    method=request.method, allowed=allowed)


def check_size() -> None:
    max_url, max_body = limits()
    url_bytes = len(request.path.encode("utf-8")) + len(request.query_string)
    if url_bytes > max_url or (request.content_length or 0) > max_body:
        raise too_large()


def check_rate() -> None:
    seconds = ratelimit.wait_for(current_app, request.remote_addr)
    if seconds:
        raise ApiError("rate_limited", headers={"Retry-After": str(seconds)}, retry_after=seconds)


def check_route() -> None:
    exc = request.routing_exception
    if isinstance(exc, MethodNotAllowed):
        raise method_not_allowed(exc.valid_methods)
    if isinstance(exc, NotFound):
        raise ApiError("not_found")


@bp.after_app_request
def add_cors(response):
    """Cross-origin access, only for the origins configured (none by default)."""
    origins = cors_origins()
    if not origins or not is_api_path(request.path):
        return response
    # With CORS on, every API answer depends on Origin (whether it gets the
    # CORS headers at all, and which origin they name), so caches must key on it.
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if not origin:
        return response
    if "*" in origins:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin in origins:
        response.headers["Access-Control-Allow-Origin"] = origin
    else:
        return response
    response.headers["Access-Control-Expose-Headers"] = "ETag, Retry-After, Content-Language"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept-Language, If-None-Match"
        response.headers["Access-Control-Max-Age"] = "600"
    return response


# -- errors raised inside API views ---------------------------------------------------
def api_error(exc: Exception) -> ApiError:
    """Any exception as the API answers it: ours as it is, cari's own
    (search/errors.py) and werkzeug's HTTP errors by kind, anything else an
    internal error, logged with the request."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, QueryError):
        return query_error(exc)
    if isinstance(exc, (IndexNotFound, IndexVersionError)):
        return ApiError("index_unavailable")
    if isinstance(exc, MethodNotAllowed):
        return method_not_allowed(exc.valid_methods)
    if isinstance(exc, RequestEntityTooLarge):
        return too_large()
    if isinstance(exc, HTTPException):
        return from_status(exc.code or 500)
    log_failure(exc)      # a CariError of another kind here is a bug too
    return ApiError("internal_error")


def on_error(exc: Exception):
    return error_json(api_error(exc))


for blueprint in (bp, health_bp):
    blueprint.register_error_handler(Exception, on_error)


# -- caching ---------------------------------------------------------------------------
def cached_json(payload: dict, max_age: int, volatile: tuple[str, ...] = ()) -> Response:
    """``payload`` as JSON with an ETag, or 304 when the client already has it.

    The tag hashes the body less its ``volatile`` fields (timings): two
    answers equal but for those are the same representation, so the tag is
    weak when there are any. The payload is serialised once: the volatile
    fields are appended to the stable part's JSON (key order means nothing
    in JSON).
    """
    stable = {k: v for k, v in payload.items() if k not in volatile}
    body = current_app.json.dumps(stable)
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]
    if request.if_none_match.contains_weak(digest):
        response = Response(status=304)
        del response.headers["Content-Type"]
    else:
        extra = {k: payload[k] for k in volatile if k in payload}
        if extra:
            tail = current_app.json.dumps(extra)[1:]
            body = body[:-1] + ("," if stable else "") + tail
        response = current_app.response_class(body + "\n", mimetype=current_app.json.mimetype)
    response.set_etag(digest, weak=bool(volatile))
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


# -- routes ------------------------------------------------------------------------------
@bp.get("/search")
def search():
    if not request.args.get("q"):
        raise ApiError("missing_query")
    args = SEARCH.parse(request.args)
    lang = i18n.current_lang(from_url=False)
    why_empty = []
    try:
        results = run_search(args)
    except QueryError as exc:
        if exc.code not in NOTHING_TO_SEARCH:
            raise
        # Only spaces, punctuation or emoji: a valid string that finds nothing (a note says why).
        results = SearchResults(query=clean_text(args["q"]), total=0, page=args["page"],
                                per_page=args["per_page"], took_ms=0.0)
        why_empty = [i18n.translate("error_" + exc.code, lang)]
    payload = search_response(results)
    # The engine's notes are English for the command line: the API says them
    # in the client's language, from the pages' catalog (web/notes.py).
    payload["notes"] = translate_notes(results.notes, lang) + why_empty
    payload["warnings"] = search_warnings(args)
    response = cached_json(payload, MAX_AGE["search"], volatile=("took_ms",))
    response.vary.add("Accept-Language")        # the notes' and warnings' words
    return response


def search_warnings(args: dict) -> list[dict]:
    """What the request asked that cannot work, in the client's language:
    filter values no article has (parameters the route does not take are a
    400: ParamSet.parse)."""
    lang = i18n.current_lang(from_url=False)
    out = []
    for unknown in unknown_values(get_engine(), args["q"], args):
        out.append({"code": "unknown_" + unknown.facet, **unknown.to_dict(),
                    "message": i18n.translate("unknown_" + unknown.facet, lang, value=unknown.value)})
    return out


NOTHING_TO_SEARCH = ("empty_query", "no_terms")


def run_search(args: dict) -> SearchResults:
    """Results for the parsed parameters (a page past the ranked results is
    the engine's to answer: no hits, the total, a note)."""
    return get_engine().search(
        args["q"], page=args["page"], per_page=args["per_page"],
        highlight=args["highlight"], sort=args["sort"], facets=args["facets"],
        filters=search_filters(args), group=args["group"], diverse=args["diverse"],
    )


def search_filters(args: dict) -> dict:
    """The engine's filters: the month, when given, narrows the date range to its days."""
    date_from, date_to = date_range(args["month"], args["date_from"], args["date_to"])
    return {"source": args["source"], "category": args["category"],
            "date_from": date_from, "date_to": date_to}


# The path form keeps the plain converter: an id holding "/" does not route
# here (tests/test_api.py holds /api/articles/..%2F..%2Fetc%2Fpasswd to be the
# route's not_found). /api/articles?id= takes any id.
@bp.get("/articles/<article_id>")
def article(article_id: str):
    engine = get_engine()
    found = engine.article(article_id)
    if found is None:
        raise ApiError("article_not_found", id=article_id[:100])
    related = engine.related(article_id, limit=RELATED_LIMIT)
    body = found.get("body") or ""
    shown, cut = truncate_body(body, current_app.config["CARI_MAX_ARTICLE_CHARS"])
    payload = article_response(dict(found, body=shown), related)
    payload["body_truncated"] = cut      # added fields: older clients simply ignore them
    payload["body_chars"] = len(body)
    payload["category_label"] = found.get("category_label") or ""   # the publisher's own
    return cached_json(payload, MAX_AGE["article"])


@bp.get("/articles")
def article_by_query():
    """``/api/articles?id=a/../b``: the same answer, for every id."""
    article_id = ARTICLE.parse(request.args)["id"]
    if article_id is None:
        raise ApiError("invalid_parameter", reason="text", name="id", min=1, max=1000)
    return article(article_id)


@bp.get("/suggest")
def suggest():
    args = SUGGEST.parse(request.args)
    prefix = clean_text(args["q"])
    engine = get_engine()
    suggestions = engine.suggest(prefix, limit=args["limit"]) if prefix else []
    payload = suggest_response(args["q"], suggestions)
    payload["articles"] = headlines(engine, suggestions)     # the titles among them, to open
    return cached_json(payload, MAX_AGE["suggest"])


@bp.get("/filters")
def filters():
    """Every source and category the index holds: what source= and category= take."""
    return cached_json(available(get_engine()), MAX_AGE["filters"])


@bp.get("/stats")
def stats():
    return cached_json(stats_response(get_engine().stats()), MAX_AGE["stats"])


@bp.get("/openapi.json")
def openapi():
    from web.openapi import openapi_document

    return cached_json(openapi_document(), MAX_AGE["openapi"])


@health_bp.get("/healthz")
def healthz():
    """200 only when the index is open and answers a query; never cached."""
    try:
        healthy = get_engine().healthy()
    except Exception:  # any failure to open or query the index means unhealthy
        current_app.logger.exception("health check failed")
        healthy = False
    if not healthy:
        raise ApiError("index_unavailable")
    response = jsonify(status="ok")
    response.headers["Cache-Control"] = "no-store"
    return response
