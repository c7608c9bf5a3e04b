"""Big inputs stay bounded (issue #20): article bodies are cut to MAX_BODY_CHARS
at a sentence end and marked truncated; HTML pages with too many elements are
not parsed, so a 19 MB page of tiny elements costs neither minutes nor gigabytes.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from search.article import MAX_BODY_CHARS, SENTENCE_SEARCH_CHARS, Article, bound_body, cut_body
from search.readers import read_file
from search.readers.html import MAX_HTML_ELEMENTS, too_many_elements

SENTENCE = "Pemerintah kota meresmikan jembatan baru di atas Sungai Ciliwung setelah dua tahun. "
ROOT = Path(__file__).resolve().parents[1]


def test_short_body_is_kept_whole():
    assert cut_body("Satu kalimat. Dua kalimat.", 100) == ("Satu kalimat. Dua kalimat.", False)
    article = bound_body(Article(id="a", title="t", body="Pendek."))
    assert article.body == "Pendek." and article.truncated is False


def test_long_body_is_cut_at_the_last_sentence_end_before_the_limit():
    body = "Kalimat pertama cukup panjang. Kalimat kedua juga berakhir di sini! Kalimat ketiga terpotong"
    cut, truncated = cut_body(body, len(body) - 5)
    assert truncated
    assert cut == "Kalimat pertama cukup panjang. Kalimat kedua juga berakhir di sini!"


def test_sentence_end_with_closing_quote_and_paragraph_break():
    body = 'Ia berkata, "Kami siap." Lalu pergi\n\nParagraf kedua yang panjang sekali tanpa titik'
    assert cut_body(body, 30) == ('Ia berkata, "Kami siap."', True)
    assert cut_body(body, len(body) - 3) == ('Ia berkata, "Kami siap." Lalu pergi', True)


def test_no_sentence_end_falls_back_to_a_word_boundary():
    body = "kata " * 100
    cut, truncated = cut_body(body, 42)
    assert truncated and len(cut) <= 42 and cut.endswith("kata") and not cut.endswith(" ")
    # A sentence end far before the limit is not used: cutting there would lose too much.
    body = "Awal. " + "kata " * (SENTENCE_SEARCH_CHARS + 100)
    cut, _ = cut_body(body, len(body) - 10)
    assert len(cut) > SENTENCE_SEARCH_CHARS and cut.endswith("kata")


def test_one_unbroken_word_is_cut_at_the_limit():
    assert cut_body("x" * 50, 20) == ("x" * 20, True)


def test_big_text_file_is_one_bounded_article(tmp_path):
    path = tmp_path / "besar.txt"
    path.write_text("Jembatan Baru Diresmikan\n\n" + SENTENCE * (3 * MAX_BODY_CHARS // len(SENTENCE)),
                    encoding="utf-8")
    result = read_file(path, tmp_path)
    [article] = result.articles
    assert not result.errors
    assert article.truncated is True
    assert MAX_BODY_CHARS - len(SENTENCE) <= len(article.body) <= MAX_BODY_CHARS
    assert article.body.endswith("dua tahun.")
    assert article.title == "Jembatan Baru Diresmikan"
    assert article.to_dict()["truncated"] is True


def test_short_text_file_is_not_marked(tmp_path):
    path = tmp_path / "pas.txt"
    path.write_text(SENTENCE * 10, encoding="utf-8")
    [article] = read_file(path, tmp_path).articles
    assert article.truncated is False


def test_big_jsonl_record_is_bounded_too(tmp_path):
    path = tmp_path / "besar.jsonl"
    record = {"id": "r1", "title": "Rekaman Besar", "body": SENTENCE * (MAX_BODY_CHARS // len(SENTENCE) + 50)}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    [article] = read_file(path, tmp_path).articles
    assert article.truncated is True and len(article.body) <= MAX_BODY_CHARS


def test_big_html_paragraph_is_bounded(tmp_path):
    path = tmp_path / "besar.html"
    path.write_text(
        '<html><head><title>Jembatan Baru Diresmikan</title>'
        '<meta property="article:published_time" content="2024-03-04T10:15:00+07:00"></head>'
        "<body><article><h1>Jembatan Baru Diresmikan</h1><p>"
        + SENTENCE * (2 * MAX_BODY_CHARS // len(SENTENCE)) + "</p></article></body></html>",
        encoding="utf-8")
    [article] = read_file(path, tmp_path).articles
    assert article.truncated is True and len(article.body) <= MAX_BODY_CHARS
    assert article.body.endswith("dua tahun.")


def test_element_count_against_the_limit():
    assert not too_many_elements(b"<p>x</p>" * 10, limit=10)
    assert too_many_elements(b"<p>x</p>" * 11, limit=10)
    # "<" not followed by a letter (closing tags, comparisons) only counts in the cheap bound.
    assert not too_many_elements(b"<p>" + b"a < b " * 100 + b"</p>", limit=10)


def test_page_over_the_element_limit_is_reported_not_parsed(tmp_path):
    path = tmp_path / "rumit.html"
    path.write_bytes(b"<html><body>" + b"<b>x</b>" * (MAX_HTML_ELEMENTS + 1) + b"</body></html>")
    result = read_file(path, tmp_path)
    assert result.articles == []
    assert len(result.errors) == 1
    assert result.errors[0].startswith("HTML too complex: more than 50,000 elements")


def test_page_under_the_element_limit_is_read(tmp_path):
    path = tmp_path / "biasa.html"
    filler = b"<span>x</span>" * (MAX_HTML_ELEMENTS - 100)
    path.write_bytes(
        b'<html><head><title>Jembatan Baru Diresmikan</title>'
        b'<meta property="article:published_time" content="2024-03-04T10:15:00+07:00"></head>'
        b"<body><article><h1>Jembatan Baru Diresmikan</h1><p>" + SENTENCE.encode() * 5 + b"</p></article>"
        b'<div class="sidebar">' + filler + b"</div></body></html>")
    result = read_file(path, tmp_path)
    assert not result.errors
    assert [a.title for a in result.articles] == ["Jembatan Baru Diresmikan"]


MEASURE = textwrap.dedent("""
    import resource, sys, time
    from pathlib import Path
    from search.readers import read_file
    path = Path(sys.argv[1])
    start = time.process_time()
    result = read_file(path, path.parent)
    seconds = time.process_time() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(seconds, peak_mb, len(result.articles), result.errors)
