"""Plain-text stories (.txt): wire copy like the seed story.

Shape handled: an optional title line; a dateline ("TRIBUNNEWS.COM --") that
names the source; paragraphs one per line or separated by blank lines;
"Baca juga:" lines kept as related titles; short subheading lines kept as
their own paragraph. With no title line, a title is derived from the lede.
"""
from __future__ import annotations

import re

from pathlib import Path

from search.article import MAX_BODY_CHARS, Article, cut_body, stable_id
from search.readers.boilerplate import clean_paragraphs, is_boilerplate
from search.readers.dateline import dateline
from search.readers.dates import WIB, parse_date, story_date
from search.readers.encoding import decode, normalise_newlines
from search.readers.result import FileResult

TITLE_MAX_CHARS = 150
# A text longer than the body limit is cut before it is split into lines and
# paragraphs (the whole text of a 19 MB file would only be thrown away after
# costing time and memory). The slack leaves room for the title and date lines
# and blank lines; read_file then cuts the body itself to MAX_BODY_CHARS.
TEXT_SLACK_CHARS = 10_000
DERIVED_TITLE_WORDS = 12
# A bare dateline with no publisher name: "Jakarta -", "Bandung, Jabar --",
# "Jakarta, 8 Maret 2024 -".
_PLAIN_DATELINE = re.compile(r"^[A-Z][\w.]*(?:[ ,]+(?:[A-Z(][\w.)]*|\d{1,2} [A-Za-z]{3,9}\.? \d{4})){0,5}"
                             r"\s(?:-{1,2}|–|—)\s")
_DATE_LINE = re.compile(r"^\W*(?:[\w']+\s*,\s*)?(?:\d{1,2}[ /]\w+[ /]\d{4}|\d{4}-\d{2}-\d{2})\b.{0,30}$")


def read(path: Path, rel_path: str) -> FileResult:
    """A .txt file: one article, or skipped when it holds no text."""
    return read_data(path.read_bytes(), rel_path)


def read_data(data: bytes, rel_path: str) -> FileResult:
    """A story's bytes (a .txt file's, or a .txt.gz's once decompressed)."""
    article = parse_text(data, stable_id(rel_path), rel_path)
    if article is None:
        return FileResult(skipped="no text in file")
    return FileResult(articles=[article])


