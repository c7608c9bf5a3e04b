"""Every setting cari reads from outside, declared once.

A setting is a ``CARI_*`` environment variable with a type, a default and a
help line (``Setting``, in ``SETTINGS`` below). docs/configuration.md lists
the same names, and tests/test_settings.py holds the two in step.

Settings are read at start-up and passed in: the CLI takes its defaults from
here, ``cari serve`` checks them all before it starts gunicorn, the web app
factory (``web.create_app``) puts the ones the app uses into ``app.config``,
typed and checked, and the Engine gets its result cache size as an argument.
A bad value stops the program with one line naming the variable and what it
takes (``SettingError``). A ``cari`` flag, where a command has one, wins over
its variable.

This module imports nothing heavy: gunicorn's master reads it through
web/gunicorn_config.py before any worker exists.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from search.errors import CariError


class SettingError(CariError, ValueError):
    """A setting holds a value cari cannot use; the message names it and says what it takes."""


# What each kind of setting is, for messages (``type`` of a Setting).
KINDS = ("text", "path", "int", "choice", "bool", "list", "log", "rate", "url")
LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
# Sections of docs/configuration.md; "bench" and "test" settings are read by
# bench/ and tests/ themselves and are declared here so the docs test knows them.
SECTIONS = {
    "index": "Index and corpus",
    "serve": "Serving",
    "web": "API and pages",
    "logs": "Logs",
    "bench": "Benchmarks",
    "test": "Tests only",
}


@dataclass(frozen=True)
class Setting:
    name: str
    type: str                    # one of KINDS
    default: Any                 # the value when the variable is unset or empty
    help: str
    section: str                 # a key of SECTIONS
    minimum: int | None = None   # for "int"
    choices: tuple = ()          # for "choice"

    def parse(self, raw) -> Any:
        """``raw`` (a string from the environment, or a value given in code) as
        this setting's value; the default when it is None or empty."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return self.default
        return _PARSERS[self.type](self, raw)

    def read(self, environ=None) -> Any:
        environ = os.environ if environ is None else environ
        return self.parse(environ.get(self.name))

    def fail(self, what: str, raw) -> SettingError:
        """The one-line message: ``CARI_PORT must be a whole number, not 'x'``."""
        return SettingError(f"{self.name} must {what}, not {raw!r}")


def _text(setting: Setting, raw) -> str:
    return str(raw)


def _int(setting: Setting, raw) -> int:
    if isinstance(raw, bool):
        raise setting.fail("be a whole number", raw)
    try:
        value = int(str(raw).strip()) if isinstance(raw, str) else int(raw)
    except (TypeError, ValueError):
        raise setting.fail("be a whole number", raw) from None
    if setting.minimum is not None and value < setting.minimum:
        raise setting.fail(f"be at least {setting.minimum}", value)
    return value


def _choice(setting: Setting, raw) -> str:
    value = str(raw).strip().lower()
    if value not in setting.choices:
        raise setting.fail(f"be one of {', '.join(setting.choices)}", value)
    return value


def _bool(setting: Setting, raw) -> bool:
    return str(raw).strip().lower() not in ("0", "false", "no", "off")


def _list(setting: Setting, raw) -> tuple:
    """A comma-separated list (or a list given in code), without blanks."""
    items = raw.split(",") if isinstance(raw, str) else raw
    return tuple(str(item).strip() for item in items if str(item).strip())


def _log(setting: Setting, raw) -> str | None:
    """A log destination: "-" for stdout/stderr, a file path, or None for "off"."""
    value = str(raw)
    return None if value.lower() in ("off", "none", "0") else value


RATE_RULE = re.compile(r"\s*(\d+)\s*/\s*(s|m|h|\d+(?:\.\d+)?)\s*")
RATE_PERIODS = {"s": 1.0, "m": 60.0, "h": 3600.0}


def _rate(setting: Setting, raw) -> tuple[int, float] | None:
    """"N/PERIOD" (PERIOD s, m, h or seconds) as (burst N, seconds per PERIOD); None for off."""
    if isinstance(raw, tuple):
        return raw
    if raw in (False, 0) or str(raw).strip().lower() == "off":
        return None
    match = RATE_RULE.fullmatch(str(raw))
    if not match or int(match.group(1)) < 1:
        raise setting.fail("look like '120/m' or 'off'", raw)
    return int(match.group(1)), RATE_PERIODS.get(match.group(2)) or float(match.group(2))


BASE_URL = re.compile(r"https?://[A-Za-z0-9.\-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~\-/]*)?")


def _url(setting: Setting, raw) -> str:
    """An http(s) URL with an optional path prefix, without its trailing slash."""
    if not BASE_URL.fullmatch(str(raw)):
        raise setting.fail("look like https://cari.example.org[/prefix]", raw)
    return str(raw).rstrip("/")


