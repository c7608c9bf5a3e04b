"""Hyphenated tokens: reduplication, lexical compounds, and compounds of words.

- Reduplication collapses to the root: negara-negara -> negara,
  sebesar-besarnya -> besar, memanggil-manggil -> panggil, tembak-menembak -> tembak.
- Lexical units stay whole: kupu-kupu, undang-undang, bolak-balik, and any
  imitative pair (sayur-mayur: same length, same tail or same consonants).
- Other compounds split into their words at consecutive positions, so
  Israel-Palestina matches israel, palestina and the phrase "israel palestina".
- Clitics written with a hyphen (kuasa-Mu, allah-lah) and the prefixes se-/ke-
  before a name or number (se-Indonesia, ke-2) come off.
"""
from __future__ import annotations

from search.analysis.lexicon import LEXICAL_COMPOUNDS
from search.analysis.stemmer import PARTICLES, POSSESSIVES, suffix_readings

CLITIC_PARTS = frozenset(PARTICLES + POSSESSIVES)
PREFIX_PARTS = frozenset({"se", "ke"})
VOWELS = frozenset("aeiou")


def split_parts(raw: str) -> list[tuple[str, int, int]]:
    """``(part, start, end)`` for each hyphen-separated part of ``raw``."""
    parts, start = [], 0
    for piece in raw.split("-"):
        if piece:
            parts.append((piece, start, start + len(piece)))
        start += len(piece) + 1
    return parts


def strip_clitics(parts: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    while len(parts) > 1 and parts[-1][0].lower() in CLITIC_PARTS:
        parts = parts[:-1]
    while len(parts) > 1 and parts[0][0].lower() in PREFIX_PARTS:
        parts = parts[1:]
    return parts


def _skeleton(word: str) -> str:
    return "".join(ch for ch in word if ch not in VOWELS)


def is_imitative(a: str, b: str) -> bool:
    """sayur-mayur, lauk-pauk (same tail); bolak-balik, gerak-gerik (same consonants)."""
    if a == b or len(a) != len(b) or len(a) < 3:
        return False
    return a[1:] == b[1:] or _skeleton(a) == _skeleton(b)


def _bare(word: str) -> str:
    """The word without derivational/inflectional suffixes (nirukan -> niru)."""
    return suffix_readings(word)[0][0]


def reduplicated_root(a: str, b: str, stem) -> str | None:
    """The root if ``a-b`` is a reduplication of one word, else None."""
    sa, sb = stem(a), stem(b)
    if sa == sb:
        return sa
    if a.endswith(b) or a.endswith(_bare(b)):      # memanggil-manggil, meniru-nirukan
        return sa
    if b.endswith(a) or b.endswith(_bare(a)):      # tembak-menembak (when stems differ)
        return sb
    return None


def hyphen_terms(raw: str, stem) -> tuple[list[tuple[str, int, int]], bool]:
    """Analyse a hyphenated token.

    Returns ``(parts, whole)``: when ``whole`` is True the first element is the
    single term for the token (already final: root or lexical unit); otherwise
    the parts are words still to be analysed one by one.
    """
    parts = strip_clitics(split_parts(raw))
    if len(parts) == 1:
        return parts, False
    lower = [p[0].lower() for p in parts]
    joined = "-".join(lower)
    end = parts[-1][2]
    start = parts[0][1]
    if joined in LEXICAL_COMPOUNDS:
        return [(joined, start, end)], True
    if len(lower) == 2 and lower[0].isalpha() and lower[1].isalpha():
        bare_joined = "-".join((lower[0], _bare(lower[1])))
        if bare_joined in LEXICAL_COMPOUNDS:                  # undang-undangnya
            return [(bare_joined, start, end)], True
        root = reduplicated_root(lower[0], lower[1], stem)
        if root:
            return [(root, start, end)], True
        if is_imitative(lower[0], lower[1]):
            return [(joined, start, end)], True
    return parts, False
