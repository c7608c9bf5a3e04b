"""The real gunicorn, started as `cari serve` does, on a free port: pages, API,
access log (text and JSON) and the settings it reads from the environment.

``GunicornServer`` lives in conftest.py, shared with the other gunicorn tests.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, GunicornServer


@pytest.fixture
def server(sample_index, tmp_path):
    srv = GunicornServer(sample_index, tmp_path).start()
    yield srv
    srv.stop()


@pytest.mark.integration
def test_gunicorn_serves_search_api_and_pages(server):
    data = server.search("banjir")
    assert data["total"] >= 2
    status, page = server.get("/search?q=banjir")
    assert status == 200 and "<mark" in page.decode()
    article_id = data["hits"][0]["id"]
    status, page = server.get(f"/article/{urllib.parse.quote(article_id)}")
    assert data["hits"][0]["title"].split()[0] in page.decode()


def wait_for_lines(path: Path, n: int, timeout: float = 10, holding: str = "") -> list[str]:
    """The log's lines holding ``holding`` once there are n of them (gunicorn
    writes after the response)."""
    deadline = time.time() + timeout
    lines = []
    while time.time() < deadline:
        lines = path.read_text("utf-8").splitlines() if path.exists() else []
        lines = [line for line in lines if holding in line]
        if len(lines) >= n:
            break
        time.sleep(0.1)
    return lines


@pytest.mark.integration
def test_one_text_access_line_per_request_with_latency(server):
    # Only the searches' lines are counted: a start-up probe that timed out
    # on a busy machine is still answered, and logged, later.
    for q in ("banjir", "gempa", "harga beras"):
        server.search(q)
    wait_for_lines(server.access_log, 3, holding='"GET /api/search?')
    time.sleep(0.5)  # nothing more may arrive
    lines = wait_for_lines(server.access_log, 0, holding='"GET /api/search?')
    assert len(lines) == 3
    assert '"GET /api/search?q=harga+beras HTTP/1.1" 200' in lines[-1]
    assert lines[-1].endswith("ms") and lines[-1].rsplit(" ", 1)[1][:-2].isdigit()


@pytest.mark.integration
def test_json_logs_when_asked(sample_index, tmp_path):
    srv = GunicornServer(sample_index, tmp_path, workers=1, CARI_LOG_FORMAT="json").start()
    try:
        srv.search("banjir")
        with pytest.raises(urllib.error.HTTPError) as err:
            srv.get("/api/articles/no-such-id")
        assert err.value.code == 404
        lines = wait_for_lines(srv.access_log, 3)
    finally:
        srv.stop()
    records = [json.loads(line) for line in lines]  # every line is JSON
    by_path = {r["path"]: r for r in records}
    hit = by_path["/api/search"]
    assert hit["status"] == 200 and hit["query"] == "q=banjir" and hit["method"] == "GET"
    assert isinstance(hit["duration_ms"], float) and hit["duration_ms"] > 0
    assert by_path["/api/articles/no-such-id"]["status"] == 404
    errors = [json.loads(line) for line in srv.error_log.read_text("utf-8").splitlines()]
    assert any("Booting worker" in e["message"] for e in errors)
    assert all(e["level"] in ("debug", "info", "warning", "error", "critical") for e in errors)


def test_settings_come_from_the_environment():
    from search import settings as config

    env = {"CARI_WORKERS": "3", "CARI_HOST": "127.0.0.2", "CARI_PORT": "9001", "CARI_LOG_FORMAT": "JSON"}
    assert config.workers(env) == 3
    assert config.bind(env) == "127.0.0.2:9001"
    assert config.bind({"CARI_BIND": "unix:/tmp/cari.sock"}) == "unix:/tmp/cari.sock"
    assert config.bind({}) == "127.0.0.1:8000"
    assert config.workers({}) == config.cpu_count() >= 1
    assert config.log_format(env) == "json"
    assert config.log_target("CARI_ACCESS_LOG", {"CARI_ACCESS_LOG": "off"}) is None
    with pytest.raises(ValueError, match="CARI_WORKERS"):
        config.workers({"CARI_WORKERS": "many"})
    with pytest.raises(ValueError, match="CARI_LOG_FORMAT"):
        config.log_format({"CARI_LOG_FORMAT": "xml"})


def test_gunicorn_config_file_reads_the_environment():
    """What gunicorn itself makes of the config file, without starting a server."""
    code = ("import runpy; ns = runpy.run_path('web/gunicorn_config.py');"
            "print(ns['workers'], ns['threads'], ns['bind'], ns['timeout'], ns['logger_class'])")
    env = dict(os.environ, CARI_WORKERS="5", CARI_THREADS="2", CARI_BIND="127.0.0.1:8123", CARI_TIMEOUT="12")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["5", "2", "127.0.0.1:8123", "12", "web.logs.Logger"]


def test_serve_builds_the_gunicorn_command():
    from search.serve import CONFIG_FILE, gunicorn_argv

    argv = gunicorn_argv("127.0.0.1", 8123, workers=3, threads=2)
    assert argv[argv.index("--config") + 1] == str(CONFIG_FILE) and CONFIG_FILE.is_file()
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
    assert argv[argv.index("--workers") + 1] == "3" and argv[argv.index("--threads") + 1] == "2"
    assert argv[-1] == "web:create_app()"
