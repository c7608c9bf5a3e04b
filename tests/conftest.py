"""Shared fixtures: paths, small temporary corpora and indexes, the Flask app."""
from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason."""
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
