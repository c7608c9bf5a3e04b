"""web/logs.py: the text access line is the one gunicorn's own atoms make of
the same request, for the format cari sets (TEXT_ACCESS_FORMAT)."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger as GunicornLogger
from gunicorn.glogging import SafeAtoms

from web.logs import TEXT_ACCESS_FORMAT, Logger


def environ(uri: str, **extra) -> dict:
    return {"REQUEST_METHOD": "GET", "RAW_URI": uri, "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "PATH_INFO": uri.split("?")[0], "QUERY_STRING": uri.partition("?")[2], "HTTP_USER_AGENT": "wrk",
            **extra}


@pytest.mark.parametrize("uri, status, sent, took", [
    ("/api/search?q=banjir", "200 OK", 5321, timedelta(microseconds=6_543)),
    ('/api/search?q="banjir+bandang"', "304 Not Modified", 0, timedelta(seconds=2, microseconds=999)),
    ("/x?q=%22a%22", "404 NOT FOUND", None, timedelta(0)),
    ('/"quoted"', 500, 12, timedelta(seconds=1)),
])
def test_text_access_line_is_gunicorns(uri, status, sent, took, monkeypatch):
    cfg = Config()
    logger = Logger(cfg)
    monkeypatch.setattr(logger, "now", lambda: "[05/Dec/2026:14:00:00 +0000]")
    resp = SimpleNamespace(status=status, sent=sent, headers=[("Content-Type", "application/json")])
    req = SimpleNamespace(headers=[("Host", "127.0.0.1"), ("User-Agent", "wrk")])
    env = environ(uri)
    ours = TEXT_ACCESS_FORMAT % logger.text_atoms(resp, env, took)
    theirs = TEXT_ACCESS_FORMAT % SafeAtoms(GunicornLogger.atoms(logger, resp, req, env, took))
    assert ours == theirs
    assert ours.endswith(f"{took.seconds * 1000 + took.microseconds // 1000}ms")
