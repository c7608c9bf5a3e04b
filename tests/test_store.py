"""The index on disk: opening it safely, and the old import paths.

An index written before a field class moved names that class's old module in
its pickled schema. cari reads cari-meta.json before Whoosh unpickles the
schema, so such an index gets the rebuild message, never a traceback.
"""
from __future__ import annotations

import importlib
import json
import sys
import warnings

import pytest
from whoosh import fields

from search.errors import IndexNotFound, IndexVersionError
from search.store import META_FILE, open_index


def index_with_a_class_that_is_gone(tmp_path, monkeypatch, version: str):
    """A Whoosh index whose schema pickles a field class from a module that no
    longer exists (as an index written before a move does)."""
    module_dir = tmp_path / "mods"
    module_dir.mkdir()
    (module_dir / "gone_fields.py").write_text(
        "from whoosh import fields\n\nclass OldText(fields.TEXT):\n    pass\n", "utf-8")
    monkeypatch.syspath_prepend(str(module_dir))
    gone = importlib.import_module("gone_fields")
    index_dir = tmp_path / "idx"
    index_dir.mkdir()
    from whoosh.filedb.filestore import FileStorage

    ix = FileStorage(str(index_dir)).create_index(fields.Schema(body=gone.OldText(stored=True)))
    with ix.writer() as writer:
        writer.add_document(body="banjir di kota")
    (index_dir / META_FILE).write_text(json.dumps({"analysis_version": version}), "utf-8")
    monkeypatch.delitem(sys.modules, "gone_fields")
    (module_dir / "gone_fields.py").unlink()
    return index_dir


def test_an_index_of_an_older_version_asks_for_a_rebuild_before_unpickling(tmp_path, monkeypatch):
    index_dir = index_with_a_class_that_is_gone(tmp_path, monkeypatch, "id-0")
    with pytest.raises(IndexVersionError, match="built with analysis version id-0.*rebuild"):
        open_index(index_dir)


def test_an_index_that_cannot_be_unpickled_asks_for_a_rebuild(tmp_path, monkeypatch):
    from search.analysis import ANALYSIS_VERSION

    index_dir = index_with_a_class_that_is_gone(tmp_path, monkeypatch, ANALYSIS_VERSION)
    with pytest.raises(IndexVersionError, match="cannot be read by this cari.*rebuild"):
        open_index(index_dir)


def test_no_index_says_how_to_build_one(tmp_path):
    with pytest.raises(IndexNotFound, match="cari index DIR"):
        open_index(tmp_path / "nothing")


def test_old_module_paths_still_import_with_a_warning():
    import search  # noqa: F401  (installs the old-path aliases)
    from search.retrieval.engine import Engine

    sys.modules.pop("search.searcher", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = importlib.import_module("search.searcher")
    assert old.Engine is Engine
    assert any(issubclass(w.category, DeprecationWarning) and "search.retrieval.engine" in str(w.message)
               for w in caught)


def test_the_public_api_is_importable_from_search():
    import search

    for name in search.__all__:
        assert getattr(search, name) is not None, name