_PARSERS = {"text": _text, "path": _text, "int": _int, "choice": _choice, "bool": _bool,
            "list": _list, "log": _log, "rate": _rate, "url": _url}


def _declare(*settings: Setting) -> dict[str, Setting]:
    table = {}
    for setting in settings:
        assert setting.name not in table and setting.type in KINDS and setting.section in SECTIONS, setting
        table[setting.name] = setting
    return table


SETTINGS: dict[str, Setting] = _declare(
    # -- index and corpus -------------------------------------------------------------
    Setting("CARI_INDEX", "path", "index", "the index directory (`--index` wins)", "index"),
    Setting("CARI_CORPUS", "path", "corpus", "the corpus directory of `cari index` when none is given",
            "index"),
    Setting("CARI_SYNONYMS", "path", None,
            "a synonym file (Elasticsearch/Solr format) added to cari's own list; re-read when it changes",
            "index"),
    Setting("CARI_DEBUG", "bool", False,
            "an unexpected error in a `cari` command shows its traceback instead of one line", "logs"),
    # -- serving (web/gunicorn_config.py, `cari serve`) --------------------------------
    Setting("CARI_HOST", "text", "127.0.0.1", "address to listen on (`--host` wins)", "serve"),
    Setting("CARI_PORT", "int", 8000, "port to listen on (`--port` wins)", "serve", minimum=1),
    Setting("CARI_BIND", "text", None,
            "a full gunicorn bind (host:port or unix:/path) instead of CARI_HOST:CARI_PORT", "serve"),
    Setting("CARI_WORKERS", "int", None, "worker processes (default: the cores available)", "serve",
            minimum=1),
    Setting("CARI_THREADS", "int", 4, "threads per worker, each with its own searcher", "serve",
            minimum=1),
    Setting("CARI_TIMEOUT", "int", 30, "seconds a request may run before its worker is restarted",
            "serve", minimum=1),
    Setting("CARI_GRACEFUL_TIMEOUT", "int", 20, "seconds workers get to finish on shutdown or reload",
            "serve", minimum=1),
    Setting("CARI_KEEPALIVE", "int", 5, "seconds an idle keep-alive connection stays open", "serve",
            minimum=0),
    Setting("CARI_CONTROL_SOCKET", "path", None, "path of gunicorn's control socket (off by default)",
            "serve"),
    Setting("CARI_PINNED_MB", "int", None,
            "MB each worker holds of the frequent terms' decoded postings (default: its share of 1/32 "
            "of the machine's memory)", "serve", minimum=0),
    # -- the web app (app.config) --------------------------------------------------------
    Setting("CARI_RESULT_CACHE", "int", 1024, "searches each worker remembers; 0 turns the cache off",
            "web", minimum=0),
    Setting("CARI_RATE_LIMIT", "rate", None, "per-client limit on the API and pages, e.g. 120/m", "web"),
    Setting("CARI_CORS_ORIGINS", "list", (), "origins allowed to call the API from a browser, or *",
            "web"),
    Setting("CARI_MAX_URL_BYTES", "int", 8000, "a longer request URL gets a JSON 413", "web", minimum=1),
    Setting("CARI_MAX_ARTICLE_CHARS", "int", 200_000,
            "the most body characters an article page or API answer sends", "web", minimum=1000),
    Setting("CARI_BASE_URL", "url", "", "the app's public URL, for links that must be absolute", "web"),
    # -- logs ------------------------------------------------------------------------------
    Setting("CARI_ACCESS_LOG", "log", "-", "access log: - (stdout), a file, or off", "logs"),
    Setting("CARI_ERROR_LOG", "log", "-", "error log: - (stderr), a file, or off", "logs"),
    Setting("CARI_LOG_LEVEL", "choice", "info", "the error log's level", "logs", choices=LOG_LEVELS),
    Setting("CARI_LOG_FORMAT", "choice", "text", "text, or json for JSON lines", "logs",
            choices=LOG_FORMATS),
    # -- benchmarks (read by bench/common.py and its modules) --------------------------------
    Setting("CARI_BENCH_CORPUS", "path", None, "the corpus `python -m bench` indexes", "bench"),
    Setting("CARI_BENCH_EXTRA", "path", None, "a corpus added for quality runs", "bench"),
    Setting("CARI_BENCH_OUT", "path", None, "where benchmarks.md, img/ and bench-results/ go", "bench"),
    Setting("CARI_BENCH_WORK", "path", None, "a scratch directory shared by one run's modules", "bench"),
    Setting("CARI_BENCH_PROCS", "int", 2, "processes of cari's indexer in benchmarks", "bench", minimum=1),
    Setting("CARI_BENCH_INDOSUM", "choice", "sample", "IndoSum known items scored: sample or full",
            "bench", choices=("sample", "full")),
    Setting("CARI_LOAD_INDEX", "path", None, "an existing index for `python -m bench.load`", "bench"),
    Setting("CARI_QUERIES_INDEX", "path", None, "cari's index for `python -m bench.queries`", "bench"),
    Setting("CARI_QUERIES_PLAIN", "path", None, "the plain index for `python -m bench.queries`", "bench"),
    Setting("CARI_STORIES_INDEX", "path", None, "cari's index for `python -m bench.stories`", "bench"),
    Setting("CARI_SCALING_FACTORS", "list", None,
            "corpus multiples `python -m bench.scaling` measures (alone: 1,4,16; in `make bench`: 1,4)", "bench"),
    Setting("CARI_SCALING_BUILT", "list", None,
            "sizes `python -m bench.scaling` builds; the others are copies of the 1× segments", "bench"),
    Setting("CARI_WRK_PATHS", "path", None, "set by bench.load for its wrk script: the paths to ask",
            "bench"),
    # -- tests only --------------------------------------------------------------------------
    Setting("CARI_TEST_STALL_PATH", "text", None,
            "a request for this path hangs in gunicorn's pre_request (tests of the watchdog)", "test"),
    Setting("CARI_SCHEMATHESIS_EXAMPLES", "int", 50, "examples per API operation in schemathesis tests",
            "test", minimum=1),
    Setting("CARI_SCHEMATHESIS_SEED", "int", 20261125, "the schemathesis tests' seed", "test"),
    Setting("CARI_UPDATE_EXAMPLES", "int", 50, "examples of the index-update state machine test", "test",
            minimum=1),
    Setting("CARI_SCREENSHOTS", "bool", False, "browser tests write the README's screenshots", "test"),
)

