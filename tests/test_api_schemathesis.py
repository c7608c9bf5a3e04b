"""Schemathesis against the live app: gunicorn serving an index of corpus/,
tested from the document it publishes at /api/openapi.json with every check.

Generated requests (examples, boundary values, random and invalid data, other
HTTP methods) must get the statuses, headers and bodies the document promises.
The run is bounded (examples per operation, a fixed seed so a failure
reproduces) to take about a minute; set CARI_SCHEMATHESIS_EXAMPLES and
CARI_SCHEMATHESIS_SEED to explore further.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, free_port

EXAMPLES = os.environ.get("CARI_SCHEMATHESIS_EXAMPLES", "50")
SEED = os.environ.get("CARI_SCHEMATHESIS_SEED", "20261125")

# Long invalid values make long URLs, which are rejected before any parameter
# is read: 413 from the app (over CARI_MAX_URL_BYTES) or, past gunicorn's
# request-line limit, 414 from gunicorn. Count both as rejections, beside
# Schemathesis' defaults.
CONFIG = """
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "414", "415", "422", "428",
                     "429", "5xx"]
"""

# The app gunicorn serves: create_app() as `cari serve` runs it, with /healthz
# registered here until create_app registers it itself.
WSGI = '''
from web import api, create_app
app = create_app()
if "health" not in app.blueprints:
    app.register_blueprint(api.health_bp)
'''


def wait_until_healthy(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            pass
        if proc.poll() is not None:
            pytest.fail("gunicorn exited:\n" + log.read_text())
        time.sleep(0.2)
    pytest.fail("gunicorn did not become healthy in 30 s:\n" + log.read_text())


@pytest.fixture(scope="module")
def live_app(sample_index, tmp_path_factory):
    here = tmp_path_factory.mktemp("schemathesis-app")
    (here / "api_wsgi.py").write_text(WSGI, "utf-8")
    log = here / "gunicorn.log"
    port = free_port()
    env = dict(os.environ, CARI_INDEX=str(sample_index))
    env.pop("CARI_RATE_LIMIT", None)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "python:web.gunicorn_config",
             "--bind", f"127.0.0.1:{port}", "--workers", "2", "--pythonpath", str(here),
             # as web/gunicorn_config.py should set it: lines up to 8190 bytes reach the app
             "--limit-request-line", "8190",
             "api_wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, proc, log)
        yield base, log
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_schemathesis_all_checks_pass(live_app, tmp_path):
    base, log = live_app
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, "utf-8")
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", f"{base}/api/openapi.json",
        "--checks", "all", "--max-examples", EXAMPLES, "--seed", SEED,
        "--workers", "2", "--request-timeout", "20", "--suppress-health-check", "too_slow",
    ]
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600,
                         env=dict(os.environ, NO_COLOR="1", SCHEMATHESIS_HOOKS=""))
    output = run.stdout + run.stderr
    summary = [line for line in output.splitlines() if "generated" in line or "issues found" in line]
    print("\n".join(summary))
    assert run.returncode == 0, output[-6000:] + "\n--- server log ---\n" + log.read_text()[-3000:]
    assert "No issues found" in output, output[-3000:]
