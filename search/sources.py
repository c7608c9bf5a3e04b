"""Publishers: one key per publisher, and the name a reader knows it by.

The index stores :func:`source_key` of each article's source, and a filter
value goes through the same function, so ``kompas``, ``Kompas``,
``kompas.com``, ``https://www.kompas.com/`` and the display name
``Kompas.com`` all name one publisher. ``NAMES`` holds the display names of
the publishers we know; any other source shows its key.
"""
from __future__ import annotations

import re

# How the publishers write their own names (their mastheads).
NAMES = {
    "detik": "detikcom",
    "fimela": "Fimela",
    "kapanlagi": "KapanLagi.com",
    "kompas": "Kompas.com",
    "liputan6": "Liputan6.com",
    "merdeka": "Merdeka.com",
    "okezone": "Okezone",
    "posmetro": "Posmetro",
    "sindonews": "SINDOnews",
    "tempo": "Tempo.co",
    "tribunnews": "Tribunnews.com",
    "wowkeren": "WowKeren",
}

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
# Domain endings a publisher's name is written with; the key is the name before them.
_SUFFIX = re.compile(r"\.(?:co\.id|or\.id|web\.id|my\.id|com|co|id|net|org|tv|news)$")


def source_key(value: str) -> str:
    """The publisher a source value names, as the index holds it."""
    text = " ".join(str(value).lower().split())
    text = _SCHEME.sub("", text).split("/", 1)[0]
    if text.startswith("www."):
        text = text[4:]
    stripped = _SUFFIX.sub("", text)
    return stripped or text


def display_name(key: str) -> str:
    return NAMES.get(key, key)
