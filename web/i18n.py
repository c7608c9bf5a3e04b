"""Interface language: Indonesian by default, English by ``?lang=en`` or the browser.

Only the interface is translated; article text stays as written. The chosen
language comes from ``?lang=`` first (and then sticks to links and forms), else
from ``Accept-Language`` (the API's only guide). ``MESSAGES`` is the one
catalog of words, the pages' and the API's error messages alike
(web/errors.py gives each API error code its status and its key here).
"""
from __future__ import annotations

from datetime import date, datetime

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

MESSAGES = {
    "tagline": ("Mesin pencari berita berbahasa Indonesia.", "A search engine for Indonesian news."),
    "search_label": ("Cari berita", "Search news"),
    "search_button": ("Cari", "Search"),
    "placeholder": ("Cari berita…", "Search news…"),
    "home_placeholder": ("mis. banjir jakarta", "e.g. banjir jakarta"),
    "skip": ("Langsung ke isi", "Skip to content"),
    "footer": ("cari — mesin pencari berita berbahasa Indonesia", "cari — a search engine for Indonesian news"),
    "search_title": ("Pencarian cari", "cari search"),
    "results_count": ("{total} hasil", "{total} results"),
    "result_one": ("1 hasil", "1 result"),
    "took": ("dalam {ms} ms", "in {ms} ms"),
    "some_words": ("Tidak ada artikel yang memuat semua kata; ditampilkan artikel yang memuat sebagian.",
                "No article has every word; showing articles with some of them."),
    "did_you_mean": ("Maksud Anda:", "Did you mean:"),
    "sort_label": ("Urutkan", "Sort"),
    "sort_relevance": ("Relevansi", "Relevance"),
    "sort_newest": ("Terbaru", "Newest"),
    "filters": ("Saring hasil", "Filter results"),
    "filters_jump": ("Saring hasil ↓", "Filter results ↓"),
    "active_filters": ("Filter aktif", "Active filters"),
    "remove_filter": ("Hapus filter {name}", "Remove filter {name}"),
    "clear_filters": ("Hapus semua filter", "Clear all filters"),
    "facet_source": ("Sumber", "Source"),
    "facet_category": ("Kategori", "Category"),
    "facet_month": ("Bulan", "Month"),
    "results_heading": ("Hasil pencarian", "Search results"),
    "pagination": ("Halaman hasil", "Result pages"),
    "page_n": ("Halaman {n}", "Page {n}"),
    "page_of": ("Halaman {page} dari {pages}", "Page {page} of {pages}"),
    "prev": ("‹ Sebelumnya", "‹ Previous"),
    "next": ("Berikutnya ›", "Next ›"),
    "empty": ("Tidak ada hasil untuk {q}.", "No results for {q}."),
    "page_empty": ("Halaman {page} tidak memuat hasil.", "Page {page} has no results."),
    "first_page": ("Ke halaman pertama", "Go to the first page"),
    "empty_tips": ("Saran:", "Suggestions:"),
    "tip_spelling": ("Periksa ejaan kata.", "Check the spelling."),
    "tip_fewer": ("Gunakan lebih sedikit kata atau kata yang lebih umum.", "Use fewer or more general words."),
    "tip_filters": ("Hapus filter yang aktif.", "Remove the active filters."),
    "syntax": ("Cara menulis kueri", "Query syntax"),
    "syntax_all": ("semua kata harus ada", "every word must appear"),
    "syntax_phrase": ("frasa persis", "exact phrase"),
    "syntax_or": ("salah satu kata", "either word"),
    "syntax_not": ("tanpa kata itu", "without that word"),
    "syntax_title": ("kata di judul", "word in the title"),
    "syntax_source": ("dari satu sumber", "from one source"),
    "syntax_date": ("pada bulan itu (juga 2019 atau 2019-09-10)", "in that month (also 2019 or 2019-09-10)"),
    "syntax_prefix": ("kata yang berawalan pemilu", "words starting with pemilu"),
    "corrected": ("Tidak ada hasil untuk {q}; ditampilkan hasil untuk {fix}.",
                  "No results for {q}; showing results for {fix}."),
    "incomplete": ("Hasil mungkin tidak lengkap.", "The results may be incomplete."),
    # error_<code>: a QueryError's code on the results page; the API's error codes too (web/errors.py).
    "error_query_too_long": (f"Kueri terlalu panjang: paling banyak {MAX_QUERY_CHARS} karakter.",
                             f"Query too long: at most {MAX_QUERY_CHARS} characters."),
    "error_empty_query": ("Kueri kosong: ketik satu kata atau lebih.", "The query is empty: type one or more words."),
    "error_no_terms": ("Kueri tidak memuat kata yang bisa dicari.", "The query has no searchable words."),
    "error_bad_date": ("Tanggal tidak dikenali: tulis seperti 2019, 2019-09 atau 2019-09-15.",
                       "Unknown date: write it as 2019, 2019-09 or 2019-09-15."),
    "error_too_many_terms": (f"Kueri memuat terlalu banyak kata: paling banyak {MAX_CLAUSES} kata, frasa, dan filter.",
                             f"Too many words: at most {MAX_CLAUSES} words, phrases and filters."),
    "error_bad_page": ("Nomor halaman tidak valid.", "Invalid page number."),
    "bad_query": ("Kueri tidak dapat dijalankan.", "The query cannot be run."),
    "bad_query_hint": ("Perbaiki kueri lalu coba lagi.", "Fix the query and try again."),
    "back_to_results": ("‹ Kembali ke hasil", "‹ Back to results"),
    "jump_to_match": ("Lompat ke kata yang dicari", "Jump to the first match"),
    "highlighted": ("Kata yang dicari disorot:", "Search terms highlighted:"),
    "no_match_in_text": ("Kata yang dicari tidak muncul di isi artikel.", "The search terms do not appear in the text."),
    "original": ("Baca di situs asli", "Read on the original site"),
    "by": ("oleh {author}", "by {author}"),
    "related": ("Berita terkait", "Related stories"),
    "see_also": ("Baca juga", "See also"),
    "article_meta": ("Info artikel", "Article details"),
    "not_found": ("Halaman tidak ditemukan.", "Page not found."),
    "no_index": ("Indeks pencarian belum tersedia.", "The search index is not available yet."),
    "rate_limited": ("Terlalu banyak permintaan; coba lagi dalam {retry_after} detik.",
                     "Too many requests; try again in {retry_after} seconds."),
    "article_truncated": ("Artikel ini sangat panjang: ditampilkan {shown} karakter pertama dari {total}.",
                          "This article is very long: showing the first {shown} of {total} characters."),
    "article_truncated_original": ("Teks lengkapnya ada di situs asli.", "The whole text is on the original site."),
    "server_error": ("Terjadi galat di server. Coba lagi sebentar lagi.", "Something went wrong on the server. Try again shortly."),
    "error_title": ("Galat", "Error"),
    "home_link": ("Kembali ke beranda", "Back to the home page"),
    "suggestions": ("Saran pencarian", "Search suggestions"),
    "language": ("Bahasa", "Language"),
    # The API's errors ({...}: the error's details).
    "error_missing_query": ("Parameter q wajib diisi: ketik satu kata atau lebih.",
                            "The q parameter is required: type one or more words."),
    "error_bad_query": ("Kueri tidak dapat dijalankan: {detail}", "The query cannot be run: {detail}"),
    "error_invalid_parameter": ("Parameter {name} tidak valid: {reason}", "Invalid parameter {name}: {reason}"),
    "error_bad_request": ("Permintaan tidak valid.", "Bad request."),
    "error_api_not_found": ("Alamat ini tidak ada di API.", "There is no such API address."),
    "error_article_not_found": ("Tidak ada artikel dengan id {id}.", "There is no article with id {id}."),
    "error_method_not_allowed": ("Metode {method} tidak didukung di alamat ini; gunakan {allowed}.",
                                 "Method {method} is not supported here; use {allowed}."),
    "error_too_large": ("Permintaan terlalu besar: alamat paling panjang {max_url} bita, isi paling besar {max_body} bita.",
                        "Request too large: at most {max_url} bytes of URL and {max_body} bytes of body."),
    "error_internal": ("Terjadi kesalahan di server.", "Something went wrong on the server."),
    # Why a parameter was rejected ({reason} of error_invalid_parameter).
    "reason_integer": ("harus bilangan bulat {min}–{max}.", "must be a whole number from {min} to {max}."),
    "reason_boolean": ("harus true atau false.", "must be true or false."),
    "reason_choice": ("harus salah satu dari: {choices}.", "must be one of: {choices}."),
    "reason_date": ("harus tanggal berformat YYYY-MM-DD.", "must be a date as YYYY-MM-DD."),
    "reason_text": ("harus teks {min}–{max} karakter.", "must be text of {min} to {max} characters."),
    "reason_list": ("paling banyak {max} nilai.", "takes at most {max} values."),
}


def current_lang(from_url: bool = True) -> str:
    """``?lang=`` wins, then the best ``Accept-Language`` match, then Indonesian.

    ``from_url=False`` (the API) reads ``Accept-Language`` only."""
    asked = request.args.get("lang", "") if from_url else ""
    if asked in LANGUAGES:
        return asked
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
    return response


def install(blueprint) -> None:
    """Template helpers and the Vary header for the whole app, from the pages blueprint."""
    blueprint.app_context_processor(template_globals)
    blueprint.add_app_template_filter(format_date, "tanggal")
    blueprint.add_app_template_filter(format_month, "bulan")
    blueprint.add_app_template_filter(format_number, "angka")
    blueprint.after_app_request(vary_on_language)
