"""Dates as Indonesian news sites write them, turned into datetimes.

Zones: WIB = UTC+7, WITA = UTC+8, WIT = UTC+9. A date without a zone stays
naive unless the caller supplies a default zone.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

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


def combine(date_text: str | None, time_text: str | None, default_zone=WIB) -> datetime | None:
    """A record's separate date ("2019-10-25") and time ("18:59") fields."""
    if not date_text:
        return None
    joined = f"{date_text} {time_text}" if time_text else str(date_text)
    return parse_date(joined, default_zone=default_zone)
