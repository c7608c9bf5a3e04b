"""Shared fixtures and helpers: paths, small temporary corpora and indexes, the
Flask app, gunicorn on a free port (``GunicornServer``, ``live_app``).

Test modules import helpers from here (``from conftest import ...``), never
from each other. Two markers (declared in pyproject.toml) split the suite:

- ``integration``: runs the real CLI as a subprocess, the real gunicorn, a real
  browser, or builds large indexes;
- ``shared_data``: needs the news data in ../shared.

``make check`` runs neither (``-m "not integration and not shared_data"``).
``shared_path()``, ``GunicornServer.start()`` and ``live_app`` fail a test
that uses them without its marker, so a forgotten mark shows up at once
instead of slowing the fast loop down.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"

_running: list[pytest.Item] = []     # the test being run, for require_marker()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _running.append(item)
    try:
        return (yield)
    finally:
        _running.pop()


def require_marker(name: str, what: str) -> None:
    """Fail the running test unless it carries the marker ``name``."""
    if _running and _running[-1].get_closest_marker(name) is None:
        pytest.fail(f"{_running[-1].nodeid} {what}: mark it @pytest.mark.{name} "
                    f"(see tests/conftest.py)", pytrace=False)


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason."""
    require_marker("shared_data", "reads ../shared")
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared/{'/'.join(parts)} (the shared data set is not beside this checkout)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def news(i: int, title: str, body: str, **extra) -> dict:
    record = {"id": f"t-{i:03d}", "title": title, "body": body, "date": "2019-09-1%d" % (i % 10),
              "source": "uji", "category": "nasional"}
    record.update(extra)
    return record


def index_of(tmp_path_factory, name: str, records: list[dict]) -> Path:
    """A fresh index of ``records`` (one .jsonl file)."""
    from search.indexing.indexer import index_corpus

    corpus = tmp_path_factory.mktemp(f"{name}-corpus")
    write_jsonl(corpus / f"{name}.jsonl", records)
    index_dir = tmp_path_factory.mktemp(f"{name}-index")
    index_corpus(corpus, index_dir)
    return index_dir


def engine_of(tmp_path_factory, name: str, records: list[dict], **engine_args):
    """An Engine over a fresh index of ``records``; close it after use."""
    from search.retrieval.engine import Engine

    return Engine(index_of(tmp_path_factory, name, records), **engine_args)


def app_of(tmp_path_factory, name: str, records: list[dict]):
    """The web app (testing) over a fresh index of ``records``; close it with web.engine.close_engine."""
    from web import create_app

    return create_app({"CARI_INDEX": str(index_of(tmp_path_factory, name, records)), "TESTING": True})


# Sixteen news words for the differential and partial-match tests' corpora.
ZIPF_WORDS = ("banjir", "gempa", "korban", "sungai", "sekolah", "pasar", "harga", "beras", "listrik", "kapal",
              "nelayan", "petani", "jembatan", "bandara", "pelabuhan", "hujan")


def zipf_records(words, count: int, seed: int, longest: int = 40) -> list[dict]:
    """``count`` articles of ``words`` drawn with Zipf-like frequencies (the
    first word most often): large, overlapping match sets."""
    import random

    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(words))]
    return [news(i, " ".join(rng.choices(words, weights, k=3)),
                 " ".join(rng.choices(words, weights, k=rng.randint(3, longest)))) for i in range(count)]


def zipf_engine_of(tmp_path_factory, name: str, seed: int):
    """An Engine over 800 articles of ZIPF_WORDS: large, overlapping match sets."""
    return engine_of(tmp_path_factory, name, zipf_records(ZIPF_WORDS, 800, seed=seed, longest=60))


