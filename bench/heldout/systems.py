"""The systems the held-out collection pools and scores, each over clickid alone.

The topics are about clickid, so every index here holds clickid only (the
quality benchmark's indexes add IndoSum). The systems are those of
``bench.quality``: cari; cari's index shape and query path with a peer
analyzer (no stemming, Snowball, Sastrawi); and tantivy, which is any-word
BM25 over title and body with no stemming. Indexes are built under
``common.work_dir()`` once and reused by the pooling script and the runner.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from bench import common, quality
from bench.indexing import _done, base_corpus, ensure_index

SYSTEMS = ("cari", "nostem", "snowball", "sastrawi", "tantivy")
LABELS = {**quality.LABELS, "tantivy": "any-word BM25, no stemming (tantivy)"}
# The pool: cari, any-word BM25 with no stemming, and a Snowball peer.
POOLED = ("cari", "tantivy", "snowball")


def index_dir(system: str) -> Path:
    """The system's index of clickid, built if this work dir does not have it yet."""
    if system in ("cari", "tantivy"):
        return ensure_index(system, "base")
    path = common.work_dir() / f"index-{system}-base"
    if not _done(path).exists():
        shutil.rmtree(path, ignore_errors=True)
        print(f"heldout: building the {system} index of clickid", file=sys.stderr, flush=True)
        common.run_probe("bench.quality:build_analyzer_index",
                         {"name": system, "corpus": str(base_corpus(False)), "index_dir": str(path)},
                         sample_memory=False)
        _done(path).touch()
    return path


def open_search(system: str, depth: int):
    """(search(query) -> ids, searcher to close) for ``system`` at ``depth``."""
    return quality.search_function(system, index_dir(system), {"depth": depth})
