"""web/balance.py: a worker busier than its sibling closes kept-alive
connections, so that clients reconnect to the idle worker; balanced
workers, and a worker alone, close nothing."""
from __future__ import annotations

import multiprocessing

import pytest

from search.retrieval.lanes import Board
from web.balance import SLACK, Balance

fork = multiprocessing.get_context("fork")


def _sibling(board, busy: int, ready, finish) -> None:
    """Another worker of the server with ``busy`` requests in flight."""
    balance = Balance(board)
    balance.join()
    for _ in range(busy):
        balance.start()
    ready.set()
    finish.wait(30)
    for _ in range(busy):
        balance.end()


@pytest.fixture
def sibling():
    """start(busy) -> a Board shared with a forked worker holding ``busy`` requests."""
    started = []

    def start(busy: int) -> Board:
        board = Board.new(4)
        ready, finish = fork.Event(), fork.Event()
        proc = fork.Process(target=_sibling, args=(board, busy, ready, finish))
        proc.start()
        started.append((proc, finish))
        assert ready.wait(10)
        return board

    yield start
    for proc, finish in started:
        finish.set()
        proc.join(10)


def test_a_worker_with_more_requests_than_its_idle_sibling_closes(sibling):
    balance = Balance(sibling(0))
    balance.join()
    closes = [balance.start() for _ in range(SLACK + 1)]
    assert closes == [False] * SLACK + [True]           # one over the slack: close
    balance.end()
    assert balance.start() is True                      # still over it
    for _ in range(SLACK + 1):
        balance.end()
    assert balance.start() is False                     # back within the slack


def test_balanced_workers_keep_their_connections(sibling):
    balance = Balance(sibling(3))
    balance.join()
    assert [balance.start() for _ in range(3 + SLACK)] == [False] * (3 + SLACK)
    assert balance.start() is True


def test_a_worker_alone_or_without_a_slot_never_closes():
    alone = Balance(Board.new(4))
    alone.join()
    assert not any(alone.start() for _ in range(10))
    full = Board.new(0)                                 # no slot: the counts are not shared
    unclaimed = Balance(full)
    unclaimed.join()
    assert unclaimed.claimed is False and unclaimed.start() is False
    unclaimed.end()

