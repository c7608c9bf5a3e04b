"""Dates as Indonesian news sites write them, turned into datetimes.

Zones: WIB = UTC+7, WITA = UTC+8, WIT = UTC+9. A date without a zone stays
naive unless the caller supplies a default zone.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")
ZONES = {
    "wib": WIB,
    "wita": timezone(timedelta(hours=8), "WITA"),
    "wit": timezone(timedelta(hours=9), "WIT"),
    "utc": timezone.utc,
    "gmt": timezone.utc,
    "z": timezone.utc,
}

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "pebruari": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nopember": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}

_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}|WIB|WITA|WIT|UTC|GMT)?",
    re.IGNORECASE,
)
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_WORDY = re.compile(
    rf"(\d{{1,2}})\s+({_MONTH_NAMES})\.?,?\s+(\d{{4}})"
    r"(?:\s*[,|/-]?\s*(?:pukul\s+|jam\s+)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?"
    r"\s*(WIB|WITA|WIT|UTC|GMT|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)
_SLASHED = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{4})"
    r"(?:\s*[,|-]?\s*(?:pukul\s+)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?"
    r"\s*(WIB|WITA|WIT|UTC|GMT|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)


def zone_of(label: str | None):
    """The tzinfo for 'WIB', '+07:00', '+0700', 'Z'..., or None."""
    if not label:
        return None
    label = label.strip()
    if label.lower() in ZONES:
        return ZONES[label.lower()]
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", label)
    if not match:
        return None
    sign = -1 if match.group(1) == "-" else 1
    offset = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
    return timezone(sign * offset)


def _build(year, month, day, hour, minute, second, zone_label, default_zone):
    try:
        value = datetime(int(year), int(month), int(day), int(hour or 0),
                         int(minute or 0), int(second or 0))
    except ValueError:
        return None
    if not 1900 <= value.year <= 2100:
        return None
    zone = zone_of(zone_label) or (default_zone if hour is not None else None)
    if zone is None and hour is None and default_zone is not None:
        zone = default_zone
    return value.replace(tzinfo=zone) if zone else value


def parse_date(text: str | None, default_zone=None) -> datetime | None:
    """The first date (and time, and zone) found in ``text``, or None.

    Understands ISO 8601 ("2015-11-05T14:56:43+07:00"), Indonesian and English
    month names ("Kamis, 05 Nov 2015 14:56 WIB") and day/month/year
    ("05/11/2015 14:56"). ``default_zone`` applies when the text names none.
    """
    if not text:
        return None
    text = str(text).strip()
    if re.fullmatch(r"\d{12,13}", text):  # epoch milliseconds
        return datetime.fromtimestamp(int(text) / 1000, tz=timezone.utc)
    for pattern, order in ((_ISO, "ymd"), (_WORDY, "dMy"), (_SLASHED, "dmy")):
        match = pattern.search(text)
        if not match:
            continue
        a, b, c, hour, minute, second, zone = match.groups()
        if order == "ymd":
            year, month, day = a, b, c
        elif order == "dMy":
            day, month, year = a, MONTHS[b.lower()], c
        else:
            day, month, year = a, b, c
        value = _build(year, month, day, hour, minute, second, zone, default_zone)
        if value is not None:
            return value
    return None


# -- dates written in the story itself ---------------------------------------------
# Only the top of a story is read for its date: the dateline and the lede's
# first sentences say when it happened ("Jakarta, 8 Maret 2024 -", "...,
# Senin (4/3/2024)"). Farther in, dates are about other things: an earlier
# disaster, a trial's next hearing, a deadline, an anniversary. 500
# characters hold the dateline and the first two or three sentences.
STORY_DATE_CHARS = 500
# A story's date is plausible from the first Indonesian news sites (1995;
# some wire archives go back a few years) to today (a story is not published
# in the future; a day of slack for the zones).
MIN_STORY_YEAR = 1990
_DAY_NAMES = r"(?:Senin|Selasa|Rabu|Kamis|Jumat|Jum'at|Jum’at|Sabtu|Minggu|Ahad)"
_STORY_DATES = (
    # "Jakarta, 8 Maret 2024 -", "Jakarta, KOMPAS.com, 8 Agt 2024": at the start
    # of a paragraph, a capitalised place (or publisher), a comma, a day, a
    # month name, a year. Mid-sentence ("menurut data BPS, 12 Mei 2023") is not a dateline.
    (re.compile(rf"(?m)^\W*[A-Z][\w.'’()-]*(?:[\s,]+[A-Z(][\w.'’()-]*){{0,3}}\s*,\s*"
                rf"(\d{{1,2}})\s+((?i:{_MONTH_NAMES}))\.?\s+(\d{{4}})\b"), "dMy"),
    # "Senin (4/3/2024)", "Senin, 4/3/2024": a day name and day/month/year.
    (re.compile(rf"\b{_DAY_NAMES}\s*(?:\(\s*|,\s*)(\d{{1,2}})/(\d{{1,2}})/(\d{{4}})\b",
                re.IGNORECASE), "dmy"),
    # "Senin (4 Maret 2024)", "Senin, 4 Maret 2024": a day name and a written date.
    (re.compile(rf"\b{_DAY_NAMES}\s*(?:\(\s*|,\s*)(\d{{1,2}})\s+({_MONTH_NAMES})\.?\s+(\d{{4}})\b",
                re.IGNORECASE), "dMy"),
)


def story_date(text: str | None, default_zone=WIB, today: date | None = None) -> datetime | None:
    """The date a story's top gives, or None: the earliest date, within the
    first ``STORY_DATE_CHARS`` characters, written as a dateline ("Jakarta,
    8 Maret 2024") or with its day name ("Senin (4/3/2024)", "Senin, 4 Maret
    2024"). A bare date without those ("sejak 12 Mei 1998") is not taken:
    it is more often about something else.

    Only the day is known: the value is midnight in ``default_zone`` (WIB, as
    for dates taken from file names). Years before ``MIN_STORY_YEAR`` and
    dates after ``today`` (plus a day) are not plausible and are passed over.
    """
    if not text:
        return None
    head = text[:STORY_DATE_CHARS]
    latest = (today or datetime.now(timezone.utc).date()) + timedelta(days=1)
    found: list[tuple[int, datetime]] = []
    for pattern, order in _STORY_DATES:
        for match in pattern.finditer(head):
            day, month, year = match.groups()
            month = MONTHS[month.lower()] if order == "dMy" else month
            value = _build(year, month, day, None, None, None, None, default_zone)
            if value is not None and MIN_STORY_YEAR <= value.year and value.date() <= latest:
                found.append((match.start(), value))
                break
    return min(found, key=lambda item: item[0])[1] if found else None


def combine(date_text: str | None, time_text: str | None, default_zone=WIB) -> datetime | None:
    """A record's separate date ("2019-10-25") and time ("18:59") fields."""
    if not date_text:
        return None
    joined = f"{date_text} {time_text}" if time_text else str(date_text)
    return parse_date(joined, default_zone=default_zone)
