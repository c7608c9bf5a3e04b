"""Find an HTML page's article text and split it into paragraphs.

The approach is readability's, by signals that hold across sites:

- drop what is never article text (scripts, hidden elements, captions);
  page chrome (<header>, <nav>, <form>...) and blocks named like junk
  ("widget", "sidebar", "comments"...) are judged by what they hold: one
  that reads as a page of prose, or holds a block that does, stays, and
  so does a header (a <header> or a block named like one) with a headline,
  a line of prose beside it (a lede) and few links;
- score every block by the prose in it (<p>, <li>, text runs between <br>s),
  discounted by the share of its text in links (and by half inside page
  chrome kept for its prose: a masthead's list of names), and take the best block
  with the sibling blocks that read as parts of the same article (a lede
  box, the parts around an inline ad), never another story's teaser, a
  block of <article> cards, nor a small headed box after the article that
  is not built like it (about the author, other stories);
- the lede, lines of prose between the headline (<h1>) and the body (a
  <p>, or a subheading or box with no blocks inside, in the article's
  <header> or a box of its own), comes first, unless other stories'
  linked headlines lie between (a front page); a box holding or beside a
  picture is its caption;
- in the text taken, paragraphs mostly of link text are lists of other
  pages, and go; so do wholly italic or bold paragraphs after the last
  plain one of an article set in plain type (notes, calls to subscribe),
  a short line right before a list of links (its heading: "Read also:"),
  and a heading left at the very end with nothing under it (its box of
  related posts was removed).

A short list of per-publisher containers is tried first, as real
extractors do, because those are cheap and exact where they apply.
"""
from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from search.readers.boilerplate import split_related
from search.readers.html_tree import elements, find_tags, first_tag, is_removed, page_named

# Elements that never hold article prose.
JUNK_TAGS = frozenset({"script", "style", "iframe", "button", "select", "input",
             "textarea", "figure", "figcaption", "svg",
             "video", "audio", "object", "embed", "ins", "template", "link", "meta", "label"})

# Elements judged by what they hold. A <form> is usually a search box or a
# comment form, but some sites wrap the whole page in one (ASP.NET); page
# chrome (<header>, <nav>, <footer>, <aside>, <noscript>) is usually menus,
# but a tag left open by the page's markup can make the whole article its
# child.
JUDGED_TAGS = frozenset({"form", "header", "nav", "footer", "aside", "noscript"})
# A block with this much text outside links, and links making at most this
# share of its text, reads as a page of prose: under half of it is links.
KEEP_PROSE = 400
KEEP_LINKS = 0.45
_COMMENT_NAME = re.compile(r"comment|komentar|disqus|respond|discussion", re.IGNORECASE)

