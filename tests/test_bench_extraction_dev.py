"""The extraction dev set's split by site: computed, stable, one side per site."""
from __future__ import annotations

from bench.extraction_dev import part_of, site_of


def test_pages_of_one_site_share_a_site_name():
    assert site_of({"url": "https://www.harbour.example/news/1", "file": "pages/a.html.gz"}) == "harbour.example"
    assert site_of({"url": "http://blog.harbour.example/post", "file": "pages/b.html.gz"}) == "harbour.example"
    assert site_of({"url": "https://news.harbour.co.uk/x", "file": "pages/c.html.gz"}) == "harbour.co.uk"


def test_a_page_without_url_takes_the_site_its_file_is_named_after():
    assert site_of({"url": None, "file": "pages/harbour.example-ferry.html.gz"}) == "harbour.example"
    assert site_of({"url": None, "file": "pages/blog.harbour.example.html.gz"}) == "harbour.example"


def test_the_split_is_fixed_and_holds_about_a_third_aside():
    sites = [f"site{i}.example" for i in range(3000)]
    parts = [part_of(site) for site in sites]
    assert parts == [part_of(site) for site in sites]
    assert set(parts) == {"work", "held"}
    assert 0.28 < parts.count("held") / len(parts) < 0.39
