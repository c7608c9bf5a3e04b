"""cari: search for Indonesian news, as a library.

The public API (stable across releases; everything else may move)::

    from search import Engine, index_corpus, analyze, extract

    report = index_corpus("corpus", "index")        # an IndexReport
    with Engine("index") as engine:
        results = engine.search("banjir jakarta")   # a SearchResults of Hits

Names are imported on first use, so ``import search`` stays cheap (gunicorn's
master reads ``search.settings`` before any worker exists).

The package, by concept: ``readers/`` (files to Article records),
``analysis/`` (Indonesian analysis), ``schema``/``fields`` (the Whoosh
schema), ``indexing/`` (writing an index), ``retrieval/`` (reading it),
``store`` and ``columns`` (the index on disk, shared by both), ``cli``.
"""
from __future__ import annotations

from search import _moved

_moved.install()

_PUBLIC = {
    "Engine": "search.retrieval.engine",
    "SearchResults": "search.retrieval.results",
    "Hit": "search.retrieval.results",
    "index_corpus": "search.indexing.indexer",
    "IndexReport": "search.indexing.report",
    "analyze": "search.analysis",
    "extract": "search.readers",
    "Article": "search.article",
    "CariError": "search.errors",
    "IndexNotFound": "search.errors",
    "IndexVersionError": "search.errors",
    "IndexerBusy": "search.errors",
    "QueryError": "search.errors",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'search' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
