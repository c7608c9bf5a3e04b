"""Requests spread over the workers although clients keep their connections.

A kept-alive connection stays with the worker that accepted it. When
clients open their connections at once (a load generator, a proxy's
connection pool, a burst after a quiet spell), the worker that wakes first
may accept nearly all of them: measured with 8 clients and 2 workers, one
worker used 5 CPU seconds and the other 0.1 in the same 6 s. One process
runs Python on one core at a time, so such a server does the work of one
core while the other idles.

Each worker counts its requests in flight in memory that the workers of a
server share (``search.retrieval.lanes.Board``: entered and left per
worker). A worker that has more requests in flight than the least busy
worker plus ``SLACK`` answers the request with ``Connection: close``; the
client connects again and the kernel hands the new connection to a worker
waiting in accept, most likely the idle one, whose main thread is not
queueing for the interpreter. Balanced workers close nothing.
"""
from __future__ import annotations

import threading

from search.retrieval.lanes import Board

SLACK = 1           # requests in flight a worker may have over the least busy one


class Balance:
    """This worker's requests in flight, beside its siblings'."""

    def __init__(self, board: Board):
        self.board = board
        self._entered = self._left = 0
        self._lock = threading.Lock()      # the counts of this process's threads
        self.claimed = False

    def join(self) -> None:
        """Take a slot on the board (after the fork); without one, never close."""
        self.claimed = self.board.claim()

    def start(self) -> bool:
        """A request starts; True when its connection should close after it."""
        if not self.claimed:
            return False
        with self._lock:
            self._entered += 1
            self.board.post(self._entered, self._left)
        # Each worker writes only its own slot: a read needs no lock, and a
        # count a moment old only delays a close to a later request.
        mine, others = self._in_flight()
        return bool(others) and mine > min(others) + SLACK

    def end(self) -> None:
        if not self.claimed:
            return
        with self._lock:
            self._left += 1
            self.board.post(self._entered, self._left)

    def _in_flight(self) -> tuple[int, list[int]]:
        """(this worker's requests in flight, those of each other worker)."""
        board, mine, others = self.board, 0, []
        for slot, pid in enumerate(board.pids):
            if not pid:
                continue
            busy = board.entered[slot] - board.left[slot]
            if slot == board.slot:
                mine = busy
            else:
                others.append(busy)
        return mine, others
