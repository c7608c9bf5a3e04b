"""The page tree built from lxml's parse reads like BeautifulSoup's own lxml tree."""
from __future__ import annotations

from bs4 import BeautifulSoup, Comment, Tag
from bs4.element import Script

from search.readers.html_parse import parse

PAGE = ("<!DOCTYPE html><html><head><title>Ferry</title><script>var a = '<b>';</script>"
        '<meta charset="utf-8"></head><body>\n  <div class="story main" id="s"><p>One <b>bold</b> word.</p>'
        "<!-- note --><pre>  kept  \n  as is </pre><br>tail text<ul><li>a</li>\n<li>b</li></ul>"
        "<p>Unclosed<div>block</div></body></html>")


def shape(soup: BeautifulSoup) -> list:
    """Every node in document order: kind, name or text, attributes, parent, previous sibling."""
    out = []
    for node in soup.descendants:
        if isinstance(node, Tag):
            out.append(("tag", node.name, node.attrs, node.parent.name,
                        getattr(node.previous_sibling, "name", node.previous_sibling)))
        else:
            out.append((type(node).__name__, str(node), node.parent.name))
    return out


def test_tree_is_the_one_beautifulsoup_builds():
    ours, theirs = parse(PAGE), BeautifulSoup(PAGE, "lxml")
    assert shape(ours) == shape(theirs)
    assert ours.find("div")["class"] == ["story", "main"]
    assert ours.get_text(" ", strip=True) == theirs.get_text(" ", strip=True)


def test_string_kinds_and_links_are_kept():
    soup = parse(PAGE)
    assert isinstance(soup.find("script").string, Script)
    assert any(isinstance(node, Comment) and node == " note " for node in soup.descendants)
    assert soup.find("pre").string == "  kept  \n  as is "
    elements = list(soup.descendants)
    assert all(a.next_element is b and b.previous_element is a for a, b in zip(elements, elements[1:]))
    items = soup.find_all("li")
    assert items[0].next_sibling == "\n" and items[0].next_sibling.next_sibling is items[1]


def test_removing_a_block_leaves_a_sound_tree():
    soup = parse(PAGE)
    soup.find_all("div")[-1].decompose()  # the block in the unclosed paragraph
    assert "block" not in soup.get_text() and "bold" in soup.get_text()


def test_page_nested_past_lxmls_tree_depth_is_read_whole():
    deep = "<html><body>" + "<div>" * 3000 + "deep" + "</div>" * 3000 + "<p>after</p></body></html>"
    soup = parse(deep)
    assert soup.get_text() == "deepafter" and len(soup.find_all("div")) == 3000
