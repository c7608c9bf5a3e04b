"""Text that news feeds wrap around an article and that is not the article.

``clean_paragraphs`` takes paragraphs and gives back the article's own ones
plus the titles of the stories it links to ("Baca juga: ..."). It handles the
boilerplate both as whole lines and glued into the middle of a paragraph, as
scrapers often leave it (detik: "...Australia.Baca juga: Judul LainNamun, ...").
"""
from __future__ import annotations

import re

# Lines dropped whole when they are nothing but this.
_DROP_LINE = re.compile(
    r"""^\s*(?:
        advertisement | iklan | scroll\s+to\s+continue\s+with\s+content
      | \d+\s+komentar | (?:lihat\s+)?komentar | share | bagikan
      | \#\s*growfearless(?:\s+\S+){0,3}
      | simak\s+(?:juga\s+)?video\b.*
      | (?:tonton|saksikan)\s+(?:juga\s+)?video\b.*
      | (?:\(?\s*(?:editor|penulis|reporter|pewarta|penyunting|redaktur|sumber|
              disadur\s+dari|laporan\s+wartawan|kontributor|foto|video)\s*:.{0,160})
      | \(\s*[a-z]{2,5}\s*(?:/\s*[a-z]{2,5}\s*)*\)    # (rdk/nrl) initials
      | [a-z]{2,5}(?:\s*/\s*[a-z]{2,5})+               # rdk/nrl, aja/PAP: initials and agency
      | baca\s+(?:juga|selengkapnya|berita\s+lainnya)\s*:?\s*,?\s*
      | lihat\s+juga\s*:?
      | loading\s*\.{0,3}
      | artikel\s+ini\s+(?:telah\s+)?(?:tayang|terbit|dimuat)\s+di\b.{0,250}
      | (?:sumber\s+asli|disadur\s+dari)\b.{0,150}
      | ikuti\s+(?:berita|update|kami)\b.{0,80}
      | dapatkan\s+update\s+berita.*
      | (?:©|\(c\)|\bcopyright\b|\bhak\s+cipta\b).{0,100}
      | jangan\s+lewatkan\b.{0,120}
      | [-–—]+
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)

# Inline markers removed wherever they occur (glued mid-paragraph).
_INLINE = re.compile(
    r"(?:SCROLL TO CONTINUE WITH CONTENT|ADVERTISEMENT|\[Gambas:[^\]]*\]"
    r"|#\s*GrowFearless\s+w[a-z]{2,4}\s+F[a-z]{4,7}\b|Selanjutnya\s+Halaman(?:\s+\d+)+"
    r"|\[bacajuga:[^\]]*\]\([\d\s]*\)?,?|,?\s*loading\.\.\.$)",
    re.IGNORECASE,
)

# "Baca juga: Title" inside a paragraph, also glued to the word before it
# ("...@nugietrilogyBaca juga: ..."). The title ends at a quote, a newline, a
# bracket, a glued "wordWord" join, or the paragraph's end.
_BACA = re.compile(
    r"\(?\s*(?:\b[Bb]aca|(?<=[a-z0-9])Baca|\bBACA)\s+(?:juga|Juga|JUGA|pula)\b\s*:?\s*"
)
_TITLE_END = re.compile(r"[\"“”\[\]]|\)|\n|(?<=[a-z])'(?=[A-Z])|(?<=[a-z0-9?!.])(?=[A-Z][a-z])")
WHOLE_LINE_TITLE_MAX = 160
_INITIALS_END = re.compile(r"\(\s*[a-z]{2,5}(?:\s*/\s*[a-z]{2,5})*\s*$")
# A "Baca juga" whose link text the scraper lost: "Baca juga:, Next sentence".
_EMPTY_LINK = re.compile(r"^\s*[,;.]")
# Video promos: 'Simak Video "Title"' and, on detik, everything after it
# ("[Gambas:Video 20detik] (nds/raw) tag words").
_SIMAK_TAIL = re.compile(
    r"\b(?:Simak|Tonton|Saksikan)\s+(?:juga\s+)?Video\b\s*:?\s*[\"“][^\"”]*[\"”]\s*\[Gambas:.*$",
    re.IGNORECASE | re.DOTALL,
)
_SIMAK_INLINE = re.compile(
    r"\b(?:Simak|Tonton|Saksikan)\s+(?:juga\s+)?Video\b\s*:?\s*[\"“][^\"”]*[\"”]\s*", re.IGNORECASE
)
# detik's page-turn and navigation tail: "Lanjut ke halaman berikutnya (rin/nds)
# motogp tag words Sebelumnya <previous title>" runs to the paragraph's end.
_PAGE_TURN = re.compile(r"(?:Ber)?[Ll]anjut ke halaman berikutnya\.?")
_PAGE_TURN_TAIL = re.compile(
    r"\(\s*[a-z]{2,5}(?:/[a-z]{2,5})+\s*\)\s+[a-z0-9 ./&'-]*\b(?:Sebelumnya|Selanjutnya|\d+\s*/\s*\d+)\b.*$",
    re.DOTALL,
)
# Lowercase tag words left after the last sentence ("...sudah rusak. pasi atletik bob hasan").
_TAG_TAIL = re.compile(r"(?<=[.!?\"”])\s+(?:[a-z0-9][a-z0-9'&-]*\s+){2,}[a-z0-9][a-z0-9'&-]*\s*$")
_BYLINE_IN_CAPS = re.compile(r"[A-Z][A-Z.'-]*(?:\s+[A-Z][A-Z.'-]*){0,3}")
_CREDIT_WORDS = r"(?:Editor|Penulis|Reporter|Pewarta|Penyunting|Redaktur|Sumber|Kontributor)"
# A credit line at a paragraph's end: "... katanya. Editor: Name" or "(rdk/nrl)".
_CREDIT_TAIL = re.compile(
    rf"(?:\(?\s*{_CREDIT_WORDS}\s*:\s*[^.\n]{{0,120}}\)?"
    r"|\(\s*[a-z]{2,5}(?:\s*/\s*[a-z]{2,5})+\s*\)?(?-i:\s+[a-z0-9][a-z0-9 .&'/-]*)?"
    r"|\[\s*[a-z]{2,5}(?:\s*/\s*[a-z]{2,5})*\s*\],?"
    r"|,?\s*Artikel ini (?:telah )?tayang di\b[^\n]{0,250}|,?\s*Disadur dari\s*:[^\n]{0,250})\s*$",
    re.IGNORECASE,
)
# Credits a scraper glued before the text: "Penulis:, Saat ini..." or
# "Reporter: Name, Sumber: Merdeka.com, Kementerian ...".
_CREDIT_HEAD = re.compile(rf"^(?:\s*{_CREDIT_WORDS}\s*:\s*(?:[^,:]{{0,60}})?,\s*)+(?=[A-Z(\"“])")


def _cut_title(rest: str) -> tuple[str, str]:
    """Split the text after "Baca juga:" into (title, what follows)."""
    match = _TITLE_END.search(rest, 1)
    end = match.start() if match else len(rest)
    if end > 180:  # too long for a title: take up to the first sentence end
        stop = re.search(r"[.!?](?=\s|$)", rest)
        end = stop.end() if stop and stop.end() <= 180 else min(end, 180)
    title = rest[:end].strip(" ,:;-–—")
    after = rest[end:]
    if after.startswith(")"):
        after = after[1:]
        if _INITIALS_END.search(title) and re.fullmatch(r"[a-z0-9 .&'/-]*", after):
            after = ""  # detik's "(mcy/mrp) tag words" tail after the last link
    return title, after


def split_related(paragraph: str) -> tuple[str, list[str]]:
    """Remove every "Baca juga: Title" from a paragraph; return (text, titles)."""
    titles: list[str] = []
    out = []
    pos = 0
    while True:
        match = _BACA.search(paragraph, pos)
        if match is None:
            break
        out.append(paragraph[pos:match.start()])
        rest = paragraph[match.end():]
        if _EMPTY_LINK.match(rest) or not rest.strip():
            # The link text was lost ("Baca juga:, Next sentence"): drop the marker only.
            pos = len(paragraph) - len(rest.lstrip(" ,;.)"))
            continue
        at_line_start = not paragraph[:match.start()].strip()
        if at_line_start and len(rest) <= WHOLE_LINE_TITLE_MAX and not re.search(r"[\"“”\[]", rest):
            title, after = rest, ""  # a "Baca juga:" line: the rest is the title
        else:
            title, after = _cut_title(rest)
        title = _tidy_title(title)
        if title:
            titles.append(title)
        pos = len(paragraph) - len(after)
    out.append(paragraph[pos:])
    text = " ".join(part.strip() for part in out if part.strip())
    return text, titles


def _tidy_title(title: str) -> str:
    """A related title without credit initials "(mcy/mrp" and stray punctuation; "" if not a title."""
    title = re.sub(r"\s*\(\s*[a-z]{2,5}(?:\s*/\s*[a-z]{2,5})*\s*\)?\s*$", "", title)
    title = title.strip(" ,:;-–—")
    return title if re.search(r"[^\W\d_]{3}", title) else ""


def is_boilerplate(line: str) -> bool:
    """True when the whole line is boilerplate (credits, ads, share bars...)."""
    return bool(_DROP_LINE.match(line))


def clean_paragraph(paragraph: str) -> tuple[str, list[str]]:
    """One paragraph without its boilerplate; plus the related titles in it."""
    text = " ".join(paragraph.split())  # all whitespace runs, nbsp included, to one space
    if ":" in text[:80]:
        text = _CREDIT_HEAD.sub("", text)
    if not text or is_boilerplate(text):
        return "", []
    # Cheap substring checks first: most paragraphs hold no boilerplate, and
    # the patterns below are slow to run over every paragraph of a large feed.
    lower = text.lower()
    if "video" in lower:
        text = _SIMAK_TAIL.sub("", text)
        text = _SIMAK_INLINE.sub(" ", text)
    if any(marker in lower for marker in _INLINE_MARKERS):
        text = _INLINE.sub(" ", text)
    if "halaman berikutnya" in lower:
        text = _PAGE_TURN.sub(" ", text)
    if "/" in text:
        text = _PAGE_TURN_TAIL.sub("", text)
    related: list[str] = []
    if "baca" in lower or "lihat" in lower:
        text, related = split_related(text)
    text = " ".join(text.split())
    if text and is_boilerplate(text):
        return "", related
    return text, related


_INLINE_MARKERS = ("scroll to", "advertisement", "gambas", "growfearless", "halaman", "bacajuga", "loading")


TAIL_WINDOW = 400


def _cut_tail(pattern: re.Pattern, text: str) -> str:
    """``text`` without what ``pattern`` (anchored at $) matches in its last characters.

    Searching only the tail keeps these start-anywhere patterns cheap on long
    paragraphs; the credits and tag lists they find are short.
    """
    offset = max(0, len(text) - TAIL_WINDOW)
    match = pattern.search(text, offset)
    return text[:match.start()] if match else text


def clean_paragraphs(paragraphs: list[str]) -> tuple[list[str], list[str]]:
    """Article paragraphs and related titles, boilerplate removed."""
    kept: list[str] = []
    related: list[str] = []
    for paragraph in paragraphs:
        text, titles = clean_paragraph(paragraph)
        related.extend(titles)
        if text:
            kept.append(text)
    # A trailing credit glued to the last paragraph ("... katanya. Editor: X").
    if kept:
        last = kept[-1]
        tail = last[-TAIL_WINDOW:]
        if "(" in tail or "[" in tail or ":" in tail or "tayang" in tail:  # cheap test first
            last = _cut_tail(_CREDIT_TAIL, last)
        last = _cut_tail(_TAG_TAIL, last).strip()
        if _BYLINE_IN_CAPS.fullmatch(last) and len(kept) > 1:
            last = ""  # Tempo ends with the reporter's name in capitals: "DINI TEJA"
        if last:
            kept[-1] = last
        else:
            kept.pop()
    return kept, related


# Writer credits ("Penulis: Rina", "Reporter: Fachrur Rozie, Sumber: ...").
# Editors are credited too, but an editor is not the article's author.
_WRITER_CREDIT = re.compile(
    r"(?:^|[\s(])(?:Penulis|Reporter|Pewarta|Wartawan|Kontributor|Laporan\s+wartawan)\s*:\s*"
    r"([A-Z][^,()\n:|/]{1,60}?)\s*(?:[,()\n|/]|$|\s(?:Editor|Sumber|Foto)\b)"
)


def credit_author(texts: list[str]) -> str:
    """The writer named in a credit line among ``texts``, or ""."""
    for text in texts:
        if ":" not in text:
            continue
        match = _WRITER_CREDIT.search(text)
        if match:
            name = match.group(1).strip(" .")
            if len(name) >= 3:
                return name
    return ""
