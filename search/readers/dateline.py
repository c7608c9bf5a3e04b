"""Who published a story, read from its dateline or its URL.

Datelines seen in Indonesian wire copy: "TRIBUNNEWS.COM --",
"Jakarta, Kompas.com -", "Jakarta (ANTARA) -", "Liputan6.com, Jakarta -",
"REPUBLIKA.CO.ID, JAKARTA --", "VIVA.co.id -", "TEMPO.CO, Jakarta -".
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

# A publisher name inside the first words: a domain or a parenthesised agency.
_DOMAIN = re.compile(
    r"\b([A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*?)\.(?:com|co\.id|co|id|net|org|news)\b",
    re.IGNORECASE,
)
_AGENCY = re.compile(r"\((ANTARA|ANTARANEWS|ANT|REUTERS|AFP|AP|XINHUA)(?:\s+News)?\)", re.IGNORECASE)
# The dash that closes a dateline, within the first ~90 characters.
_DASH = re.compile(r"\s(?:-{1,2}|–|—)\s?")

# Sub-site prefixes that are not the publisher ("news.detik.com").
_SUBDOMAINS = {"www", "m", "news", "nasional", "amp", "mobile", "en", "id"}
# Words that trail a publisher's display name without being part of it
# ("Republika Online", "Okezone .com"). Not "news": domains keep it
# ("Tribun News" is tribunnews.com; antaranews is mapped to antara below).
_NAME_SUFFIXES = {"online", "com", "co", "id", "net", "portal"}


def dateline(text: str) -> tuple[str, str]:
    """(source key, dateline text) for a lede, or ("", "") when none."""
    head = text[:120]
    dash = _DASH.search(head)
    if not dash or dash.start() > 90:
        return "", ""
    prefix = head[:dash.start()]
    agency = _AGENCY.search(prefix)
    if agency:
        name = agency.group(1).lower()
        return ("antara" if name.startswith("ant") else name), head[:dash.end()].strip()
    domain = _DOMAIN.search(prefix)
    if domain:
        return publisher_key(domain.group(0)), head[:dash.end()].strip()
    return "", ""


def publisher_key(name: str) -> str:
    """'TRIBUNNEWS.COM', 'https://news.detik.com/x', 'Kompas.com' -> 'tribunnews', 'detik', 'kompas'.

    Display names (an og:site_name with spaces) lose trailing generic words
    and are joined: 'Republika Online' -> 'republika', 'Jawa Pos' -> 'jawapos',
    the key their domain gives.
    """
    name = (name or "").strip().lower()
    if not name:
        return ""
    if " " in name and "//" not in name:
        words = name.split()
        while len(words) > 1 and words[-1].strip(".") in _NAME_SUFFIXES:
            words.pop()
        name = "".join(words)
    host = urlsplit(name).hostname if "//" in name else name.split("/")[0]
    host = host or name
    host = re.sub(r"^(?:www\d?|m)\.", "", host)
    host = re.sub(r"\.(?:com|co\.id|co|id|net|org|or\.id|go\.id)(?:\.[a-z]{2})?$", "", host)
    parts = [part for part in host.split(".") if part]
    while len(parts) > 1 and parts[0] in _SUBDOMAINS:
        parts.pop(0)
    key = parts[-1] if parts else host
    key = re.sub(r"[^a-z0-9-]", "", key)
    return {"antaranews": "antara", "posmetro-medan": "posmetro", "tempointeraktif": "tempo"}.get(key, key)
