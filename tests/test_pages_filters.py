"""The search page's filters: our categories by name, a value that names nothing
says so and offers the valid ones, the page listing them all (#19)."""
from __future__ import annotations

import html
import re


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def test_categories_show_by_name_in_the_pages_language(client):
    text = page(client, "/search?q=kategori:olahraga")
    assert "Olahraga" in text and "Tidak ada kategori" not in text
    assert "Sports" in page(client, "/search?q=kategori:olahraga&lang=en")


def test_a_source_parameter_that_names_nothing_offers_the_closest(client):
    text = page(client, "/search?q=banjir&source=kabarnus")
    assert "Tidak ada sumber “kabarnus”." in text
    fix = re.search(r'Maksud Anda:\s*<a href="([^"]+)">kabarnusa</a>', text)
    assert fix, text[text.find("unknown-filter"):][:600]
    fixed = page(client, fix.group(1))
    assert "Tidak ada sumber" not in fixed and "source=kabarnusa" in fix.group(1)


def test_a_source_typed_in_the_query_that_names_nothing_is_fixed_in_the_query(client):
    text = page(client, "/search?q=banjir+sumber:kabarnus.com")
    assert "Tidak ada sumber “kabarnus”." in text
    fix = re.search(r'Maksud Anda:\s*<a href="([^"]+)">kabarnusa</a>', text).group(1)
    assert "sumber%3Akabarnusa" in fix
    assert "Tidak ada sumber" not in page(client, fix)


def test_a_domain_or_display_name_finds_the_publisher(client):
    text = page(client, "/search?q=banjir+sumber:Kabarnusa.com")
    assert "Tidak ada sumber" not in text and 'class="hit"' in text


def test_the_filters_page_lists_every_category_and_source_as_links(client):
    text = page(client, "/filters")
    assert 'href="/search?q=kategori:olahraga"' in text
    assert 'href="/search?q=sumber:kabarnusa"' in text
    assert "bola" in text        # the publisher labels a category covers
    assert "Publisher labels" in page(client, "/filters?lang=en")
    assert "/filters" in page(client, "/search?q=banjir")


def test_zero_results_with_filters_in_the_query_offer_the_search_without_them(client):
    text = page(client, "/search?q=banjir+kategori:olahraga+sumber:kabarnusa")
    link = re.search(r'<a href="([^"]+)">Cari “banjir” tanpa filter', text)
    assert link, text[text.find('class="empty"'):][:800]
    assert "Tidak ada hasil" not in page(client, link.group(1))
    assert "tanpa filter sumber" not in page(client, "/search?q=zzqxw")
