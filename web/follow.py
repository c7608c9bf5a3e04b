"""Following a search: ``/search.atom``, an Atom feed (RFC 4287) of its newest matches.

A journalist subscribes to the URL of a results page with ``.atom`` added:
the same query and filters (the page's ``SearchState``), newest first. The
routes live on the pages blueprint, so the pages' rate limit and error pages
apply. Atom wants absolute IRIs (the feed's and each entry's id, their
links); like ``/opensearch.xml`` they come from CARI_BASE_URL, or the
request's Host only when it is loopback (web/security.py), and without either
the feed is not offered (404).
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from flask import Response, abort, current_app, g, request, url_for

from search.errors import QueryError
from search.retrieval.results import SearchResults
from search.readers.dates import WIB
from search.sources import display_name
from web import i18n
from web.api import NOTHING_TO_SEARCH
from web.engine import get_engine
from web.errors import ApiError, message
from web.pages import SearchState, article_url, bp, cannot_search
from web.security import is_web_url, strip_bidi, trusted_base_url

ATOM = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 20
# Characters XML 1.0 cannot carry at all (a strict parser stops at them).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value) -> str:
    """Corpus text as XML may hold it: no control or bidi characters."""
    return NOT_XML.sub("", strip_bidi(str(value or "")))


def search_state() -> SearchState:
    """The search the URL names, as the results page reads it. A URL with no
    query is a bad query: a QueryError, which the pages' error handler
    answers with the results page saying why (400). ApiError past the API's
    limits (see ``too_far``)."""
    state = SearchState.from_request()
    if not state.q:
        raise QueryError("empty query: type one or more words", "empty_query")
    g.search_state = state          # the 400 page keeps the form as the URL asked
    return state


def newest_matches(state: SearchState, count: int) -> SearchResults:
    """The ``count`` newest matches of the search (none for a query with
    nothing searchable in it, as the results page says)."""
    try:
        return get_engine().search(state.q, page=1, per_page=count, sort="newest", highlight=False,
                                   filters=state.filters(), facets=False, group=state.group, diverse=False)
    except QueryError as exc:
        if exc.code not in NOTHING_TO_SEARCH:
            raise
        return SearchResults(query=state.q, total=0, page=1, per_page=count, took_ms=0.0, sort="newest")


def moment(value) -> datetime | None:
    """An article's date as a moment. The index keeps dates as Jakarta's wall
    clock (search/indexing/indexer.py turns zoned dates into WIB), so a date
    without a zone is read as WIB."""
    try:
        found = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    if found is not None and found.tzinfo is None:
        found = found.replace(tzinfo=WIB)
    return found


def rfc3339(moment: datetime) -> str:
    """A moment as Atom writes it."""
    return moment.isoformat(timespec="seconds")


def feed_params(state: SearchState) -> list[tuple[str, str]]:
    """The URL parameters that say which search this is (not its page or sort)."""
    return [(k, v) for k, v in replace(state, page=1, sort="relevance", expand="").params() if k != "lang"]


def feed_url(state: SearchState) -> str:
    """The feed of this search, as a link on its results page (built from the route)."""
    return url_for("pages.search_atom") + "?" + urlencode(feed_params(state) + lang_param(state))


def lang_param(state: SearchState) -> list[tuple[str, str]]:
    return [("lang", state.lang)] if state.lang else []


@bp.app_context_processor
def follow_links() -> dict:
    return {"feed_url": feed_url}


def atom_feed(state: SearchState, results: SearchResults, base: str) -> bytes:
    root = request.script_root

    def external(path: str) -> str:
        return base + path[len(root):]

    params = feed_params(state)
    feed_id = external(url_for("pages.search_atom")) + "?" + urlencode(params)
    self_url = external(feed_url(state))
    page_url = external(url_for("pages.search")) + "?" + urlencode(params + [("sort", "newest")])
    stamps = [moment(hit.date) for hit in results.hits]
    updated = max((s for s in stamps if s), default=None) or datetime.now(timezone.utc)

    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": i18n.current_lang()})
    add = ET.SubElement
    add(feed, f"{{{ATOM}}}id").text = feed_id         # the same in every language
    add(feed, f"{{{ATOM}}}title").text = xml_text(i18n.translate("feed_title", q=state.q))
    add(feed, f"{{{ATOM}}}subtitle").text = i18n.translate("feed_subtitle", n=len(results.hits))
    add(feed, f"{{{ATOM}}}updated").text = rfc3339(updated)
    add(add(feed, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = "cari"
    add(feed, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=self_url)
    add(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page_url)
    add(feed, f"{{{ATOM}}}generator").text = "cari"
    for hit, stamp in zip(results.hits, stamps):
        add_entry(feed, hit, external(article_url(hit.id)), stamp or updated)   # undated: as new as the feed
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def add_entry(feed: ET.Element, hit, page: str, updated: datetime) -> None:
    """One match as an entry: its page on cari is its id and link."""
    add = ET.SubElement
    entry = add(feed, f"{{{ATOM}}}entry")
    add(entry, f"{{{ATOM}}}id").text = page
    add(entry, f"{{{ATOM}}}title").text = xml_text(hit.title) or xml_text(hit.id)
    add(entry, f"{{{ATOM}}}updated").text = rfc3339(updated)
    add(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page)
    if is_web_url(hit.url):          # the publisher's own page, when it is a web link
        add(entry, f"{{{ATOM}}}link", rel="related", type="text/html", href=xml_text(hit.url))
    if hit.source:
        add(entry, f"{{{ATOM}}}category", term=xml_text(hit.source), label=xml_text(display_name(hit.source)))
    if hit.snippet_text:
        add(entry, f"{{{ATOM}}}summary").text = xml_text(hit.snippet_text)


def too_far(error: ApiError):
    """A filter past the API's limits: the results page says so (400), as /search does."""
    return cannot_search(message(error.code, i18n.current_lang(), **error.details), None)


@bp.get("/search.atom")
def search_atom():
    """The newest FEED_ENTRIES matches of the search this URL names, as Atom."""
    base = trusted_base_url(current_app.config.get("CARI_BASE_URL", ""), request)
    if base is None:
        abort(404)
    try:
        state = search_state()
    except ApiError as error:
        return too_far(error)
    body = atom_feed(state, newest_matches(state, FEED_ENTRIES), base)
    response = Response(body, mimetype="application/atom+xml")
    response.vary.add("Host")
    response.vary.add("Accept-Language")
    return response
