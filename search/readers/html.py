"""Saved news pages (.html, .htm) into an Article, or a reason to skip them.

Feeds (RSS/Atom) and front/index pages are not articles: they are skipped
with a reason. For article pages the metadata comes from the page's own
declarations (html_meta) and the text from its main block (html_body).
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from search.article import Article, stable_id
from search.readers import html_body, html_meta
from search.readers.boilerplate import clean_paragraphs, credit_author
from search.readers.dateline import dateline, publisher_key
from search.readers.dates import story_date
from search.readers.encoding import decode
from search.readers.html_parse import parse
from search.readers.result import FileResult

_FEED = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<\?xml-stylesheet[^>]*>\s*)?(?:<!--.*?-->\s*)*"
                   rb"<(?:rss|feed|rdf:RDF)\b", re.DOTALL | re.IGNORECASE)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
# Parsing builds a Python object per element (about 1 KB each in memory, tens
# of microseconds of work across the passes over the tree): a 19 MB page of
# tiny elements took 79 s and 2.4-2.6 GB. Real news pages have 1-5 thousand
# elements (the largest saved page in ../shared has about 2,200); a page with
# more than this many is not parsed. At the limit a page takes about 1.3 s
# and 80 MB.
MAX_HTML_ELEMENTS = 50_000
# A start tag: "<" and a letter. Counted on the raw bytes, so "<" followed by
# a letter inside scripts or comments counts too: an upper bound.
_START_TAG = re.compile(rb"<[A-Za-z]")
# First path segments of listing pages: /indeks, /tag/banjir, /kanal/news, /search?q=...
INDEX_SEGMENTS = {"index", "indeks", "terkini", "terbaru", "engine", "search", "cari", "tag", "tags",
                  "topik", "topic", "kanal", "category", "kategori", "rss", "feed", "arsip", "archive"}


def read(path: Path, rel_path: str) -> FileResult:
    """An .html/.htm file: one article, or skipped with the reason."""
    return read_html(path.read_bytes(), rel_path)


def read_html(data: bytes, rel_path: str, charset: str | None = None) -> FileResult:
    """One page's bytes into an article. ``charset`` is the one its HTTP
    response declared (a web archive keeps it): as in browsers, it wins over
    the page's own <meta>, and a byte-order mark over both."""
    if _FEED.match(data[:2000]):
        return FileResult(skipped="RSS/Atom feed, not an article page")
    if too_many_elements(data):
        return FileResult(errors=[f"HTML too complex: more than {MAX_HTML_ELEMENTS:,} elements "
                                  f"in {len(data) / 1024 / 1024:.1f} MB (the limit per page)"])
    declared = _CHARSET.search(data[:4096])
    text, _ = decode(data, charset or (declared.group(1).decode("ascii", "ignore") if declared else None))
    if not text.strip():
        return FileResult(skipped="no text in file")
    soup = parse(text)
    try:
        if soup.find("html") is None and soup.find("body") is None:
            return FileResult(skipped="not an HTML document")
        return page_to_result(soup, rel_path)
    finally:
        # The tree's objects link each other both ways: left alone they wait
        # for the cyclic garbage collector, whose passes over them cost more
        # than taking the tree apart now (the result holds only strings).
        soup.decompose()


def too_many_elements(data: bytes, limit: int = MAX_HTML_ELEMENTS) -> bool:
    """Whether ``data`` has more than ``limit`` start tags.

    bytes.count(b"<") is a fast upper bound (every tag, opening or closing);
    only when it is over the limit are start tags counted one by one, and the
    count stops just past the limit (a full count of 2.5 million tags takes
    a second).
    """
    if data.count(b"<") <= limit:
        return False
    for count, _ in enumerate(_START_TAG.finditer(data), 1):
        if count > limit:
            return True
    return False


