"""An HTML page's own metadata: title, date, author, URL, section, publisher.

Order of trust: JSON-LD NewsArticle, then og:/article:/itemprop meta tags,
then visible markup (<h1>, <time>, date lines near the headline).
"""
from __future__ import annotations

import json
import re
from datetime import datetime

from bs4 import BeautifulSoup, NavigableString, Tag

from search.readers.dateline import publisher_key
from search.readers.dates import WIB, parse_date
from search.readers.html_tree import page_elements, page_tags

ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting",
                 "analysisnewsarticle", "opinionnewsarticle", "liveblogposting"}
_SEPARATORS = re.compile(r"\s+(?:[-|–—:]{1,2}|::)\s+")
DATE_TEXT = re.compile(
    r"\d{1,2}\s*(?:/\d{1,2}/|\s+[A-Za-z]{3,9},?\s+)\d{4}\s*[,|/-]?\s*(?:pukul\s+)?\d{1,2}[:.]\d{2}",
    re.IGNORECASE,
)


def meta_content(soup: BeautifulSoup, *keys: str) -> str:
    """The first non-empty <meta> content among property/name/itemprop ``keys``."""
    index = _meta_index(soup)
    for key in keys:
        value = index.get(key.lower())
        if value:
            return value
    return ""


def _meta_index(soup: BeautifulSoup) -> dict[str, str]:
    """Every <meta> key -> first non-empty content, built once per page.

    Looking each key up with soup.find() walks the whole tree every time,
    which made metadata the slowest part of reading a page.
    """
    cached = soup.__dict__.get("_cari_meta")  # plain attribute: Tag.__getattr__ would search
    if cached is not None:
        return cached
    index: dict[str, str] = {}
    for tag in page_tags(soup, "meta"):
        content = (tag.get("content") or "").strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            key = tag.get(attr)
            if isinstance(key, str):
                index.setdefault(key.strip().lower(), content)
    soup.__dict__["_cari_meta"] = index
    return index


def json_ld(soup: BeautifulSoup) -> dict:
    """The page's JSON-LD article object, or {}."""
    for script in page_tags(soup, "script"):
        if script.get("type") != "application/ld+json":
            continue
        try:
            data = json.loads(script.string or "")
        except (json.JSONDecodeError, TypeError):
            continue
        for item in _flatten(data):
            kind = item.get("@type", "")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(str(k).lower() in ARTICLE_TYPES for k in kinds):
                return item
    return {}


def _flatten(data):
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _flatten(data["@graph"])


def _norm(text: str) -> str:
    text = text.replace("“", '"').replace("”", '"').replace("’", "'").replace("‘", "'")
    return re.sub(r"\s+", " ", text).strip().lower()


def site_words(soup: BeautifulSoup, url: str) -> set[str]:
    """Words that name the publisher, to strip from titles ('kompas', 'okezone')."""
    words = set()
    for name in (meta_content(soup, "og:site_name", "application-name", "twitter:site"), url):
        key = publisher_key(name.lstrip("@")) if name else ""
        if key:
            words.add(key)
        for word in re.findall(r"[a-z0-9]{4,}", name.lower()):
            if word not in {"http", "https", "www", "com", "online", "news", "read", "berita"}:
                words.add(word)
    return words


def clean_title(title: str, words: set[str]) -> str:
    """Strip site-name segments: 'X - Kompas.com', 'KapanLagi.com: X', 'X | Republika Online'."""
    title = re.sub(r"\s+", " ", title).strip()
    # " | Site" and " :: Section" are never a headline's own punctuation.
    bare = re.sub(r"(?:\s+(?:\||::)\s+[^|:]{1,40})+$", "", title)
    stripped_bar = bare != title and len(bare) >= 8
    if stripped_bar:
        title = bare
    parts = _SEPARATORS.split(title)
    if len(parts) == 1:
        # "KapanLagi.com: Title" uses a bare colon.
        head, sep, rest = title.partition(": ")
        if sep and any(word in head.lower() for word in words) and len(head) < 30:
            return rest.strip()
        return title

    def is_site(part: str) -> bool:
        lower = part.lower()
        return len(part) < 40 and (any(word in lower for word in words)
                                   or re.search(r"\.(?:com|co\.id|co|id)\b", lower) is not None)

    trailing_site = leading_site = stripped_bar
    while len(parts) > 1 and is_site(parts[-1]):
        parts.pop()
        trailing_site = True
    while len(parts) > 1 and is_site(parts[0]):
        parts.pop(0)
        leading_site = True
    # Next to a site name, a short part is the section ("X - Health :: Okezone",
    # "KapanLagi.com: Musik - X"); elsewhere " - " may be the headline's own.
    if trailing_site and len(parts) > 1 and _is_section(parts[-1]):
        parts.pop()
    if leading_site and len(parts) > 1 and _is_section(parts[0]):
        parts.pop(0)
    # Rejoin what remains with the separators the title used.
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if start >= 0 and end > start else " - ".join(parts)


