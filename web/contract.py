"""The API's contract: its parameters and cache lifetimes, declared once.

``web/api.py`` validates requests against these declarations and
``web/openapi.py`` documents them, so the two cannot drift; the search page
(``web/pages.py``) takes its limits from ``SEARCH`` as well.
"""
from __future__ import annotations

from search.retrieval.engine import MAX_PAGE, MAX_PER_PAGE, MAX_RANKED
from search.retrieval.results import SORTS
from search.retrieval.query import MAX_CLAUSES, MAX_QUERY_CHARS
from web.params import Param, ParamSet

MAX_AGE = {"search": 60, "suggest": 300, "article": 300, "stats": 10, "openapi": 3600, "filters": 60}
RELATED_LIMIT = 5

SEARCH = ParamSet((
    Param("q", "text", "The query: words (all must match; when no article has them all, articles "
          "with any are returned and matched_all is false), \"a phrase\", -excluded, OR, ( ), "
          "judul:, sumber:, kategori:, tanggal:2019-09, prefix*. Text with nothing searchable in it "
          f"(spaces, punctuation, emoji) finds nothing. More than {MAX_CLAUSES} words, or a date "
          "the query language cannot read, is a 400.",
          required=True, minimum=1, maximum=MAX_QUERY_CHARS, example="banjir jakarta"),
    Param("page", "integer", f"Page of results, from 1. Only the first {MAX_RANKED} results are "
          "ranked: a page past them comes back with no hits (total still counts every match).",
          default=1, minimum=1, maximum=MAX_PAGE),
    Param("per_page", "integer", "Results per page.", default=10, minimum=1, maximum=MAX_PER_PAGE),
    Param("sort", "choice", "Order: by relevance, or newest first.", default="relevance", choices=SORTS),
    Param("source", "list", "Only these publishers (repeat the parameter for several): a key "
          "(kompas), a domain (kompas.com) or a display name (Kompas.com), in any case. "
          "/api/filters lists them; a value no article has comes back in `warnings`.",
          maximum=50, max_items=10, example=["kabarnusa"]),
    Param("category", "list", "Only these categories (repeat for several): one of cari's own "
          "(olahraga, ekonomi, …) or any publisher label mapped to it (bola, sports), in any case. "
          "/api/filters lists them; a value no article has comes back in `warnings`.",
          maximum=50, max_items=10),
    Param("month", "month", "Only articles of this month (YYYY-MM), as the month filter of the "
          "search page. With date_from/date_to: the days in both.", example="2019-09"),
    Param("date_from", "date", "Only articles dated on or after this day.", example="2019-01-01"),
    Param("date_to", "date", "Only articles dated on or before this day. A range that ends before "
          "it starts finds nothing."),
    Param("facets", "boolean", "Count results by source, category and month.", default=True),
    Param("highlight", "boolean", "Mark query terms in snippets with <mark>.", default=True),
    Param("group", "boolean", "Near-duplicate articles (the same story syndicated or rewritten) "
          "under the best-ranked one: each hit's `group` names its story and `similar` lists the "
          "story's other matching articles, which leave the list. false: every article on its own.",
          default=True),
    Param("diverse", "boolean", "No publisher takes more than half of the first 10 results when "
          "another publisher's stories score at least 0.8 of its own (relevance order only). "
          "false: the ranking as scored.", default=True),
))

SUGGEST = ParamSet((
    Param("q", "text", "What the user has typed so far.", default="", minimum=0, maximum=100,
          example="banj"),
    Param("limit", "integer", "Most suggestions to return.", default=8, minimum=1, maximum=20),
))


ARTICLE = ParamSet((
    Param("id", "text", "An article id, as in search hits. Any id works here, including those "
          "the path form /api/articles/{article_id} cannot carry (holding \"/\", or only dots).",
          required=True, minimum=1, maximum=1000, example="24591999ebc2d598"),
))