def page_to_result(soup: BeautifulSoup, rel_path: str) -> FileResult:
    data = html_meta.json_ld(soup)
    url = html_meta.url_of(soup, data)
    title, headline = html_meta.title_of(soup, data, url)
    title_confirmed = headline is not None
    date, date_declared = html_meta.date_of(soup, data, headline)
    author = html_meta.author_of(soup, data, url)
    category = html_meta.category_of(soup, data)
    site = html_meta.meta_content(soup, "og:site_name")
    og_type = html_meta.meta_content(soup, "og:type").lower()
    description = html_meta.meta_content(soup, "og:description", "description", "twitter:description")

    credits = html_body.credit_texts(soup)
    boxed_related = html_body.read_also_titles(soup)
    stats = html_body.strip_junk(soup)
    blocks = html_body.find_blocks(soup, stats)
    raw = html_body.paragraphs_of(blocks)
    author = author or credit_author(raw[-4:] + credits)
    paragraphs, related = clean_paragraphs(_join_datelines(_drop_title_and_dates(raw, title)))
    related = list(dict.fromkeys(related + boxed_related))  # in order, once each

    # Text in short lines is the page's own unless its blocks are teasers (linked headlines).
    lines = [] if html_body.holds_linked_headlines(blocks) else paragraphs
    reason = front_page_reason(url, og_type, paragraphs, title_confirmed and date is not None, lines)
    if reason:
        return FileResult(skipped=reason)
    if not paragraphs and description and title_confirmed and date_declared:
        # A photo or video page: its only prose is the description (the caption).
        paragraphs, more = clean_paragraphs([description])
        related += more
    if not paragraphs:
        return FileResult(skipped=_no_text_reason(blocks, raw))
    if date is None:
        # No date in the metadata nor shown by the headline: the dateline or
        # lede may say it ("Jakarta, 8 Maret 2024 -", "Senin (4/3/2024)").
        # Taken after the front-page test, which keeps its own evidence.
        date = story_date("\n\n".join(paragraphs[:3]))
    source = _source(paragraphs, site, url)
    article = Article(
        id=stable_id(rel_path), title=title or paragraphs[0][:80], body="\n\n".join(paragraphs),
        source=source, date=date, url=url, category=category or _category_from_url(url),
        author=author, related=related, path=rel_path,
    )
    return FileResult(articles=[article])


# Prose (characters in paragraphs longer than PROSE_PARAGRAPH) that makes a
# page an article whatever else it says: a front page's teasers are short.
ARTICLE_PROSE = 500
# Text in paragraphs of any length that makes a page an article likewise.
ARTICLE_TEXT = 500
PROSE_PARAGRAPH = 120
MIN_PROSE = 200


def _no_text_reason(blocks: list, raw: list[str]) -> str:
    """Why an article page gave no text, in one line."""
    if not blocks:
        return "no article text found in page: no block of prose (its text is links, menus or scripts)"
    if not raw:
        return "no article text found in page: its main block is a list of links"
    return "no article text found in page: its main block holds only credits, share buttons and the like"


def front_page_reason(url: str, og_type: str, paragraphs: list[str], looks_like_article: bool,
                      lines: list[str] = ()) -> str | None:
    """Why this page is a front/index page rather than an article, or None.

    ``looks_like_article``: a dated page whose on-page headline matches its
    metadata title. Photo pages with almost no prose still pass on that.
    ``lines``: the paragraphs that are the page's own text (not what other
    stories' teasers leave once their linked headlines are gone).
    Each sign of a front page is weak alone (articles are published with
    og:type "website", at a site's root, without a date, with little text):
    a page is one when two of them agree and it has no article-sized text
    of its own: neither a block of prose nor as much text in short lines
    (a recipe's steps, a poem's verses, a list of terms), which a front
    page's teasers, mostly links, do not leave behind.
    """
    prose = sum(len(p) for p in paragraphs if len(p) > PROSE_PARAGRAPH)
    if prose >= ARTICLE_PROSE or sum(len(line) for line in lines) >= ARTICLE_TEXT:
        return None
    signs = []
    if url and _is_listing_url(url):
        signs.append(f"listing URL {url}")
    if og_type == "website":
        signs.append("og:type website")
    if not looks_like_article:
        signs.append("no dated headline")
    if prose < MIN_PROSE:
        signs.append(f"{prose} characters of prose")
    if len(signs) >= 2:
        return f"front/index page: {', '.join(signs)}"
    return None


