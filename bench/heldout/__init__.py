"""cari's own held-out evaluation collection over clickid (README.md here).

``python -m bench heldout`` scores cari and its peers on both halves, per kind
of query (``bench.heldout.score``); ``python -m bench.heldout.pool`` made the
pool that was judged.
"""
from bench.heldout.score import markdown, run

__all__ = ["markdown", "run"]
