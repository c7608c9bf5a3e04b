"""`cari serve`: run the web app under gunicorn with the project's config."""
from __future__ import annotations

import os
import sys


def serve(index: str, host: str, port: int, workers: int | None = None) -> int:
    """Replace this process with gunicorn; the app finds its index via CARI_INDEX."""
    os.environ["CARI_INDEX"] = os.path.abspath(index)
    argv = [
        sys.executable, "-m", "gunicorn",
        "--config", "python:web.gunicorn_config",
        "--bind", f"{host}:{port}",
    ]
    if workers:
        argv += ["--workers", str(workers)]
    argv.append("web:create_app()")
    os.execv(sys.executable, argv)
    return 0  # not reached