def _is_listing_url(url: str) -> bool:
    """A site root, an index host (indeks.kompas.com) or a listing path (/indeks, /tag/x)."""
    parts = urlsplit(url)
    if (parts.hostname or "").startswith(("indeks.", "index.")):
        return True
    segments = [segment for segment in parts.path.split("/") if segment]
    if not segments:
        return not parts.query  # "/?p=123" names one post
    first = segments[0].split(".")[0].lower()
    return first in INDEX_SEGMENTS and len(segments) <= 2 and not re.search(r"\d{4,}", parts.path)


def _join_datelines(paragraphs: list[str]) -> list[str]:
    """'Jakarta -' left alone by markup (<strong>Jakarta</strong> - <p>...) rejoins its lede."""
    out: list[str] = []
    for paragraph in paragraphs:
        if out and len(out[-1]) < 60 and re.search(r"\s(?:-{1,2}|–|—)$", out[-1]):
            out[-1] = f"{out[-1]} {paragraph}"
        else:
            out.append(paragraph)
    return out


def _drop_title_and_dates(paragraphs: list[str], title: str) -> list[str]:
    """The headline and the date line repeated at the top of the container,
    and date lines closing it ("Published: 03.04.2020, 12:35", "Updated on 17.01.2021")."""
    out = []
    for index, paragraph in enumerate(paragraphs):
        if index < 5 and (paragraph == title or (len(paragraph) < 80 and html_meta.DATE_TEXT.search(paragraph))
                          or _is_date_line(paragraph)):
            continue
        out.append(paragraph)
    while len(out) > 1 and _is_date_line(out[-1]):
        out.pop()
    return out


# A date in the usual numeric and written forms: 11.04.2020, 2021-10-16,
# 4/3/2024, 5. Februar 2020, March 4, 2024.
_DATE = re.compile(r"\b(?:\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}\.?\s+\w{3,10}\.?\s+\d{4}"
                   r"|\w{3,10}\.?\s+\d{1,2},?\s+\d{4})\b")
# A line this short that holds a date and at most this many other words says when, not what.
DATE_LINE = 60
DATE_LINE_WORDS = 3


def _is_date_line(paragraph: str) -> bool:
    """A short line at the top that is a date (with a label, a time or a
    category at most): "Aktualisiert: 11.04.2020, 10:27", "2021-10-16 | News"."""
    found = _DATE.search(paragraph)
    if len(paragraph) > DATE_LINE or not found:
        return False
    rest = paragraph[:found.start()] + " " + paragraph[found.end():]
    return len(re.findall(r"[^\W\d_]{2,}", rest)) <= DATE_LINE_WORDS


def _source(paragraphs: list[str], site: str, url: str) -> str:
    """The publisher's key: the page's own og:site_name first, then the
    lede's dateline, then the URL's domain.

    og:site_name is how the publisher names itself on the page; a dateline
    may name the wire agency whose story the page carries ("Jakarta
    (ANTARA) -" on another site), and a domain may be a mirror or a host.
    All are normalised by publisher_key so one publisher is one facet value
    whichever way it was found ("KOMPAS.com", "kompas.com" -> "kompas").
    A site name that is a channel brand of the domain's publisher
    ("detikinet" on inet.detik.com, "Tempo Gaya" on gaya.tempo.co) takes
    the domain's key: the facet is the publisher, not its channels.
    """
    url_key = publisher_key(url)
    site_key = publisher_key(site)
    if site_key:
        same = site_key.startswith(url_key) or url_key.startswith(site_key)
        if same and min(len(url_key), len(site_key)) >= 4:
            return url_key
        return site_key
    key, _ = dateline(paragraphs[0]) if paragraphs else ("", "")
    return key or url_key


def _category_from_url(url: str) -> str:
    """'http://bola.kompas.com/read/...' -> 'bola' when the host has a section prefix."""
    host = urlsplit(url).hostname or "" if url else ""
    parts = host.split(".")
    if len(parts) >= 3 and parts[0] not in {"www", "m", "amp"}:
        return parts[0]
    return ""