def segmented_index(tmp_path_factory, name: str, records: list[dict], file_size: int,
                    rewrites: list[tuple[str, list[dict]]]) -> Path:
    """An index of three segments or more with deleted articles: ``records``
    as three parts of six files of ``file_size`` articles, each part indexed
    in a run of its own (a segment each), then each (file name, records) of
    ``rewrites`` written and indexed in a run of its own (the articles a
    rewritten file no longer holds are deleted: too few for a merge to
    reclaim them)."""
    from search.indexing.indexer import index_corpus

    corpus, index = tmp_path_factory.mktemp(f"{name}-corpus"), tmp_path_factory.mktemp(f"{name}-index")
    part_size = len(records) // 3
    for part in range(3):
        for file in range(6):
            start = part * part_size + file * file_size
            write_jsonl(corpus / f"part{part}-{file}.jsonl", records[start:start + file_size])
        index_corpus(corpus, index)
    for file_name, rewritten in rewrites:
        write_jsonl(corpus / file_name, rewritten)
        index_corpus(corpus, index)
    return index


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory) -> Path:
    """An index of the project's own corpus/, built once per test session."""
    from search.indexing.indexer import index_corpus

    index_dir = tmp_path_factory.mktemp("sample-index")
    report = index_corpus(CORPUS, index_dir)
    assert report.articles >= 30, report.to_dict()
    return index_dir


@pytest.fixture
def engine(sample_index):
    from search.retrieval.engine import Engine

    eng = Engine(sample_index)
    yield eng
    eng.close()


@pytest.fixture
def app(sample_index):
    from web import create_app
    from web.engine import close_engine

    application = create_app({"CARI_INDEX": str(sample_index), "TESTING": True})
    yield application
    close_engine(application)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def clickid_index(tmp_path_factory):
    """All 23,013 clickid articles from ../shared, indexed once per session (minutes)."""
    from search.indexing.indexer import index_corpus

    corpus = shared_path("corpus", "clickid")
    index_dir = tmp_path_factory.mktemp("clickid-index")
    report = index_corpus(corpus, index_dir)
    return index_dir, report


# --- gunicorn ---------------------------------------------------------------------------------

class GunicornServer:
    """`cari serve` (the project's gunicorn config) on 127.0.0.1; logs in files."""

    def __init__(self, index: Path, log_dir: Path, workers: int = 2, threads: int = 4, **env):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.access_log = Path(log_dir) / "access.log"
        self.error_log = Path(log_dir) / "error.log"
        self.env = dict(os.environ, CARI_ACCESS_LOG=str(self.access_log),
                        CARI_ERROR_LOG=str(self.error_log), CARI_THREADS=str(threads), **env)
        self.argv = [sys.executable, "-m", "search", "serve", "--index", str(index),
                     "--port", str(self.port), "--workers", str(workers)]
        self.proc = None

    def start(self, timeout: float = 60) -> "GunicornServer":
        require_marker("integration", "starts gunicorn")
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"gunicorn exited: {self.errors()}")
            try:
                urllib.request.urlopen(self.base + "/api/stats", timeout=5)
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        pytest.fail(f"gunicorn did not answer within {timeout}s: {self.errors()}")

    def errors(self) -> str:
        try:
            return self.error_log.read_text("utf-8")[-3000:]
        except OSError:
            return "(no error log)"

    def get(self, path: str, timeout: float = 30):
        with urllib.request.urlopen(self.base + path, timeout=timeout) as r:
            return r.status, r.read()

    def search(self, q: str) -> dict:
        status, body = self.get("/api/search?" + urllib.parse.urlencode({"q": q}))
        assert status == 200
        return json.loads(body)

    def worker_pids(self) -> list[int]:
        import psutil

        return sorted(c.pid for c in psutil.Process(self.proc.pid).children())

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


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
    """gunicorn serving create_app() on an index of corpus/: (base URL, log path)."""
    require_marker("integration", "starts gunicorn")
    here = tmp_path_factory.mktemp("live-app")
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


def same_related(engine, article_ids, limit: int = 10) -> None:
    """The engine's related stories of each article are those Whoosh's own
    search ranks (related.whoosh_ranked, as before scoring.rank_query), with
    the same scores."""
    from search.retrieval.related import related_docs

    searcher = engine.searcher()
    live = engine.generation(searcher).stats.live
    for article_id in article_ids:
        ours = [(h.id, h.score) for h in engine.related(article_id, limit=limit)]
        theirs = [(searcher.stored_fields(n)["id"], round(score, 4))
                  for n, score in related_docs(searcher, engine.analyzer, article_id, limit, live)]
        assert [i for i, _ in ours] == [i for i, _ in theirs], article_id
        assert [s for _, s in ours] == pytest.approx([s for _, s in theirs], abs=1e-4), article_id
