"""The pages in a real browser: Debian's chromium, driven by Playwright, against real gunicorn.

The index holds corpus/ plus one hostile article (a title that is an <img onerror>
tag), written here. Browser tests skip when /usr/bin/chromium is missing; the
accessibility test also needs axe-core (``npm install --prefix .cache/npm axe-core@4``).
Set CARI_SCREENSHOTS=1 to write the README screenshots into docs/img/screenshots/.
"""
from __future__ import annotations

import csv
import http.client
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import pytest

from conftest import CORPUS, ROOT, free_port, write_jsonl

pytestmark = pytest.mark.integration      # gunicorn, and chromium for the `browser` tests

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "img" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
XSS_TITLE = "<img src=x onerror=alert(1)>"
STORY = ("Kebakaran hutan dan lahan di Kabupaten Pelalawan, Riau, kembali meluas pada Selasa. Tim gabungan "
         "dari Manggala Agni, TNI dan Polri masih berupaya memadamkan api yang menghanguskan sedikitnya dua "
         "ratus hektare lahan gambut. Kepala BPBD Riau mengatakan asap tebal membuat jarak pandang di "
         "Pekanbaru turun hingga tiga ratus meter dan sekolah diliburkan selama tiga hari.")
STORY_ARTICLES = [   # one story from two publishers: grouped under the better-ranked one
    {"id": "uji-story-001", "title": "Karhutla Pelalawan kembali meluas", "source": "uji", "category": "daerah",
     "date": "2019-09-17", "body": STORY},
    {"id": "uji-story-002", "title": "Karhutla di Pelalawan meluas, sekolah libur", "source": "kabarnusa",
     "category": "regional", "date": "2019-09-17", "body": STORY.replace("kembali meluas", "terus meluas")},
]
XSS_ARTICLE = {
    "id": "uji-xss-001", "title": XSS_TITLE, "source": "uji", "category": "keamanan", "date": "2019-09-10",
    "url": "https://uji.example/xss",
    "body": "Zebrakuda adalah kata uji keamanan. <script>alert(2)</script>\n\n"
            "Paragraf kedua menyebut zebrakuda lagi <b onmouseover=alert(3)>tebal</b>.",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Base URL of gunicorn serving an index of corpus/ plus the hostile article."""
    from search.indexing.indexer import index_corpus

    tmp = tmp_path_factory.mktemp("browser")
    corpus = tmp / "corpus"
    shutil.copytree(CORPUS, corpus)
    write_jsonl(corpus / "uji" / "hostile.jsonl", [XSS_ARTICLE])
    write_jsonl(corpus / "uji" / "stories.jsonl", STORY_ARTICLES)
    index_corpus(corpus, tmp / "index")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "search", "serve", "--index", str(tmp / "index"),
         "--port", str(port), "--workers", "2"],
        cwd=ROOT, env=dict(os.environ, CARI_INDEX=str(tmp / "index")),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("gunicorn exited: " + proc.stdout.read().decode())
            if time.time() > deadline:
                proc.kill()
                pytest.fail("gunicorn did not answer within 30 s")
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=15)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (`make test` installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Tab:
    """A page plus what went wrong in it: console errors (CSP reports land there) and dialogs."""

    def __init__(self, context):
        self.context = context
        self.page = context.new_page()
        self.page.set_default_timeout(10_000)
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("response", lambda r: r.status >= 500 and self.errors.append(f"{r.status} {r.url}"))
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def open_tab(browser):
    contexts = []

    def make(viewport=DESKTOP, **options) -> Tab:
        context = browser.new_context(viewport=viewport, locale=options.pop("locale", "id-ID"), **options)
        contexts.append(context)
        return Tab(context)

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def tab(open_tab):
    t = open_tab()
    yield t
    assert t.errors == [], "the page logged errors (a CSP violation shows up here)"
    assert t.dialogs == []


def search_from_home(page, base, query):
    page.goto(base + "/")
    page.fill("#q", query)
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"/search\?"))


def query_of(url: str) -> dict:
    return parse_qs(urlparse(url).query)


def total_of(page) -> int:
    return int(re.sub(r"\D", "", page.inner_text(".summary").split()[0]))


@pytest.mark.browser
def test_type_a_query_press_enter_and_see_highlighted_results(site, tab):
    page = tab.page
    search_from_home(page, site, "banjir")
    assert query_of(page.url)["q"] == ["banjir"]
    assert page.input_value("#q") == "banjir"
    assert "banjir" in page.title()
    hits = page.locator(".hit")
    assert hits.count() >= 2
    assert page.locator(".hit h2 mark").count() >= 1
    assert page.locator(".hit .snippet mark").count() >= hits.count() - 1
    assert page.locator(".hit .snippet mark").first.inner_text().lower().startswith("banjir")
    assert re.search(r"\d+ hasil", page.inner_text(".summary")) and "ms" in page.inner_text(".summary")
    months = "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"
    assert re.fullmatch(rf"\d{{1,2}} ({months}) \d{{4}}", page.locator(".hit time").first.inner_text())


@pytest.mark.browser
def test_apply_and_remove_a_facet(site, tab):
    page = tab.page
    search_from_home(page, site, "banjir")
    before = total_of(page)
    link = page.locator("#facet-source + ul a").first
    value = link.locator(".value").inner_text()
    count = int(link.locator(".count").inner_text())
    assert count < before, "pick a query whose results come from more than one source"
    link.click()
    page.wait_for_url(re.compile(r"source="))
    assert query_of(page.url)["source"] == [value]
    assert total_of(page) == count
    assert set(page.locator(".hit .source").all_inner_texts()) == {value}
    chip = page.locator(".active-filters .chip")
    assert chip.count() == 1
    chip.click()
    page.wait_for_url(lambda url: "source=" not in url)
    assert total_of(page) == before
    assert page.locator(".active-filters").count() == 0


@pytest.mark.browser
def test_paginate_and_go_back(site, tab):
    page = tab.page
    search_from_home(page, site, "indonesia")
    assert total_of(page) > 10
    first_page = page.locator(".hit h2").all_inner_texts()
    page.click(".pager a[rel=next]")
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator(".pager [aria-current=page]").inner_text() == "2"
    assert page.get_attribute("ol.hits", "start") == "11"
    second_page = page.locator(".hit h2").all_inner_texts()
    assert second_page and not set(second_page) & set(first_page)
    page.go_back()
    page.wait_for_url(lambda url: "page=2" not in url)
    assert page.locator(".hit h2").all_inner_texts() == first_page


@pytest.mark.browser
def test_open_an_article_and_jump_to_the_highlighted_terms(site, tab):
    page = tab.page
    search_from_home(page, site, "banjir")
    title = page.locator(".hit h2 a").first.inner_text()
    page.locator(".hit h2 a").first.click()
    page.wait_for_url(re.compile(r"/article/"))
    assert page.inner_text("h1") == title
    assert page.locator(".article .body mark").count() >= 1
    assert page.locator("#first-match").inner_text().lower().startswith("banjir")
    page.click("a.jump")
    page.wait_for_url(re.compile(r"#first-match$"))
    page.wait_for_function("() => { const r = document.getElementById('first-match').getBoundingClientRect();"
                           " return r.top >= 0 && r.bottom <= window.innerHeight; }")
    assert page.locator(".article header .meta time").count() == 1
    assert page.locator(".related li").count() >= 1


@pytest.mark.browser
def test_follow_maksud_anda(site, tab):
    page = tab.page
    search_from_home(page, site, "kebakaran hutn")
    link = page.locator(".did-you-mean a")
    assert "Maksud Anda" in page.inner_text(".did-you-mean")
    fixed = link.inner_text()
    assert fixed != "kebakaran hutn" and "hutan" in fixed
    link.click()
    page.wait_for_url(re.compile("q=" + re.escape(fixed.split()[0])))
    assert page.input_value("#q") == fixed
    assert page.locator(".hit").count() >= 1


@pytest.mark.browser
def test_pick_a_suggestion_with_the_keyboard(site, tab):
    page = tab.page
    page.goto(site + "/")
    field = page.locator("#q")
    assert field.get_attribute("role") == "combobox"
    field.press_sequentially("kab", delay=60)
    options = page.locator("#q-suggestions [role=option]")
    options.first.wait_for()
    assert field.get_attribute("aria-expanded") == "true"
    field.press("ArrowDown")
    field.press("ArrowDown")
    chosen = options.nth(1) if options.count() > 1 else options.first
    assert chosen.get_attribute("aria-selected") == "true"
    assert field.get_attribute("aria-activedescendant") == chosen.get_attribute("id")
    text = chosen.inner_text()
    assert field.input_value() == text
    field.press("Escape")
    assert field.get_attribute("aria-expanded") == "false" and field.input_value() == "kab"
    field.press("ArrowDown")
    options.first.wait_for()
    field.press("ArrowDown")
    text = options.first.inner_text()
    field.press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    assert query_of(page.url)["q"] == [text]
    assert page.locator(".hit").count() >= 1


@pytest.mark.browser
def test_a_hostile_title_shows_as_text_and_runs_nothing(site, tab):
    page = tab.page
    search_from_home(page, site, "zebrakuda")
    assert page.locator(".hit h2 a").first.inner_text() == XSS_TITLE
    assert page.locator("img[src=x], main script, [onmouseover]").count() == 0
    page.locator(".hit h2 a").first.click()
    page.wait_for_url(re.compile(r"/article/"))
    assert page.inner_text("h1") == XSS_TITLE
    assert XSS_TITLE in page.title()
    assert "<script>alert(2)</script>" in page.inner_text(".article .body")
    assert page.locator("img[src=x], main script, [onmouseover]").count() == 0
    page.mouse.move(200, 300)
    assert tab.dialogs == []


@pytest.mark.browser
def test_everything_works_without_javascript(site, open_tab):
    tab = open_tab(java_script_enabled=False)
    page = tab.page
    search_from_home(page, site, "kabut asap")
    assert page.get_attribute("#q", "role") is None  # nothing enhanced it
    assert page.locator(".hit mark").count() >= 1
    page.locator("#facet-category + ul a").first.click()
    page.wait_for_url(re.compile(r"category="))
    page.click("a[href*='sort=newest']")
    page.wait_for_url(re.compile(r"sort=newest"))
    dates = page.locator(".hit time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert dates == sorted(dates, reverse=True)
    page.locator(".hit h2 a").first.click()
    page.wait_for_url(re.compile(r"/article/"))
    assert page.locator(".article mark").count() >= 1


@pytest.mark.browser
def test_english_from_the_browser_language(site, open_tab):
    page = open_tab(locale="en-US").page
    search_from_home(page, site, "banjir")
    assert page.get_attribute("html", "lang") == "en"
    assert re.search(r"\d+ results", page.inner_text(".summary"))
    page.click("a[hreflang=id]")
    assert page.get_attribute("html", "lang") == "id" and "hasil" in page.inner_text(".summary")
    page.locator(".hit h2 a").first.click()
    assert "lang=id" in page.url


@pytest.mark.browser
def test_keyboard_focus_order_starts_with_the_skip_link(site, tab):
    page = tab.page
    page.goto(site + "/search?q=banjir")
    order = []
    for _ in range(6):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id || document.activeElement.className"
                                   " || document.activeElement.textContent.trim()"))
    assert order[:6] == ["skip", "brand", "q", "Cari", "ID", "EN"]
    page.goto(site + "/search?q=banjir")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def axe_problems(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                          ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))")
    return [f"{v['id']} ({v['impact']}): {v['nodes'][:3]}" for v in found if v["impact"] in ("serious", "critical")]


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_finds_no_serious_or_critical_violation(site, open_tab, viewport):
    if not AXE.exists():
        pytest.skip(f"needs axe-core at {AXE.relative_to(ROOT)} (npm install --prefix .cache/npm axe-core@4)")
    # axe is injected as an inline script, which our own CSP rightly forbids.
    page = open_tab(viewport=viewport, bypass_csp=True).page
    problems = {}
    for path in ("/", "/search?q=banjir", "/search?q=banjir&source=kabarnusa&sort=newest",
                 "/search?q=zzqxw", "/search?q=tanggal:2019-13", "/?lang=en", "/filters",
                 "/search?q=banjir&source=kabarnus", "/search?q=karhutla+pelalawan&expand=uji-story-001",
                 "/search?q=banjir&date_from=2019-09-01&date_to=2019-09-30"):
        page.goto(site + path)
        problems[path] = axe_problems(page)
    page.goto(site + "/search?q=banjir")
    page.locator(".hit h2 a").first.click()
    page.wait_for_url(re.compile(r"/article/"))
    problems["article"] = axe_problems(page)
    assert {path: found for path, found in problems.items() if found} == {}


@pytest.mark.browser
@pytest.mark.parametrize("name,viewport", [("desktop", DESKTOP), ("phone", PHONE)])
def test_pages_fit_the_screen(site, open_tab, name, viewport, tmp_path):
    """No sideways scrolling at phone width; screenshots for the README when asked."""
    page = open_tab(viewport=viewport, device_scale_factor=1).page
    out = SCREENSHOTS if os.environ.get("CARI_SCREENSHOTS") else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    page.goto(site + "/search?q=banjir+jakarta")
    page.reload()  # the first query of a fresh worker opens the index: show a warm one
    results_width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(out / f"results-{name}.png"))
    page.locator(".hit h2 a").first.click()
    page.wait_for_url(re.compile(r"/article/"))
    article_width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(out / f"article-{name}.png"))
    assert results_width <= viewport["width"] and article_width <= viewport["width"]
    assert (out / f"results-{name}.png").stat().st_size > 10_000


def raw_get(base: str, path: str) -> http.client.HTTPResponse:
    """GET a path exactly as written (urllib and browsers would squash the ``..``)."""
    url = urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_gunicorn_sends_security_headers_and_refuses_traversal(site):
    for path in ("/", "/search?q=banjir", "/search?q=zebrakuda"):
        response = raw_get(site, path)
        csp = response.getheader("Content-Security-Policy")
        assert response.status == 200 and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.getheader("X-Content-Type-Options") == "nosniff"
        assert response.getheader("Referrer-Policy")
    for path in ("/article/../../etc/passwd", "/article/..%2F..%2Fetc%2Fpasswd",
                 "/static/../../../etc/passwd", "/static/..%2F..%2F..%2Fetc%2Fpasswd"):
        assert raw_get(site, path).status == 404, path


# --- the newsroom page (#19): stories, timeline, dates, filters, matches, language -----------------

@pytest.mark.browser
def test_expand_a_story_in_place_and_close_it(site, tab):
    page = tab.page
    page.goto(site + "/search?q=karhutla+pelalawan")
    stories = page.locator("li.hit h2 a", has_text=re.compile(r"Karhutla.*Pelalawan|Pelalawan.*meluas"))
    assert stories.count() == 1                 # two publishers' copies, listed once
    page.get_by_role("link", name="+1 berita serupa").click()
    page.wait_for_url(re.compile(r"expand=uji-story-001"))
    listed = page.locator(".similar-list li a")
    assert listed.count() == 1 and "Pelalawan" in listed.first.inner_text()
    page.get_by_role("link", name="Sembunyikan 1 berita serupa").click()
    page.wait_for_url(lambda url: "expand=" not in url)
    assert page.locator(".similar-list").count() == 0


@pytest.mark.browser
def test_click_a_timeline_bar_and_see_its_period(site, tab):
    page = tab.page
    page.goto(site + "/search?q=banjir")
    bar = page.locator(".timeline svg a").first
    name = bar.get_attribute("aria-label")
    count = int(re.search(r": ([\d.]+) artikel", name).group(1).replace(".", ""))
    bar.click()
    page.wait_for_url(re.compile(r"date_from=.*date_to="))
    assert total_of(page) == count
    assert page.locator(".timeline svg a.on").count() >= 1


@pytest.mark.browser
def test_a_date_range_from_the_form(site, tab):
    page = tab.page
    page.goto(site + "/search?q=banjir&source=kabarnusa")
    every = total_of(page)
    page.fill("#date-from", "2019-09-12")
    page.fill("#date-to", "2019-12-31")
    page.get_by_role("button", name="Terapkan").click()
    page.wait_for_url(re.compile(r"date_from=2019-09-12"))
    args = query_of(page.url)
    assert args["source"] == ["kabarnusa"] and args["date_to"] == ["2019-12-31"]
    assert 0 < total_of(page) < every


@pytest.mark.browser
def test_a_filter_that_names_nothing_offers_the_closest(site, tab):
    page = tab.page
    page.goto(site + "/search?q=banjir&source=kabarnus")
    alert = page.locator(".unknown-filter")
    assert "Tidak ada sumber “kabarnus”." in alert.inner_text()
    alert.get_by_role("link", name="kabarnusa").first.click()
    page.wait_for_url(re.compile(r"source=kabarnusa(&|$)"))
    assert page.locator(".unknown-filter").count() == 0 and total_of(page) > 0


@pytest.mark.browser
def test_next_and_previous_match_by_keyboard(site, tab):
    page = tab.page
    page.goto(site + "/search?q=%22banjir+rob%22")
    page.locator(".hit h2 a").first.click()
    page.wait_for_url(re.compile(r"/article/"))
    total = int(re.search(r"(\d+) temuan", page.inner_text(".terms-note")).group(1))
    page.locator("a.jump").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#first-match$"))
    nav = page.locator("#first-match + .match-nav")
    assert nav.is_visible() and nav.inner_text().strip().startswith(f"1 dari {total}")
    if total > 1:
        page.keyboard.press("Tab")             # from the match to its way on
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"#match-2$"))
        assert page.locator("#match-2 + .match-nav .where").inner_text() == f"2 dari {total}"
        page.locator("#match-2 + .match-nav a").first.click()      # back
        page.wait_for_url(re.compile(r"#first-match$"))


@pytest.mark.browser
def test_the_language_picked_sticks_to_the_next_search(site, tab):
    page = tab.page
    page.goto(site + "/search?q=banjir")
    page.locator(".langs a[hreflang=en]").click()
    page.wait_for_url(re.compile(r"lang=en"))
    page.goto(site + "/")                   # a new search, no lang in any URL
    page.fill("#q", "gempa")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert "results" in page.inner_text(".summary") or "result" in page.inner_text(".summary")


@pytest.mark.browser
def test_a_headline_suggestion_opens_its_article(site, tab):
    page = tab.page
    page.goto(site + "/")
    field = page.locator("#q")
    field.press_sequentially("banjir rob g", delay=60)
    headline = page.locator("#q-suggestions [role=option].headline").first
    headline.wait_for()
    assert page.locator("#q-suggestions li.group").text_content() == "Artikel"    # shown apart
    title = headline.inner_text()
    for _ in range(page.locator("#q-suggestions [role=option]").count()):
        field.press("ArrowDown")
        if headline.get_attribute("aria-selected") == "true":
            break
    assert field.input_value() == "banjir rob g"          # a headline is not put in the query
    field.press("Enter")
    page.wait_for_url(re.compile(r"/article\?id="))
    assert page.locator("h1").inner_text() == title


@pytest.mark.browser
def test_follow_a_search_from_its_feed_link(site, tab):
    import feedparser

    page = tab.page
    page.goto(site + "/search?q=banjir&source=kabarnusa")
    total = total_of(page)
    feed_link = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    href = feed_link.get_attribute("href")
    assert page.locator("nav.follow a", has_text="Ikuti").get_attribute("href") == href
    answer = page.request.get(urljoin(page.url, href))
    assert answer.status == 200 and answer.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(answer.body())
    assert not feed.bozo and feed.version == "atom10"
    assert 0 < len(feed.entries) == min(total, 20)
    page.goto(feed.entries[0].link)             # an entry opens the article on cari
    assert page.locator("h1#article-title").inner_text() == feed.entries[0].title


@pytest.mark.browser
def test_download_the_results_as_csv(site, open_tab, tmp_path):
    tab = open_tab(accept_downloads=True)
    page = tab.page
    page.goto(site + "/search?q=banjir&source=kabarnusa&sort=newest&group=false")   # one row per article
    total = total_of(page)
    with page.expect_download() as download:
        page.locator("nav.follow a", has_text="CSV").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "cari-banjir.csv"
    with saved.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    assert reader.fieldnames == ["title", "date", "source", "url", "id"]
    assert len(rows) == total and {row["source"] for row in rows} == {"kabarnusa"}
    dates = [row["date"] for row in rows]
    assert dates == sorted(dates, reverse=True)
    assert tab.errors == []
