"""One search Engine per app and process, opened on first use.

Opening lazily matters under gunicorn: an index opened before the fork would
share file positions between workers. The Engine hands each thread its own
Whoosh searcher, so requests never share one.
"""
from __future__ import annotations

import threading

from flask import Flask, current_app

from search.searcher import Engine

_lock = threading.Lock()


def get_engine() -> Engine:
    """The app's Engine; raises IndexNotFound / IndexVersionError when unusable."""
    app = current_app
    engine = app.extensions.get("cari_engine")
    if engine is None:
        with _lock:
            engine = app.extensions.get("cari_engine")
            if engine is None:
                engine = Engine(app.config["CARI_INDEX"])
                app.extensions["cari_engine"] = engine
    return engine


def close_engine(app: Flask) -> None:
    engine = app.extensions.pop("cari_engine", None)
    if engine is not None:
        engine.close()


def init_engine(app: Flask) -> None:
    app.extensions["cari_engine"] = None
