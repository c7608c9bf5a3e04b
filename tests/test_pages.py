"""The HTML pages through Flask's test client: what the server renders, before any JavaScript."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest

from conftest import news, write_jsonl

HOSTILE = "<img src=x onerror=alert(1)>"


def html_of(client, url, status=200, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def links(html: str, css_class: str) -> list[str]:
    """hrefs of <a> tags carrying ``css_class`` (unescaped)."""
    found = re.findall(r'<a class="%s" href="([^"]+)"' % css_class, html)
    return [unescape(href) for href in found]


def args_of(href: str) -> dict:
    return parse_qs(urlparse(href).query)


# -- a tiny index of stories written for these tests ---------------------------

@pytest.fixture(scope="module")
def small_client(tmp_path_factory):
    from search.indexing.indexer import index_corpus
    from web import create_app
    from web.engine import close_engine

    root = tmp_path_factory.mktemp("pages")
    write_jsonl(root / "corpus" / "uji.jsonl", [
        news(1, HOSTILE, "Zebrakuda <script>alert(2)</script> muncul di berita uji.\n\n"
             "Paragraf <b>kedua</b> & seterusnya."),
        news(2, "Banjir merendam Kampung Melayu",
             "JAKARTA -- Banjir merendam Kampung Melayu sejak pagi.\n\nPompa Dikerahkan\n\n"
             "Dinas mengerahkan pompa untuk menyedot banjir. Warga mengungsi.",
             date="2019-09-10", url="https://uji.example/banjir-kampung-melayu", author="Sari"),
        news(3, "Banjir rob di pesisir utara", "Air laut pasang menggenangi rumah warga. Banjir rob surut sore.",
             date="2021-12-06", source="lain", category="metropolitan"),
    ])
    index_corpus(root / "corpus", root / "index")
    app = create_app({"CARI_INDEX": str(root / "index"), "TESTING": True})
    yield app.test_client()
    close_engine(app)


def test_corpus_text_is_escaped_on_results_and_article_pages(small_client):
    results = html_of(small_client, "/search?q=zebrakuda")
    assert "&lt;img src=x onerror=alert(1)&gt;" in results
    assert "<img src=x" not in results and "<script>alert" not in results
    article = html_of(small_client, "/article/t-001?q=zebrakuda")
    assert "<h1 id=\"article-title\" lang=\"id\">&lt;img src=x onerror=alert(1)&gt;</h1>" in article
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in article and "<script>alert" not in article
    assert "&lt;b&gt;kedua&lt;/b&gt; &amp; seterusnya" in article
    assert "<title>&lt;img src=x onerror=alert(1)&gt; — cari</title>" in article


def test_no_inline_script_or_event_handler_on_any_page(small_client):
    for url in ("/", "/search?q=banjir", "/search?q=zzqxw", "/article/t-002?q=banjir", "/tidak-ada"):
        html = small_client.get(url).get_data(as_text=True)
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert scripts and all(" src=" in tag for tag in scripts), url
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), url
        assert "<style" not in html and " style=" not in html, url


def test_security_headers_on_pages_and_api(client):
    for url in ("/", "/search?q=banjir", "/api/search?q=banjir", "/tidak-ada", "/opensearch.xml"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'self'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("path", ["/article/../../etc/passwd", "/article/..%2F..%2Fetc%2Fpasswd",
                                  "/article/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/static/../../etc/passwd",
                                  "/static/..%2F..%2Fsearch%2Fcli.py"])
def test_paths_that_climb_out_are_404(client, path):
    assert client.get(path).status_code == 404


MATCH_NAV = r'<span class="match-nav">.*?<span class="where">[^<]*</span>(?: <a [^>]*>›</a>)?</span>'


def test_article_page_paragraphs_subheadings_metadata_and_marks(small_client):
    html = html_of(small_client, "/article/t-002?q=banjir")
    assert "<h2>Pompa Dikerahkan</h2>" in html
    assert html.count('<div class="body" lang="id">') == 1 and len(re.findall(r"<p><mark|<p>[^<]", html)) >= 2
    assert '<time datetime="2019-09-10T00:00:00">10 September 2019</time>' in html
    assert "oleh Sari" in html and "uji" in html
    assert 'href="https://uji.example/banjir-kampung-melayu"' in html
    assert html.count('id="first-match"') == 1
    text = re.sub(MATCH_NAV, "", html)          # the way to the next match (test_article_matches.py)
    assert re.search(r'<p>[^<]*<mark id="first-match">Banjir</mark> merendam', text)
    assert 'href="#first-match"' in html
    back = re.search(r'<p class="back"><a href="([^"]+)"', html).group(1)
    assert args_of(unescape(back))["q"] == ["banjir"]


def test_article_reached_without_a_query_marks_nothing(small_client):
    html = html_of(small_client, "/article/t-002")
    assert "<mark" not in html and "first-match" not in html and 'class="back"' not in html


def test_article_page_lists_related_stories(client, engine):
    hit = engine.search("banjir").hits[0]
    related = engine.related(hit.id, limit=5)
    assert related, "the sample corpus has several flood stories"
    html = html_of(client, f"/article/{hit.id}")
    assert 'class="related"' in html
    for other in related:
        assert f'href="/article/{other.id}"' in html


def test_results_page_keeps_the_query_and_shows_total_time_source_and_date(client, engine):
    results = engine.search("banjir")
    html = html_of(client, "/search?q=banjir")
    assert 'value="banjir"' in html
    assert re.search(r"%d hasil\s*<span class=\"took\">dalam \d+ ms" % results.total, html)
    assert "<title>banjir — Pencarian cari</title>" in html
    dated = next(h for h in results.hits if h.date)
    assert f'<time datetime="{dated.date}">' in html
    assert re.search(r'<h2 lang="id"><a href="/article/[^"]+\?q=banjir"><mark>Banjir</mark>', html)
    assert html.count('<li class="hit">') == len(results.hits)


def test_facets_link_to_filtered_results_and_chips_remove_them(client, engine):
    html = html_of(client, "/search?q=banjir")
    source = engine.search("banjir").facets["source"][0]
    href = unescape(re.search(r'<a href="([^"]*source=%s[^"]*)">\s*<span class="value">' % source["value"],
                              html).group(1))
    assert args_of(href)["source"] == [source["value"]] and args_of(href)["q"] == ["banjir"]
    filtered = html_of(client, href)
    assert re.search(r"%d hasil" % source["count"], filtered)
    assert set(re.findall(r'<span class="source">([^<]+)</span>', filtered)) == {source["value"]}
    chip = links(filtered, "chip")
    assert len(chip) == 1 and "source" not in args_of(chip[0]) and args_of(chip[0])["q"] == ["banjir"]


def test_month_facet_filters_by_date_range(client, engine):
    month = engine.search("banjir").facets["month"][0]
    html = html_of(client, f"/search?q=banjir&month={month['value']}")
    dates = re.findall(r'<time datetime="(\d{4}-\d{2})', html)
    assert dates and set(dates) == {month["value"]}
    assert len(links(html, "chip")) == 1
    # A month that is not one is ignored, not an error.
    assert html_of(client, "/search?q=banjir&month=2019-13").count('class="chip"') == 0


def test_sort_switch_orders_by_date(client):
    html = html_of(client, "/search?q=jakarta&sort=newest")
    dates = re.findall(r'<time datetime="([^"]+)"', html)
    assert len(dates) >= 3 and dates == sorted(dates, reverse=True)
    assert re.search(r'<a href="[^"]*sort=newest[^"]*" aria-current="true">Terbaru</a>', html)
    assert 'name="sort" value="newest"' in html  # a new query keeps the order


def test_pagination_links_keep_filters_and_mark_the_current_page(client, engine):
    total = engine.search("indonesia").total
    assert total > 10
    html = html_of(client, "/search?q=indonesia&page=2&sort=newest")
    assert '<ol class="hits" start="11">' in html
    assert re.search(r'aria-current="page"[^>]*>2</a>', html)
    prev = unescape(re.search(r'<a rel="prev" href="([^"]+)"', html).group(1))
    assert args_of(prev) == {"q": ["indonesia"], "sort": ["newest"]}
    assert "(Halaman 2)" in html.split("</title>")[0]


def test_did_you_mean_links_to_the_corrected_query(client, engine):
    correction = engine.search("kebakaran hutn").correction
    assert correction and correction != "kebakaran hutn"
    html = html_of(client, "/search?q=kebakaran+hutn")
    href = unescape(re.search(r'<p class="did-you-mean">Maksud Anda:\s*<a href="([^"]+)"', html).group(1))
    assert args_of(href)["q"] == [correction]


def test_a_page_past_the_last_one_says_so_and_links_back(client):
    html = html_of(client, "/search?q=banjir&page=9")
    assert "Halaman 9 tidak memuat hasil" in html and 'href="/search?q=banjir">Ke halaman pertama' in html


def test_corrected_results_mark_the_corrected_words(client, engine):
    results = engine.search("banjr")
    assert results.corrected and results.correction == "banjir"
    html = html_of(client, "/search?q=banjr")
    assert 'value="banjr"' in html and "Tidak ada hasil untuk “banjr”; ditampilkan hasil untuk “banjir”" in html
    assert re.search(r"<h2 lang=\"id\"><a [^>]+><mark>Banjir</mark>", html)


def test_empty_results_explain_what_to_try(client):
    html = html_of(client, "/search?q=zzqxw&source=kabarnusa")
    assert "Tidak ada hasil untuk “zzqxw”" in html
    assert "Hapus filter yang aktif" in html and "Cara menulis kueri" in html
    assert '<details class="syntax" open>' in html


def test_bad_query_is_400_with_a_clear_message_and_the_query_kept(client):
    html = html_of(client, "/search?q=tanggal:2019-13", status=400)
    assert "Kueri tidak dapat dijalankan" in html and "Tanggal tidak dikenali" in html
    assert 'value="tanggal:2019-13"' in html
    english = html_of(client, "/search?q=tanggal:2019-13&lang=en", status=400)
    assert "The query cannot be run" in english and "Unknown date" in english


def test_english_by_parameter_or_accept_language(client):
    assert '<html lang="id">' in html_of(client, "/")
    english = html_of(client, "/search?q=banjir&lang=en")
    assert '<html lang="en">' in english and re.search(r"\d+ results", english)
    assert 'name="lang" value="en"' in english          # the next search stays in English
    assert re.search(r'href="/article/[^"]+lang=en"', english)
    client.delete_cookie("lang")        # a language picked sticks (test_pages_language.py): forget it
    browser = html_of(client, "/search?q=banjir", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in browser and 'name="lang"' not in browser
    indonesian = html_of(client, "/", headers={"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"})
    assert '<html lang="id">' in indonesian
    assert "Accept-Language" in client.get("/").headers["Vary"]


def test_landmarks_labels_and_titles(client):
    html = html_of(client, "/search?q=indonesia")
    for landmark in ('<header class="site">', '<main id="main"', '<footer class="site">', 'role="search"',
                     '<aside class="facets"', '<nav class="pager"'):
        assert landmark in html
    assert '<label for="q"' in html and 'href="#main"' in html
    assert "<title>cari — Mesin pencari" in html_of(client, "/")
    assert "<title>Galat — cari</title>" in html_of(client, "/tidak-ada", status=404)


def test_opensearch_description_and_favicon(client):
    response = client.get("/opensearch.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/opensearchdescription+xml"
    xml = response.get_data(as_text=True)
    assert 'template="http://localhost/search?q={searchTerms}"' in xml and "<ShortName>cari</ShortName>" in xml
    assert 'rel="search" type="application/opensearchdescription+xml"' in html_of(client, "/")
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"
    assert client.get("/static/favicon.svg").status_code == 200


# -- helpers ---------------------------------------------------------------------

def test_indonesian_and_english_dates():
    from web.i18n import format_date, format_month, format_number

    assert format_date("2019-09-10", "id") == "10 September 2019"
    assert format_date("2021-12-06T15:20:00", "id") == "6 Desember 2021"
    assert format_date("2021-12-06T15:20:00+07:00", "en") == "6 December 2021"
    assert format_date(None, "id") == "" and format_date("kemarin", "id") == "kemarin"
    assert format_month("2019-08", "id") == "Agustus 2019"
    assert format_number(23013, "id") == "23.013" and format_number(23013, "en") == "23,013"


def test_query_terms_leave_out_operators_filters_and_exclusions(engine):
    """What the pages mark comes from the engine's parse (see test_marking.py)."""
    assert engine.query_terms("banjir -rob") == {"banjir"}
    assert engine.query_terms('judul:rupiah sumber:kabarnusa tanggal:[2019-09-01 TO 2019-09-15]') == {"rupiah"}
    terms = engine.query_terms('"kabut asap" OR gempa NOT hujan')    # + gempa's synonyms (expansion.py)
    assert {"kabut", "asap", "gempa"} <= terms and "hujan" not in terms
    terms = engine.query_terms("banjir ATAU gempa DAN jakarta | longsor -(hujan angin)")
    assert terms - {"banjir", "gempa", "jakarta", "longsor"} <= {"lindu"}    # gempa's synonym
    assert {"banjir", "gempa", "jakarta", "longsor"} <= terms


