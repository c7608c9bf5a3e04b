"""HTML pages: the search form, results, article pages, OpenSearch and the icon.

Everything works with plain links and GET forms, so the URL always holds the
whole search (shareable, back works) and JavaScript only adds suggestions.
The blueprint also installs the app-wide security headers and i18n helpers.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlencode

from flask import (Blueprint, Response, abort, current_app, g, render_template, request,
                   send_from_directory, url_for)
from werkzeug.exceptions import HTTPException

from search.errors import IndexNotFound, IndexVersionError, QueryError
from search.retrieval.query import MAX_QUERY_CHARS
from search.retrieval.results import FACET_NAMES, SORTS, SearchResults
from search.sources import display_name
from web import i18n, ratelimit
from web.api import NOTHING_TO_SEARCH
from web.contract import SEARCH
from web.engine import get_engine
from web.errors import ApiError, log_failure, message
from web.filters import available, date_range, replace_in_query, unknown_values, without_filters
from web.notes import translate_notes
from web.timeline import timeline_chart
from web.params import path_safe_id
from web.security import add_security_headers, install_text_filters, trusted_base_url
from web.text import article_blocks, mark_terms, query_marking, truncate_body

bp = Blueprint("pages", __name__)
bp.after_app_request(add_security_headers)
i18n.install(bp)

PER_PAGE = 10
MAX_ID_CHARS = 1000           # an article id, as the API takes it
FACET_SHOWN = 8
RELATED_SHOWN = 5
PAGER_SPAN = 2
# The pages take the API's limits: a query of at most MAX_QUERY_CHARS, at most
# 10 values of 1-50 characters per filter. Beyond them: 400 in the page's language.
LIST_PARAMS = {p.name: p for p in SEARCH.params if p.name in ("source", "category")}
DATE_PARAMS = {p.name: p for p in SEARCH.params if p.name in ("date_from", "date_to")}
# Pages that run no query and that every page view fetches are not rate limited.
UNLIMITED = {"pages.opensearch", "pages.favicon"}


@bp.record_once
def configure(state) -> None:
    install_text_filters(state.app)


@dataclass(frozen=True)
class SearchState:
    """Everything a results URL says: the query, filters, sort and page."""

    q: str = ""
    page: int | str = 1            # as typed; the engine says when it is not a page number
    sort: str = "relevance"
    source: tuple = ()
    category: tuple = ()
    month: str = ""
    date_from: str = ""            # ISO days, inclusive: the date-range form and the timeline's bars
    date_to: str = ""
    group: bool = True             # near-duplicates under their leader (off: group=false)
    diverse: bool = True           # publishers spread on the first page (off: diverse=false)
    expand: str = ""               # the story whose similar articles are shown in place
    lang: str | None = None

    @classmethod
    def from_request(cls) -> "SearchState":
        """The state the URL asks for; QueryError or ApiError past the API's limits."""
        args = request.args
        sort = args.get("sort", "relevance")
        month = args.get("month", "")
        if len(args.get("q", "")) > MAX_QUERY_CHARS:  # the API's limit on q, as typed
            raise QueryError(f"query too long: at most {MAX_QUERY_CHARS} characters", "query_too_long")
        filters = {name: tuple(dict.fromkeys(param.check_list([v for v in args.getlist(name) if v])))
                   for name, param in LIST_PARAMS.items()}
        days = {name: param.parse({name: args[name]}) if args.get(name) else None
                for name, param in DATE_PARAMS.items()}
        return cls(
            q=args.get("q", "").strip(),
            page=args.get("page", "1"),
            sort=sort if sort in SORTS else "relevance",
            source=filters["source"],
            category=filters["category"],
            month=month if month_range(month) else "",
            date_from=days["date_from"].isoformat() if days["date_from"] else "",
            date_to=days["date_to"].isoformat() if days["date_to"] else "",
            group=args.get("group") != "false",
            diverse=args.get("diverse") != "false",
            expand=args.get("expand", "")[:MAX_ID_CHARS],
            lang=i18n.explicit_lang(),
        )

    def params(self) -> list[tuple[str, str]]:
        out = [("q", self.q)]
        out += [("source", v) for v in self.source]
        out += [("category", v) for v in self.category]
        if self.month:
            out.append(("month", self.month))
        out += [(name, getattr(self, name)) for name in ("date_from", "date_to") if getattr(self, name)]
        if self.sort != "relevance":
            out.append(("sort", self.sort))
        out += [(name, "false") for name in ("group", "diverse") if not getattr(self, name)]
        if self.expand:
            out.append(("expand", self.expand))
        if str(self.page) != "1":
            out.append(("page", str(self.page)))
        if self.lang:
            out.append(("lang", self.lang))
        return out

    def url(self, **changes) -> str:
        state = replace(self, **changes) if changes else self
        return search_path() + "?" + urlencode(state.params())

    def active(self, facet: str) -> tuple:
        value = getattr(self, facet)
        return (value,) if isinstance(value, str) and value else tuple(value or ())

    def toggle_url(self, facet: str, value: str) -> str:
        """The URL with ``value`` added to (or removed from) a facet, back on page one."""
        current = self.active(facet)
        if facet == "month":
            return self.url(month="" if value in current else value, page=1)
        chosen = tuple(v for v in current if v != value) if value in current else current + (value,)
        return self.url(**{facet: chosen, "page": 1})

    def has_filters(self) -> bool:
        return bool(self.source or self.category or self.month or self.date_from or self.date_to)

    def without_filters(self) -> str:
        return self.url(source=(), category=(), month="", date_from="", date_to="", page=1)

    def filters(self) -> dict:
        date_from, date_to = date_range(month_range(self.month), as_day(self.date_from), as_day(self.date_to))
        return {"source": list(self.source), "category": list(self.category),
                "date_from": date_from, "date_to": date_to}

    def period_url(self, start: str, end: str) -> str:
        """The search narrowed to the days ``start``..``end`` (a timeline bar)."""
        return self.url(date_from=start, date_to=end, month="", page=1)

    def in_range(self, start: str, end: str) -> bool:
        """The period lies within the days the search keeps (its bar is drawn selected)."""
        return bool(self.date_from or self.date_to) and (self.date_from or start) <= start \
            and end <= (self.date_to or end)


