"""Light requests first: which requests of a server process get the interpreter.

The threads of a worker process share one interpreter lock, so a CPU-bound
search slows every request of its process, not only its own: beside a heavy
search an ordinary request gets the interpreter part of the time, and waits
for it again after each read from a socket or a file. The heavy gate of
``query.Budget`` lets one heavy search run per process; this module decides
who goes first, and how many heavy searches may hold a thread.

A request is *light* from its start to its end (the app calls
:meth:`Lane.enter` and :meth:`Lane.leave`, see web/engine.py) unless its
search turns out heavy (an expensive shape, or ``HEAVY_CPU`` of CPU: see
``query.Budget``), which takes it out of the lane (:meth:`Lane.leave`).
A heavy search (the one holding the gate, or one stopped for want of it)
steps aside at each of its checkpoints for the light requests in flight
(:meth:`Lane.step_aside`): it sleeps until they have ended, so they run as
if alone, and uses the time they leave. Requests that start while it sleeps
do not prolong the wait, so a stream of light requests cannot starve it: it
runs at least from one checkpoint to the next between waits. A light
request does little (a search that uses more CPU turns heavy), so a wait is
short; ``HEAVY_YIELD`` caps it all the same, should a light request stall.
A heavy search still stops at its deadline. Outside a server nobody enters
the lane, and nothing ever waits.

In a server, light requests also take turns (:meth:`Lane.take_turns`):
one runs at a time in a process, the others wait for it. Threads that run
Python at once do not share the interpreter lock cheaply: each read from
a file, each numpy call and each zlib call lets the lock go, another
thread takes it, and the first waits for it back. Four searches at once
in one process used 1.5 to 1.8 times the CPU of the same searches one
after the other, and took longer in all (docs/scaling.md). A worker per core, each
running one light request at a time, keeps the cores busy without that
cost; the threads are still there for slow clients, which are served
outside the turn (the app's first hook to its last), and for heavy
searches, which leave the lane, and their turn, when they turn heavy.

A heavy search that waits for the gate holds a server thread while it
sleeps. ``WAITERS`` bounds them: with :func:`limit_waiters` (gunicorn's
thread count, web/gunicorn_config.py) heavy searches, running and waiting,
hold at most half of a worker's threads; a heavy search that finds the gate
taken and no waiting place stops at once, partial, and frees its thread.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import threading
import time

POLL = 0.001         # seconds between two looks while stepping aside
HEAVY_YIELD = 0.1    # most seconds a heavy search sleeps at one checkpoint for light requests
# Most seconds a light request waits for its turn; then it runs beside the
# one that holds it (a request stalled with the turn must not stop the rest).
TURN_WAIT = 5.0


class Lane:
    """The light requests in flight in this process, by thread, and with
    :meth:`share` those of the other workers of its server too."""

    def __init__(self):
        self._threads: set[int] = set()
        self._lock = threading.Lock()
        self._entered = self._left = 0          # light requests of this process, ever
        self._board: Board | None = None
        self._turn: threading.Lock | None = None    # held by the light request running (take_turns)
        self._turn_of: int | None = None            # the thread holding it

    def take_turns(self) -> None:
        """From now on light requests of this process run one at a time."""
        self._turn = threading.Lock()

    def share(self, board: "Board") -> None:
        """Count with the other processes of ``board`` (one server's workers)."""
        if not board.claim():
            return
        with self._lock:
            self._board = board
            board.post(self._entered, self._left)

    def enter(self) -> None:
        """This thread's request starts, light until told otherwise."""
        ident = threading.get_ident()
        if ident in self._threads:
            return
        turn = self._turn
        took = turn is not None and turn.acquire(timeout=TURN_WAIT)
        with self._lock:
            if took:
                self._turn_of = ident
            self._threads.add(ident)
            self._entered += 1
            self._post()

    def leave(self) -> None:
        """This thread's request ends, or turned out heavy."""
        ident = threading.get_ident()
        if ident not in self._threads:
            return
        with self._lock:
            if ident in self._threads:
                self._threads.discard(ident)
                self._left += 1
                self._post()
                if self._turn_of == ident:
                    self._turn_of = None
                    self._turn.release()

    def _post(self) -> None:
        if self._board is not None:
            self._board.post(self._entered, self._left)

    def totals(self) -> tuple[int, int]:
        """Light requests (entered, left) ever, over the processes that share."""
        if self._board is not None:
            return self._board.totals()
        return self._entered, self._left

    def step_aside(self, most: float) -> bool:
        """Sleep until as many light requests have ended as are in flight now
        in other threads (so those that start meanwhile do not prolong the
        wait: a heavy search is never starved), at most ``most`` seconds.
        True when this thread waited."""
        entered, left = self.totals()
        others = entered - left - (threading.get_ident() in self._threads)
        if most <= 0 or others <= 0:
            return False
        enough, end = left + others, time.monotonic() + most
        while time.monotonic() < end:
            time.sleep(POLL)
            if self.totals()[1] >= enough:
                break
        return True

    def __contains__(self, ident: int) -> bool:
        return ident in self._threads

    def __len__(self) -> int:
        return len(self._threads)


class Board:
    """Light requests entered and left per worker process, in memory the
    workers of one server share: ``lock`` (a multiprocessing lock) and
    three arrays of 64-bit integers, ``pids``, ``entered`` and ``left``, one
    slot each per worker, made by gunicorn's master before it forks them
    (web/gunicorn_config.py). Each process writes only its own slot; the
    slot of a process that died (a recycled worker) is cleared when the next
    one claims a slot, so requests that died with it stop counting."""

    def __init__(self, lock, pids, entered, left):
        self.lock, self.pids, self.entered, self.left = lock, pids, entered, left
        self.slot: int | None = None

    @classmethod
    def new(cls, slots: int) -> "Board":
        return cls(multiprocessing.Lock(), *(multiprocessing.RawArray(ctypes.c_longlong, slots)
                                             for _ in range(3)))

    def claim(self) -> bool:
        """A slot for this process; False when none is free."""
        with self.lock:
            for i, pid in enumerate(self.pids):
                if pid and (pid == os.getpid() or not _alive(pid)):
                    self.pids[i] = self.entered[i] = self.left[i] = 0
            self.slot = next((i for i, pid in enumerate(self.pids) if not pid), None)
            if self.slot is None:
                return False
            self.pids[self.slot] = os.getpid()
            return True

    def post(self, entered: int, left: int) -> None:
        self.entered[self.slot] = entered
        self.left[self.slot] = left

    def totals(self) -> tuple[int, int]:
        return sum(self.entered), sum(self.left)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# The one lane of this process: every thread of a worker shares its interpreter.
LIGHT = Lane()
# Places for heavy searches waiting for the gate (query.Budget): unbounded
# until a server sets them from its thread count.
WAITERS = threading.BoundedSemaphore(1 << 16)


def limit_waiters(threads: int) -> None:
    """Heavy searches hold at most half of ``threads`` (one running, the
    others waiting for it): the other half stays free for light requests."""
    global WAITERS
    WAITERS = threading.BoundedSemaphore(max(0, threads // 2 - 1))
