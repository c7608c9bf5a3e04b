"""The index a web worker serves: opened on first use, followed across swaps.

Opening lazily matters under gunicorn: an index opened before the fork would
share file positions between workers. The Engine hands each thread its own
Whoosh searcher, reused while the index is unchanged and replaced when a
commit lands, so new articles show up on the next request.

A rebuild with a new schema or analysis version is swapped in by
``search.indexing.generations`` (a ``CURRENT`` pointer naming a new generation directory).
``LiveIndex`` notices the pointer change with one ``stat`` per request, opens
an Engine on the new generation, and closes the old Engine, with all its
searchers and files, once the last request using it has finished.
"""
from __future__ import annotations

import logging
import threading
from functools import partial
from pathlib import Path

from flask import Flask, current_app, g

from search import store
from search.errors import CariError
from search.retrieval.engine import Engine
from search.retrieval.lanes import LIGHT

log = logging.getLogger("cari.engine")
EXTENSION = "cari_engine"
_UNSET = object()


def server_engine(index_dir, result_cache_size: int) -> Engine:
    """An Engine that warms each new index generation in the background."""
    return Engine(index_dir, background_warm=True, result_cache_size=result_cache_size)


class LiveIndex:
    """Hands out the Engine of the live index; counts requests per Engine."""

    def __init__(self, index_dir, opener=Engine):
        self.root = Path(index_dir)
        self._open = opener
        self._lock = threading.Lock()
        self._engine: Engine | None = None
        self._stamp = _UNSET
        self._users: dict[Engine, int] = {}
        self._retired: set[Engine] = set()

    def acquire(self) -> Engine:
        """The current Engine, counted as in use until ``release``."""
        stamp = store.pointer_stamp(self.root)
        with self._lock:
            if self._engine is None or stamp != self._stamp:
                self._follow(stamp)
            engine = self._engine
            self._users[engine] = self._users.get(engine, 0) + 1
            return engine

    def release(self, engine: Engine) -> None:
        with self._lock:
            left = self._users.pop(engine, 1) - 1
            if left > 0:
                self._users[engine] = left
            elif engine in self._retired:
                self._retired.discard(engine)
                engine.close()

    def _follow(self, stamp) -> None:
        """Open the generation CURRENT names; keep the old Engine if it cannot be served."""
        try:
            fresh = self._open(store.live_dir(self.root))
        except (CariError, ValueError) as exc:   # ValueError: a CURRENT naming no generation
            if self._engine is None:
                raise
            # E.g. a rebuild by newer code: serve what we have until the
            # workers are restarted (kill -HUP) with the code that matches.
            log.warning("keeping the index in %s: %s", self._engine.index_dir, exc)
            self._stamp = stamp
            return
        old, self._engine, self._stamp = self._engine, fresh, stamp
        if old is not None:
            log.info("now serving %s", fresh.index_dir)
            self._retire(old)

    def _retire(self, engine: Engine) -> None:
        if self._users.get(engine, 0) == 0:
            engine.close()
        else:
            self._retired.add(engine)

    def close(self) -> None:
        with self._lock:
            for engine in [self._engine, *self._retired]:
                if engine is not None:
                    engine.close()
            self._engine = None
            self._stamp = _UNSET
            self._retired.clear()
            self._users.clear()


def get_engine() -> Engine:
    """This request's Engine; raises IndexNotFound / IndexVersionError (search.errors) when unusable.

    The same Engine serves the whole request even if a swap lands meanwhile.
    """
    engine = g.get("_cari_engine")
    if engine is None:
        engine = live_index(current_app).acquire()
        g._cari_engine = engine
    return engine


def live_index(app: Flask) -> LiveIndex:
    live = app.extensions.get(EXTENSION)
    if live is None:
        with _create_lock:
            live = app.extensions.get(EXTENSION)
            if live is None:
                opener = partial(server_engine, result_cache_size=app.config["CARI_RESULT_CACHE"])
                live = LiveIndex(app.config["CARI_INDEX"], opener=opener)
                app.extensions[EXTENSION] = live
    return live


_create_lock = threading.Lock()


def _release_engine(exc=None) -> None:
    engine = g.pop("_cari_engine", None)
    if engine is not None:
        live_index(current_app).release(engine)


def close_engine(app: Flask) -> None:
    live = app.extensions.pop(EXTENSION, None)
    if live is not None:
        live.close()


def init_engine(app: Flask) -> None:
    app.extensions[EXTENSION] = None
    app.teardown_appcontext(_release_engine)
    # Every request is light until its search turns heavy
    # (search/retrieval/lanes.py): heavy searches step aside for it. From the
    # app's first hook to its last, so writing the answer to a slow client
    # does not count.
    app.before_request(LIGHT.enter)
    app.teardown_request(_leave_lane)


def _leave_lane(exc=None) -> None:
    LIGHT.leave()


def warm_engine(app: Flask) -> None:
    """Open the index and build its caches in a fresh worker, before the first
    request pays for them. A missing index is not an error here: requests
    answer 503 until one exists."""
    with app.app_context():
        try:
            get_engine().warm(settle=True)     # a worker: its caches frozen for the collector
        except Exception as exc:  # noqa: BLE001 - warming is best effort
            app.logger.warning("index not warmed: %s", exc)
