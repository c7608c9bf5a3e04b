"""The real gunicorn, on a free port, serving an index of corpus/ over HTTP."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ROOT, free_port


@pytest.fixture
def server(sample_index):
    port = free_port()
    env = dict(os.environ, CARI_INDEX=str(sample_index))
    proc = subprocess.Popen(
        [sys.executable, "-m", "search", "serve", "--index", str(sample_index),
         "--port", str(port), "--workers", "2"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("gunicorn exited: " + proc.stdout.read().decode())
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=15)


def test_gunicorn_serves_search_api_and_pages(server):
    with urllib.request.urlopen(server + "/api/search?q=banjir", timeout=10) as r:
        data = json.load(r)
    assert r.status == 200 and data["total"] >= 2
    with urllib.request.urlopen(server + "/search?q=banjir", timeout=10) as r:
        assert "<mark" in r.read().decode()
    article_id = data["hits"][0]["id"]
    with urllib.request.urlopen(f"{server}/article/{article_id}", timeout=10) as r:
        assert data["hits"][0]["title"].split()[0] in r.read().decode()
