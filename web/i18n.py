"""Interface language: Indonesian by default, English by ``?lang=en`` or the browser.

Only the interface is translated; article text stays as written. The chosen
language comes from ``?lang=`` first (and then sticks to links, forms and, by
a cookie, the next searches), else from ``Accept-Language`` (the API's only
guide). The engine's English notes reach a page through web/notes.py. ``MESSAGES`` is the one
catalog of words, the pages' and the API's error messages alike
(web/errors.py gives each API error code its status and its key here).
"""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from urllib.parse import urlencode

from flask import request, url_for

from search.retrieval.query import MAX_CLAUSES, MAX_QUERY_CHARS

LANGUAGES = ("id", "en")
DEFAULT = "id"

MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
           "Agustus", "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December"),
}

# The catalog is data (web/messages.json: key -> {"id": ..., "en": ...}), so a
# translator edits one file; {MAX_QUERY_CHARS} and {MAX_CLAUSES} are the
# query limits, filled in here. Other {placeholders} are the caller's.
LIMITS = {"{MAX_QUERY_CHARS}": str(MAX_QUERY_CHARS), "{MAX_CLAUSES}": str(MAX_CLAUSES)}


def _load_messages() -> dict[str, tuple[str, str]]:
    raw = json.loads((Path(__file__).parent / "messages.json").read_text("utf-8"))
    messages = {}
    for key, texts in raw.items():
        pair = []
        for lang in LANGUAGES:
            text = texts[lang]
            for slot, value in LIMITS.items():
                text = text.replace(slot, value)
            pair.append(text)
        messages[key] = tuple(pair)
    return messages


MESSAGES = _load_messages()


COOKIE = "lang"
COOKIE_DAYS = 365


def current_lang(from_url: bool = True) -> str:
    """``?lang=`` wins, then the language chosen before (the ``lang`` cookie),
    then the best ``Accept-Language`` match, then Indonesian.

    ``from_url=False`` (the API) reads ``Accept-Language`` only. Decided
    once a request (a results page asks about 150 times: every date,
    number, label and link)."""
    key = "cari.lang" if from_url else "cari.header_lang"
    memo = request.environ        # this request's own, whatever app context is around it
    found = memo.get(key)
    if found is None:
        found = memo[key] = _requested_lang(from_url)
    return found


def _requested_lang(from_url: bool) -> str:
    asked = request.args.get("lang", "") if from_url else ""
    if asked in LANGUAGES:
        return asked
    kept = request.cookies.get(COOKIE, "") if from_url else ""
    if kept in LANGUAGES:
        return kept
    best = request.accept_languages.best_match(LANGUAGES)
    return best or DEFAULT


def explicit_lang() -> str | None:
    """The language named in the URL, kept on links so a shared URL shows it."""
    asked = request.args.get("lang", "")
    return asked if asked in LANGUAGES else None


def translate(key: str, lang: str | None = None, **values) -> str:
    lang = lang or current_lang()
    text = MESSAGES[key][LANGUAGES.index(lang)]
    return text.format(**values) if values else text


def has_message(key: str) -> bool:
    return key in MESSAGES


def texts(key: str) -> dict[str, str]:
    """A message in every language, unformatted: ``{"id": ..., "en": ...}``."""
    return dict(zip(LANGUAGES, MESSAGES[key]))


def format_date(value, lang: str | None = None) -> str:
    """ISO date or datetime → "10 September 2019" ("" when missing or unreadable)."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, (date, datetime)):
        return str(value)
    lang = lang or current_lang()
    return f"{value.day} {MONTHS[lang][value.month - 1]} {value.year}"


def format_month(value: str, lang: str | None = None) -> str:
    """Month facet value "2019-09" → "September 2019"."""
    try:
        year, month = value.split("-")[:2]
        return f"{MONTHS[lang or current_lang()][int(month) - 1]} {int(year)}"
    except (ValueError, IndexError):
        return value


def format_number(value: int, lang: str | None = None) -> str:
    """Thousands separated the local way: 23.013 in Indonesian, 23,013 in English."""
    text = f"{int(value):,}"
    return text.replace(",", ".") if (lang or current_lang()) == "id" else text


def lang_url(code: str) -> str:
    """This page in another interface language.

    Built from the route and its arguments (``url_for``), never from the raw
    path: ``/%5Cevil.example/x`` must not become a link to ``/\\evil.example``,
    which browsers read as another host. A page no route matched (a 404)
    links to the home page.
    """
    if request.url_rule is None or request.endpoint is None:
        return url_for("pages.home", lang=code)
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    path = url_for(request.endpoint, **(request.view_args or {}))
    return path + "?" + urlencode(args + [("lang", code)])


def template_globals() -> dict:
    lang = current_lang()
    return {
        "lang": lang,
        "lang_param": explicit_lang(),
        "t": lambda key, **values: translate(key, lang, **values),
        "lang_url": lang_url,
    }


def vary_on_language(response):
    """Caches must not hand an English page to an Indonesian browser."""
    if response.mimetype == "text/html":
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


def keep_language(response):
    """A language picked with ``?lang=`` sticks: the next search, typed in a
    form or opened from a bookmark without ``lang``, is in it too."""
    chosen = explicit_lang()
    if (chosen and response.mimetype == "text/html" and request.blueprint != "api"
            and request.cookies.get(COOKIE) != chosen):
        response.set_cookie(COOKIE, chosen, max_age=COOKIE_DAYS * 86400, samesite="Lax", httponly=True)
    return response


def install(blueprint) -> None:
    """Template helpers and the Vary header for the whole app, from the pages blueprint."""
    blueprint.app_context_processor(template_globals)
    blueprint.add_app_template_filter(format_date, "tanggal")
    blueprint.add_app_template_filter(format_month, "bulan")
    blueprint.add_app_template_filter(format_number, "angka")
    blueprint.after_app_request(vary_on_language)
    blueprint.after_app_request(keep_language)
