"""Our categories and publisher keys: what a filter value or a label becomes."""
from __future__ import annotations

import pytest

from search.categories import CATEGORIES, OTHER, category_key, category_of, labels_of
from search.sources import display_name, source_key


@pytest.mark.parametrize("label", ["bola", "Bola", "Super Skor", "sports", "Sport", "detiksport"])
def test_sport_labels_are_one_category(label):
    assert category_of(label) == "olahraga"


@pytest.mark.parametrize("label", ["economy", "ekbis", "Bisnis", "money"])
def test_business_labels_are_one_category(label):
    assert category_of(label) == "ekonomi"


def test_a_label_naming_a_topic_in_a_word_we_did_not_list_takes_that_topic():
    assert category_of("Liga Inggris") == "olahraga"
    assert category_of("film korea") == "hiburan"


def test_an_unknown_label_is_other_and_no_label_is_none():
    assert category_of("acit nai") == OTHER
    assert category_of("  ") == ""


def test_filter_values_accept_names_labels_and_any_case_but_keep_unknown_values():
    assert category_key("OLAHRAGA") == "olahraga"
    assert category_key("  super   skor ") == "olahraga"
    assert category_key("xyz") == "xyz"          # matches nothing: the page says so


def test_every_category_but_other_has_labels():
    assert all(labels_of(c) for c in CATEGORIES if c != OTHER)


@pytest.mark.parametrize("value", ["kompas", "KOMPAS", "kompas.com", "Kompas.com",
                                   "https://www.kompas.com/read/x", "www.kompas.com"])
def test_a_publisher_by_key_domain_or_display_name(value):
    assert source_key(value) == "kompas"


def test_display_names():
    assert display_name("kompas") == "Kompas.com"
    assert display_name("kabarnusa") == "kabarnusa"


def test_query_filters_use_the_same_keys(engine):
    by_label = engine.search('kategori:"sepak bola"', per_page=50)
    by_name = engine.search("kategori:olahraga", per_page=50)
    assert by_label.total == by_name.total > 0
    assert engine.search("sumber:Kabarnusa.com").total == engine.search("sumber:kabarnusa").total > 0


def test_the_index_keeps_the_publishers_label(engine):
    hit = engine.search('kategori:"sepak bola"').hits[0]
    assert engine.article(hit.id)["category_label"].lower() in ("sepak bola", "olahraga")
