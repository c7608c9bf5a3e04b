"""`cari serve`: run the web app under gunicorn with the project's config.

Flags override the ``CARI_*`` variables the config file reads
(search/settings.py, docs/configuration.md); the app finds its index through
``CARI_INDEX``. Every setting is checked here first, so a bad value stops
`cari serve` with one line rather than a gunicorn traceback.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

CONFIG_FILE = Path(__file__).resolve().parents[1] / "web" / "gunicorn_config.py"
APP = "web:create_app()"


def gunicorn_argv(host: str | None = None, port: int | None = None,
                  workers: int | None = None, threads: int | None = None) -> list[str]:
    """The gunicorn command line (the index goes through CARI_INDEX: see ``serve``)."""
    from search import settings

    argv = [sys.executable, "-m", "gunicorn", "--config", str(CONFIG_FILE)]
    if host is not None or port is not None:
        host = host or settings.value("CARI_HOST")
        port = port or settings.value("CARI_PORT")
        argv += ["--bind", f"{host}:{port}"]
    if workers:
        argv += ["--workers", str(workers)]
    if threads:
        argv += ["--threads", str(threads)]
    argv.append(APP)
    return argv


def serve(index: str, host: str | None = None, port: int | None = None,
          workers: int | None = None, threads: int | None = None) -> int:
    """Replace this process with gunicorn; SettingError when a setting is bad."""
    from search import settings

    os.environ["CARI_INDEX"] = os.path.abspath(index)
    settings.read()   # what the config file and the app will read, checked before gunicorn starts
    argv = gunicorn_argv(host, port, workers, threads)
    os.execv(sys.executable, argv)
    return 0  # not reached