def parse_text(raw: bytes, article_id: str, rel_path: str) -> Article | None:
    """The one article in a text file, or None when it holds no text.

    The date comes from a date line at the top ("Selasa, 20 Februari 2024
    10:15 WIB"), else from a file name that starts with one ("2023-10-23_..."),
    else from the dateline or lede ("Jakarta, 8 Maret 2024 -", "Senin
    (4/3/2024)"; see dates.story_date for how far in and why).
    """
    text, _ = decode(raw)
    text, cut = cut_body(text, MAX_BODY_CHARS + TEXT_SLACK_CHARS)
    text = normalise_newlines(text).replace("\ufeff", "")
    lines = [line.strip() for line in text.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    if not any(lines):
        return None
    title = ""
    if _is_title_line(lines):
        title = lines.pop(0)
    date, lines = _take_date_line(lines)
    paragraphs, related = clean_paragraphs(_paragraphs(lines))
    if not paragraphs and not title:
        return None
    source, _ = dateline(paragraphs[0]) if paragraphs else ("", "")
    if not title:
        title = derive_title(paragraphs[0])
    if date is None:
        date = _date_from_name(rel_path)
    if date is None:
        date = story_date("\n\n".join(paragraphs[:3]))
    return Article(id=article_id, title=title, body="\n\n".join(paragraphs), source=source,
                   date=date, related=related, path=rel_path, truncated=cut)


def _date_from_name(rel_path: str):
    match = re.match(r"(\d{4}-\d{2}-\d{2})(?:[_ T-]|$)", rel_path.rsplit("/", 1)[-1])
    return parse_date(match.group(1), default_zone=WIB) if match else None


def _is_title_line(lines: list[str]) -> bool:
    """A first line that is short, not a dateline lede, not a sentence run-on."""
    first = lines[0]
    if len(first) > TITLE_MAX_CHARS or dateline(first)[0] or _PLAIN_DATELINE.match(first):
        return False
    if is_boilerplate(first) or re.match(r"(?i)baca\s+juga", first):
        return False
    if len(lines) == 1:
        return False
    followed_by_blank = not lines[1]
    ends_like_sentence = first.endswith((".", ",", ";", ":"))
    return followed_by_blank or not ends_like_sentence


def _take_date_line(lines: list[str]):
    """Take a line that is only a date ("Rabu, 18 Oktober 2023 10:12 WIB") from the top."""
    for index, line in enumerate(lines[:3]):
        if line and len(line) < 60 and _DATE_LINE.match(line):
            found = parse_date(line, default_zone=WIB if "WIB" in line else None)
            if found:
                return found, lines[:index] + lines[index + 1:]
    return None, lines


def _paragraphs(lines: list[str]) -> list[str]:
    """Paragraphs from lines, in either layout writers use.

    Blocks are separated by blank lines. Inside a block, lines that mostly end
    a sentence are paragraphs of their own (one paragraph per line, short
    subheadings included); lines that mostly stop mid-sentence are a
    hard-wrapped paragraph and are joined. "Baca juga:" and other
    boilerplate lines always stand alone so they can be taken out.
    """
    blocks: list[list[str]] = [[]]
    for line in lines:
        if not line:
            blocks.append([])
        elif re.match(r"(?i)baca\s+juga|simak\s+juga", line) or is_boilerplate(line):
            blocks.extend([[line], []])
        else:
            blocks[-1].append(line)
    paragraphs: list[str] = []
    for block in blocks:
        if len(block) > 1 and not _one_per_line(block):
            paragraphs.append(" ".join(block))
        else:
            paragraphs.extend(block)
    return paragraphs


def _one_per_line(block: list[str]) -> bool:
    ended = sum(1 for line in block[:-1] if re.search(r"[.!?\"”’')]$", line))
    return ended * 2 >= len(block) - 1


def strip_dateline(text: str) -> str:
    """The lede without its dateline ("TRIBUNNEWS.COM -- ", "Jakarta - ")."""
    _, found = dateline(text)
    if found:
        return text[len(found):].strip() if text.startswith(found) else text
    match = _PLAIN_DATELINE.match(text)
    return text[match.end():].strip() if match else text


# Words that open a subordinate clause or an adverbial of time/place: a
# headline-length title ends before them ("... di Jakarta Timur | setelah hujan").
_CLAUSE_WORDS = {"setelah", "sejak", "karena", "yang", "saat", "ketika", "usai", "seusai", "untuk",
                 "dalam", "hingga", "sehingga", "namun", "meski", "meskipun", "pada", "sebagai",
                 "akibat", "dengan", "agar", "sambil", "selama", "menjelang", "jelang"}
_DAY_DATE = re.compile(r"(?:\s+pada)?\s*\b(?:Senin|Selasa|Rabu|Kamis|Jumat|Jum'at|Sabtu|Minggu)?\s*\(\d{1,2}/\d{1,2}(?:/\d{2,4})?\)")
_LOWER_PARENS = re.compile(r"\s*\((?![A-Z0-9]{2,}\))[^)]{0,40}\)")
TITLE_MIN_WORDS = 6


def derive_title(lede: str) -> str:
    """A headline-length title from the lede's first sentence.

    Drops the dateline, day-and-date asides ("Senin (23/10/2023)") and
    parenthesised glosses except acronyms ("(KPK)" stays), then ends the title
    before the first clause word after six words, or at a late comma, or at
    a word limit (marked with an ellipsis).
    """
    sentence = strip_dateline(lede)
    match = re.search(r"(?<=[^A-Z\s][.!?])\s", sentence)
    if match:
        sentence = sentence[:match.start()]
    sentence = _LOWER_PARENS.sub("", _DAY_DATE.sub("", sentence))
    sentence = re.sub(r"\s+", " ", sentence).strip().rstrip(".")
    words = sentence.split()
    if len(words) <= DERIVED_TITLE_WORDS:
        return sentence
    for index in range(TITLE_MIN_WORDS, len(words)):
        if words[index].lower().strip(",;:") in _CLAUSE_WORDS:
            return " ".join(words[:index]).rstrip(",;:")
    head = " ".join(words[:DERIVED_TITLE_WORDS])
    comma = head.rfind(",")
    if comma >= 0 and len(head[:comma].split()) >= TITLE_MIN_WORDS:
        return head[:comma]
    return head + "…"
