"""Parse a page into a BeautifulSoup tree, fast.

BeautifulSoup's own lxml builder hands every start tag, end tag and text
run from lxml's C parser to Python callbacks that keep stacks and fix up
links one event at a time: on news pages that is most of the time spent
reading a page (about 20 ms for a page of a thousand elements). Here lxml
builds its tree in C, and the same BeautifulSoup tree is then made from it
in one walk: the same elements, attributes (class split into a list), text
runs (whitespace-only runs collapsed to " " or "\\n" outside <pre>, as
BeautifulSoup does), comments and string kinds (script, style, template
text), linked the same way, so every bs4 method reads it as usual.
"""
from __future__ import annotations

import gc

from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, Tag
from bs4.element import ProcessingInstruction
from lxml import etree

from search.readers.html_tree import index_page

_SPACES = " \n\t\x0c\r"


def parse(text: str) -> BeautifulSoup:
    """The page as BeautifulSoup with its lxml builder would give it."""
    parser = etree.HTMLParser(recover=True, default_doctype=False, huge_tree=True)  # (no depth limit, as bs4)
    parser.feed(text)
    root = parser.close()
    soup = BeautifulSoup("", "lxml")
    if root is None:
        return soup
    # Thousands of linked objects, all alive: the cyclic garbage collector
    # would walk them again and again while they are made (a third of the
    # time) and free nothing. It runs as usual once the tree is built.
    collecting = gc.isenabled()
    gc.disable()
    try:
        builder = _Builder(soup)
        builder.build(root)
        index_page(soup, builder.ordered)  # the elements listed as they were made: no walk for it
    except _TooDeep:
        # lxml's tree stops at a nesting depth (2048) that bs4's event
        # builder does not have: such a page is read the slow way, whole.
        return BeautifulSoup(text, "lxml")
    finally:
        if collecting:
            gc.enable()
    return soup


# Nesting this deep is near lxml's limit for its tree, past which it drops the rest.
MAX_DEPTH = 1000


class _TooDeep(Exception):
    pass


class _Builder:
    def __init__(self, soup: BeautifulSoup):
        self.soup = soup
        self.builder = soup.builder
        self.containers = soup.builder.string_containers
        self.keep_spaces = soup.builder.preserve_whitespace_tags
        self.last = soup  # the element met last, in document order
        # Every element starts as a copy of one made by bs4's own constructor
        # (whatever fields this bs4 version keeps), then gets its own name,
        # attributes and children: the constructor's per-element work is
        # most of the cost of building the tree.
        self.template = dict(Tag(soup, soup.builder, "div").__dict__)
        lists = soup.builder.cdata_list_attributes or {}
        self.list_attributes = {name: set(lists.get("*", ())) | set(lists.get(name, ())) for name in lists}
        self.everywhere = set(lists.get("*", ()))
        self.attribute_dict = soup.builder.attribute_dict_class
        self.value_list = soup.builder.attribute_value_list_class
        self.ordered: list[Tag] = []  # every element made, in page order

    def build(self, root) -> None:
        info = root.getroottree().docinfo
        if info.doctype:
            self._link(Doctype.for_name_and_ids(info.root_name, info.public_id or None,
                                                info.system_url or None), self.soup)
        for before in reversed(list(root.itersiblings(preceding=True))):
            self._node(before, self.soup, NavigableString, False)
        self._node(root, self.soup, NavigableString, False)
        for after in root.itersiblings():
            self._node(after, self.soup, NavigableString, False)

    def _tag(self, name: str, items: list[tuple[str, str]]) -> Tag:
        """A new element as bs4's constructor makes it: "class" and the like split into lists."""
        tag = Tag.__new__(Tag)
        fields = tag.__dict__
        fields.update(self.template)
        split = self.list_attributes.get(name, self.everywhere)
        fields["name"] = name
        fields["attrs"] = self.attribute_dict(
            (key, self.value_list(value.split()) if key in split else value) for key, value in items)
        fields["contents"] = []
        fields["can_be_empty_element"] = self.builder.can_be_empty_element(name)
        kind = self.containers.get(name)
        fields["interesting_string_types"] = {kind} if kind else Tag.MAIN_CONTENT_STRING_TYPES
        if name == "meta":
            self.builder.set_up_substitutions(tag)  # (its charset, as bs4 keeps it)
        self.ordered.append(tag)
        return tag

    def _link(self, element, parent: Tag) -> None:
        """Append ``element`` to ``parent`` and to the document order."""
        fields = element.__dict__
        fields["parent"] = parent
        fields["previous_element"] = self.last
        fields["next_element"] = None
        self.last.next_element = element
        siblings = parent.contents
        previous = siblings[-1] if siblings else None
        fields["previous_sibling"] = previous
        fields["next_sibling"] = None
        if previous is not None:
            previous.next_sibling = element
        siblings.append(element)
        self.last = element

    def _text(self, text: str, kind: type, keep: bool):
        """A text run as bs4 keeps it: whitespace alone becomes one space or newline."""
        if not keep and not text.strip(_SPACES):
            text = "\n" if "\n" in text else " "
        string = str.__new__(kind, text)
        string.__dict__["hidden"] = False
        return string

    def _node(self, node, parent: Tag, kind: type, keep: bool) -> None:
        """``node`` (an lxml element, comment or instruction) and its tail, under ``parent``.

        Iterative (pages nest deeper than Python's recursion allows), and
        the hottest loop of reading a page: hence the local names.
        """
        link, text_of, new_tag, containers = self._link, self._text, self._tag, self.containers
        keep_tags, comment, instruction = self.keep_spaces, etree.Comment, etree.ProcessingInstruction
        stack = [(node, parent, kind, keep, False, 0)]
        pop, push = stack.pop, stack.append
        while stack:
            node, parent, kind, keep, closing, depth = pop()
            if closing:  # the node's subtree is done: the text after it follows
                if node.tail:
                    link(text_of(node.tail, kind, keep), parent)
                continue
            push((node, parent, kind, keep, True, depth))
            tag = node.tag
            if tag.__class__ is not str:
                if tag is comment:  # (an empty comment is one space, as bs4 has it)
                    link(text_of(node.text or " ", Comment, keep), parent)
                elif tag is instruction:
                    link(text_of(f"{node.target} {node.text or ''}".strip(), ProcessingInstruction, keep), parent)
                continue
            element = new_tag(tag, node.items())
            link(element, parent)
            inner_kind = containers.get(tag, kind)  # the innermost container's kind, as bs4 does
            inner_keep = keep or tag in keep_tags
            if node.text:
                link(text_of(node.text, inner_kind, inner_keep), element)
            if depth >= MAX_DEPTH:
                raise _TooDeep
            for child in reversed(node):
                push((child, element, inner_kind, inner_keep, False, depth + 1))
