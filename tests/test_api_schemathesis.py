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

import pytest

pytestmark = pytest.mark.integration      # gunicorn (the live_app fixture, in conftest.py)

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
