"""HTML pages: metadata, main text, what is stripped, what is skipped, encodings.

The pages here are written for these tests; the real saved pages and their
gold live in ../shared and are checked at the end (skipped when absent).
"""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from search.readers import read_file

from conftest import SHARED

PAGES = SHARED / "corpus" / "html" / "websites"
GOLD = SHARED / "eval" / "html_gold.jsonl"
MAINPAGE_GOLD = SHARED / "eval" / "html_mainpage_gold.jsonl"

LEDE = ("JAKARTA, KABARBARU.COM -- Pemerintah kota meresmikan jembatan baru di atas Sungai Ciliwung, "
        "Senin (4/3/2024), setelah pembangunan selama dua tahun.")
SECOND = ("Jembatan sepanjang 120 meter itu menghubungkan dua kelurahan yang selama ini terpisah, "
          "kata wali kota kepada wartawan di lokasi peresmian.")
THIRD = ("Pedagang pasar menyambut baik jembatan itu karena jarak tempuh menjadi lebih pendek, "
         "sementara warga berharap lampu jalan segera dipasang.")


def page(head: str = "", body: str = "", charset: str = "utf-8") -> str:
    return (f'<!DOCTYPE html><html lang="id"><head><meta charset="{charset}">{head}</head>'
            f"<body>{body}</body></html>")


ARTICLE_HEAD = """
<title>Jembatan Baru Diresmikan - KabarBaru.com</title>
<meta property="og:title" content="Jembatan Baru Diresmikan | KabarBaru.com">
<meta property="og:site_name" content="KabarBaru.com">
<meta property="og:type" content="article">
<meta property="og:url" content="https://metro.kabarbaru.example/read/2024/03/04/jembatan-baru-diresmikan">
<link rel="canonical" href="https://metro.kabarbaru.example/read/2024/03/04/jembatan-baru-diresmikan">
<meta property="article:published_time" content="2024-03-04T10:15:00+07:00">
<meta property="article:section" content="Metropolitan">
<meta name="author" content="Rina Kusuma">
"""

ARTICLE_BODY = f"""
<header><nav><a href="/">Beranda</a> <a href="/metro">Metropolitan</a> <a href="/bola">Bola</a></nav></header>
<div class="share-bar"><a href="#">Bagikan ke Facebook</a> <a href="#">Twitter</a></div>
<article>
  <h1>Jembatan Baru Diresmikan</h1>
  <div class="date">Senin, 04 Maret 2024 10:15 WIB</div>
  <figure><img src="x.jpg"><figcaption>Jembatan baru di atas Sungai Ciliwung. (Foto: Dok. Kabar)</figcaption></figure>
  <div class="detail-text">
    <p>{LEDE}</p>
    <script>var ads = "ADVERTISEMENT should not appear";</script>
    <p>{SECOND}</p>
    <div class="ads-inline">ADVERTISEMENT</div>
    <p><strong>Baca juga:</strong> <a href="/x">Warga Bantaran Kali Direlokasi ke Rusun Baru</a></p>
    <h2>Dampak bagi Warga</h2>
    <p>{THIRD}</p>
    <p>SCROLL TO CONTINUE WITH CONTENT</p>
    <p>Editor: Budi Santoso</p>
  </div>
  <div class="related-news"><h3>Berita Terkait</h3><ul><li><a href="/y">Banjir Rob Genangi Pesisir Utara Jakarta Lagi</a></li></ul></div>
</article>
<aside><h3>Terpopuler</h3><a href="/z">Harga Cabai Naik Jelang Lebaran, Pedagang Mengeluh</a></aside>
<footer>Copyright 2024 KabarBaru. Semua hak dilindungi.</footer>
"""


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def read_one(tmp_path: Path, html: str | bytes, name: str = "page.html"):
    result = read_file(write(tmp_path, name, html), tmp_path)
    assert result.skipped is None, result.skipped
    assert len(result.articles) == 1
    return result.articles[0]