def search_path() -> str:
    """The results page's path, built once a request (a page links to it
    about 80 times: every facet value, timeline bar and page number)."""
    memo = request.environ
    found = memo.get("cari.search_path")
    if found is None:
        found = memo["cari.search_path"] = url_for("pages.search")
    return found


def as_day(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def month_range(month: str) -> tuple[date, date] | None:
    """"2019-09" → (1 Sep 2019, 30 Sep 2019); None for anything else."""
    try:
        year, mon = (int(part) for part in month.split("-"))
        last = calendar.monthrange(year, mon)[1]
        return date(year, mon, 1), date(year, mon, last)
    except (ValueError, TypeError):
        return None


def page_numbers(page: int, pages: int) -> list[int | None]:
    """Page links around the current one, with None where numbers are skipped."""
    shown = {1, pages} | set(range(max(1, page - PAGER_SPAN), min(pages, page + PAGER_SPAN) + 1))
    out, last = [], 0
    for n in sorted(shown):
        if n - last > 1:
            out.append(None)
        out.append(n)
        last = n
    return out


def facet_groups(state: SearchState, facets: dict) -> list[dict]:
    """Facet values to show: the top ones plus any active value the counts left out."""
    groups = []
    for name in FACET_NAMES:
        values = list(facets.get(name) or [])[:FACET_SHOWN]
        active = state.active(name)
        listed = {v["value"] for v in values}
        values += [{"value": v, "count": None} for v in active if v not in listed]
        if values:
            groups.append({"name": name, "values": values, "active": active})
    return groups


def query_error_message(exc: QueryError) -> str:
    """The engine's problem in the interface language (its own words stay as detail)."""
    key = "error_" + getattr(exc, "code", "bad_query")
    return i18n.translate(key) if i18n.has_message(key) else i18n.translate("bad_query")


@bp.get("/")
def home():
    return render_template("home.html")


def cannot_search(shown: str, detail: str | None):
    """The results page saying why this search cannot run (400). It keeps the
    form as the URL asked for it, or only the query when the URL itself was
    past the limits."""
    state = g.get("search_state")
    if state is None:
        q = request.args.get("q", "")[:MAX_QUERY_CHARS].strip()
        state = SearchState(q=q, lang=i18n.explicit_lang())
    return render_template("results.html", state=state, q=state.q, results=None,
                           error=shown, detail=detail), 400


@bp.get("/search")
def search():
    try:
        state = SearchState.from_request()   # a QueryError goes to on_error
    except ApiError as error:                # a filter past the API's limits
        return cannot_search(message(error.code, i18n.current_lang(), **error.details), None)
    if not state.q:
        return render_template("home.html")
    g.search_state = state
    try:
        results = get_engine().search(state.q, page=state.page, per_page=PER_PAGE, sort=state.sort,
                                      filters=state.filters(), facets=True, group=state.group,
                                      diverse=state.diverse)
    except QueryError as exc:
        if exc.code not in NOTHING_TO_SEARCH:
            raise
        # Only stopwords (yang, dan di), punctuation or emoji: a valid query that finds
        # nothing, a results page that says why (200, as /api/search answers).
        return render_template("results.html", state=state, q=state.q, error=None, titles={}, pages=1,
                               results=SearchResults(query=state.q, total=0, page=1, per_page=PER_PAGE,
                                                     took_ms=0.0),
                               page_numbers=[1], facet_groups=[], unknown=[], timeline=None,
                               notes=[query_error_message(exc)])
    state = replace(state, page=results.page)
    pages = max(1, -(-results.total // results.per_page))
    terms = set(results.terms)          # the corrected query's when the hits are for it
    marking = results.marking if results.marking is not None else query_marking(state.q, terms)
    titles = {hit.id: mark_terms(hit.title, marking) for hit in results.hits}
    unknown = unknown_values(get_engine(), state.q, {"source": state.source, "category": state.category})
    return render_template(
        "results.html", state=state, q=state.q, results=results, error=None, titles=titles,
        pages=pages, page_numbers=page_numbers(results.page, pages),
        facet_groups=facet_groups(state, results.facets or {}), unknown=unknown,
        notes=translate_notes(results.notes), timeline=timeline_chart(state, results.timeline),
        expanded=expanded_story(state, results.hits),
        unfiltered_q=without_filters(state.q) if not results.total else "",
    )


def expanded_story(state: SearchState, hits) -> list[dict]:
    """The articles of the story the URL opens (``expand``), under their leader."""
    engine = get_engine()
    for hit in hits:
        if state.expand and hit.group == state.expand:
            found = (engine.article(article_id) for article_id in hit.similar)
            return [article for article in found if article is not None]
    return []


def fix_url(state: SearchState, unknown, new: str) -> str:
    """The search with the filter value ``unknown`` names replaced by ``new``."""
    if unknown.in_query:
        return state.url(q=replace_in_query(state.q, unknown.facet, unknown.value, new), page=1)
    values = tuple(new if v == unknown.value else v for v in state.active(unknown.facet))
    return state.url(**{unknown.facet: tuple(dict.fromkeys(values)), "page": 1})


def category_name(value: str) -> str:
    """Our category in the page's language (the value itself when it is not one of ours)."""
    key = "category_" + str(value)
    return i18n.translate(key) if i18n.has_message(key) else str(value)


def facet_value_name(facet: str, value: str) -> str:
    """How a facet value reads on the page: a month, a publisher's name, a category."""
    if facet == "month":
        return i18n.format_month(value)
    if facet == "source":
        return display_name(value)
    if facet == "category":
        return category_name(value)
    return value


@bp.get("/filters")
def filters_page():
    """Every source and category, each a link to its newest articles."""
    return render_template("filters.html", filters=available(get_engine()))


def article_url(article_id: str, **params) -> str:
    """The page of one article, whatever its id holds ("/", "..", "%", "?")."""
    if path_safe_id(article_id):
        return url_for("pages.article", article_id=article_id, **params)
    return url_for("pages.article_by_query", id=article_id, **params)


@bp.app_context_processor
def page_globals() -> dict:
    offered = trusted_base_url(current_app.config.get("CARI_BASE_URL", ""), request) is not None
    return {"article_url": article_url, "opensearch_offered": offered, "fix_url": fix_url,
            "facet_value_name": facet_value_name, "category_name": category_name,
            "source_name": display_name}


@bp.get("/article")
def article_by_query():
    """``/article?id=..``: for the ids a URL path cannot carry (see ArticleIdConverter)."""
    article_id = request.args.get("id", "")
    if not article_id:
        abort(404)
    return article(article_id)


@bp.get("/article/<article_id:article_id>")
def article(article_id: str):
    engine = get_engine()
    found = engine.article(article_id)
    if found is None:
        abort(404)
    q = request.args.get("q", "").strip()[:MAX_QUERY_CHARS]
    # A page shows at most CARI_MAX_ARTICLE_CHARS of the body, and marks terms only there.
    body = found.get("body") or ""
    visible, cut = truncate_body(body, current_app.config["CARI_MAX_ARTICLE_CHARS"])
    truncated = {"shown": i18n.format_number(len(visible)), "total": i18n.format_number(len(body))} if cut else None
    # A "phrase" (quoted, a multi-word synonym) is marked whole, not word by word (web/text.py).
    terms = engine.query_marking(q) if q else set()
    labels = {"prev": i18n.translate("match_prev"), "next": i18n.translate("match_next"),
              "of": i18n.translate("match_of")}
    blocks, marks = article_blocks(visible, terms, labels)
    title = mark_terms(found.get("title", ""), terms) if q else found.get("title", "")
    related = engine.related(article_id, limit=RELATED_SHOWN)
    shown = {hit.title.casefold() for hit in related}
    see_also = [t for t in found.get("related") or [] if t.casefold() not in shown]
    back = SearchState(q=q, lang=i18n.explicit_lang()).url() if q else None
    return render_template("article.html", article=found, title=title, blocks=blocks, marks=marks,
                           q=q, related=related, see_also=see_also, back=back, truncated=truncated)


@bp.get("/opensearch.xml")
def opensearch():
    """The browser's search-engine description. Its URLs must be absolute, so
    they use CARI_BASE_URL, or the request's Host only when that is loopback
    (web/security.py says why); with neither there is no trusted address to
    give, and the description is not offered (404)."""
    base = trusted_base_url(current_app.config.get("CARI_BASE_URL", ""), request)
    if base is None:
        abort(404)

    def external(endpoint: str) -> str:
        return base + url_for(endpoint)[len(request.script_root):]

    body = render_template("opensearch.xml", external=external)
    response = Response(body, mimetype="application/opensearchdescription+xml")
    response.vary.add("Host")
    return response


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(bp.root_path + "/static", "favicon.ico", mimetype="image/vnd.microsoft.icon")


@bp.app_errorhandler(404)
def not_found(exc):
    return render_template("error.html", message=i18n.translate("not_found")), 404


@bp.app_errorhandler(500)
def server_error(exc):
    return render_template("error.html", message=i18n.translate("server_error")), 500


@bp.app_errorhandler(Exception)
def on_error(exc):
    """Every error a page raises, as a page in the page's language (the API
    has its own handler, in JSON): a query cari cannot run is the results page
    saying why (400); no usable index, the 503 page; HTTP errors go on to
    their own handlers; anything else is logged with the query and answered
    with the 500 page, no traceback reaching the client."""
    if isinstance(exc, HTTPException):
        return exc
    if isinstance(exc, QueryError):
        return cannot_search(query_error_message(exc), str(exc))
    if isinstance(exc, (IndexNotFound, IndexVersionError)):
        return render_template("error.html", message=i18n.translate("no_index")), 503
    log_failure(exc)      # a CariError of another kind here is a bug too
    return render_template("error.html", message=i18n.translate("server_error")), 500


@bp.before_request
def limit_rate():
    """CARI_RATE_LIMIT covers the pages too, from the same budget as the API."""
    if request.endpoint in UNLIMITED:
        return None
    seconds = ratelimit.wait_for(current_app, request.remote_addr)
    if not seconds:
        return None
    body = render_template("error.html", message=i18n.translate("rate_limited", retry_after=seconds))
    return body, 429, {"Retry-After": str(seconds), "Cache-Control": "no-store"}
