"""Find an HTML page's article text and split it into paragraphs.

The approach is readability's: drop what is never article text (scripts,
navigation, share bars, captions, related-story boxes), score every block by
the prose directly inside it, and take the best block. A short list of
per-publisher containers is tried first, as real extractors do, because
those are cheap and exact where they apply.
"""
from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

# Elements that never hold article prose.
JUNK_TAGS = frozenset({"script", "style", "noscript", "iframe", "form", "button", "select", "input",
             "textarea", "nav", "aside", "footer", "header", "figure", "figcaption", "svg",
             "video", "audio", "object", "embed", "ins", "template", "link", "meta", "label"})

# class/id words marking boilerplate blocks (share bars, ads, related boxes...).
_JUNK_WORDS = re.compile(
    r"(?:^|[-_\s])(?:share|sharing|social|sosmed|socmed|related|terkait|baca-?juga|bacajuga|"
    r"comment|komentar|disqus|advert|ads?|iklan|banner|sponsor|promo|widget|sidebar|"
    r"breadcrumb|menu|navbar|nav|footer|header|masthead|caption|credit|copyright|"
    r"tags?|tagging|topik|popular|populer|terpopuler|terkini|trending|newsletter|subscribe|"
    r"pagination|paging|video-?box|photo-?gallery|gallery|thumb|polling|rating|author-?box|"
    r"rekomendasi|recommend|lainnya|more-?news|box-?news|list-?news|hidden(?=$|\s)|modal|popup|"
    r"deskripsi|keterangan|twitter-tweet|instagram-media|tiktok-embed|embed)"
    r"(?:$|[-_\s\d])",
    re.IGNORECASE,
)
# Containers that hold the article on known publishers' templates; checked
# after the generic itemprop="articleBody".
SITE_CONTAINERS = (
    "#detikdetailtext", ".detail_text", ".text_detail", ".text_gal",          # detik
    ".read__content", ".kcm-read-text", ".div-read", ".read-page__content-body",  # kompas, liputan6
    "#content_news",                                                          # antara
    "#contentx", ".detail-desc",                                              # okezone
    ".content-detail", ".artikel",                                            # republika
    ".entertainment-detail-news", ".v7-music-detail-news", ".body-paragraph", # kapanlagi
    ".tubuh-berita", ".detail-in", "#isi",                                    # tempo
    "#article-content", ".article-content", ".post-content", ".entry-content",
)
BLOCK_TAGS = {"p", "div", "section", "article", "main", "li", "ul", "ol", "h1", "h2", "h3", "h4",
              "h5", "h6", "blockquote", "table", "tr", "td", "th", "pre", "dl", "dt", "dd", "center"}
MIN_BODY_CHARS = 80


def strip_junk(soup: BeautifulSoup) -> None:
    """Remove elements that are never article prose, in place.

    One walk over the tree collects what goes; find_all() per kind would walk
    it once per kind through bs4's slower filter machinery.
    """
    doomed: list = []
    stack = list(soup.contents)
    while stack:
        node = stack.pop()
        if isinstance(node, Comment):
            doomed.append(node)
        elif isinstance(node, Tag):
            if node.name not in ("html", "body", "head") and (node.name in JUNK_TAGS or _is_junk_block(node)):
                doomed.append(node)  # its subtree goes with it: no need to look inside
            else:
                stack.extend(node.contents)
    for node in doomed:
        if isinstance(node, Tag):
            node.decompose()
        else:
            node.extract()


def _is_junk_block(tag: Tag) -> bool:
    if tag.attrs is None:
        return False
    if tag.get("itemprop") == "articleBody":
        return False
    style = (tag.get("style") or "").replace(" ", "").lower()
    if "display:none" in style or tag.get("hidden") is not None or tag.get("aria-hidden") == "true":
        return True
    names = " ".join(tag.get("class") or []) + " " + (tag.get("id") or "")
    if not names.strip() or not _JUNK_WORDS.search(names):
        return False
    # A junk-looking name on a block that holds most of the page's prose is a
    # mislabel (e.g. "content-text-wrap"), not junk: keep it.
    return _prose_length(tag) < 400


def _prose_length(tag: Tag) -> int:
    return sum(len(p.get_text(" ", strip=True)) for p in tag.find_all("p")) + \
        sum(len(s.strip()) for s in tag.find_all(string=True, recursive=False))


_CREDIT_HOLDER = re.compile(r"penulis|pewarta|reporter|byline|author|kontributor|credit", re.I)


def credit_texts(soup: BeautifulSoup, limit: int = 8) -> list[str]:
    """Short texts of elements named like bylines ("penulis", "author"), read before
    strip_junk removes credit boxes."""
    texts = []
    for tag in soup.find_all(True, class_=_CREDIT_HOLDER):
        text = re.sub(r"\s+", " ", tag.get_text(" ", strip=True))
        if 3 < len(text) < 200:
            texts.append(text)
            if len(texts) >= limit:
                break
    return texts


