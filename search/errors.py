"""cari's exceptions: one small hierarchy, mapped once by the CLI (exit
codes, ``search/cli.py``) and once by the web app (``web/errors.py``).

Every message is written for the person who will read it: what is wrong
and what to do.
"""
from __future__ import annotations


class CariError(Exception):
    """Anything cari reports to its user rather than crashing on."""


class IndexNotFound(CariError):
    """There is no index at the given path."""


class IndexVersionError(CariError):
    """The index was built by another analysis version or schema: rebuild it."""


class MisalignedIndex(IndexVersionError):
    """A segment's column disagrees with its document count: rebuild the index."""


class IndexerBusy(CariError):
    """Another indexer holds the index's write lock."""


class CorpusNotFound(CariError, FileNotFoundError):
    """The corpus directory does not exist."""


class QueryError(CariError, ValueError):
    """The query cannot be run; the message is meant for the user.

    ``code`` names the kind of problem so a UI can word it in its own language.
    """

    def __init__(self, message: str, code: str = "bad_query"):
        super().__init__(message)
        self.message = message
        self.code = code