def test_article_page_metadata(tmp_path):
    article = read_one(tmp_path, page(ARTICLE_HEAD, ARTICLE_BODY))
    assert article.title == "Jembatan Baru Diresmikan"
    assert article.date.isoformat() == "2024-03-04T10:15:00+07:00"
    assert article.url == "https://metro.kabarbaru.example/read/2024/03/04/jembatan-baru-diresmikan"
    assert article.category == "Metropolitan"
    assert article.author == "Rina Kusuma"
    assert article.source == "kabarbaru"  # from the dateline
    assert article.path == "page.html"


def test_article_page_body_without_chrome(tmp_path):
    article = read_one(tmp_path, page(ARTICLE_HEAD, ARTICLE_BODY))
    assert article.body.split("\n\n") == [LEDE, SECOND, "Dampak bagi Warga", THIRD]
    assert article.related == ["Warga Bantaran Kali Direlokasi ke Rusun Baru"]
    for unwanted in ("Beranda", "Bagikan", "figcaption", "Dok. Kabar", "ADVERTISEMENT", "SCROLL",
                     "Editor", "Terkait", "Terpopuler", "Copyright", "var ads"):
        assert unwanted not in article.body


def test_htm_extension(tmp_path):
    article = read_one(tmp_path, page(ARTICLE_HEAD, ARTICLE_BODY), name="page.htm")
    assert article.title == "Jembatan Baru Diresmikan"


def test_json_ld_news_article_wins(tmp_path):
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Jembatan Baru Diresmikan",
          "datePublished": "2024-03-04T09:05:00+07:00", "author": {"@type": "Person", "name": "Dewi Lestari"},
          "articleSection": "Kota"}
    head = f'<title>Jembatan Baru Diresmikan</title><script type="application/ld+json">{json.dumps(ld)}</script>'
    article = read_one(tmp_path, page(head, f"<h1>Jembatan Baru Diresmikan</h1><p>{LEDE}</p><p>{SECOND}</p>"))
    assert article.date.isoformat() == "2024-03-04T09:05:00+07:00"
    assert (article.author, article.category) == ("Dewi Lestari", "Kota")


def test_itemprop_article_body_and_time_element(tmp_path):
    body = (f'<h1>Jembatan Baru Diresmikan</h1><time datetime="2024-03-04T10:15:00+07:00">4 Maret</time>'
            f'<div class="sidebar-box"><p>{"Kabar lain yang panjang sekali, " * 12}</p></div>'
            f'<div itemprop="articleBody"><p>{LEDE}</p><p>{SECOND}</p></div>')
    article = read_one(tmp_path, page("<title>Jembatan Baru Diresmikan - KabarBaru</title>", body))
    assert article.body.split("\n\n") == [LEDE, SECOND]
    assert article.date.isoformat() == "2024-03-04T10:15:00+07:00"


def test_br_separated_text_becomes_paragraphs(tmp_path):
    body = f'<h1>Jembatan Baru Diresmikan</h1><div id="isi">{LEDE}<br><br>{SECOND}<br/><br/>{THIRD}</div>'
    article = read_one(tmp_path, page(ARTICLE_HEAD, body))
    assert article.body.split("\n\n") == [LEDE, SECOND, THIRD]


def test_visible_wib_date_when_metadata_has_none(tmp_path):
    head = "<title>Jembatan Baru Diresmikan - KabarBaru</title>"
    body = (f'<h1>Jembatan Baru Diresmikan</h1><div class="tanggal">Senin, 04/03/2024 10:15 WIB</div>'
            f"<p>{LEDE}</p><p>{SECOND}</p>")
    article = read_one(tmp_path, page(head, body))
    assert article.date.isoformat() == "2024-03-04T10:15:00+07:00"


