"""The timeline: matches per period, in the engine, the API and the page (#19)."""
from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from search.retrieval.timeline import MAX_BARS, timeline


def test_days_for_a_short_span_with_empty_days_kept():
    dates = [datetime(2019, 9, 1, 8), datetime(2019, 9, 1, 20), datetime(2019, 9, 4), None]
    got = timeline(dates, range(4))
    assert got["unit"] == "day" and got["undated"] == 1
    assert [(b["start"], b["count"]) for b in got["bins"]] == [
        ("2019-09-01", 2), ("2019-09-02", 0), ("2019-09-03", 0), ("2019-09-04", 1)]


def test_weeks_months_and_years_as_the_span_grows():
    def unit(*days):
        return timeline([datetime(*d) for d in days], range(len(days)))
    assert unit((2019, 9, 1), (2019, 12, 1))["unit"] == "week"
    weeks = unit((2019, 9, 4), (2019, 9, 30), (2019, 12, 1))
    assert weeks["bins"][0] == {"start": "2019-09-02", "end": "2019-09-08", "count": 1}   # Monday to Sunday
    months = unit((2017, 1, 5), (2019, 12, 1))
    assert months["unit"] == "month" and len(months["bins"]) == 36
    assert months["bins"][-1] == {"start": "2019-12-01", "end": "2019-12-31", "count": 1}
    assert unit((1990, 1, 1), (2019, 1, 1))["unit"] == "year"
    assert all(len(unit((2000, 1, 1), (2000 + n, 6, 1))["bins"]) <= MAX_BARS for n in (1, 4, 9, 30))


@given(st.dates(date(1995, 1, 1), date(2030, 12, 31)), st.sampled_from((40, 300, 1500, 12000)),
       st.lists(st.one_of(st.none(), st.floats(0, 1)), min_size=1, max_size=60))
@settings(max_examples=300, deadline=None)
def test_each_article_is_counted_in_the_period_holding_its_day(first, span, where):
    # Spans of weeks to decades: the periods of every unit (days, weeks, months, years).
    days = [None if w is None else first + timedelta(days=int(w * span)) for w in where]
    dates = [None if d is None else datetime(d.year, d.month, d.day, 12) for d in days]
    got = timeline(dates, range(len(dates)))
    assert got["undated"] == days.count(None)
    bins = got["bins"]
    assert len(bins) <= MAX_BARS
    for earlier, later in zip(bins, bins[1:]):        # one period after the other, no gap
        assert date.fromisoformat(earlier["end"]) + timedelta(days=1) == date.fromisoformat(later["start"])
    expected = [sum(1 for d in days if d is not None and b["start"] <= d.isoformat() <= b["end"]) for b in bins]
    assert [b["count"] for b in bins] == expected
    assert sum(expected) == len(days) - days.count(None)
    if bins:
        dated = [d for d in days if d is not None]
        assert bins[0]["start"] <= min(dated).isoformat() and max(dated).isoformat() <= bins[-1]["end"]


def test_no_dates_no_bins():
    assert timeline([None, None], [0, 1]) == {"unit": "day", "bins": [], "undated": 2}


def test_the_engine_counts_every_match_under_the_filters_but_the_dates(engine):
    results = engine.search("-zzzz", filters={"source": "kabarnusa", "date_from": "2019-09-12"})
    periods = results.timeline
    every = engine.search("-zzzz", filters={"source": "kabarnusa"}).total
    assert sum(b["count"] for b in periods["bins"]) + periods["undated"] == every
    assert results.total < every
    assert engine.search("-zzzz", facets=False).timeline is None


def test_the_api_returns_the_timeline(client):
    data = client.get("/api/search?q=banjir").get_json()
    assert data["timeline"]["unit"] in ("day", "week", "month", "year")
    assert sum(b["count"] for b in data["timeline"]["bins"]) + data["timeline"]["undated"] == data["total"]
    assert client.get("/api/search?q=banjir&facets=false").get_json()["timeline"] is None


def bars(page: str) -> list[tuple[str, str]]:
    """(link, accessible name) of each bar of the page's timeline."""
    chart = page[page.find('class="timeline"'):page.find("</svg>")]
    return [(html.unescape(url), html.unescape(name))
            for url, name in re.findall(r'<a href="([^"]+)" aria-label="([^"]+)"', chart)]


def test_each_bar_is_a_link_to_its_period_named_with_its_count(client):
    page = client.get("/search?q=-zzzz").get_data(as_text=True)
    found = bars(page)
    assert found, "no timeline"
    url, name = max(found, key=lambda b: int(re.search(r": ([\d.]+) artikel", b[1]).group(1).replace(".", "")))
    count = int(re.search(r": ([\d.]+) artikel", name).group(1).replace(".", ""))
    assert "date_from=" in url and "date_to=" in url
    narrowed = client.get(url).get_data(as_text=True)
    assert re.search(rf">\s*{count} hasil|1 hasil", narrowed)
    assert 'class="on" aria-current="true"' in narrowed      # the chosen bar is drawn selected
    assert "Tanggal:" in narrowed                               # and the range is an active filter


def test_the_date_range_form_narrows_and_keeps_the_other_filters(client):
    page = client.get("/search?q=-zzzz&source=kabarnusa").get_data(as_text=True)
    form = page[page.find('class="facet dates"'):]
    assert '<input type="hidden" name="source" value="kabarnusa">' in form
    assert 'type="date" name="date_from"' in form and 'type="date" name="date_to"' in form
    data = client.get("/api/search?q=-zzzz&source=kabarnusa").get_json()
    every = data["total"]
    dated = [b for b in data["timeline"]["bins"] if b["count"]]
    low, high = dated[1]["start"], dated[-2]["end"]         # all but the first and last periods
    ranged = client.get(f"/api/search?q=-zzzz&source=kabarnusa&date_from={low}&date_to={high}").get_json()["total"]
    # As the form sends it: an empty field is no bound.
    page = client.get(f"/search?q=-zzzz&source=kabarnusa&date_from={low}&date_to={high}&month=")
    text = page.get_data(as_text=True)
    assert 0 < ranged < every
    assert re.search(rf">\s*{ranged} hasil" if ranged > 1 else "1 hasil", text)


def test_a_bad_date_is_a_400_in_the_pages_language(client):
    page = client.get("/search?q=banjir&date_from=2019-02-30")
    assert page.status_code == 400
    assert "YYYY-MM-DD" in page.get_data(as_text=True)


def test_empty_date_fields_are_no_bounds(client):
    assert client.get("/search?q=banjir&date_from=&date_to=").status_code == 200