def test_article_blocks_escape_then_mark_once_with_the_jump_id():
    from web.text import article_blocks

    blocks, marks = article_blocks("Banjir <b>datang</b>.\n\nWarga Mengungsi\n\nBanjir surut & warga pulang.",
                                   {"banjir"})
    assert [b.kind for b in blocks] == ["p", "h2", "p"] and marks == 2
    assert str(blocks[0].html) == '<mark id="first-match">Banjir</mark> &lt;b&gt;datang&lt;/b&gt;.'
    assert str(blocks[2].html) == "<mark>Banjir</mark> surut &amp; warga pulang."


@pytest.mark.parametrize("text,heading", [
    ("Listrik Dipadamkan", True), ("Warga diminta waspada.", False),
    ("“Kami siap,” katanya", False), ("ini huruf kecil", False), ("Klasemen Grup B", True),
    ("Informasi ini diambil dari laman resmi", False), ("Reporter: Sari Dewi", False),
    ("KANTOR BERITA", False), ("Apa Kata Mereka?", False),
    ("Sebuah kalimat yang sangat panjang sekali tanpa tanda titik di akhir tetapi tetap paragraf", False),
])
def test_subheadings_are_short_capitalised_lines_without_a_full_stop(text, heading):
    from web.text import is_subheading

    assert is_subheading(text) is heading