def test_utc_label_contradicted_by_the_page_is_read_as_wib(tmp_path):
    # Seen on detik: pubdate "…T10:08:58Z" shown on the page as "10:08 WIB".
    head = ('<title>Jembatan Baru Diresmikan</title>'
            '<meta name="pubdate" content="2024-03-04 T10:08:58Z" itemprop="datePublished">')
    body = (f'<h1>Jembatan Baru Diresmikan</h1><div class="date">Senin, 04/03/2024 10:08 WIB</div>'
            f"<p>{LEDE}</p><p>{SECOND}</p>")
    article = read_one(tmp_path, page(head, body))
    assert article.date.isoformat() == "2024-03-04T10:08:58+07:00"


def test_real_utc_time_is_kept(tmp_path):
    head = ('<title>Jembatan Baru Diresmikan</title>'
            '<meta property="article:published_time" content="2024-03-04T03:15:00Z">')
    body = (f'<h1>Jembatan Baru Diresmikan</h1><div class="date">Senin, 04/03/2024 10:15 WIB</div>'
            f"<p>{LEDE}</p><p>{SECOND}</p>")
    article = read_one(tmp_path, page(head, body))
    assert article.date.utcoffset() == timedelta(0)
    assert article.date.hour == 3


@pytest.mark.parametrize("meta_title, expected", [
    ("Jembatan Baru Diresmikan - KabarBaru.com", "Jembatan Baru Diresmikan"),
    ("Jembatan Baru Diresmikan | KabarBaru Online", "Jembatan Baru Diresmikan"),
    ("KabarBaru.com: Jembatan Baru Diresmikan", "Jembatan Baru Diresmikan"),
    ("Jembatan Baru Diresmikan - Metro :: KabarBaru Kota", "Jembatan Baru Diresmikan"),
    ("KabarBaru.com: Metro - Jembatan Baru Diresmikan", "Jembatan Baru Diresmikan"),
    ("Ahok - Djarot Menang Pilkada - KabarBaru.com", "Ahok - Djarot Menang Pilkada"),
    ("Ahok - Djarot Menang Pilkada", "Ahok - Djarot Menang Pilkada"),
])
def test_site_name_is_stripped_from_titles(tmp_path, meta_title, expected):
    head = f'<meta property="og:title" content="{meta_title}"><meta property="og:site_name" content="KabarBaru">'
    body = f'<div class="date">Senin, 04/03/2024 10:15 WIB</div><p>{LEDE}</p><p>{SECOND}</p>'
    assert read_one(tmp_path, page(head, body)).title == expected


def test_on_page_headline_with_rubric_label(tmp_path):
    head = '<meta property="og:title" content="Jembatan Baru Diresmikan | KabarBaru Online">'
    body = (f'<div class="jdl">FOTO: Jembatan Baru Diresmikan</div><div class="date">04/03/2024 10:15 WIB</div>'
            f"<p>{LEDE}</p><p>{SECOND}</p>")
    assert read_one(tmp_path, page(head, body)).title == "FOTO: Jembatan Baru Diresmikan"


def test_utf8_page_declaring_latin1(tmp_path):
    # kapanlagi declares ISO-8859-1 and sends UTF-8: trust the bytes.
    html = page(ARTICLE_HEAD, ARTICLE_BODY.replace("Pedagang pasar", "“Pedagang” pasar café"),
                charset="iso-8859-1")
    article = read_one(tmp_path, html.encode("utf-8"))
    assert "“Pedagang” pasar café" in article.body
    assert "â€" not in article.body


def test_real_latin1_page(tmp_path):
    html = page(ARTICLE_HEAD, ARTICLE_BODY.replace("Pedagang pasar", "Pedagang café pasar"), charset="iso-8859-1")
    article = read_one(tmp_path, html.encode("cp1252"))
    assert "Pedagang café pasar" in article.body


def test_truncated_html_still_gives_the_article(tmp_path):
    html = page(ARTICLE_HEAD, ARTICLE_BODY)
    cut = html[: html.index("Dampak bagi Warga")]
    article = read_one(tmp_path, cut)
    assert article.body.split("\n\n")[:2] == [LEDE, SECOND]


