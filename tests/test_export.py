"""Exporting a search: /search.csv and /search.json, opened as a user's tools open them (#19)."""
from __future__ import annotations

import csv
import io
import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest

from conftest import app_of, news

FORMULA = '=HYPERLINK("http://evil.example","klik") banjir'


@pytest.fixture(scope="module")
def export_app(tmp_path_factory):
    from web.engine import close_engine

    records = [news(i, f"Banjir ke-{i} di kampung", "Banjir merendam kampung.", date=f"2019-{1 + i % 12:02d}-05",
                    url=f"https://uji.example/banjir-{i}") for i in range(1, 121)]
    records += [
        news(201, FORMULA, "Banjir dan rumus.", date="2018-02-02", url="https://uji.example/rumus"),
        news(202, "+62 banjir, koma; dan \"kutip\"", "Banjir di pesisir.", date="2018-03-03",
             source="lain", category="olahraga"),
        news(203, "Gempa di Cianjur", "Gempa mengguncang Cianjur.", date="2022-11-21"),
    ]
    app = app_of(tmp_path_factory, "export", records)
    yield app
    close_engine(app)


@pytest.fixture
def client(export_app):
    return export_app.test_client()


def download(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return response


def csv_rows(client, url: str) -> list[dict]:
    response = download(client, url)
    assert response.mimetype == "text/csv"
    reader = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    rows = list(reader)
    assert reader.fieldnames == ["title", "date", "source", "url", "id"]
    return rows


def test_csv_holds_every_result_not_one_page(client):
    rows = csv_rows(client, "/search.csv?q=banjir&group=false&diverse=false")
    assert len(rows) == 122                 # past one page (10) and one engine page (100)
    assert len({row["id"] for row in rows}) == 122
    assert "t-203" not in {row["id"] for row in rows}
    first = next(row for row in rows if row["id"] == "t-005")
    assert first["title"] == "Banjir ke-5 di kampung"
    assert first["url"] == "https://uji.example/banjir-5"
    assert first["source"] == "uji" and first["date"].startswith("2019-06-05")


def test_export_stops_at_its_cap(client, monkeypatch):
    import web.export

    monkeypatch.setattr(web.export, "MAX_ROWS", 110)
    assert len(csv_rows(client, "/search.csv?q=banjir&group=false")) == 110
    data = download(client, "/search.json?q=banjir&group=false").get_json()
    assert data["exported"] == 110 and data["total"] == 122 and data["max_rows"] == 110


def test_csv_follows_the_pages_filters_and_order(client):
    rows = csv_rows(client, "/search.csv?q=banjir&sort=newest&date_to=2018-12-31")
    assert [row["id"] for row in rows] == ["t-202", "t-201"]
    only = csv_rows(client, "/search.csv?q=banjir&source=lain")
    assert [row["id"] for row in only] == ["t-202"]
    assert csv_rows(client, "/search.csv?q=banjir&month=2018-02")[0]["id"] == "t-201"


def test_csv_cells_never_run_as_formulas(client):
    rows = {row["id"]: row for row in csv_rows(client, "/search.csv?q=banjir&date_to=2018-12-31")}
    assert rows["t-201"]["title"] == "'" + FORMULA
    assert rows["t-202"]["title"] == "'+62 banjir, koma; dan \"kutip\""    # quoted, commas kept
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows.values() for cell in row.values())


def test_json_export_says_what_was_searched(client):
    response = download(client, "/search.json?q=banjir&source=lain&sort=newest")
    assert response.mimetype == "application/json"
    assert re.fullmatch(r'attachment; filename="cari-banjir\.json"', response.headers["Content-Disposition"])
    data = response.get_json()
    assert data["query"] == "banjir" and data["sort"] == "newest"
    assert data["filters"]["source"] == ["lain"]
    assert data["total"] == data["exported"] == 1
    assert data["results"] == [{"title": '+62 banjir, koma; dan "kutip"', "date": data["results"][0]["date"],
                                "source": "lain", "url": "", "id": "t-202"}]


def test_file_name_keeps_only_safe_characters(client):
    response = download(client, "/search.csv?q=%22banjir+rob%22+%0d%0aX-Evil:+1")
    assert response.headers["Content-Disposition"] == 'attachment; filename="cari-banjir-rob-x-evil-1.csv"'
    assert "X-Evil" not in response.headers


def test_results_page_links_both_exports_with_its_search(client):
    html = client.get("/search?q=banjir&source=lain&sort=newest&page=1&lang=en").get_data(as_text=True)
    hrefs = [unescape(h) for h in re.findall(r'<a href="([^"]+)" type="(?:text/csv|application/json)" download>', html)]
    assert [urlparse(h).path for h in hrefs] == ["/search.csv", "/search.json"]
    for href in hrefs:
        assert parse_qs(urlparse(href).query) == {"q": ["banjir"], "source": ["lain"], "sort": ["newest"],
                                                  "lang": ["en"]}
    assert [row["id"] for row in csv_rows(client, hrefs[0])] == ["t-202"]
    nothing = client.get("/search?q=zzqxwv").get_data(as_text=True)
    assert "/search.csv" not in nothing


def test_export_of_a_bad_search_is_a_400_not_a_500(client):
    assert client.get("/search.csv").status_code == 400
    assert client.get("/search.json?q=" + "a" * 501).status_code == 400
    assert client.get("/search.csv?q=banjir" + "&category=x" * 11).status_code == 400
    assert csv_rows(client, "/search.csv?q=yang+dan") == []


def test_an_export_is_one_search_in_the_pages_order(export_app):
    """Engine.first_results ranks once what paging through the engine's
    pages of 100 ranked again for each page: the same rows in the same
    order; with grouping, paging could stop at a page that collapsed
    duplicates left short, the one search does not."""
    from web.engine import get_engine

    with export_app.app_context():
        engine = get_engine()
    for kw in ({"group": False, "diverse": False}, {"sort": "newest"}, {"group": True, "diverse": True}):
        one = engine.first_results("banjir", 1000, **kw)
        paged, page = [], 1
        while True:
            hits = engine.search("banjir", page=page, per_page=100, highlight=False, facets=False, **kw).hits
            paged += [h.id for h in hits]
            if len(hits) < 100:
                break
            page += 1
        ids = [h.id for h in one.hits]
        assert ids[:len(paged)] == paged and len(set(ids)) == len(ids), kw
        if not kw.get("group"):
            assert ids == paged and one.total == 122, kw
