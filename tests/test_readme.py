"""The README's curl examples, run against a live gunicorn on an index of corpus/.

Every ```sh block with ``curl`` under "## HTTP" is run (its host and port
replaced by the test server's); the block right after it says what it prints:
```json is compared as data, ```text line for line. A README example may show
less than the real answer: keys it leaves out and list items past the ones it
shows are not compared, and timings, scores and build facts (``VOLATILE``)
are compared by type only.
"""
from __future__ import annotations

import json
import re
import subprocess

import pytest

from conftest import ROOT

README = ROOT / "README.md"
README_HOST = "http://127.0.0.1:8000"
VOLATILE = {"took_ms", "score", "last_indexed", "index_size_bytes"}
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)


def http_section(text: str) -> str:
    match = re.search(r"^## HTTP\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    return match.group(1) if match else ""


def examples(text: str) -> list[tuple[str, str, str]]:
    """(command, output kind, expected output) for each curl block under ## HTTP."""
    blocks = [(m.group(1), m.group(2)) for m in FENCE.finditer(http_section(text))]
    found = []
    for i, (kind, body) in enumerate(blocks):
        if kind != "sh" or "curl" not in body:
            continue
        following = blocks[i + 1] if i + 1 < len(blocks) else ("", "")
        found.append((body.strip(), following[0], following[1]))
    return found


def matches(expected, actual, key: str = "") -> bool:
    if key in VOLATILE:
        return type(expected) is type(actual) or {type(expected), type(actual)} <= {int, float}
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and matches(v, actual[k], k) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) >= len(expected) and all(
            matches(e, a) for e, a in zip(expected, actual))
    return expected == actual


EXAMPLES = examples(README.read_text("utf-8"))


def test_readme_documents_the_api_with_curl_examples():
    section = http_section(README.read_text("utf-8"))
    assert EXAMPLES, "README.md has no curl examples (with their output) under '## HTTP'"
    for route in ("/api/search", "/api/articles/", "/api/suggest", "/api/stats", "/healthz",
                  "/api/openapi.json"):
        assert route in section, f"README's HTTP section does not mention {route}"


@pytest.mark.integration             # live_app (conftest.py): gunicorn
@pytest.mark.parametrize("command, kind, expected", EXAMPLES,
                         ids=[c.splitlines()[-1][:60] for c, _, _ in EXAMPLES])
def test_readme_curl_example_prints_what_the_readme_says(live_app, command, kind, expected):
    base, _ = live_app
    assert kind in ("json", "text"), f"the example needs a ```json or ```text block after it:\n{command}"
    run = subprocess.run(["bash", "-euo", "pipefail", "-c", command.replace(README_HOST, base)],
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    if kind == "text":
        assert run.stdout.strip().splitlines() == expected.strip().splitlines()
    else:
        actual = json.loads(run.stdout)
        assert matches(json.loads(expected), actual), json.dumps(actual, ensure_ascii=False, indent=2)