# class/id words marking boilerplate blocks (share bars, ads, related boxes...).
_JUNK_WORDS = re.compile(
    r"(?:^|[-_\s])(?:share|sharing|social|sosmed|socmed|related|terkait|baca-?juga|bacajuga|"
    r"comment|komentar|disqus|advert|ads?|iklan|banner|sponsor|promo|widget|sidebar|"
    r"breadcrumb|menu|navbar|nav|footer|header|masthead|caption|credit|copyright|"
    r"tags?|tagging|topik|popular|populer|terpopuler|terkini|trending|newsletter|subscribe|"
    r"pagination|paging|video-?box|photo-?gallery|gallery|thumb|polling|rating|author-?box|"
    r"rekomendasi|recommend|lainnya|more-?news|box-?news|list-?news|hidden(?=$|\s)|modal|popup|"
    r"deskripsi|keterangan|twitter-tweet|instagram-media|tiktok-embed|embed)"
    r"s?(?:$|[-_\s\d])",  # plurals too: "comments", "widgets"
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


def strip_junk(soup: BeautifulSoup) -> dict[int, tuple[int, int]] | None:
    """Remove what is never article prose, in place.

    Two passes. The first removes by kind: scripts, navigation, hidden
    elements (one walk collects them; find_all() per kind would walk the tree
    once per kind). The second judges the blocks whose name or tag suggests
    junk (class "widget", "sidebar", "comment"...; a <form>) by what they
    hold: one that holds much of the page's prose with few links is the
    article's own container, mislabelled (a blog post in a "widget", a
    page-wide ASP.NET <form>), and stays; the rest go.

    Returns the text figures (``text_stats``) of what is left, when the
    second pass counted them, for ``find_blocks`` to use; else None.
    """
    doomed: list = []
    chrome: list[Tag] = []
    named: list[Tag] = []
    stack = list(soup.contents)
    while stack:
        node = stack.pop()
        if isinstance(node, Comment):
            doomed.append(node)
        elif isinstance(node, Tag):
            if node.name in ("html", "body", "head"):
                stack.extend(node.contents)
            elif node.name in JUNK_TAGS or _is_hidden(node):
                doomed.append(node)  # its subtree goes with it: no need to look inside
            else:
                if node.name in JUDGED_TAGS:
                    chrome.append(node)
                elif _junk_name(node):
                    named.append(node)
                stack.extend(node.contents)
    _remove(doomed)
    # Chrome first: a wrapper named "nav" around the whole page is judged
    # on its text once the menus inside it are gone.
    stats = None
    for suspects in (chrome, named):
        suspects = [tag for tag in suspects if not is_removed(tag)]
        if suspects:
            stats = stats or text_stats(soup.body or soup)  # one count, kept up to date by removals
            _remove_unless_article(suspects, stats)
    return stats


def _remove_unless_article(suspects: list[Tag], stats: dict) -> None:
    """Remove each suspect block but those holding the article and the blocks around them.

    A suspect holds the article when it, or a block inside it, reads as a
    page of prose (``_reads_as_text``); the blocks around a holder stay too
    (its "sidebar" may wrap it), their other parts judged on their own.
    Figures are those before this pass's removals; what a removed block
    held is then taken off its ancestors' figures, for the next pass.
    """
    holders = [tag for tag in suspects if _holds_the_article(tag, stats) or _heads_the_article(tag, stats)]
    kept = {id(tag) for tag in holders} | {id(parent) for tag in holders for parent in tag.parents}
    for tag in suspects:
        if not is_removed(tag) and id(tag) not in kept:
            text, links = stats.get(id(tag), (0, 0))
            for parent in tag.parents:
                figures = stats.get(id(parent))
                if figures is not None:
                    stats[id(parent)] = (figures[0] - text, figures[1] - links)
            tag.decompose()


def _remove(nodes: list) -> None:
    for node in nodes:
        if isinstance(node, Tag):
            node.decompose()
        else:
            node.extract()


def _is_hidden(tag: Tag) -> bool:
    if tag.attrs is None:
        return False
    style = (tag.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or tag.get("hidden") is not None or tag.get("aria-hidden") == "true"


def _junk_name(tag: Tag) -> bool:
    if tag.attrs is None or tag.get("itemprop") == "articleBody":
        return False
    names = " ".join(tag.get("class") or []) + " " + (tag.get("id") or "")
    return bool(names.strip()) and bool(_JUNK_WORDS.search(names))


def _holds_the_article(tag: Tag, stats: dict) -> bool:
    """A junk-looking block that reads as a page of prose, or holds a block
    that does, is the article's container under a misleading name (a post
    in a "widget", a header the markup never closed), not junk.

    Comment sections hold long prose too: a block named like one stays only
    when it wraps the page's headline as well (a whole-page wrapper).
    """
    text, links = stats.get(id(tag), (0, 0))
    if text - links < KEEP_PROSE:
        return False  # nor can anything inside it read as a page
    names = " ".join(tag.get("class") or []) + " " + (tag.get("id") or "")
    if _COMMENT_NAME.search(names) and first_tag(tag, "h1") is None:
        return False
    return _reads_as_text(stats.get(id(tag))) or any(_reads_as_text(stats.get(id(inner)))
                                                      for inner in find_tags(tag, _TEXT_BLOCKS))


# A lede: a paragraph of this much text, under a tenth of it in links.
LEDE_CHARS = 100


def _heads_the_article(tag: Tag, stats: dict) -> bool:
    """A header (a <header>, or a block named like one) holding a headline and,
    beside it, a line of prose with few links (the lede, a subtitle) is the
    article's own header, not the page's banner (menus: mostly links)."""
    if tag.name != "header" and not _HEADER_NAME.search(" ".join(tag.get("class") or []) + " " + (tag.get("id") or "")):
        return False
    headings = find_tags(tag, ("h1", "h2", "h3"))
    text, links = stats.get(id(tag), (0, 0))
    if not headings or links > HEADER_LINKS * text:
        return False
    headline = max(stats.get(id(h), (0, 0))[0] for h in headings[:1])
    if text - headline < LEDE_LINE:
        return False
    return any(stats.get(id(inner), (0, 0))[0] >= LEDE_LINE and stats[id(inner)][1] < 0.1 * stats[id(inner)][0]
               for inner in find_tags(tag, ("p", "div", "span", "h2", "h3")) if inner is not headings[0])


_HEADER_NAME = re.compile(r"(?:^|[-_\s])header(?:$|[-_\s])", re.IGNORECASE)
# An article's header: links make at most this share of its text, and its lede line is this long.
HEADER_LINKS = 0.2
LEDE_LINE = 80


def _reads_as_text(figures: tuple[int, int] | None) -> bool:
    text, links = figures or (0, 0)
    return text - links >= KEEP_PROSE and links <= KEEP_LINKS * text


_TEXT_BLOCKS = ("div", "section", "article", "main", "td")


def text_stats(root: Tag) -> dict[int, tuple[int, int]]:
    """For ``root`` and every element under it: (characters of text, characters inside links).

    One walk over the tree; get_text() per element would read every subtree
    again for each of its ancestors. Whitespace runs count as one character.
    """
    out: dict[int, tuple[int, int]] = {}
    # Iterative post-order (pages nest deeper than Python's recursion allows):
    # an element is summed when it is met the second time.
    stack: list[tuple[Tag, bool, bool]] = [(root, root.name == "a", False)]
    totals: dict[int, list[int]] = {id(root): [0, 0]}
    parents: dict[int, int] = {}
    while stack:
        node, in_link, done = stack.pop()
        key = id(node)
        if done:
            text, links = totals.pop(key)
            out[key] = (text, links)
            parent = parents.pop(key, None)
            if parent is not None:
                totals[parent][0] += text
                totals[parent][1] += links
            continue
        stack.append((node, in_link, True))
        for child in node.children:
            if isinstance(child, Tag):
                totals[id(child)] = [0, 0]
                parents[id(child)] = key
                stack.append((child, in_link or child.name == "a", False))
            elif type(child) is NavigableString:
                size = len(" ".join(child.split()))
                totals[key][0] += size
                if in_link:
                    totals[key][1] += size
    return out


_CREDIT_HOLDER = re.compile(r"penulis|pewarta|reporter|byline|author|kontributor|credit", re.I)


def credit_texts(soup: BeautifulSoup, limit: int = 8) -> list[str]:
    """Short texts of elements named like bylines ("penulis", "author"), read before
    strip_junk removes credit boxes."""
    texts = []
    for tag in _tags_named(soup, _CREDIT_HOLDER, by_id=False):
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
    for box in _tags_named(soup, _READ_ALSO_BOX):
        for link in find_tags(box, "a"):
            text = re.sub(r"\s+", " ", link.get_text(" ", strip=True))
            if len(text.split()) >= 3 and text not in titles:
                titles.append(text)
        if len(titles) >= limit:
            break
    return titles[:limit]


def _tags_named(soup: BeautifulSoup, pattern: re.Pattern, by_id: bool = True) -> list[Tag]:
    """Elements with a class (or, ``by_id``, an id) that ``pattern`` finds, in page order.

    A plain walk: find_all(class_=pattern) costs several times more through
    bs4's matching machinery, and this runs on every page. The elements with
    a class or an id are listed once per page (read before any removal).
    """
    return [tag for tag, classes, tag_id in page_named(soup)
            if (classes and any(pattern.search(name) for name in classes)) or
            (by_id and tag_id and pattern.search(tag_id))]


def find_blocks(soup: BeautifulSoup, stats: dict | None = None) -> list[Tag]:
    """The elements holding the article text, in page order.

    A declared article body (itemprop="articleBody", a known template's
    container) is taken whole. Otherwise the block with the best prose score
    is taken with the sibling blocks that read as part of the same article:
    a lede box before it, the parts after an inline ad or a "read more" split.
    """
    return _with_lede(soup, _body_blocks(soup, stats))


def _body_blocks(soup: BeautifulSoup, stats: dict | None) -> list[Tag]:
    by_name = _tags_by_selector(soup)
    declared = by_name.get('[itemprop="articleBody"]', [])
    if len(declared) > 1:
        # Some pages mark each paragraph as the article body: the body is all of them.
        marked = {id(tag) for tag in declared}
        outer = [tag for tag in declared if not any(id(parent) in marked for parent in tag.parents)]
        if len(outer) > 1 and sum(len(tag.get_text(" ", strip=True)) for tag in outer) >= MIN_BODY_CHARS:
            return outer
    for selector in ('[itemprop="articleBody"]', *SITE_CONTAINERS):
        for found in by_name.get(selector, ()):
            if len(found.get_text(" ", strip=True)) >= MIN_BODY_CHARS:
                return [found]
    return best_blocks(soup, stats)


def _with_lede(soup: BeautifulSoup, blocks: list[Tag]) -> list[Tag]:
    """The blocks, after the article's lede when they do not hold it: the
    paragraphs of prose between the headline (<h1>) and the first block
    (a <p>, or a subheading or a box with a line of prose and no blocks inside).
    Pages often set the lede apart from the body, in the article's <header>
    or a box of its own."""
    if not blocks:
        return blocks
    first = blocks[0]
    headline = first_tag(soup, "h1")
    if headline is None or headline in first.parents or first in headline.parents:
        return blocks
    ledes = []
    for node in headline.next_elements:
        if node is first:
            return ledes + blocks
        if isinstance(node, Tag) and node.name in _HEADINGS and _is_linked(node):
            return blocks  # another story's linked headline: teasers (a front page), not a lede
        if isinstance(node, Tag) and node.name in _LEDE_TAGS and not any(p in ledes for p in node.parents) \
                and (node.name == "p" or first_tag(node, BLOCK_TAGS) is None):
            text = " ".join(node.get_text(" ").split())
            links = sum(len(" ".join(a.get_text(" ").split())) for a in find_tags(node, "a"))
            if len(text) >= LEDE_CHARS and links < 0.1 * len(text) and "©" not in text and not _with_picture(node):
                ledes.append(node)  # (a credit mark, or a picture beside it, makes it a photo's caption)
    return blocks  # the headline comes after the body: no lede to take


def _with_picture(tag: Tag) -> bool:
    """Whether the box holds a picture or sits beside one in its parent: a caption."""
    pictures = ("img", "picture")
    return first_tag(tag, pictures) is not None or \
        (tag.parent is not None and any(child.name in pictures for child in tag.parent.children))


# A lede is a paragraph, or a subheading or box of prose holding no blocks of its own.
_LEDE_TAGS = frozenset({"p", "h2", "h3", "div", "span"})


def holds_linked_headlines(blocks: list[Tag]) -> bool:
    """Whether the blocks hold headlines that link elsewhere: other stories' teasers."""
    return any(_is_linked(heading) for block in blocks for heading in find_tags(block, _HEADINGS))


def _is_linked(tag: Tag) -> bool:
    text = " ".join(tag.get_text(" ").split())
    linked = sum(len(" ".join(a.get_text(" ").split())) for a in find_tags(tag, "a"))
    return len(text) >= 10 and linked >= 0.8 * len(text)


def _tags_by_selector(soup: BeautifulSoup) -> dict[str, list[Tag]]:
    """Tags matching each simple selector we know ("#id", ".class", itemprop), in one walk.

    soup.select() per selector walks the whole page each time; twenty-odd
    selectors made that the slowest step.
    """
    wanted = set(SITE_CONTAINERS)
    found: dict[str, list[Tag]] = {}
    for tag, _, _ in page_named(soup):  # (the page's index, made before junk was removed)
        if is_removed(tag):
            continue
        if tag.get("itemprop") == "articleBody":
            found.setdefault('[itemprop="articleBody"]', []).append(tag)
        tag_id = tag.get("id")
        if tag_id and f"#{tag_id}" in wanted:
            found.setdefault(f"#{tag_id}", []).append(tag)
        for name in tag.get("class") or ():
            if f".{name}" in wanted:
                found.setdefault(f".{name}", []).append(tag)
    return found


# Texts shorter than this are labels, buttons and headings, not prose.
MIN_CHUNK_CHARS = 25
# A sibling joins the article when it scores this share of the best block...
SIBLING_SHARE = 0.2
# ...or holds at least this much text with fewer links than this share of it.
SIBLING_TEXT = 80
SIBLING_LINKS = 0.25
MAX_SIBLING_LINKS = 0.5
# Climbing from the best block: a parent whose text is at most this many times
# the block's adds little but wrappers, so its siblings are looked at too.
WRAPPER_RATIO = 1.3
MAX_CLIMB = 4
_SENTENCE_END = re.compile(r"[.!?…»\"”)]\s*$")


def best_blocks(soup: BeautifulSoup, stats: dict | None = None) -> list[Tag]:
    """The best-scored block and its siblings of the same article, in page order.

    Scoring: every chunk of prose (a <p>, an <li>, a run of text between
    <br>s or directly in a block) gives points to its block and half of them
    to the block above, more for longer text and for commas; a block's total
    is discounted by the share of its text inside links. Chunks that are
    mostly link text (menus, lists of other stories) score nothing.
    """
    stats = stats or text_stats(soup.body or soup)
    scores: dict[int, float] = {}
    tags: dict[int, Tag] = {}
    for holder, text in _prose_chunks(soup, stats):
        score = 1 + text.count(",") + min(len(text) / 100, 3)
        for level, tag in enumerate((holder, holder.parent)):
            if tag is None or not isinstance(tag, Tag):
                break
            key = id(tag)
            tags[key] = tag
            scores[key] = scores.get(key, 0) + score / (1 + level)
    if not scores:
        return []

    def weighted(key: int) -> float:
        text, links = stats.get(key, (0, 0))
        score = scores[key] * (1 - min(links / text, 1.0)) if text else 0.0
        return score * CHROME_WEIGHT if _in_chrome(tags[key]) else score

    best = max(scores, key=weighted)
    return _with_siblings(tags[best], weighted(best), scores, stats)


# Prose kept inside page chrome (<footer>, <aside>, <nav>) weighs this much:
# it is the article only when nothing outside comes near (a page whose
# markup leaves the article inside its <footer>).
CHROME_WEIGHT = 0.5
_CHROME = ("footer", "aside", "nav")


def _in_chrome(tag: Tag) -> bool:
    return tag.name in _CHROME or any(parent.name in _CHROME for parent in tag.parents)


def _prose_chunks(soup: BeautifulSoup, stats: dict):
    """(block, text) for each piece of prose: <p> and <li> items, and text runs
    directly inside a block (bare text, <br>-separated lines)."""
    items, runs = [], []  # one walk for both kinds, each then taken in page order
    for node in soup.descendants:
        if type(node) is NavigableString:
            runs.append(node)
        elif node.name in ("p", "li", "pre") and isinstance(node, Tag):
            items.append(node)
    for tag in items:
        text, links = stats.get(id(tag), (0, 0))
        if text < MIN_CHUNK_CHARS or links > text / 2:
            continue
        if tag.name == "li" and first_tag(tag, ("p", "li")) is not None:
            continue  # its inner <p>/<li> count themselves
        holder = tag.parent if tag.parent is not None and tag.name == "p" else tag
        if tag.name == "li" and tag.parent is not None:
            holder = tag.parent  # items of one list are one block, like a <p>'s parent
        yield holder, tag.get_text(" ", strip=True)
    for text in runs:
        parent = text.parent
        if parent is None or parent.name not in _TEXT_HOLDERS:
            continue
        run = " ".join(text.split())
        if len(run) >= MIN_CHUNK_CHARS:
            holder = parent if parent.name != "span" or parent.parent is None else parent.parent
            yield holder, run


_TEXT_HOLDERS = frozenset({"div", "td", "span", "article", "section", "main", "font", "center", "form", "body", "dd"})


def _with_siblings(top: Tag, top_score: float, scores: dict, stats: dict) -> list[Tag]:
    """``top`` and the siblings that belong to its article, in page order.

    When no sibling qualifies and ``top``'s parent is little more than a
    wrapper around it, the parent's siblings are looked at instead (a lede
    box often sits a few wrappers away from the body).
    """
    if _is_teaser(top, stats):
        return [top]  # one story's teaser in a list of them: its siblings are other stories
    node = top
    for _ in range(MAX_CLIMB + 1):
        parent = node.parent
        if parent is None or not isinstance(parent, Tag):
            break
        node_text = stats.get(id(node), (0, 0))[0]
        kept, after = [], False
        for child in parent.children:
            if child is node:
                kept.append(child)
                after = True
            elif isinstance(child, Tag) and _belongs(child, top_score, scores, stats) and \
                    not (after and _is_box_after(child, node, node_text, stats)):
                kept.append(child)
        if len(kept) > 1:
            return kept
        parent_text = stats.get(id(parent), (0, 0))[0]
        if parent.name in ("body", "html") or parent_text > WRAPPER_RATIO * node_text:
            break
        node = parent
    return [top]


def _belongs(tag: Tag, top_score: float, scores: dict, stats: dict) -> bool:
    """A sibling of the article's block that is part of the article: a block
    whose prose scores near the best one's, or a paragraph of plain text."""
    if tag.name not in BLOCK_TAGS and tag.name not in ("span", "font", "form"):
        return False
    text, links = stats.get(id(tag), (0, 0))
    if not text or _is_teaser(tag, stats) or len(find_tags(tag, "article", limit=2)) > 1:
        return False  # a block holding <article>s of its own lists other stories
    density = links / text
    if density >= MAX_SIBLING_LINKS:
        return False  # a box of links to other pages
    if scores.get(id(tag), 0) * (1 - density) >= max(SIBLING_SHARE * top_score, 3):
        return True
    if text >= SIBLING_TEXT and density < SIBLING_LINKS:
        return bool(_SENTENCE_END.search(tag.get_text(" ", strip=True)[-3:]) or text >= 2 * SIBLING_TEXT)
    return False


# A box after the article opens with a heading this short and holds at most
# this share of the article's text.
BOX_HEADING = 40
BOX_SHARE = 1 / 3


def _is_box_after(tag: Tag, article: Tag, article_text: int, stats: dict) -> bool:
    """A block after the article's block that opens with a short heading of its
    own, is small beside the article and is not built like it: a box about
    something else (the author, other stories, a newsletter). The article's
    own sections open with headings too, but repeat its block's markup."""
    if stats.get(id(tag), (0, 0))[0] > BOX_SHARE * article_text:
        return False
    if tag.name == article.name and tag.get("class") == article.get("class"):
        return False
    first = next(iter(_linked_paragraphs(tag)), ("", 0, 0))[0]
    return 0 < len(first) <= BOX_HEADING and not re.search(r"[.!?…]$", first)


def _is_teaser(tag: Tag, stats: dict) -> bool:
    """A block headed by a linked headline: another story's teaser, not a part of this one."""
    for heading in find_tags(tag, _HEADINGS):
        text, links = stats.get(id(heading), (0, 0))
        if text >= 10 and links >= 0.8 * text:
            return True
    return False


_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def paragraphs_of(container: Tag | list[Tag]) -> list[str]:
    """The container's text (or the blocks' in turn) as paragraphs: block elements and <br> break them.

    Paragraphs made mostly of link text are lists of other pages, not prose,
    and go; so does a short heading that only such lists follow to the end
    of the block ("Read more:", "Related posts").
    """
    blocks = container if isinstance(container, list) else [container]
    out = [text for text, _ in _without_trailing_notes(
        [piece for block in blocks for piece in _block_paragraphs(block)])]
    if len(out) > 1 and blocks and _ends_with_heading(blocks[-1], out[-1]):
        out.pop()  # a heading with nothing under it: its box was taken away
    return out


def _ends_with_heading(block: Tag, last: str) -> bool:
    """Whether ``last``, the text's last paragraph, is a heading element of the block."""
    headings = find_tags(block, _HEADINGS)
    return bool(headings) and " ".join(headings[-1].get_text(" ").split()) == last


def _block_paragraphs(container: Tag) -> list[tuple[str, bool]]:
    """(paragraph, whether all of it is emphasised) for the block's paragraphs but link lists."""
    pieces = _linked_paragraphs(container)
    out: list[tuple[str, bool]] = []
    list_follows = False  # whether the piece after this one is a list of links
    for text, links, emphasised in reversed(pieces):  # from the end: a list's heading comes after its list
        if links > LINK_PARAGRAPH * len(text) and not _leads_a_story(text):
            list_follows = True
            continue
        if (not out and len(pieces) > 2 and _heads_trailing_links(pieces, text)) or \
                (list_follows and _is_heading_line(text)):
            list_follows = False
            continue  # the heading of a list of other pages ("Read more:", "Related posts")
        list_follows = False
        out.append((text, emphasised >= len(text) - 2))
    out.reverse()
    return out


# Notes at the article's end are dropped only when at most this share of the
# paragraphs before them is emphasised too.
NOTE_SHARE = 0.2


def _without_trailing_notes(pieces: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """The paragraphs without the wholly emphasised ones at the end, when the
    article's own paragraphs are plain: an italic or bold paragraph after the
    last plain one is an editor's note or a call to subscribe, follow or
    watch, set apart from the story by its type."""
    end = len(pieces)
    while end > 0 and pieces[end - 1][1]:
        end -= 1
    body = pieces[:end]
    if end == len(pieces) or len(body) < 3 or sum(e for _, e in body) > NOTE_SHARE * len(body):
        return pieces
    return body


# A paragraph with more than this share of its characters in links is a list of links.
LINK_PARAGRAPH = 0.6
# A line this short before only link lists at the block's end is their heading.
TRAILING_HEADING = 60


def _leads_a_story(text: str) -> bool:
    """A "read also: <link>" line: kept, the boilerplate pass turns it into a related title."""
    return bool(split_related(text)[1])


def _is_heading_line(text: str) -> bool:
    """A short line that ends no sentence: a heading or a label."""
    return len(text) <= TRAILING_HEADING and not re.search(r"[.!?]$", text)


def _heads_trailing_links(pieces: list[tuple[str, int, int]], text: str) -> bool:
    """Whether ``text`` is a short heading (no sentence end) followed, to the end
    of the block, by link lists and nothing else."""
    if not _is_heading_line(text):
        return False
    index = max(i for i, (t, _, _) in enumerate(pieces) if t == text)
    after = pieces[index + 1:]
    return bool(after) and all(links > LINK_PARAGRAPH * len(t) for t, links, _ in after)


_EMPHASIS = frozenset({"i", "em", "b", "strong"})


def _linked_paragraphs(container: Tag) -> list[tuple[str, int, int]]:
    """(paragraph, characters of it inside links, characters of it in italics
    or bold) for each paragraph of the container."""
    out: list[tuple[str, int, int]] = []
    current: list[str] = []
    linked = [0, 0]

    def flush():
        text = re.sub(r"\s+", " ", "".join(current)).strip()
        if text:
            out.append((text, min(linked[0], len(text)), min(linked[1], len(text))))
        current.clear()
        linked[0] = linked[1] = 0

    def walk(node, in_link: bool, in_emphasis: bool):
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                piece = str(child)
                current.append(piece)
                size = len(" ".join(piece.split()))
                if in_link:
                    linked[0] += size
                if in_emphasis:
                    linked[1] += size
            elif isinstance(child, Tag):
                if child.name == "br":
                    flush()
                elif child.name in BLOCK_TAGS:
                    flush()
                    walk(child, in_link, in_emphasis)
                    flush()
                else:
                    walk(child, in_link or child.name == "a", in_emphasis or child.name in _EMPHASIS)

    walk(container, container.name == "a", container.name in _EMPHASIS)
    flush()
    return out
