"""Dates written in the story itself, and the publisher's own name (issue #18).

The texts and pages here are written for these tests.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from search.readers import read_file
from search.readers.dateline import publisher_key
from search.readers.dates import STORY_DATE_CHARS, story_date

TODAY = date(2024, 6, 1)
REST = ("Pembangunan jembatan itu memakan waktu dua tahun dan menelan biaya Rp 40 miliar, "
        "kata wali kota kepada wartawan di lokasi.")


@pytest.mark.parametrize("lede, expected", [
    ("Jakarta, 8 Maret 2024 - Pemerintah kota meresmikan jembatan baru.", "2024-03-08"),
    ("JAKARTA, 8 MARET 2024 -- Pemerintah kota meresmikan jembatan baru.", "2024-03-08"),
    ("Bandar Lampung, 17 Agt 2023 - Upacara digelar di lapangan kantor gubernur.", "2023-08-17"),
    ("Medan, 1 Agu. 2023 - Harga cabai naik lagi.", "2023-08-01"),
    ("Surabaya, 5 Mar 2024 - Banjir merendam tiga kecamatan.", "2024-03-05"),
    ("Jakarta, KOMPAS.com, 8 Maret 2024 - Pemerintah kota meresmikan jembatan.", "2024-03-08"),
    ("TRIBUNNEWS.COM, JAKARTA -- Ketua KPK memeriksa dua saksi, Senin (4/3/2024), di gedung KPK.",
     "2024-03-04"),
    ("Polisi menangkap dua tersangka pada Jum'at (1/3/2024) malam.", "2024-03-01"),
    ("Rapat digelar Selasa, 5 Maret 2024 di Bogor.", "2024-03-05"),
    ("Rapat digelar Rabu (6 Maret 2024) di Bogor.", "2024-03-06"),
])
def test_story_date_forms(lede, expected):
    found = story_date(lede, today=TODAY)
    assert found is not None and found.date().isoformat() == expected
    assert found.utcoffset().total_seconds() == 7 * 3600  # midnight WIB, like dates from file names


@pytest.mark.parametrize("lede", [
    "Kerusuhan sejak 12 Mei 1998 masih diingat warga.",             # a bare date: about something else
    "Menurut data BPS, 12 Mei 2023 harga beras naik.",              # mid-sentence, not a dateline
    "Jakarta, 17 Agustus 1945 - Proklamasi dibacakan di Pegangsaan.",  # before MIN_STORY_YEAR
    "Jakarta, 8 Maret 2099 - Kota terendam.",                        # in the future
    "Pemilu digelar Rabu (14/2) di seluruh Indonesia.",             # no year: unknown
    "Jakarta, 31 Februari 2024 - Tanggal yang tidak ada.",          # not a date
    "",
])
def test_no_story_date(lede):
    assert story_date(lede, today=TODAY) is None


def test_earliest_form_wins_and_an_impossible_one_is_passed_over():
    assert story_date("Jakarta, 8 Maret 2024 - Sidang lanjutan digelar Senin (11/3/2024).",
                      today=TODAY).date() == date(2024, 3, 8)
    assert story_date("Jakarta, 31 Februari 2024 - Sidang digelar Rabu (6/3/2024).",
                      today=TODAY).date() == date(2024, 3, 6)


def test_only_the_top_of_the_story_is_read():
    far = "Kata pengamat, harga naik. " * (STORY_DATE_CHARS // 26 + 1) + "Sidang digelar Senin (4/3/2024)."
    assert story_date(far, today=TODAY) is None
    near = "Kata pengamat, harga naik. Sidang digelar Senin (4/3/2024)."
    assert story_date(near, today=TODAY).date() == date(2024, 3, 4)


# -- .txt ---------------------------------------------------------------------------

def read_txt(tmp_path: Path, text: str, name: str = "berita.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    [article] = read_file(path, tmp_path).articles
    return article


def test_txt_dateline_date(tmp_path):
    article = read_txt(tmp_path, "Jembatan Baru Diresmikan\n\n"
                       f"Jakarta, 8 Maret 2024 - Pemerintah kota meresmikan jembatan baru.\n\n{REST}\n")
    assert article.date.date() == date(2024, 3, 8)
    assert article.title == "Jembatan Baru Diresmikan"
    assert article.body.startswith("Jakarta, 8 Maret 2024 - Pemerintah")  # the dateline stays in the text


def test_txt_lede_day_date_and_derived_title(tmp_path):
    article = read_txt(tmp_path, "TRIBUNNEWS.COM, JAKARTA -- Komisi Pemberantasan Korupsi memeriksa dua saksi "
                       "kasus suap proyek jalan, Senin (4/3/2024), di gedung Merah Putih.\n\n" + REST + "\n")
    assert article.date.date() == date(2024, 3, 4)
    assert article.source == "tribunnews"
    assert "(4/3/2024)" not in article.title


def test_txt_title_derived_after_a_dated_plain_dateline(tmp_path):
    article = read_txt(tmp_path, "Bandung, 17 Agt 2023 - Ribuan warga mengikuti upacara di Gedung Sate "
                       "meski hujan turun sejak pagi hari.\n")
    assert article.date.date() == date(2023, 8, 17)
    assert not article.title.startswith("Bandung")


def test_txt_date_line_and_file_name_come_before_the_lede(tmp_path):
    lede = "Jakarta, 8 Maret 2024 - Pemerintah kota meresmikan jembatan baru.\n\n" + REST + "\n"
    with_line = read_txt(tmp_path, "Judul Berita\n\nSelasa, 12 Maret 2024 10:15 WIB\n\n" + lede)
    assert with_line.date.date() == date(2024, 3, 12)
    named = read_txt(tmp_path, "Judul Berita\n\n" + lede, name="2024-03-09_jembatan.txt")
    assert named.date.date() == date(2024, 3, 9)


def test_txt_date_deep_in_the_body_is_not_taken(tmp_path):
    paragraphs = [REST] * 5 + ["Sidang berikutnya digelar Senin (4/3/2024) di Jakarta."]
    article = read_txt(tmp_path, "Judul Berita\n\n" + "\n\n".join(paragraphs) + "\n")
    assert article.date is None


# -- HTML ---------------------------------------------------------------------------

def page(head: str, lede: str) -> str:
    return (f'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">'
            f"<title>Jembatan Baru Diresmikan</title>{head}</head><body><article>"
            f"<h1>Jembatan Baru Diresmikan</h1><div class=\"detail-text\"><p>{lede}</p><p>{REST}</p>"
            f"<p>{REST}</p></div></article></body></html>")


def read_page(tmp_path: Path, html: str):
    path = tmp_path / "halaman.html"
    path.write_text(html, encoding="utf-8")
    result = read_file(path, tmp_path)
    assert result.skipped is None and not result.errors, (result.skipped, result.errors)
    [article] = result.articles
    return article


LEDE = ("Jakarta, 8 Maret 2024 - Pemerintah kota meresmikan jembatan baru di atas Sungai Ciliwung, "
        "setelah pembangunan selama dua tahun yang sempat tertunda karena banjir.")
OG = ('<meta property="og:title" content="Jembatan Baru Diresmikan">'
      '<meta property="og:type" content="article">')


def test_html_without_date_metadata_takes_the_lede_date(tmp_path):
    article = read_page(tmp_path, page(OG, LEDE))
    assert article.date.date() == date(2024, 3, 8)


def test_html_date_metadata_beats_the_lede(tmp_path):
    head = OG + '<meta property="article:published_time" content="2024-03-09T07:30:00+07:00">'
    article = read_page(tmp_path, page(head, LEDE))
    assert article.date.isoformat() == "2024-03-09T07:30:00+07:00"


def test_html_lede_day_date(tmp_path):
    lede = ("Pemerintah kota meresmikan jembatan baru di atas Sungai Ciliwung, Senin (4/3/2024), "
            "setelah pembangunan selama dua tahun yang sempat tertunda karena banjir.")
    assert read_page(tmp_path, page(OG, lede)).date.date() == date(2024, 3, 4)


# -- the publisher --------------------------------------------------------------------

def test_site_name_beats_the_url_domain(tmp_path):
    head = OG + ('<meta property="og:site_name" content="Warta Nusantara">'
                 '<link rel="canonical" href="https://www.cermin-berita.com/read/2024/03/08/jembatan">')
    assert read_page(tmp_path, page(head, LEDE)).source == "wartanusantara"


def test_site_name_beats_a_wire_dateline(tmp_path):
    lede = "Jakarta (ANTARA) - " + LEDE.split(" - ", 1)[1]
    head = OG + '<meta property="og:site_name" content="Republika Online">'
    assert read_page(tmp_path, page(head, lede)).source == "republika"


def test_channel_site_name_takes_the_domain_key(tmp_path):
    head = OG + ('<meta property="og:site_name" content="detikinet">'
                 '<link rel="canonical" href="https://inet.detik.com/read/2024/03/08/jembatan">')
    assert read_page(tmp_path, page(head, LEDE)).source == "detik"


def test_without_site_name_the_dateline_then_the_domain(tmp_path):
    lede = "Jakarta (ANTARA) - " + LEDE.split(" - ", 1)[1]
    url = '<link rel="canonical" href="https://www.kabarbaru.co.id/read/2024/03/08/jembatan">'
    assert read_page(tmp_path, page(OG + url, lede)).source == "antara"
    assert read_page(tmp_path, page(OG + url, LEDE)).source == "kabarbaru"


@pytest.mark.parametrize("name, key", [
    ("KOMPAS.com", "kompas"), ("Republika Online", "republika"), ("Antara News", "antara"),
    ("Jawa Pos", "jawapos"), ("Tribun News", "tribunnews"), ("celebrity.okezone.com", "okezone"),
    ("http://www.okezone.com/", "okezone"), ("TRIBUNNEWS.COM", "tribunnews"),
])
def test_publisher_key_of_site_names(name, key):
    assert publisher_key(name) == key