_READ_ALSO_BOX = re.compile(r"baca-?juga|bacajuga|lihat-?juga|read-?also|baca-?lainnya", re.I)


def read_also_titles(soup: BeautifulSoup, limit: int = 20) -> list[str]:
    """Link texts of "Baca juga" boxes, read before strip_junk removes the boxes."""
    titles: list[str] = []
    for box in soup.find_all(True, class_=_READ_ALSO_BOX) + soup.find_all(True, id=_READ_ALSO_BOX):
        for link in box.find_all("a"):
            text = re.sub(r"\s+", " ", link.get_text(" ", strip=True))
            if len(text.split()) >= 3 and text not in titles:
                titles.append(text)
        if len(titles) >= limit:
            break
    return titles[:limit]


def find_container(soup: BeautifulSoup) -> Tag | None:
    """The element holding the article text."""
    by_name = _tags_by_selector(soup)
    for selector in ('[itemprop="articleBody"]', *SITE_CONTAINERS):
        for found in by_name.get(selector, ()):
            if len(found.get_text(" ", strip=True)) >= MIN_BODY_CHARS:
                return found
    return best_scored(soup)


def _tags_by_selector(soup: BeautifulSoup) -> dict[str, list[Tag]]:
    """Tags matching each simple selector we know ("#id", ".class", itemprop), in one walk.

    soup.select() per selector walks the whole page each time; twenty-odd
    selectors made that the slowest step.
    """
    wanted = set(SITE_CONTAINERS)
    found: dict[str, list[Tag]] = {}
    for tag in soup.find_all(True):
        if tag.get("itemprop") == "articleBody":
            found.setdefault('[itemprop="articleBody"]', []).append(tag)
        tag_id = tag.get("id")
        if tag_id and f"#{tag_id}" in wanted:
            found.setdefault(f"#{tag_id}", []).append(tag)
        for name in tag.get("class") or ():
            if f".{name}" in wanted:
                found.setdefault(f".{name}", []).append(tag)
    return found


def best_scored(soup: BeautifulSoup) -> Tag | None:
    """Readability-style: the block whose own prose scores highest."""
    scores: dict[int, float] = {}
    tags: dict[int, Tag] = {}
    for chunk in _prose_chunks(soup):
        parent = chunk.parent if isinstance(chunk, NavigableString) or chunk.name == "p" else chunk
        if parent is None:
            continue
        if isinstance(chunk, Tag) and chunk.name == "p":
            text = chunk.get_text(" ", strip=True)
        else:
            text = str(chunk).strip()
        if len(text) < 25:
            continue
        score = 1 + text.count(",") + min(len(text) / 100, 3)
        for level, holder in enumerate((parent, parent.parent)):
            if holder is None or not isinstance(holder, Tag):
                break
            key = id(holder)
            tags[key] = holder
            scores[key] = scores.get(key, 0) + score / (1 + level)
    if not scores:
        return None
    best = max(scores, key=lambda key: scores[key] * (1 - link_density(tags[key])))
    return tags[best]


def _prose_chunks(soup: BeautifulSoup):
    for p in soup.find_all("p"):
        yield p
    for text in soup.find_all(string=True):
        if text.parent is not None and text.parent.name in ("div", "td", "span", "article", "section"):
            yield text


def link_density(tag: Tag) -> float:
    text = len(tag.get_text(" ", strip=True)) or 1
    links = sum(len(a.get_text(" ", strip=True)) for a in tag.find_all("a"))
    return min(links / text, 1.0)


def paragraphs_of(container: Tag) -> list[str]:
    """The container's text as paragraphs: block elements and <br> break them."""
    out: list[str] = []
    current: list[str] = []

    def flush():
        text = re.sub(r"\s+", " ", "".join(current)).strip()
        if text:
            out.append(text)
        current.clear()

    def walk(node):
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                current.append(str(child))
            elif isinstance(child, Tag):
                if child.name == "br":
                    flush()
                elif child.name in BLOCK_TAGS:
                    flush()
                    walk(child)
                    flush()
                else:
                    walk(child)

    walk(container)
    flush()
    return _drop_link_lists(out, container)


def _drop_link_lists(paragraphs: list[str], container: Tag) -> list[str]:
    """Drop paragraphs that are entirely link text (lists of other stories)."""
    link_texts = {re.sub(r"\s+", " ", a.get_text(" ", strip=True)) for a in container.find_all("a")}
    return [p for p in paragraphs if p not in link_texts or len(p) > 200]
