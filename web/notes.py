"""The engine's notes in the page's language.

The engine (``search/``) explains partial results in English for developers
and the command line (``SearchResults.notes``). A page speaks one language,
so each kind of note is matched here to a catalog message
(web/messages.json), its numbers and words carried over. A note of a kind
not listed here is shown as the catalog's general "some results may be
missing" rather than in English.
"""
from __future__ import annotations

import re

from web import i18n

# Why the engine stopped short: the clock, or a busier search taking the slot.
CAUSES = (
    ("the search took too long", "note_cause_time"),
    ("the server is busy with other long searches", "note_cause_busy"),
)

# What the note says, after its cause: (pattern, catalog key). Named groups
# fill the message's placeholders.
KINDS = (
    (re.compile(r"only the first (?P<n>\d+) results are ranked"), "note_ranked"),
    (re.compile(r"(?P<prefix>\S+)\* matches many words: only the (?P<n>\d+) most frequent"), "note_prefix_capped"),
    (re.compile(r"(?P<prefix>\S+)\* was left out"), "note_prefix_left_out"),
    (re.compile(r"snippets are not marked"), "note_snippets"),
    (re.compile(r"could not all be counted"), "note_uncounted"),
    (re.compile(r"only some of the words are not ranked"), "note_some_words"),
    (re.compile(r"not ranked by relevance"), "note_unranked"),
    (re.compile(r"not checked for spelling"), "note_spelling"),
    (re.compile(r"results are incomplete"), "note_incomplete"),
)


def translate_note(note: str, lang: str | None = None) -> str:
    """One engine note as the page says it in ``lang``."""
    lang = lang or i18n.current_lang()
    for pattern, key in KINDS:
        found = pattern.search(note)
        if found:
            text = i18n.translate(key, lang, **found.groupdict())
            break
    else:
        text = i18n.translate("note_other", lang)
    for phrase, cause in CAUSES:
        if note.startswith(phrase):
            return i18n.translate(cause, lang) + " " + text
    return text


def translate_notes(notes, lang: str | None = None) -> list[str]:
    return list(dict.fromkeys(translate_note(note, lang) for note in notes))