def _is_section(part: str) -> bool:
    return len(part) < 25 and len(part.split()) <= 2 and not part[:1].isdigit()


def title_of(soup: BeautifulSoup, data: dict, url: str) -> tuple[str, Tag | None]:
    """(headline, the on-page heading that confirms the metadata title, or None).

    The displayed headline wins when it is the metadata title itself or the
    metadata title behind a short rubric label ("FOTO: ...", "In Picture: ...").
    """
    meta_titles = [t for t in (
        meta_content(soup, "og:title", "twitter:title"),
        str(data.get("headline") or ""),
        meta_content(soup, "title"),
        soup.title.get_text(" ", strip=True) if soup.title else "",
    ) if t.strip()]
    words = site_words(soup, url)
    cleaned = [clean_title(t, words) for t in meta_titles]
    wanted = {_norm(t) for t in cleaned if t} | {_norm(t) for t in meta_titles}
    # Segments too ("Headline - Unknown Site Name"), when long enough to be a headline.
    wanted |= {_norm(part) for t in meta_titles for part in _SEPARATORS.split(t) if len(part.split()) >= 3}
    exact, labelled = None, None
    for heading in _headings(soup):
        text = re.sub(r"\s+", " ", heading.get_text(" ", strip=True)).strip()
        key = _norm(text)
        if len(key) < 8 or len(key) > 300:
            continue
        if key in wanted:
            exact = exact or (text, heading)
            continue
        label, sep, rest = text.partition(": ")
        if sep and len(label) <= 20 and _norm(rest) in wanted and not any(w in label.lower() for w in words):
            labelled = labelled or (text, heading)
    if labelled or exact:
        return labelled or exact
    for title in cleaned:
        if title:
            return title, None
    first = next(iter(page_tags(soup, "h1")), None)
    return (re.sub(r"\s+", " ", first.get_text(" ", strip=True)).strip() if first else ""), None


_HEADING_CLASS = re.compile(r"title|judul|jdl|headline|^h[1-5]$", re.I)
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5"}


def _headings(soup: BeautifulSoup):
    """Elements that may hold the headline, best kinds first, in one walk."""
    marked, by_tag, by_class = [], [], []
    for tag in page_elements(soup):
        if tag.get("itemprop") == "headline":
            marked.append(tag)
        if tag.name in _HEADING_TAGS:
            by_tag.append(tag)
        elif any(_HEADING_CLASS.search(name) for name in tag.get("class") or ()):
            by_class.append(tag)
    return marked + by_tag + by_class


def url_of(soup: BeautifulSoup, data: dict) -> str:
    link = next((tag for tag in page_tags(soup, "link") if "canonical" in (tag.get("rel") or ())), None)
    for candidate in ((link.get("href") if link else ""), meta_content(soup, "og:url"),
                      str(data.get("url") or "")):
        if candidate and candidate.strip().startswith("http"):
            return candidate.strip()
    return ""


def author_of(soup: BeautifulSoup, data: dict, url: str = "") -> str:
    """The writer's name; not the publisher ("Kompas Cyber Media") nor a profile URL."""
    author = data.get("author")
    if isinstance(author, list):
        author = author[0] if author else ""
    if isinstance(author, dict):
        author = author.get("name", "")
    candidates = [str(author or ""), meta_content(soup, "author", "article:author", "dc.creator")]
    publisher = site_words(soup, url)
    for candidate in candidates:
        candidate = candidate.strip()
        lower = candidate.lower()
        if (candidate and not candidate.startswith("http") and len(candidate) < 80
                and not any(word in lower for word in publisher) and "media" not in lower.split()):
            return candidate
    return ""


def category_of(soup: BeautifulSoup, data: dict) -> str:
    section = data.get("articleSection")
    if isinstance(section, list):
        section = section[0] if section else ""
    return str(section or meta_content(soup, "article:section", "og:section", "section")).strip()


PUBLISHED_KEYS = ("article:published_time", "datePublished", "pubdate", "publishdate",
                  "publish-date", "publish_date", "content_PublishedDate", "dc.date",
                  "dc.date.issued", "date", "og:published_time", "sailthru.date")
CREATED_KEYS = ("dateCreated", "article:modified_time", "dateModified")