def test_rss_feed_is_skipped(tmp_path):
    rss = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Kabar</title>'
           "<item><title>Satu</title><link>https://kabar.example/1</link></item></channel></rss>")
    result = read_file(write(tmp_path, "feed.html", rss), tmp_path)
    assert result.articles == [] and result.skipped == "RSS/Atom feed, not an article page"


def test_front_page_is_skipped(tmp_path):
    links = "".join(f'<li><a href="/read/{i}">Judul berita nomor {i} yang cukup panjang untuk tautan</a>'
                    f'<span class="date">04/03/2024 1{i % 10}:00 WIB</span></li>' for i in range(40))
    head = ('<title>KabarBaru | Berita Terkini Hari Ini</title>'
            '<meta property="og:url" content="https://www.kabarbaru.example/">')
    result = read_file(write(tmp_path, "index.html", page(head, f"<ul>{links}</ul>")), tmp_path)
    assert result.articles == [] and result.skipped.startswith("front/index page")


def test_front_page_without_url_is_skipped(tmp_path):
    links = "".join(f'<div class="item"><a href="/read/{i}">Judul berita nomor {i} yang cukup panjang</a>'
                    f"<p>Ringkasan pendek {i}.</p></div>" for i in range(40))
    result = read_file(write(tmp_path, "home.html", page("<title>KabarBaru</title>", links)), tmp_path)
    assert result.articles == [] and "front/index page" in result.skipped


def test_og_type_website_with_little_text_and_no_date_is_skipped(tmp_path):
    head = '<meta property="og:type" content="website"><title>KabarBaru</title>'
    result = read_file(write(tmp_path, "w.html", page(head, f"<p>{LEDE}</p>")), tmp_path)
    assert result.skipped == ("front/index page: og:type website, no dated headline, "
                              f"{len(LEDE)} characters of prose")


def test_photo_page_uses_its_description(tmp_path):
    head = ARTICLE_HEAD + f'<meta property="og:description" content="{SECOND}">'
    body = ('<h1>Jembatan Baru Diresmikan</h1><figure><img src="a.jpg">'
            "<figcaption>Foto satu</figcaption></figure>")
    article = read_one(tmp_path, page(head, body))
    assert article.body == SECOND


def test_page_without_text_is_skipped(tmp_path):
    result = read_file(write(tmp_path, "e.html", page(ARTICLE_HEAD, "<h1>Jembatan Baru Diresmikan</h1>")), tmp_path)
    assert result.articles == [] and result.skipped == ("no article text found in page: no block of prose "
                                                        "(its text is links, menus or scripts)")


def test_not_html_at_all(tmp_path):
    result = read_file(write(tmp_path, "x.html", b"\x00\x01\x02 binary \xff\xfe junk"), tmp_path)
    assert result.articles == [] and result.skipped


# --- the real pages (../shared) ---------------------------------------------------------------


def gold_rows(path: Path) -> list[dict]:
    if not path.exists():
        pytest.skip(f"needs {path} (the shared data set is not beside this checkout)")
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


@pytest.mark.shared_data
def test_front_pages_and_feeds_are_all_skipped():
    for row in gold_rows(MAINPAGE_GOLD):
        result = read_file(PAGES / row["file"], PAGES)
        assert result.articles == [], row["file"]
        assert result.skipped, row["file"]


@pytest.mark.shared_data
def test_gold_pages_meet_the_quality_bar():
    from bench.extraction import date_matches, normalise, token_f1

    rows = [r for r in gold_rows(GOLD) if r.get("lang") == "id" and "liputan6-singlepage3" not in r["file"]]
    titles = f1s = minutes = 0
    for row in rows:
        article = read_file(PAGES / row["file"], PAGES).articles[0]
        titles += normalise(article.title) == normalise(row["title"])
        f1s += token_f1(article.body, row["content_expected"])
        minutes += date_matches(article.date, row["date"], "minute")
    assert titles / len(rows) >= 0.95
    assert f1s / len(rows) >= 0.90
    assert minutes / len(rows) >= 0.90


