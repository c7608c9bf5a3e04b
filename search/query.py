"""User text → Whoosh query.

Every word must match by default (AND); the searcher falls back to OR when
that finds nothing. Whoosh's parser raises on some input, so parsing is
wrapped: a user only ever sees a QueryError with a message.
"""
from __future__ import annotations

from whoosh import qparser
from whoosh.query import Query

MAX_QUERY_CHARS = 500
SEARCH_FIELDS = ("title", "body")


class QueryError(ValueError):
    """The query cannot be run; the message is meant for the user."""


def clean_text(text: str) -> str:
    """Drop control characters and squeeze whitespace."""
    text = "".join(ch if ch.isprintable() else " " for ch in text or "")
    return " ".join(text.split())


def build_parser(schema, group=qparser.AndGroup) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(list(SEARCH_FIELDS), schema, group=group)
    # Wildcards have no expansion cap in Whoosh; they come with the query
    # language work, bounded.
    parser.remove_plugin_class(qparser.WildcardPlugin)
    return parser


def parse_query(text: str, schema, match_all: bool = True) -> Query:
    text = clean_text(text)
    if not text:
        raise QueryError("empty query: type one or more words")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long: at most {MAX_QUERY_CHARS} characters")
    group = qparser.AndGroup if match_all else qparser.OrGroup
    try:
        return build_parser(schema, group).parse(text)
    except Exception as exc:  # whoosh raises assorted errors on odd input
        raise QueryError(f"cannot understand the query: {exc}") from None
