"""Walking a parsed page (BeautifulSoup) without bs4's matching machinery.

find_all()/find() run every element through bs4's filter objects, several
times the cost of the walk itself, and reading an attribute a Tag lacks
(``tag.decomposed`` on a live tag, ``tag.foo``) makes bs4 search the whole
subtree for a <foo>. Reading a page asks for elements by tag name hundreds
of times, so these plain walks are what the readers use.
"""
from __future__ import annotations

from typing import Iterator

from bs4 import Tag


def elements(root: Tag) -> Iterator[Tag]:
    """Every element under ``root``, in page order."""
    for node in root.descendants:
        if type(node) is Tag or isinstance(node, Tag):
            yield node


def find_tags(root: Tag, names, limit: int = 0) -> list[Tag]:
    """Elements under ``root`` named in ``names`` (a name or a collection of them), in page order."""
    wanted = {names} if isinstance(names, str) else names
    found = []
    for node in root.descendants:
        if getattr(node, "name", None) in wanted and isinstance(node, Tag):
            found.append(node)
            if len(found) == limit:
                break
    return found


def first_tag(root: Tag, names) -> Tag | None:
    found = find_tags(root, names, limit=1)
    return found[0] if found else None


def is_removed(tag: Tag) -> bool:
    """Whether ``tag`` was decomposed (a plain attribute read: ``tag.decomposed`` searches a live tag)."""
    return bool(tag.__dict__.get("_decomposed"))


def page_tags(soup: Tag, name: str) -> list[Tag]:
    """The page's <name> elements as parsed, in page order, from one walk made
    once per page (read them before any element is removed, or skip the
    removed ones with ``is_removed``)."""
    return _index(soup)[0].get(name, [])


def page_named(soup: Tag) -> list[tuple[Tag, list | None, str | None]]:
    """(element, its classes, its id) for each element with a class, an id
    or an itemprop, as parsed, in page order."""
    return _index(soup)[1]


def page_elements(soup: Tag) -> list[Tag]:
    """Every element as parsed, in page order."""
    return _index(soup)[2]


def index_page(soup: Tag, ordered: list[Tag]) -> None:
    """Index the page from its elements in page order, as its parser made them."""
    soup.__dict__.pop("_cari_index", None)
    _index(soup, ordered)


def _index(soup: Tag, ordered: list[Tag] | None = None):
    index = soup.__dict__.get("_cari_index")  # plain attribute: Tag.__getattr__ would search
    if index is None:
        by_name: dict[str, list[Tag]] = {}
        named = []
        ordered = list(elements(soup)) if ordered is None else ordered
        for tag in ordered:
            by_name.setdefault(tag.name, []).append(tag)
            attrs = tag.attrs
            if "class" in attrs or "id" in attrs or "itemprop" in attrs:
                named.append((tag, attrs.get("class"), attrs.get("id")))
        index = soup.__dict__["_cari_index"] = (by_name, named, ordered)
    return index
