"""The helpers behind the readers: boilerplate, datelines, dates, encodings."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from search.readers.boilerplate import clean_paragraph, clean_paragraphs, split_related
from search.readers.dateline import dateline, publisher_key
from search.readers.dates import WIB, combine, parse_date
from search.readers.encoding import decode, normalise_newlines
from search.readers.text import derive_title, parse_text

# --- boilerplate: one test per kind seen in real feeds --------------------------------------


def test_baca_juga_line_is_a_related_title():
    assert clean_paragraph("Baca juga: Harga Cabai Naik, Pedagang Mengeluh") == (
        "", ["Harga Cabai Naik, Pedagang Mengeluh"])


def test_baca_juga_glued_mid_paragraph():
    text = "Laga berakhir 2-1. Baca juga: Pelatih Puji Mental Pemain\"Kami bermain bagus,\" katanya."
    assert clean_paragraph(text) == ("Laga berakhir 2-1. \"Kami bermain bagus,\" katanya.",
                                     ["Pelatih Puji Mental Pemain"])


def test_baca_juga_glued_to_both_words():
    text = "Ia tiba di lokasi.Baca juga: Jadwal Lengkap Pekan IniNamun, hujan turun."
    assert clean_paragraph(text) == ("Ia tiba di lokasi. Namun, hujan turun.", ["Jadwal Lengkap Pekan Ini"])


def test_baca_juga_with_lost_link_text_keeps_the_sentence():
    assert clean_paragraph("Baca juga:, Sebelumnya, ia rehat setahun.") == ("Sebelumnya, ia rehat setahun.", [])
    assert clean_paragraph("Baca Juga :, Baca juga:, Namun ia menolak.") == ("Namun ia menolak.", [])
    assert clean_paragraph("(Baca juga: ,)") == ("", [])


def test_baca_juga_title_drops_credit_initials():
    text = "Ia menang.Baca juga: Rossi Menatap Balapan ke-400 (raw/nds) motogp rossi"
    assert split_related(text) == ("Ia menang.", ["Rossi Menatap Balapan ke-400"])


def test_simak_juga_video():
    assert clean_paragraph('Simak juga video "Banjir di Kemang":') == ("", [])
    text = 'Ia pulang. Simak Video "Hasil Balapan Hari Ini" [Gambas:Video 20detik] (nds/raw) motogp tag'
    assert clean_paragraph(text) == ("Ia pulang.", [])


def test_scroll_to_continue_and_advertisement():
    assert clean_paragraph("SCROLL TO CONTINUE WITH CONTENT") == ("", [])
    assert clean_paragraph("ADVERTISEMENT") == ("", [])
    assert clean_paragraph("Harga naik. ADVERTISEMENT SCROLL TO CONTINUE WITH CONTENT Pedagang mengeluh.") == (
        "Harga naik. Pedagang mengeluh.", [])


@pytest.mark.parametrize("line", ["Editor: Budi Santoso", "Penulis: Annesa K. Ramadhany,",
                                  "Reporter: Rina, Sumber: Merdeka", "(Editor: Dewi)", "Pewarta: Andi"])
def test_credit_lines(line):
    assert clean_paragraph(line) == ("", [])


def test_credit_glued_before_and_after_text():
    assert clean_paragraph("Penulis:, Saat ini warga menunggu.") == ("Saat ini warga menunggu.", [])
    kept, _ = clean_paragraphs(["Paragraf satu.", "Ia pulang, katanya. Editor: Wiwik Prayugi"])
    assert kept == ["Paragraf satu.", "Ia pulang, katanya."]
    kept, _ = clean_paragraphs(["Paragraf satu.", "Ia pulang, katanya. (rdk/nrl)"])
    assert kept == ["Paragraf satu.", "Ia pulang, katanya."]


def test_growfearless_with_fimela():
    for line in ("#GrowFearless with FIMELA", "#GrowFearless with Fimela", "#Growfearless wtih Fimela"):
        assert clean_paragraph(line) == ("", [])
    # The tag inside a real sentence is text.
    sentence = "Yuk, bangun mental #GrowFearless dalam diri kita setiap hari."
    assert clean_paragraph(sentence) == (sentence, [])


def test_zero_komentar_and_copyright():
    assert clean_paragraph("0 Komentar") == ("", [])
    assert clean_paragraph("12 Komentar") == ("", [])
    assert clean_paragraph("© 2024 KabarBaru. All rights reserved.") == ("", [])
    assert clean_paragraph("Copyright 2016 ANTARA") == ("", [])


def test_tag_words_after_the_last_sentence():
    kept, _ = clean_paragraphs(["Ia pulang.", "Lintasan sudah rusak. pasi atletik bob hasan sea games 2019"])
    assert kept == ["Ia pulang.", "Lintasan sudah rusak."]


def test_page_turn_marker():
    assert clean_paragraph("Ia menang. Lanjut ke halaman berikutnya.") == ("Ia menang.", [])


def test_ordinary_text_is_untouched():
    text = ("Wali kota membaca laporan itu dan mengatakan, \"Kami juga akan mengevaluasi,\" "
            "kata dia di Balai Kota, Senin (4/3/2024).")
    assert clean_paragraph(text) == (text, [])


# --- datelines and publishers -------------------------------------------------------------------


@pytest.mark.parametrize("lede, key", [
    ("TRIBUNNEWS.COM -- Presiden tiba.", "tribunnews"),
    ("Jakarta, Kompas.com - Harga naik.", "kompas"),
    ("JAKARTA, KOMPAS.com — Harga naik.", "kompas"),
    ("Jakarta (ANTARA) - Harga naik.", "antara"),
    ("Mataram, NTB (ANTARA News) - Harga naik.", "antara"),
    ("Liputan6.com, Jakarta - Harga naik.", "liputan6"),
    ("REPUBLIKA.CO.ID, JAKARTA -- Harga naik.", "republika"),
    ("VIVA.co.id - Harga naik.", "viva"),
    ("TEMPO.CO, Jakarta - Harga naik.", "tempo"),
    ("Jakarta - Harga naik.", ""),
    ("Harga beras naik - kata pedagang di pasar induk yang sudah lama berjualan di sana.", ""),
])
def test_dateline_names_the_source(lede, key):
    assert dateline(lede)[0] == key


@pytest.mark.parametrize("name, key", [
    ("Kompas.com", "kompas"), ("https://news.detik.com/berita/1", "detik"), ("posmetro-medan.com", "posmetro"),
    ("www.antaranews.com", "antara"), ("tempo.co", "tempo"), ("liputan6.com", "liputan6"), ("", ""),
])
def test_publisher_key(name, key):
    assert publisher_key(name) == key


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("2015-11-05T14:56:43+07:00", "2015-11-05T14:56:43+07:00"),
    ("2016-02-16T13:01:52+0700", "2016-02-16T13:01:52+07:00"),
    ("2016-02-16T02:10:56Z", "2016-02-16T02:10:56+00:00"),
    ("Kamis, 05 November 2015 14:56 WIB", "2015-11-05T14:56:00+07:00"),
    ("Selasa, 23/02/2016 15:32 WIB", "2016-02-23T15:32:00+07:00"),
    ("Rabu, 4 November 2015 | 21:04 WIB", "2015-11-04T21:04:00+07:00"),
    ("Jum'at, 17 Februari 2017 - 13:30 wib", "2017-02-17T13:30:00+07:00"),
    ("Jumat , 17 February 2017, 13:16 WIB", "2017-02-17T13:16:00+07:00"),
    ("Wednesday, 04 November, 2015 |  07:28 WIB", "2015-11-04T07:28:00+07:00"),
    ("16 Feb 2016 08:38 WITA", "2016-02-16T08:38:00+08:00"),
    ("5 Agustus 2019 pukul 10.30 WIT", "2019-08-05T10:30:00+09:00"),
])
def test_parse_date(text, expected):
    assert parse_date(text).isoformat() == expected


def test_parse_date_without_zone_is_naive_unless_a_default_is_given():
    assert parse_date("Kamis, 05 November 2015 11:52").tzinfo is None
    assert parse_date("Kamis, 05 November 2015 11:52", default_zone=WIB).utcoffset() == timedelta(hours=7)


@pytest.mark.parametrize("text", ["", "bukan tanggal", "31/02/2019 10:00", "99 Maret 2019", None])
def test_parse_date_rejects_non_dates(text):
    assert parse_date(text) is None


def test_combine_date_and_time():
    assert combine("2019-10-25", "18:59") == datetime(2019, 10, 25, 18, 59, tzinfo=WIB)
    assert combine("2019-10-25", None) == datetime(2019, 10, 25, tzinfo=WIB)
    assert combine(None, "18:59") is None
    assert combine("2019-10-25", "18:59").astimezone(timezone.utc).hour == 11


# --- encodings ------------------------------------------------------------------------------------

STORY = "Judul “Kutipan” Café\n\nIsi berita yang cukup panjang, kata dia.\n"


def test_utf8_with_and_without_bom():
    assert decode(STORY.encode("utf-8")) == (STORY, "utf-8")
    assert decode(b"\xef\xbb\xbf" + STORY.encode("utf-8")) == (STORY, "utf-8-sig")


def test_cp1252_and_latin1_fallbacks():
    assert decode(STORY.encode("cp1252"))[0] == STORY
    # 0x81 is undefined in cp1252: it is read as Latin-1.
    assert decode(b"caf\xe9 \x81")[0] == "café \x81"


def test_utf8_with_a_few_cp1252_bytes_keeps_both():
    mixed = "Kata “dia” café".encode("utf-8") + b" \x93kutipan\x94 na\xefve"
    assert decode(mixed)[0] == "Kata “dia” café “kutipan” naïve"


def test_utf16_with_bom():
    assert decode(STORY.encode("utf-16")) == (STORY, "utf-16")


def test_declared_charset():
    # A Western declaration loses to bytes that are UTF-8...
    assert decode("café".encode("utf-8"), declared="iso-8859-1") == ("café", "utf-8")
    assert decode("café".encode("latin-1"), declared="iso-8859-1")[0] == "café"
    # ...another declared charset is used when the bytes are not UTF-8.
    assert decode("Россия".encode("koi8-r"), declared="koi8-r") == ("Россия", "koi8-r")
    assert decode("café".encode("latin-1"), declared="no-such-charset")[0] == "café"


def test_newlines():
    assert normalise_newlines("a\r\nb\rc\x00d") == "a\nb\ncd"


@pytest.mark.parametrize("encode", [
    lambda s: s.encode("utf-8"),
    lambda s: b"\xef\xbb\xbf" + s.encode("utf-8"),
    lambda s: s.replace("\n", "\r\n").encode("utf-8"),
    lambda s: s.replace("\n", "\r\n").encode("cp1252"),
    lambda s: s.encode("latin-1", "replace"),
])
def test_text_story_reads_the_same_in_every_encoding(encode):
    story = ("Harga Kopi Naik di Pasar Café\n\n"
             "JAKARTA, KABARBARU.COM -- Harga kopi naik, kata pedagang di pasar.\n"
             "Baca juga: Petani Kopi Panen Raya\n"
             "Pedagang berharap harga segera turun.\n")
    article = parse_text(encode(story), "id-1", "kopi.txt")
    assert article.title == "Harga Kopi Naik di Pasar Café"
    assert article.body == ("JAKARTA, KABARBARU.COM -- Harga kopi naik, kata pedagang di pasar.\n\n"
                            "Pedagang berharap harga segera turun.")
    assert article.related == ["Petani Kopi Panen Raya"]
    assert article.source == "kabarbaru"


# --- derived titles ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lede, title", [
    ("TRIBUNNEWS.COM -- Presiden Rusia Vladimir Putin melakukan kunjungan ke China. Ia tiba pagi.",
     "Presiden Rusia Vladimir Putin melakukan kunjungan ke China"),
    ("JAKARTA, KABAR.COM -- Banjir kembali merendam sejumlah permukiman di Jakarta Timur setelah hujan "
     "deras mengguyur ibu kota sejak Rabu malam.", "Banjir kembali merendam sejumlah permukiman di Jakarta Timur"),
    ("Jakarta - Komisi Pemberantasan Korupsi (KPK) menangkap Bupati Tanjung Jaya dalam operasi tangkap "
     "tangan (OTT) pada Selasa (15/6/2021) dini hari.", "Komisi Pemberantasan Korupsi (KPK) menangkap Bupati Tanjung Jaya"),
])
def test_derive_title(lede, title):
    assert derive_title(lede) == title


def test_derived_title_is_short_even_without_clause_words():
    lede = " ".join(f"kata{i}" for i in range(40)) + "."
    title = derive_title(lede)
    assert len(title.split()) <= 12 and title.endswith("…")


# --- credits as authors ---------------------------------------------------------------------------


@pytest.mark.parametrize("texts, name", [
    (["Isi berita.", "Penulis: Annesa K. Ramadhany,"], "Annesa K. Ramadhany"),
    (["Reporter: Fachrur Rozie, Sumber: Liputan6.com"], "Fachrur Rozie"),
    (["Pewarta: Monalisa Editor: B Kunto Wibisono"], "Monalisa"),
    (["Pewarta:", "Editor: Ade Marboen"], ""),
    (["Wali kota berkata: Kami siap."], ""),
])
def test_credit_author(texts, name):
    from search.readers.boilerplate import credit_author

    assert credit_author(texts) == name


def test_byline_in_capitals_at_the_end_is_dropped():
    kept, _ = clean_paragraphs(["Aktivitas sederhana bisa dilakukan.", "DINI TEJA"])
    assert kept == ["Aktivitas sederhana bisa dilakukan."]
    # ...but a one-paragraph body in capitals is the text itself.
    assert clean_paragraphs(["BANJIR"])[0] == ["BANJIR"]


@pytest.mark.parametrize("line, expected", [
    ("Jum'at, 17 Februari 2017 13:30 WIB", "2017-02-17T13:30:00+07:00"),
    ("2024-02-20 10:15 WIB", "2024-02-20T10:15:00+07:00"),
    ("Selasa, 20/02/2024 10:15 WIB", "2024-02-20T10:15:00+07:00"),
])
def test_date_line_under_the_title(line, expected):
    raw = f"Judul Berita Pendek Sekali\n\n{line}\n\nIsi berita pertama yang cukup panjang.\n".encode()
    article = parse_text(raw, "x", "x.txt")
    assert article.date.isoformat() == expected
    assert article.body == "Isi berita pertama yang cukup panjang."


def test_baca_juga_first_line_is_not_a_title():
    raw = "Baca juga: Berita Lain\nJAKARTA, KABAR.COM -- Isi berita pertama di sini.\n".encode()
    article = parse_text(raw, "x", "x.txt")
    assert article.related == ["Berita Lain"]
    assert article.title == "Isi berita pertama di sini"


@pytest.mark.parametrize("line", [
    "Artikel ini telah tayang di Grid.ID dengan judul Sati Jadi Korban",
    "Sumber asli:, Disadur dari: , (Penulis Dimas Ardi Prasetya, published 01/09/2019),",
    "Disadur dari Bola.com.",
    "Ikuti berita , lainnya",
    "loading...",
])
def test_syndication_and_feed_lines(line):
    assert clean_paragraph(line) == ("", [])


def test_bracketed_initials_and_loading_at_the_end():
    kept, _ = clean_paragraphs(["Satu.", 'Ada tim medis, kan penuh orang," tutur Sasmito. [vvn],loading...'])
    assert kept == ["Satu.", 'Ada tim medis, kan penuh orang," tutur Sasmito.']


def test_syndication_credit_glued_to_the_last_paragraph():
    kept, _ = clean_paragraphs(["Satu.", "Ia lulus dengan IPK 3,94. (Nur Ika), Artikel ini telah tayang di surya.co.id "
                                          "dengan judul Potret Noviana,"])
    assert kept == ["Satu.", "Ia lulus dengan IPK 3,94. (Nur Ika)"]
