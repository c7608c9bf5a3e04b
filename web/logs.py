"""Logs for `cari serve`: one access line per request with its latency, and
JSON lines instead of text when ``CARI_LOG_FORMAT=json``.

``Logger`` is gunicorn's logger class (set in web/gunicorn_config.py). It
also sends the app's own ``cari.*`` loggers (index swaps, for one) to
gunicorn's error log, in the same format.
"""
from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timezone

from gunicorn import glogging

from search import settings as config

TEXT_ACCESS_FORMAT = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms'


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, pid, message (+ exc)."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": utc_now(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
        }
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def access_record(atoms: dict, request_time) -> dict:
    """The JSON access-log line of one request."""
    size = atoms.get("B")
    return {
        "time": utc_now(),
        "level": "info",
        "logger": "access",
        "pid": os.getpid(),
        "remote": atoms.get("h"),
        "method": atoms.get("m"),
        "path": atoms.get("U"),
        "query": atoms.get("q") or "",
        "status": int(atoms["s"]) if str(atoms.get("s", "")).isdigit() else atoms.get("s"),
        "bytes": size if isinstance(size, int) else None,
        "duration_ms": round(request_time.total_seconds() * 1000, 3),
        "user_agent": atoms.get("a"),
    }


class Logger(glogging.Logger):
    """gunicorn's logger, in cari's format; text unless CARI_LOG_FORMAT=json."""

    def setup(self, cfg):
        super().setup(cfg)
        self.json = config.log_format() == "json"
        if self.json:
            for handler in self.error_log.handlers:
                handler.setFormatter(JsonFormatter())
            for handler in self.access_log.handlers:
                handler.setFormatter(logging.Formatter("%(message)s"))
        app_log = logging.getLogger("cari")
        app_log.handlers = list(self.error_log.handlers)
        app_log.setLevel(self.loglevel)
        app_log.propagate = False

    def text_atoms(self, resp, environ, request_time) -> dict:
        """What TEXT_ACCESS_FORMAT prints, as gunicorn's ``atoms`` and
        ``SafeAtoms`` give it (a double quote escaped in text), without the
        request's and response's headers and the environ that gunicorn adds
        to them for formats that name them, on every request."""
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        sent = getattr(resp, "sent", None)
        atoms = {
            "h": environ.get("REMOTE_ADDR", "-"),
            "t": self.now(),
            "r": "%s %s %s" % (environ["REQUEST_METHOD"], environ["RAW_URI"], environ["SERVER_PROTOCOL"]),
            "s": status,
            "b": sent is not None and str(sent) or "-",
        }
        atoms = {k: v.replace('"', '\\"') if isinstance(v, str) else v for k, v in atoms.items()}
        atoms["M"] = request_time.seconds * 1000 + int(request_time.microseconds / 1000)
        return atoms

    def access(self, resp, req, environ, request_time):
        if not self.json:
            if self.cfg.access_log_format != TEXT_ACCESS_FORMAT:
                return super().access(resp, req, environ, request_time)
            if not self.access_log_enabled:
                return
            try:
                self.access_log.info(TEXT_ACCESS_FORMAT, self.text_atoms(resp, environ, request_time))
            except Exception:
                self.exception("could not write the access log line")
            return
        if not self.access_log_enabled:
            return
        try:
            record = access_record(self.atoms(resp, req, environ, request_time), request_time)
            self.access_log.info(json.dumps(record, ensure_ascii=False))
        except Exception:
            self.exception("could not write the access log line")
