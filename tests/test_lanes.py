"""Light requests take turns in a server process (search/retrieval/lanes.py,
``Lane.take_turns``): one runs at a time, the next starts when it ends or
turns heavy, and none waits longer than TURN_WAIT for a stalled one.
(How heavy searches step aside for light ones: tests/test_query_budget.py.)"""
from __future__ import annotations

import threading
import time

import pytest


def request_in_thread(lane, run_for: threading.Event):
    """A light request in another thread: enters, notes when it got in,
    runs until ``run_for`` is set, leaves. -> (entered event, thread)."""
    entered = threading.Event()

    def request():
        lane.enter()
        entered.set()
        run_for.wait(30)
        lane.leave()

    thread = threading.Thread(target=request, daemon=True)
    thread.start()
    return entered, thread


@pytest.fixture
def lane():
    from search.retrieval.lanes import Lane

    lane = Lane()
    lane.take_turns()
    return lane


def test_a_light_request_waits_for_the_one_running(lane):
    first_done, second_done = threading.Event(), threading.Event()
    first_in, first = request_in_thread(lane, first_done)
    assert first_in.wait(10)
    second_in, second = request_in_thread(lane, second_done)
    assert not second_in.wait(0.3)          # the first holds the turn
    assert len(lane) == 1
    first_done.set()
    assert second_in.wait(10)               # its turn once the first has left
    second_done.set()
    first.join(10)
    second.join(10)
    assert len(lane) == 0 and lane.totals() == (2, 2)


def test_a_request_that_turns_heavy_gives_its_turn_to_the_next(lane):
    lane.enter()                            # this thread's request, light so far
    done = threading.Event()
    waiting_in, waiting = request_in_thread(lane, done)
    assert not waiting_in.wait(0.3)
    lane.leave()                            # its search turned heavy (query.Budget) and goes on
    assert waiting_in.wait(10)
    lane.leave()                            # the request's own end: nothing more to give back
    done.set()
    waiting.join(10)
    assert len(lane) == 0


def test_a_stalled_request_holds_the_others_for_turn_wait_at_most(lane, monkeypatch):
    from search.retrieval import lanes

    monkeypatch.setattr(lanes, "TURN_WAIT", 0.2)
    stalled_done, done = threading.Event(), threading.Event()
    stalled_in, stalled = request_in_thread(lane, stalled_done)
    assert stalled_in.wait(10)
    started = time.monotonic()
    other_in, other = request_in_thread(lane, done)
    assert other_in.wait(10)
    assert time.monotonic() - started >= 0.15       # it waited its TURN_WAIT, then ran beside it
    assert len(lane) == 2
    done.set()
    other.join(10)
    stalled_done.set()                      # the stalled one leaves last: the turn is free again
    stalled.join(10)
    again_in, again = request_in_thread(lane, done)
    assert again_in.wait(0.1)
    again.join(10)


def test_without_turns_light_requests_run_together():
    """Outside a server (the command line, tests) nobody takes turns."""
    from search.retrieval.lanes import Lane

    lane = Lane()
    first_done, second_done = threading.Event(), threading.Event()
    first_in, first = request_in_thread(lane, first_done)
    second_in, second = request_in_thread(lane, second_done)
    assert first_in.wait(10) and second_in.wait(10)
    assert len(lane) == 2
    first_done.set()
    second_done.set()
    first.join(10)
    second.join(10)


def test_a_gunicorn_worker_takes_turns(monkeypatch):
    """web/gunicorn_config.py's post_worker_init sets the process's lane to take turns."""
    import web.gunicorn_config as config
    from search.retrieval import lanes

    calls = []
    monkeypatch.setattr(lanes.Lane, "take_turns", lambda self: calls.append(self))
    monkeypatch.setattr(lanes.Lane, "share", lambda self, board: None)
    monkeypatch.setattr(lanes, "limit_waiters", lambda threads: None)
    monkeypatch.setattr(config, "_balance", type("B", (), {"join": lambda self: None})())
    monkeypatch.setattr(config.threading, "Thread", lambda *a, **k: type("T", (), {"start": lambda self: None})())
    monkeypatch.setattr("web.engine.warm_engine", lambda wsgi: None)
    monkeypatch.setattr(config.sys, "setswitchinterval", lambda value: None)
    worker = type("W", (), {"wsgi": None, "cfg": type("C", (), {"threads": 4})()})()
    config.post_worker_init(worker)
    assert calls == [lanes.LIGHT]
