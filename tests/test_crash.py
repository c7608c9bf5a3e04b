"""Killing the indexer (SIGKILL) at any moment leaves a usable index.

Each round starts `cari index` as a real process, kills it at a random moment,
then checks that the index opens and holds a complete earlier state, and that
the next run finishes with exactly the expected documents.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, write_jsonl

pytestmark = pytest.mark.integration      # `cari index` subprocesses, killed

FILES, PER_FILE = 24, 40
WORDS = ("banjir rob merendam rumah warga pesisir pemerintah provinsi menyiapkan pompa "
         "kebakaran hutan lahan kabut asap sekolah diliburkan harga cabai pasar induk "
         "rupiah melemah dolar ekspor sawit gempa bumi mengguncang pantai selatan").split()


def write_corpus(root, rng):
    for f in range(FILES):
        records = []
        for d in range(PER_FILE):
            body = "\n\n".join(" ".join(rng.choices(WORDS, k=60)) for _ in range(4))
            records.append({"id": f"c{f:02d}-{d:03d}", "title": " ".join(rng.choices(WORDS, k=6)),
                            "body": body, "date": "2019-09-10", "source": "uji"})
        write_jsonl(root / f"f{f:02d}.jsonl", records)


def index_cmd(corpus, ix, *extra):
    return [sys.executable, "-m", "search", "index", str(corpus), "--index", str(ix), *extra]


def doc_count(ix) -> int:
    from whoosh import index

    from search.indexing.generations import live_dir

    ix = live_dir(ix)
    if not index.exists_in(str(ix)):
        return 0
    with index.open_dir(str(ix)).searcher() as s:
        ids = [fields["id"] for fields in s.all_stored_fields()]
    assert len(ids) == len(set(ids)), "duplicate documents after a crash"
    return len(ids)


def touch(path, rng):
    later = time.time() + rng.randint(10, 10_000)
    os.utime(path, (later, later))


@pytest.mark.parametrize("procs", ["1", "2"])
def test_sigkill_at_random_moments_never_breaks_the_index(tmp_path, procs):
    rng = random.Random(1234 + int(procs))
    corpus, ix = tmp_path / "corpus", tmp_path / "ix"
    write_corpus(corpus, rng)
    total = FILES * PER_FILE
    rounds = 12
    for round_no in range(rounds):
        # Alternate rebuilds and incremental runs over a few touched files.
        extra = ["--rebuild"] if round_no % 3 == 0 else []
        for path in rng.sample(sorted(corpus.iterdir()), 5):
            touch(path, rng)
        proc = subprocess.Popen(index_cmd(corpus, ix, "--procs", procs, *extra), cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 4.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()

        before = doc_count(ix)
        assert before in (0, total), f"round {round_no}: a half-written state with {before} documents"
        done = subprocess.run(index_cmd(corpus, ix, "--procs", procs, "--wait", "10"), cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"round {round_no}: {done.stderr[-2000:]}"
        assert doc_count(ix) == total, f"round {round_no}"
