"""Old import paths of modules that moved, kept working for one release.

The engine's modules were grouped into ``search/indexing/`` and
``search/retrieval/``. A program that still imports ``search.searcher`` or
``search.indexer`` gets the new module under the old name, with a
DeprecationWarning naming the new path. Remove after the next release.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

MOVED = {
    "search.indexer": "search.indexing.indexer",
    "search.writers": "search.indexing.writers",
    "search.swap": "search.indexing.generations",
    "search.progress": "search.indexing.progress",
    "search.meta": "search.store",
    "search.searcher": "search.retrieval.engine",
    "search.query": "search.retrieval.query",
    "search.scoring": "search.retrieval.scoring",
    "search.facets": "search.retrieval.facets",
    "search.highlight": "search.retrieval.highlight",
    "search.spelling": "search.retrieval.spelling",
    "search.suggest": "search.retrieval.suggest",
    "search.related": "search.retrieval.related",
    "search.result_cache": "search.retrieval.result_cache",
    "search.responses": "search.retrieval.responses",
    "search.recency": "search.retrieval.recency",
    "search.spellfield": "search.fields",
    "search.config": "search.settings",
}


class _Alias(importlib.abc.Loader):
    def __init__(self, new: str):
        self.new = new

    def create_module(self, spec):
        return importlib.import_module(self.new)

    def exec_module(self, module):
        pass


class MovedModules(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        new = MOVED.get(fullname)
        if new is None:
            return None
        warnings.warn(f"{fullname} moved to {new}; the old name goes in the next release",
                      DeprecationWarning, stacklevel=3)
        return importlib.util.spec_from_loader(fullname, _Alias(new))


def install() -> None:
    if not any(isinstance(f, MovedModules) for f in sys.meta_path):
        sys.meta_path.append(MovedModules())
