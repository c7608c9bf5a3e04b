"""Article text from page layouts other than a news site's usual template.

Each page here is written for these tests and stands for one kind of layout
seen across publishers: an article declared as og:type "website", a page
wrapped in one <form>, a blog post inside a "widget" with <br>-separated
text, an article split over sibling blocks, prose in list items, markup
that leaves the article inside an unclosed <header>. Front pages must still
be told apart, and a page that yields nothing says why in one line.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from search.readers import read_file

from conftest import ROOT

PARAS = [
    "The harbour authority opened the new ferry terminal on Monday morning, two years after the old "
    "pier was closed because its wooden piles had rotted beyond repair.",
    "Commuters who used to wait in the open now have a hall with benches, a ticket office and a cafe, "
    "and the crossing to the island takes twelve minutes instead of twenty.",
    "Fishermen were less pleased, saying that the larger ferries stir up the silt in the bay and drive "
    "the shoals further out, where their small boats cannot follow them safely.",
    "The council promised to measure the water quality every month and to publish the figures, so that "
    "any change in the bay can be seen by everyone who depends on it.",
]
MENU = "".join(f'<li><a href="/section/{i}">Section number {i}</a></li>' for i in range(12))


def page(body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Ferry terminal opens</title>'
            f"{head}</head><body>{body}</body></html>")


def read(tmp_path: Path, html: str, name: str = "page.html"):
    path = tmp_path / name
    path.write_text(html, "utf-8")
    return read_file(path, tmp_path)


def body_of(tmp_path: Path, html: str) -> str:
    result = read(tmp_path, html)
    assert result.skipped is None, result.skipped
    assert len(result.articles) == 1
    return result.articles[0].body


def test_og_type_website_article_with_one_text_block_is_kept(tmp_path):
    head = '<meta property="og:type" content="website">'
    body = f'<ul class="menu">{MENU}</ul><div class="text">' + "".join(f"<p>{p}</p>" for p in PARAS) + "</div>"
    assert body_of(tmp_path, page(body, head)).split("\n\n") == PARAS


def test_page_inside_one_form_keeps_its_article(tmp_path):
    body = (f'<form method="post" action="./story.aspx" id="form1"><input type="hidden" name="__VIEWSTATE" value="x">'
            f'<div id="top"><ul>{MENU}</ul></div><div id="story">'
            + "".join(f"<p>{p}</p>" for p in PARAS) + "</div></form>")
    assert body_of(tmp_path, page(body)).split("\n\n") == PARAS


def test_search_form_is_still_removed(tmp_path):
    body = ('<form class="search" action="/find"><span>Search the archive of this site here</span>'
            '<input name="q"></form><div>' + "".join(f"<p>{p}</p>" for p in PARAS) + "</div>")
    text = body_of(tmp_path, page(body))
    assert "Search the archive" not in text and text.split("\n\n") == PARAS


def test_post_in_a_widget_with_br_separated_text(tmp_path):
    post = "<br><br>".join(PARAS)
    body = (f'<div class="sidebar"><div class="widget"><h3>Archive</h3><ul>{MENU}</ul></div></div>'
            f'<div class="widget blog-posts"><div class="post"><h2>Ferry terminal opens</h2>'
            f'<div class="post-body">{post}</div></div></div>')
    text = body_of(tmp_path, page(body))
    assert text.split("\n\n") == PARAS
    assert "Section number" not in text


def test_article_split_over_sibling_blocks_is_read_whole(tmp_path):
    body = (f'<nav><ul>{MENU}</ul></nav><article><div class="lead"><p>{PARAS[0]}</p></div>'
            f'<div class="part"><p>{PARAS[1]}</p><p>{PARAS[2]}</p></div>'
            f'<div class="ad-slot">Advertisement</div>'
            f'<div class="part"><p>{PARAS[3]}</p></div></article>'
            f'<div class="more"><h3><a href="/other">Another story about the harbour and its ferries</a></h3>'
            f'<p>A teaser of another story, with a few words about it.</p></div>')
    text = body_of(tmp_path, page(body))
    assert text.split("\n\n") == PARAS


def test_prose_in_list_items_counts_as_prose(tmp_path):
    items = "".join(f"<li>{p}</li>" for p in PARAS)
    body = f'<div class="links"><ul>{MENU}</ul></div><div class="story"><ol>{items}</ol></div>'
    assert body_of(tmp_path, page(body)).split("\n\n") == PARAS


def test_article_inside_an_unclosed_header_is_kept(tmp_path):
    # The page's markup never closes its <header>: the parser makes the article its child.
    body = (f'<header><div class="logo">Harbour News</div><ul>{MENU}</ul>'
            f'<div class="story">' + "".join(f"<p>{p}</p>" for p in PARAS) + "</div>")
    assert body_of(tmp_path, page(body)).split("\n\n") == PARAS


def test_link_list_after_the_article_is_not_body(tmp_path):
    links = "".join(f'<p><a href="/s/{i}">Another story about the harbour number {i}</a></p>' for i in range(4))
    body = "<div>" + "".join(f"<p>{p}</p>" for p in PARAS) + f"<h3>Read more</h3>{links}</div>"
    assert body_of(tmp_path, page(body)).split("\n\n") == PARAS


def test_front_page_of_teasers_is_still_skipped(tmp_path):
    teasers = "".join(
        f'<li><div class="date">Monday, 4 March 2024 | 10:{i:02d}</div>'
        f'<h3><a href="/story/{i}">Headline of story number {i} on the front page</a></h3>'
        f"<p>{PARAS[i % 4][:110]}.</p></li>" for i in range(20))
    head = '<meta property="og:type" content="website"><meta property="og:url" content="https://harbour.example/">'
    result = read(tmp_path, page(f"<ul>{teasers}</ul>", head))
    assert result.articles == []
    assert result.skipped.startswith("front/index page: listing URL https://harbour.example/, og:type website")


def test_undated_page_of_short_lines_is_an_article(tmp_path):
    # A recipe: its text is a list of short steps, no paragraph of prose, no date, og:type "website".
    steps = [f"Step {i}: stir the {thing} into the pot and leave it for {i + 2} minutes" for i, thing in
             enumerate(("flour", "butter", "sugar", "eggs", "milk", "salt", "yeast", "lemon zest", "raisins"))]
    body = (f'<nav><ul>{MENU}</ul></nav><h1>Harbour fish soup</h1><div class="recipe"><ol>'
            + "".join(f"<li>{step}</li>" for step in steps) + "</ol></div>")
    head = '<meta property="og:type" content="website"><meta property="og:title" content="Harbour fish soup">'
    assert body_of(tmp_path, page(body, head)).split("\n\n") == steps


def test_each_skip_reason_is_one_line_in_extract_and_in_the_index_report(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "menu.html").write_text(page(f'<div class="menu"><ul>{MENU}</ul></div>'), "utf-8")
    (corpus / "story.html").write_text(page("<div>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</div>"), "utf-8")

    def cari(*args):
        return subprocess.run([sys.executable, "-m", "search", *map(str, args)], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)

    shown = cari("extract", corpus / "menu.html")
    assert shown.returncode == 0
    reason = "front/index page: no dated headline, 0 characters of prose"
    assert shown.stdout.splitlines() == [f"skipped: {reason}"]
    as_json = json.loads(cari("extract", corpus / "menu.html", "--json").stdout)
    assert as_json["articles"] == [] and as_json["skipped"] == reason

    done = cari("index", corpus, "--index", tmp_path / "ix")
    assert done.returncode == 0, done.stderr
    assert "indexed 1 articles" in done.stdout
    lines = [line for line in done.stderr.splitlines() if "menu.html" in line]
    assert len(lines) == 1 and reason in lines[0]  # the report's layout of a skip is the indexer's own


def test_box_of_other_stories_after_the_article_is_not_merged(tmp_path):
    # Cards of other stories, each an <article> with a plain-text teaser: not links, but not this story.
    cards = "".join(f'<article class="card"><a href="/s/{i}"><img src="{i}.jpg"></a><div>{PARAS[i][:-1]} '
                    f'in another story of the week.</div><a href="/s/{i}">Read on</a></article>' for i in range(3))
    body = (f'<article class="post"><div class="content">' + "".join(f"<p>{p}</p>" for p in PARAS) + "</div>"
            f'<div class="wrapper"><h3>Similar posts</h3><div class="row">{cards}</div></div></article>')
    text = body_of(tmp_path, page(body))
    assert text.split("\n\n") == PARAS


def test_author_box_after_the_article_is_not_merged(tmp_path):
    bio = ("<p><strong>About the author</strong></p><p>Hi, I am Sam, a sailor and the writer of this piece. "
           "If you liked it, rate it below, and if you wish, you can buy me a coffee here.</p>")
    body = (f'<div id="content"><article class="post">' + "".join(f"<p>{p}</p>" for p in PARAS) + "</article>"
            f'<div class="post-about"><img src="sam.jpg">{bio}</div></div>')
    assert body_of(tmp_path, page(body)).split("\n\n") == PARAS


def test_sections_after_the_article_block_that_open_with_headings_stay(tmp_path):
    # The article's own sections: headed, short, but built like its first block.
    sections = "".join(f"<section><h2>Part {i}</h2><p>{p}</p></section>" for i, p in enumerate(PARAS[1:]))
    first = "".join(f"<p>{p}</p>" for p in PARAS)
    text = body_of(tmp_path, page(f"<main><section>{first}</section>{sections}</main>"))
    assert text.split("\n\n")[-2:] == ["Part 2", PARAS[3]]


def test_emphasised_note_after_the_plain_article_is_not_body(tmp_path):
    note = "<p><em>Want the news of the harbour every morning? Sign up for our letter and follow us.</em></p>"
    body = "<div>" + "".join(f"<p>{p}</p>" for p in PARAS) + note + "</div>"
    assert body_of(tmp_path, page(body)).split("\n\n") == PARAS


def test_emphasised_paragraphs_of_an_article_set_in_italics_stay(tmp_path):
    body = "<div>" + "".join(f"<p><i>{p}</i></p>" for p in PARAS) + "</div>"
    assert body_of(tmp_path, page(body)).split("\n\n") == PARAS


def test_lede_in_the_article_header_comes_first(tmp_path):
    # The headline and its lede sit in the article's <header>, the body in another wrapper.
    lede = ("Two years after the old pier closed, the island has its ferry back, and the crossing "
            "is faster than it ever was.")
    body = (f'<header class="site"><div class="logo">Harbour News</div><ul>{MENU}</ul></header>'
            f'<main><div class="intro"><header><h1>Ferry terminal opens</h1><p class="lead">{lede}</p></header></div>'
            '<div class="wrap"><div class="text">' + "".join(f"<p>{p}</p>" for p in PARAS) + "</div></div></main>")
    text = body_of(tmp_path, page(body))
    assert text.split("\n\n") == [lede, *PARAS]
    assert "Section number" not in text


def test_date_line_over_the_article_is_not_body(tmp_path):
    for line in ("Updated: 11.04.2020, 10:27", "2021-10-16 | News", "5. March 2020"):
        body = f"<div><p>{line}</p>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</div>"
        assert body_of(tmp_path, page(body)).split("\n\n") == PARAS, line


def test_sentence_with_a_date_over_the_article_stays(tmp_path):
    lede = "On 11.04.2020 the council met in the old town hall."
    body = f"<div><p>{lede}</p>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</div>"
    assert body_of(tmp_path, page(body)).split("\n\n") == [lede, *PARAS]


def test_lede_in_a_box_between_headline_and_body_comes_first(tmp_path):
    lede = ("Two years after the old pier closed, the island has its ferry back, and the crossing "
            "is faster than it ever was.")
    caption = "The new terminal seen from the water on its first morning, with the old pier behind it. © Harbour Photo"
    # The body sits in a column beside a menu: no sibling of it nor of its wrappers holds the lede.
    body = (f'<div class="top"><h1>Ferry terminal opens</h1><div class="byline">By Sam Reed</div>'
            f'<div class="teaser"><p>{lede}</p></div><div class="pic"><p>{caption}</p></div></div>'
            '<div class="columns"><div class="text">' + "".join(f"<p>{p}</p>" for p in PARAS) + "</div>"
            f'<div class="side"><ul>{MENU}{MENU}</ul></div></div>')
    assert body_of(tmp_path, page(body)).split("\n\n") == [lede, *PARAS]


def test_no_lede_taken_over_teasers_of_other_stories(tmp_path):
    teasers = "".join(f'<div><h3><a href="/s/{i}">Another story of the harbour, number {i}</a></h3>'
                      f"<p>{PARAS[i][:-1]}, and more in the story itself.</p></div>" for i in range(3))
    body = (f'<h1>Harbour News</h1>{teasers}<div class="columns"><div class="text">'
            + "".join(f"<p>{p}</p>" for p in PARAS) + f'</div><div class="side"><ul>{MENU}{MENU}</ul></div></div>')
    assert body_of(tmp_path, page(body)).split("\n\n") == PARAS


def test_prose_in_the_footer_does_not_outweigh_the_article(tmp_path):
    # A masthead long enough to be kept as prose, its many commas scoring like an article's.
    staff = ", ".join(f"Name{i} Surname{i}" for i in range(12))
    footer = (f"<footer><p>Editor in chief: Ann Lee. Team: {staff}.</p>"
              f"<p>Contributors: {staff}.</p></footer>")
    body = "<main><div>" + "".join(f"<p>{p}</p>" for p in PARAS) + f"</div></main>{footer}"
    text = body_of(tmp_path, page(body))
    assert text.split("\n\n") == PARAS


def test_initials_and_agency_line_after_the_article_is_not_body(tmp_path):
    for credit in ("aja/PAP", "rdk / nrl"):
        body = "<div>" + "".join(f"<p>{p}</p>" for p in PARAS) + f"<p>{credit}</p></div>"
        assert body_of(tmp_path, page(body)).split("\n\n") == PARAS, credit


def test_heading_left_without_its_box_at_the_article_end_is_not_body(tmp_path):
    # The box of related posts under the heading is removed as junk; its heading stays behind.
    body = ('<div class="entry">' + "".join(f"<p>{p}</p>" for p in PARAS) +
            '<h3>Similar posts</h3><div class="related-posts"><a href="/a">One</a></div></div>')
    assert body_of(tmp_path, page(body)).split("\n\n") == PARAS


def test_heading_with_its_text_at_the_article_end_stays(tmp_path):
    body = '<div class="entry">' + "".join(f"<p>{p}</p>" for p in PARAS[:3]) + f"<h3>What next</h3><p>{PARAS[3]}</p></div>"
    assert body_of(tmp_path, page(body)).split("\n\n") == [*PARAS[:3], "What next", PARAS[3]]


def test_date_line_closing_the_article_is_not_body(tmp_path):
    story = PARAS + [p.replace("the", "that") for p in PARAS]  # long enough for the line to be far from the top
    for line in ("Published: 03.04.2020, 12:35", "Updated on 17.01.2021."):
        body = "<div>" + "".join(f"<p>{p}</p>" for p in story) + f"<p>{line}</p></div>"
        assert body_of(tmp_path, page(body)).split("\n\n") == story, line


def test_heading_of_a_link_list_inside_the_article_block_is_not_body(tmp_path):
    # "Read also:" and its links sit between the article and a closing paragraph of its own.
    links = "".join(f'<p><a href="/s/{i}">Another story about the harbour number {i}</a></p>' for i in range(3))
    body = ("<div>" + "".join(f"<p>{p}</p>" for p in PARAS[:3]) + f"<p>Read also:</p>{links}"
            f"<p>{PARAS[3]}</p></div>")
    assert body_of(tmp_path, page(body)).split("\n\n") == PARAS


def test_lede_in_a_header_block_without_a_paragraph_tag_comes_first(tmp_path):
    # The article's header (named like one) holds the headline and its lede as a <div>, beside the menu's header.
    lede = ("Two years after the old pier closed, the island has its ferry back, and the crossing "
            "is faster than it ever was.")
    body = (f'<header class="site"><div class="logo">Harbour News</div><ul>{MENU}</ul></header>'
            f'<div class="article-header"><h1>Ferry terminal opens</h1><div class="intro">{lede}</div></div>'
            '<div class="text">' + "".join(f"<p>{p}</p>" for p in PARAS) + "</div>")
    text = body_of(tmp_path, page(body))
    assert lede in text and text.split("\n\n")[-4:] == PARAS
    assert "Section number" not in text


def test_subheading_or_box_of_prose_between_headline_and_body_is_the_lede(tmp_path):
    lede = ("Two years after the old pier closed, the island has its ferry back, and the crossing "
            "is faster than it ever was.")
    for holder in (f'<h2 class="subline">{lede}</h2>', f'<div class="intro">{lede}</div>'):
        body = (f'<div class="top"><h1>Ferry terminal opens</h1><div class="byline">By Sam Reed</div>{holder}</div>'
                '<div class="columns"><div class="text">' + "".join(f"<p>{p}</p>" for p in PARAS) + "</div>"
                f'<div class="side"><ul>{MENU}{MENU}</ul></div></div>')
        assert body_of(tmp_path, page(body)).split("\n\n") == [lede, *PARAS], holder


def test_caption_beside_a_picture_between_headline_and_body_is_not_the_lede(tmp_path):
    caption = ("The new terminal seen from the water on its first morning, with the old pier and the "
               "fishing boats of the bay behind it")
    body = (f'<div class="top"><h1>Ferry terminal opens</h1><div class="photo"><img src="t.jpg">'
            f'<div class="words">{caption}</div></div></div>'
            '<div class="columns"><div class="text">' + "".join(f"<p>{p}</p>" for p in PARAS) + "</div>"
            f'<div class="side"><ul>{MENU}{MENU}</ul></div></div>')
    assert body_of(tmp_path, page(body)).split("\n\n") == PARAS


def test_article_body_declared_on_each_paragraph_is_read_whole(tmp_path):
    body = (f'<nav><ul>{MENU}</ul></nav><main><header><h1>Ferry terminal opens</h1></header>'
            + "".join(f'<p itemprop="articleBody">{p}</p><div class="ad"></div>' for p in PARAS) + "</main>")
    assert body_of(tmp_path, page(body)).split("\n\n") == PARAS