""")


def measure(path: Path) -> tuple[float, float, int, str]:
    """(CPU seconds, peak RSS in MB, articles, errors) of read_file in a fresh process."""
    done = subprocess.run([sys.executable, "-c", MEASURE, str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    seconds, peak, count, errors = done.stdout.strip().split(" ", 3)
    return float(seconds), float(peak), int(count), errors


def test_19_mb_page_of_tiny_elements_stays_within_budget(tmp_path):
    """Before the element limit: 79 s and 2.4-2.6 GB. Now: refused in well under a second."""
    path = tmp_path / "kecil-kecil.html"
    path.write_bytes(b"<html><body>" + b"<b>x</b>" * (19 * 1024 * 1024 // 8) + b"</body></html>")
    seconds, peak_mb, count, errors = measure(path)
    assert count == 0 and "HTML too complex" in errors
    assert peak_mb < 600, peak_mb
    assert seconds < 10, seconds


def test_19_mb_text_file_stays_within_budget(tmp_path):
    path = tmp_path / "besar.txt"
    path.write_text("Judul Berita Besar\n\n" + SENTENCE * (19 * 1024 * 1024 // len(SENTENCE)),
                    encoding="utf-8")
    seconds, peak_mb, count, errors = measure(path)
    assert count == 1 and errors == "[]"
    assert peak_mb < 600, peak_mb
    assert seconds < 10, seconds