@pytest.mark.shared_data
def test_kapanlagi_page_is_decoded_as_utf8():
    path = PAGES / "kapanlagi" / "kapanlagi-singlepage.html"
    if not path.exists():
        pytest.skip(f"needs {path}")
    assert b"iso-8859-1" in path.read_bytes()[:3000].lower()
    article = read_file(path, PAGES).articles[0]
    assert "Ã" not in article.body and "â€" not in article.body
    assert article.source == "kapanlagi"


@pytest.mark.parametrize("url, listing", [
    ("https://www.kabarbaru.example/", True),
    ("https://www.kabarbaru.example/indeks", True),
    ("https://indeks.kabarbaru.example/", True),
    ("https://www.kabarbaru.example/tag/banjir", True),
    ("https://www.kabarbaru.example/read/2024/03/04/jembatan", False),
    ("https://www.kabarbaru.example/search-and-rescue-tim-sar-temukan-korban", False),
    ("https://www.kabarbaru.example/tag/banjir/2024/03/04/123456/judul", False),
])
def test_listing_urls(url, listing):
    from search.readers.html import _is_listing_url

    assert _is_listing_url(url) is listing


def test_article_mislabelled_og_type_website_is_kept(tmp_path):
    head = ARTICLE_HEAD.replace('content="article"', 'content="website"')
    article = read_one(tmp_path, page(head, ARTICLE_BODY))
    assert article.title == "Jembatan Baru Diresmikan"


def test_author_from_byline_when_metadata_has_none(tmp_path):
    head = ARTICLE_HEAD.replace('<meta name="author" content="Rina Kusuma">', "")
    body = ARTICLE_BODY.replace("<article>", '<article><div class="byline">Pewarta: <span>Andi Wijaya</span></div>')
    assert read_one(tmp_path, page(head, body)).author == "Andi Wijaya"


def test_publisher_as_author_is_ignored(tmp_path):
    head = ARTICLE_HEAD.replace("Rina Kusuma", "KabarBaru Cyber Media")
    assert read_one(tmp_path, page(head, ARTICLE_BODY)).author == ""


def test_atom_feed_with_bom_is_skipped(tmp_path):
    atom = b'\xef\xbb\xbf<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>K</title></feed>'
    assert read_file(write(tmp_path, "atom.htm", atom), tmp_path).skipped == "RSS/Atom feed, not an article page"


def test_date_next_to_the_headline_beats_a_sidebar_before_it(tmp_path):
    sidebar = "".join(f'<li><a href="/{i}">Berita lain {i}</a> <span class="date">Senin, 04/03/2024 0{i}:00 WIB</span></li>'
                      for i in range(5))
    body = (f'<div class="terbaru-list"><ul>{sidebar}</ul></div>'
            f'<h1>Jembatan Baru Diresmikan</h1><div class="info">Senin, 04/03/2024 10:15 WIB</div>'
            f"<p>{LEDE}</p><p>{SECOND}</p>")
    article = read_one(tmp_path, page("<title>Jembatan Baru Diresmikan - KabarBaru</title>", body))
    assert article.date.isoformat() == "2024-03-04T10:15:00+07:00"


def test_read_also_box_titles_are_related_not_body(tmp_path):
    box = ('<div class="baca-juga"><span>Baca juga</span><ul>'
           '<li><a href="/a">Warga Bantaran Kali Direlokasi ke Rusun Baru</a></li>'
           '<li><a href="/b">Lampu Jalan Baru Dipasang di Kemang</a></li></ul></div>')
    body = ARTICLE_BODY.replace(f"<p>{SECOND}</p>", f"<p>{SECOND}</p>{box}")
    article = read_one(tmp_path, page(ARTICLE_HEAD, body))
    assert article.related == ["Warga Bantaran Kali Direlokasi ke Rusun Baru", "Lampu Jalan Baru Dipasang di Kemang"]
    assert "Lampu Jalan" not in article.body