def date_of(soup: BeautifulSoup, data: dict, headline: Tag | None = None) -> tuple[datetime | None, bool]:
    """(publication time, whether the page's metadata declared it).

    Metadata first (JSON-LD, meta tags, <time datetime>), then a date line
    shown near the headline. When the metadata says UTC but the page shows
    the same clock time in WIB, the metadata's zone is wrong (detik labels
    WIB times "Z"): the time is read as WIB. A date line right after the
    ``headline`` element beats one elsewhere (sidebars list other stories' times).
    """
    declared = None
    for raw in (str(data.get("datePublished") or ""), meta_content(soup, *PUBLISHED_KEYS)):
        declared = _parse_meta_date(raw)
        if declared:
            break
    if declared is None:
        for tag in page_tags(soup, "time"):
            declared = _parse_meta_date(tag.get("datetime") or "")
            if declared:
                break
    if declared is not None:
        if _zone_mislabelled(declared, soup, data, lambda: _rank_shown(dates_after(headline), visible_dates(soup))):
            declared = declared.replace(tzinfo=WIB)
        return declared, True
    shown = _rank_shown(dates_after(headline), visible_dates(soup))
    return (shown[0] if shown else None), False


def _rank_shown(after: list[tuple[bool, datetime]], anywhere: list[tuple[bool, datetime]]) -> list[datetime]:
    """Shown dates, most trusted first: a date naming its zone (WIB) after the
    headline, then one naming its zone anywhere, then zone-less ones in the same order."""
    ranked = [v for named, v in after if named] + [v for named, v in anywhere if named]
    ranked += [v for named, v in after if not named] + [v for named, v in anywhere if not named]
    return ranked


def _parse_meta_date(raw: str) -> datetime | None:
    return parse_date(raw.replace(" T", "T"), default_zone=WIB) if raw else None


def _zone_mislabelled(declared: datetime, soup: BeautifulSoup, data: dict, shown_dates) -> bool:
    """True when metadata times marked UTC are WIB clock times shown on the page.

    ``shown_dates()`` gives the dates shown on the page; it is called only
    for a time marked UTC (reading them walks the whole page).
    """
    if declared.utcoffset() is None or declared.utcoffset().total_seconds() != 0:
        return False
    shown = shown_dates()
    stamps = [declared] + [d for d in (_parse_meta_date(str(data.get(k) or "")) for k in CREATED_KEYS) if d]
    stamps += [d for d in (_parse_meta_date(meta_content(soup, k)) for k in CREATED_KEYS) if d]
    clocks = {d.replace(tzinfo=None, second=0, microsecond=0) for d in stamps if d.utcoffset() is not None
              and d.utcoffset().total_seconds() == 0}
    return any(d.utcoffset() == WIB.utcoffset(None) and d.replace(tzinfo=None, second=0) in clocks
               for d in shown if d.tzinfo)


def dates_after(headline: Tag | None, reach: int = 180) -> list[tuple[bool, datetime]]:
    """Dates written within ``reach`` nodes after the headline: the first naming
    its zone and the first not naming one, as (names its zone, date)."""
    found: list[tuple[bool, datetime]] = []
    if headline is None:
        return found
    for count, node in enumerate(headline.next_elements):
        if count > reach or len(found) == 2:
            break
        if isinstance(node, str) and node.parent is not None and node.parent.name not in ("script", "style"):
            item = _shown_date(str(node))
            if item and all(item[0] != named for named, _ in found):
                found.append(item)
    return found


def _shown_date(text: str) -> tuple[bool, datetime] | None:
    """(names its zone, the date) for a short text holding a date and time; zone-less ones read as WIB."""
    if len(text) > 200 or not DATE_TEXT.search(text):
        return None
    value = parse_date(text, default_zone=None)
    if value is None:
        return None
    named = value.tzinfo is not None
    return named, (value if named else value.replace(tzinfo=WIB))


_DATE_HOLDER = re.compile(r"date|time|tanggal|tgl|publish|waktu", re.I)


def visible_dates(soup: BeautifulSoup, limit: int = 12) -> list[tuple[bool, datetime]]:
    """Dates with a time written on the page, in document order, as (names its zone, date)."""
    scope = soup.body or soup
    found: list[tuple[bool, datetime]] = []
    seen = set()
    texts, strings = [], []
    for node in scope.descendants:  # one walk for both kinds
        if isinstance(node, Tag):
            if any(_DATE_HOLDER.search(name) for name in node.get("class") or ()):
                texts.append(node.get_text(" ", strip=True))
        elif isinstance(node, NavigableString) and DATE_TEXT.search(node) and \
                node.parent is not None and node.parent.name not in ("script", "style"):
            strings.append(str(node))
    texts += strings
    for text in texts:
        if text in seen:
            continue
        seen.add(text)
        item = _shown_date(text)
        if item:
            found.append(item)
            if len(found) >= limit:
                break
    return found
