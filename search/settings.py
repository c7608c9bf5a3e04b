"""Settings read from the environment, in one place (documented in docs/configuration.md).

Every setting has a ``CARI_*`` variable; CLI flags, where a command has one,
win over the variable. This module imports nothing heavy: gunicorn's master
reads it through web/gunicorn_config.py before any worker exists.
"""
from __future__ import annotations

import os

DEFAULTS = {
    "CARI_INDEX": "index",
    "CARI_CORPUS": "corpus",
    "CARI_HOST": "127.0.0.1",
    "CARI_PORT": "8000",
    "CARI_THREADS": "4",
    "CARI_TIMEOUT": "30",
    "CARI_GRACEFUL_TIMEOUT": "20",
    "CARI_KEEPALIVE": "5",
    "CARI_ACCESS_LOG": "-",
    "CARI_ERROR_LOG": "-",
    "CARI_LOG_LEVEL": "info",
    "CARI_LOG_FORMAT": "text",
    "CARI_RESULT_CACHE": "1024",
    "CARI_BASE_URL": "",                 # public URL of the app, for absolute links (opensearch.xml)
    "CARI_MAX_ARTICLE_CHARS": "200000",  # most body characters an article page or API answer sends
}
LOG_FORMATS = ("text", "json")


def get(name: str, environ=None) -> str:
    """The variable's value, or its default when unset or empty."""
    environ = os.environ if environ is None else environ
    return environ.get(name) or DEFAULTS[name]


def get_int(name: str, environ=None, minimum: int = 1) -> int:
    raw = get(name, environ)
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
    return value


def cpu_count() -> int:
    """Cores this process may run on (a container's limit, not the host's)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def workers(environ=None) -> int:
    """One worker process per core: search is CPU-bound Python, so more
    processes than cores only add memory (each keeps its own searchers)."""
    environ = os.environ if environ is None else environ
    if environ.get("CARI_WORKERS"):
        return get_int("CARI_WORKERS", environ)
    return cpu_count()


def bind(environ=None) -> str:
    """``CARI_BIND`` (host:port, or unix:/path) or ``CARI_HOST``:``CARI_PORT``."""
    environ = os.environ if environ is None else environ
    if environ.get("CARI_BIND"):
        return environ["CARI_BIND"]
    return f"{get('CARI_HOST', environ)}:{get_int('CARI_PORT', environ)}"


def log_format(environ=None) -> str:
    value = get("CARI_LOG_FORMAT", environ).lower()
    if value not in LOG_FORMATS:
        raise ValueError(f"CARI_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {value!r}")
    return value


def log_target(name: str, environ=None) -> str | None:
    """A log destination: "-" for stdout/stderr, a file path, or None for "off"."""
    value = get(name, environ)
    return None if value.lower() in ("off", "none", "0") else value
