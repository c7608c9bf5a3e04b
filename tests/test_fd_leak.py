"""Open files and memory of the gunicorn workers stay flat across many requests.

Like datasette's test_fd_leak: count /proc/<pid>/fd of every worker once each
thread has its searcher, send a few thousand requests of every kind (searches,
pages, articles, errors, and commits that make every searcher reopen), count
again. A searcher opened per request and never closed, or an Engine never
retired, shows up here as hundreds of descriptors. The 100,000-request run
is in bench/load.py (--soak).
"""
from __future__ import annotations

import http.client
import threading

import pytest

from conftest import CORPUS, GunicornServer, news, write_jsonl

pytestmark = pytest.mark.integration      # gunicorn

REQUESTS = 3000
CLIENTS = 8
THREADS = 4
FD_SLACK = 4  # per worker: a log file rotation, a keep-alive socket more or less
RSS_SLACK_MB = 40  # per worker: allocator noise and caches filling, not a leak

PATHS = [
    "/api/search?q=banjir", "/api/search?q=gempa+bumi", "/api/search?q=harga%20beras&page=2",
    "/api/search?q=pemerintah&sort=newest", "/search?q=banjir", "/search?q=tidakadakatainisama",
    "/api/search?q=%22", "/api/articles/no-such-id", "/", "/api/stats",
]


def resources(server: GunicornServer) -> dict[int, tuple[int, float]]:
    """pid -> (open files, RSS MB) for each worker."""
    import psutil

    out = {}
    for pid in server.worker_pids():
        p = psutil.Process(pid)
        out[pid] = (p.num_fds(), p.memory_info().rss / 2**20)
    return out


def hammer(port: int, paths: list[str], total: int, clients: int = CLIENTS) -> dict[int, int]:
    """Send ``total`` requests over keep-alive connections; count by status."""
    counts: dict[int, int] = {}
    lock = threading.Lock()

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for i in range(n, total, clients):
            conn.request("GET", paths[i % len(paths)])
            response = conn.getresponse()
            response.read()
            with lock:
                counts[response.status] = counts.get(response.status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counts


@pytest.fixture
def server(tmp_path):
    import shutil

    from search.indexing.indexer import index_corpus

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(CORPUS, corpus)
    index_corpus(corpus, index)
    srv = GunicornServer(index, tmp_path, workers=2, threads=THREADS).start()
    srv.corpus, srv.index = corpus, index
    yield srv
    srv.stop()


def settled(server, rounds: int = 6) -> dict[int, tuple[int, float]]:
    """The workers' resources once every thread has its searcher: requests
    are sent until the open files stop changing (which thread serves a
    keep-alive connection is up to gunicorn, so one round may miss one)."""
    hammer(server.port, PATHS, 400)
    now = resources(server)
    for _ in range(rounds):
        hammer(server.port, PATHS, 400)
        before, now = now, resources(server)
        if {pid: fds for pid, (fds, _) in now.items()} == {pid: fds for pid, (fds, _) in before.items()}:
            break
    return now


def add_documents(server, n: int) -> None:
    from search.indexing.indexer import index_corpus

    write_jsonl(server.corpus / f"extra-{n}.jsonl",
                [news(500 + n, f"Berita tambahan {n}", "Isi berita banjir.", id=f"extra-{n}")])
    index_corpus(server.corpus, server.index)


def segment_count(index) -> int:
    import whoosh.index

    with whoosh.index.open_dir(str(index)).reader() as reader:
        return len(reader.leaf_readers())


def test_open_files_and_rss_stay_flat(server):
    pytest.importorskip("psutil")
    before = settled(server)          # every thread of every worker has opened its searcher
    assert len(before) == 2

    counts = hammer(server.port, PATHS, REQUESTS)
    assert sum(counts.values()) == REQUESTS
    assert set(counts) <= {200, 400, 404}, counts
    assert counts[200] > REQUESTS // 2

    after = resources(server)
    assert set(after) == set(before), "a worker was restarted"
    for pid, (fds, rss) in after.items():
        fds0, rss0 = before[pid]
        assert fds <= fds0 + FD_SLACK, f"worker {pid}: {fds0} -> {fds} open files after {REQUESTS} requests"
        assert rss <= rss0 + RSS_SLACK_MB, f"worker {pid}: RSS {rss0:.0f} -> {rss:.0f} MB"


def test_open_files_stay_flat_across_commits(server):
    """Each commit makes every thread open a new searcher: the old ones must close.

    A searcher holds one file per segment, so after the commits a worker may
    hold (threads x new segments) more files than before, and no more.
    """
    before, segments_before = settled(server), segment_count(server.index)
    for n in range(8):
        add_documents(server, n)
        hammer(server.port, PATHS, 200)
    after, segments = resources(server), segment_count(server.index)
    allowed = FD_SLACK + THREADS * max(0, segments - segments_before)
    for pid, (fds, _) in after.items():
        assert fds <= before[pid][0] + allowed, (
            f"worker {pid}: {before[pid][0]} -> {fds} open files after 8 commits "
            f"({segments_before} -> {segments} segments)")