# The settings web.create_app() puts into app.config.
WEB_APP = ("CARI_INDEX",) + tuple(name for name, s in SETTINGS.items() if s.section == "web")
# Everything `cari serve` checks before it starts gunicorn (the config file's and the app's).
SERVED = tuple(name for name, s in SETTINGS.items() if s.section in ("index", "serve", "web", "logs"))

def default(name: str) -> Any:
    return SETTINGS[name].default


def value(name: str, environ=None) -> Any:
    """The setting's value from the environment (or ``environ``), typed and checked."""
    return SETTINGS[name].read(environ)


def read(names=SERVED, environ=None) -> dict[str, Any]:
    """``{name: value}`` for ``names``; SettingError on the first bad value."""
    return {name: value(name, environ) for name in names}


def parse_config(config: dict) -> dict:
    """``config`` with each ``CARI_*`` entry parsed by its setting (others as
    they are); SettingError on a bad value or an unknown ``CARI_*`` name."""
    out = {}
    for key, raw in config.items():
        if key.startswith("CARI_"):
            if key not in SETTINGS:
                raise SettingError(f"{key} is not a cari setting (docs/configuration.md lists them)")
            raw = SETTINGS[key].parse(raw)
        out[key] = raw
    return out


def get_int(name: str, environ=None) -> int:
    """An "int" setting's value (kept for callers in bench/)."""
    return value(name, environ)


def cpu_count() -> int:
    """Cores this process may run on (a container's limit, not the host's)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def memory_mb() -> int:
    """The memory this process may use, in MB: the machine's, or a container's
    (cgroup v2) limit when lower; 4096 when neither can be read."""
    found = []
    try:
        found.append(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2**20)
    except (OSError, ValueError, AttributeError):
        pass
    try:
        with open("/sys/fs/cgroup/memory.max") as f:
            limit = f.read().strip()
        if limit.isdigit():
            found.append(int(limit) // 2**20)
    except OSError:
        pass
    return min(found) if found else 4096


def workers(environ=None) -> int:
    """One worker process per core: search is CPU-bound Python, so more
    processes than cores only add memory (each keeps its own searchers)."""
    return value("CARI_WORKERS", environ) or cpu_count()


def bind(environ=None) -> str:
    """``CARI_BIND`` (host:port, or unix:/path) or ``CARI_HOST``:``CARI_PORT``."""
    return value("CARI_BIND", environ) or f"{value('CARI_HOST', environ)}:{value('CARI_PORT', environ)}"


def log_format(environ=None) -> str:
    return value("CARI_LOG_FORMAT", environ)


def log_target(name: str, environ=None) -> str | None:
    """A log destination: "-" for stdout/stderr, a file path, or None for "off"."""
    return value(name, environ)
