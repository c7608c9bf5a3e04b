"""Hostile input costs a bounded budget (issue #20).

One deadline per request for every stage, caps on prefix expansion, on the
words spelling correction looks at and on distinct terms; out-of-range dates
are a QueryError; a request stuck in a gunicorn worker ends the worker.
The index is a slice of the real clickid news (../shared), so ``me*`` stands
for thousands of words as it does in production.
"""
from __future__ import annotations

import gc
import itertools
import json
import time
import urllib.error
from datetime import date

import pytest

from conftest import shared_path, write_jsonl

# The query of the report: me* 38 times, a misspelt word and a 330-letter word (661 bytes).
HOSTILE = "me* " * 38 + "pemerinthan " + "é" * 167 + "a" * 163
ARTICLES = 600


@pytest.fixture(scope="module")
def news_index(tmp_path_factory):
    """The first ARTICLES articles of two clickid publishers, indexed."""
    from search.indexing.indexer import index_corpus

    corpus = tmp_path_factory.mktemp("budget-corpus")
    for name in ("tempo.jsonl", "kompas.jsonl"):
        with open(shared_path("corpus", "clickid", name), encoding="utf-8") as f:
            records = [json.loads(line) for line in itertools.islice(f, ARTICLES // 2)]
        write_jsonl(corpus / name, records)
    index_dir = tmp_path_factory.mktemp("budget-index")
    index_corpus(corpus, index_dir)
    return index_dir


@pytest.fixture(scope="module")
def news_engine(news_index):
    from search.retrieval.engine import Engine

    with Engine(news_index) as eng:
        eng.warm()                  # per-generation caches: not the cost of a query
        eng.results.size = 0        # every search runs
        yield eng


@pytest.mark.shared_data
def test_the_661_byte_query_answers_within_budget_and_says_partial(news_engine):
    assert len(HOSTILE.encode("utf-8")) == 661
    started = time.perf_counter()
    results = news_engine.search(HOSTILE)
    assert time.perf_counter() - started < 3.0
    assert results.partial and results.notes
    assert any("me*" in note for note in results.notes)


@pytest.mark.shared_data
def test_a_repeated_prefix_is_expanded_once_and_counts_like_one(news_engine):
    alone = news_engine.search("me*")
    repeated = news_engine.search("me* " * 40)
    assert alone.total > 0
    assert repeated.total == alone.total      # not a wrong total of 0
    assert repeated.total_exact


@pytest.mark.shared_data
def test_prefix_expansions_are_capped_for_the_whole_query(news_engine):
    from search.retrieval.query import MAX_EXPANSIONS, MAX_TOTAL_EXPANSIONS, Budget

    searcher = news_engine.searcher()
    prefixes = ["me", "di", "ke", "pe", "be", "se"]
    assert len(prefixes) * MAX_EXPANSIONS > MAX_TOTAL_EXPANSIONS
    budget = Budget()
    parsed = news_engine.parse(" ".join(p + "*" for p in prefixes), searcher, budget=budget)
    expanded = {p: terms for p, (terms, _) in budget.expanded.items()}
    assert budget.expansions_left == 0
    assert all(terms is None or len(terms) <= MAX_EXPANSIONS * 3 for terms in expanded.values())
    left_out = [p for p in prefixes if expanded[p] is None]
    assert left_out, expanded.keys()
    assert parsed.partial and any("left out" in note for note in parsed.notes)
    # A reparse of the same request (resolve's OR retry) reuses the expansions:
    # same terms, no allowance spent again.
    again = news_engine.parse(" ".join(p + "*" for p in prefixes), searcher, match_all=False, budget=budget)
    assert again.terms == parsed.terms and budget.expansions_left == 0


@pytest.mark.shared_data
def test_spelling_looks_at_no_long_word(news_engine, monkeypatch):
    from search.retrieval import spelling

    seen = []
    real_spelling, real_word = spelling.best_spelling, spelling.best_word
    monkeypatch.setattr(spelling, "best_spelling", lambda words, w, *a, **k: seen.append(w) or real_spelling(words, w, *a, **k))
    monkeypatch.setattr(spelling, "best_word", lambda reader, w, *a, **k: seen.append(w) or real_word(reader, w, *a, **k))
    news_engine.search("pemerinthan " + "kebijakanx" * 4 + " " + "q" * 330)
    assert "pemerinthan" in seen
    assert all(len(w) <= spelling.MAX_CORRECT_LENGTH for w in seen), [len(w) for w in seen]


@pytest.mark.shared_data
def test_correction_length_cap(news_engine, monkeypatch):
    from search.retrieval import spelling

    assert news_engine.search("pemerinthan").correction
    monkeypatch.setattr(spelling, "MAX_CORRECT_LENGTH", len("pemerinthan") - 1)
    assert news_engine.search("pemerinthan").correction is None


@pytest.mark.shared_data
def test_few_words_go_to_the_slow_body_walk(news_engine, monkeypatch):
    from search.retrieval import spelling

    walks = []
    real = spelling.best_word
    monkeypatch.setattr(spelling, "best_word", lambda *a, **k: walks.append(a[1]) or real(*a, **k))
    news_engine.search("qzvxk qzvxl qzvxm qzvxn qzvxp qzvxr")
    assert 0 < len(walks) <= spelling.MAX_BODY_WALKS


@pytest.mark.shared_data
def test_too_many_distinct_terms_is_a_query_error(news_engine):
    from search.retrieval.query import MAX_TERMS, QueryError

    numbers = " ".join(str(n) for n in range(MAX_TERMS + 10))     # each a term of its own
    assert len(numbers) < 500
    with pytest.raises(QueryError) as err:
        news_engine.search(f'"{numbers}"')
    assert err.value.code == "too_many_terms"


@pytest.mark.shared_data
def test_out_of_time_is_partial_and_the_total_is_not_authoritative(news_engine, monkeypatch):
    from search.retrieval import engine as searcher_module

    monkeypatch.setattr(searcher_module, "TIME_LIMIT", -1.0)
    results = news_engine.search("banjir jakarta")
    assert results.partial and not results.total_exact
    assert any("total" in note for note in results.notes)
    prefixed = news_engine.search("me* banjir")
    assert prefixed.partial and not prefixed.total_exact
    assert any("ran out of time" in note for note in prefixed.notes)


@pytest.mark.shared_data
def test_the_deadline_covers_parsing_and_spelling(news_engine, monkeypatch):
    """Budget time spent before matching counts: a slow parse leaves no time to match."""
    from search.retrieval import query

    real = query._Builder.expand

    def slow_expand(self, prefix):
        self.budget.deadline -= 10          # as if the expansion had taken ten seconds
        return real(self, prefix)

    monkeypatch.setattr(query._Builder, "expand", slow_expand)
    results = news_engine.search("me* banjir")
    assert results.partial and not results.total_exact


@pytest.mark.parametrize("value", ["9999-12-31", date(9999, 12, 31), "10000-01-01", "9999-13"])
def test_out_of_range_dates_are_query_errors(value):
    from search.retrieval.query import QueryError, normalize_filters

    with pytest.raises(QueryError) as err:
        normalize_filters({"date_to": value})
    assert err.value.code == "bad_date"


@pytest.mark.parametrize("q", ["banjir tanggal:9999-12", "banjir sebelum:9999-12-31",
                               "banjir sesudah:9999-12-31", "banjir tanggal:[2019-01-01 TO 9999-12-31]"])
def test_out_of_range_dates_in_the_query(engine, q):
    from search.retrieval.query import QueryError

    try:
        results = engine.search(q)
    except QueryError as exc:
        assert exc.code == "bad_date"
    else:
        assert results.total >= 0          # a valid range that reaches the end of time


@pytest.mark.parametrize("path", ["/api/search?q=banjir&date_to=9999-12-31",
                                  "/api/search?q=banjir&date_from=9999-12-31&date_to=9999-12-31",
                                  "/search?q=banjir&month=9999-12"])
def test_out_of_range_dates_are_400_not_500(client, path):
    response = client.get(path)
    assert response.status_code == 400, response.status_code
    if path.startswith("/api/"):
        assert response.get_json()["error"]["code"] == "bad_date"
    else:
        assert "Tanggal tidak dikenali" in response.get_data(as_text=True)


@pytest.mark.shared_data
def test_the_661_byte_query_through_the_app(news_index):
    from web import create_app
    from web.engine import close_engine

    app = create_app({"CARI_INDEX": str(news_index), "TESTING": True})
    try:
        client = app.test_client()
        assert client.get("/api/search?q=banjir").status_code == 200       # the index is open and warm
        started = time.perf_counter()
        response = client.get("/api/search", query_string={"q": HOSTILE})
        assert time.perf_counter() - started < 3.0
        assert response.status_code == 200
        assert response.get_json()["partial"] is True
    finally:
        close_engine(app)


@pytest.mark.integration
@pytest.mark.shared_data
def test_a_stuck_request_restarts_its_gunicorn_worker(news_index, tmp_path):
    """gthread's heartbeat goes on while a request thread is stuck: the
    watchdog in web/gunicorn_config.py ends the worker past CARI_TIMEOUT."""
    from conftest import GunicornServer

    server = GunicornServer(news_index, tmp_path, workers=1, CARI_TIMEOUT="2", CARI_GRACEFUL_TIMEOUT="1",
                            CARI_TEST_STALL_PATH="/__test_stall__").start()
    try:
        before = server.worker_pids()
        started = time.monotonic()
        with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
            server.get("/__test_stall__", timeout=60)
        assert time.monotonic() - started < 30          # ended by the watchdog, not by the client
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                assert server.search("banjir")["total"] >= 0
                break
            except OSError:
                time.sleep(0.2)
        after = server.worker_pids()
        assert after and after != before
        assert "over CARI_TIMEOUT" in server.errors()
    finally:
        server.stop()


@pytest.mark.shared_data
def test_a_heavy_search_waits_for_the_gate_then_answers_partial(news_engine, monkeypatch):
    """One heavy search per process: another one that cannot get the gate
    within HEAVY_WAIT stops and says so, with no authoritative total."""
    from search.retrieval import query

    monkeypatch.setattr(query, "HEAVY_CPU", 0.0)          # every search is heavy at once
    assert not news_engine.search("banjir jakarta").partial       # the gate is free
    news_engine.heavy_gate.acquire()                      # another search holds it
    try:
        started = time.perf_counter()
        results = news_engine.search("banjir jakarta")
        assert time.perf_counter() - started < 2.0
    finally:
        news_engine.heavy_gate.release()
    assert results.partial and not results.total_exact
    assert any("busy" in note for note in results.notes)
    assert not news_engine.heavy_gate.locked()            # nobody kept it


@pytest.mark.shared_data
def test_a_prefix_left_out_for_time_is_not_a_complete_zero(news_engine, monkeypatch):
    """me* alone, with no time left to expand it: not "nothing to search
    for" and not a complete total of 0."""
    from search.retrieval import engine as searcher_module

    monkeypatch.setattr(searcher_module, "TIME_LIMIT", -1.0)
    results = news_engine.search("me* " * 40)
    assert results.partial and not results.total_exact
    assert any("ran out of time" in note for note in results.notes)


@pytest.mark.shared_data
def test_expensive_shapes_need_the_gate_from_the_start(news_engine):
    from search.retrieval.query import HEAVY_CLAUSES, Budget

    searcher = news_engine.searcher()
    for q, heavy in (("banjir jakarta", False), ("me*", True), ("kata " * (HEAVY_CLAUSES + 1), True),
                     ("a" * 40, True)):
        budget = Budget(gate=news_engine.heavy_gate)
        try:
            news_engine.parse(q, searcher, budget=budget)
            budget.expired()
            assert budget.holding is heavy, q
        finally:
            budget.release()


# -- light requests first (search/retrieval/lanes.py) ---------------------------------------------


class RecordingLane:
    """search.retrieval.lanes.Lane, noting every step aside and whether it waited."""

    def __init__(self):
        from search.retrieval.lanes import Lane

        self.lane = Lane()
        self.steps: list[bool] = []

    def step_aside(self, most: float) -> bool:
        waited = self.lane.step_aside(most)
        self.steps.append(waited)
        return waited

    def __getattr__(self, name):
        return getattr(self.lane, name)

    def __contains__(self, ident):
        return ident in self.lane


@pytest.fixture
def lane(monkeypatch):
    from search.retrieval import lanes

    recording = RecordingLane()
    monkeypatch.setattr(lanes, "LIGHT", recording)
    return recording


def in_other_thread(lane):
    """A light request of another thread, in flight until ``done`` is set."""
    import threading

    entered, done = threading.Event(), threading.Event()

    def request():
        lane.enter()
        entered.set()
        done.wait(30)
        lane.leave()

    thread = threading.Thread(target=request, daemon=True)
    thread.start()
    assert entered.wait(10)
    return done, thread


def test_a_heavy_search_steps_aside_until_the_light_request_ends():
    import threading

    from search.retrieval.lanes import Lane

    lane = Lane()
    done, light = in_other_thread(lane)
    returned = threading.Event()
    waited = []
    heavy = threading.Thread(target=lambda: (waited.append(lane.step_aside(60)), returned.set()))
    heavy.start()
    assert not returned.wait(0.3)            # still aside while the light request runs
    done.set()
    light.join(10)
    assert returned.wait(10) and waited == [True]
    assert lane.step_aside(60) is False      # nobody light: no wait at all


def test_requests_that_start_during_a_step_aside_do_not_prolong_it():
    """A stream of light requests cannot starve a heavy search."""
    import threading

    from search.retrieval.lanes import Lane

    lane = Lane()
    first_done, first = in_other_thread(lane)
    returned = threading.Event()
    heavy = threading.Thread(target=lambda: (lane.step_aside(60), returned.set()))
    heavy.start()
    second_done, second = in_other_thread(lane)   # starts while the heavy one waits
    try:
        assert not returned.wait(0.3)
        first_done.set()
        assert returned.wait(10)                  # the second is still in flight
        assert len(lane) == 1
    finally:
        first_done.set()
        second_done.set()
        first.join(10)
        second.join(10)


@pytest.mark.shared_data
def test_a_light_search_is_answered_in_full_while_the_heavy_slot_is_held(news_engine, lane):
    """An ordinary query never needs the heavy gate: held by another search,
    it changes nothing for it, and a light search never steps aside."""
    import threading

    alone = news_engine.search("banjir jakarta")
    news_engine.heavy_gate.acquire()
    try:
        lane.enter()                          # as the app does for each request
        held = news_engine.search("banjir jakarta")
        assert threading.get_ident() in lane  # still light
    finally:
        lane.leave()
        news_engine.heavy_gate.release()
    assert not held.partial and held.total == alone.total > 0
    assert [h.id for h in held.hits] == [h.id for h in alone.hits]
    assert lane.steps == []


@pytest.mark.shared_data
def test_a_heavy_search_leaves_the_lane_and_steps_aside_for_light_requests(news_engine, lane, monkeypatch):
    import threading

    from search.retrieval import lanes

    monkeypatch.setattr(lanes, "HEAVY_YIELD", 0.001)     # the test needs no real pause
    done, light = in_other_thread(lane)
    try:
        lane.enter()
        news_engine.search("me* pemerintah")
        assert threading.get_ident() not in lane          # heavy by its shape: out of the lane
    finally:
        lane.leave()
        done.set()
        light.join(10)
    assert lane.steps and all(lane.steps)                 # it stepped aside at its checkpoints


@pytest.mark.shared_data
def test_a_heavy_search_alone_never_steps_aside(news_engine, lane):
    results = news_engine.search("me* pemerintah")
    assert lane.steps and not any(lane.steps)             # it looked, nobody was there
    assert not any("busy" in note for note in results.notes)


@pytest.mark.shared_data
def test_a_heavy_search_with_no_place_to_wait_stops_at_once(news_engine, monkeypatch):
    """Heavy searches hold at most half a worker's threads: with the gate
    taken and its one waiting place taken too, the next one heavy by its
    shape does not wait; an ordinary query that costs more waits its turn."""
    import threading

    from search.retrieval import lanes, query

    class Gate:
        """The engine's gate, noting how long each acquire was ready to wait."""

        def __init__(self, lock):
            self.lock, self.timeouts = lock, []

        def acquire(self, blocking=True, timeout=-1):
            self.timeouts.append(timeout if blocking else 0)
            return self.lock.acquire(blocking, timeout)

        def release(self):
            self.lock.release()

    gate = Gate(threading.Lock())
    monkeypatch.setattr(news_engine, "heavy_gate", gate)
    monkeypatch.setattr(lanes, "WAITERS", lanes.WAITERS)
    lanes.limit_waiters(4)                                # 4 threads: one runs, one waits
    gate.lock.acquire()                                   # another search runs
    assert lanes.WAITERS.acquire(blocking=False)          # a third waits
    try:
        results = news_engine.search("me* pemerintah")
        assert lanes.WAITERS.acquire(blocking=False) is False   # one place, still taken
    finally:
        lanes.WAITERS.release()
        gate.lock.release()
    assert results.partial and any("busy" in note for note in results.notes)
    assert gate.timeouts == [0]                           # tried once, without waiting
    gate.timeouts.clear()
    gate.lock.acquire()
    try:
        news_engine.search("me* pemerintah")              # the place is free: it waits its turn
    finally:
        gate.lock.release()
    assert gate.timeouts[0] == 0 and gate.timeouts[1] > 0

    monkeypatch.setattr(query, "HEAVY_CPU", 0.0)          # an ordinary query, heavy by its cost
    gate.timeouts.clear()
    gate.lock.acquire()
    assert lanes.WAITERS.acquire(blocking=False)          # no place left
    try:
        news_engine.search("banjir jakarta")
    finally:
        lanes.WAITERS.release()
        gate.lock.release()
    assert gate.timeouts[0] == 0 and gate.timeouts[1] > 0  # it waited its turn all the same


def test_waiting_places_are_half_the_threads_less_the_running_search():
    from search.retrieval import lanes

    saved = lanes.WAITERS
    try:
        for threads, places in ((1, 0), (2, 0), (4, 1), (8, 3)):
            lanes.limit_waiters(threads)
            taken = 0
            while lanes.WAITERS.acquire(blocking=False):
                taken += 1
            assert taken == places, threads
    finally:
        lanes.WAITERS = saved


@pytest.mark.shared_data
def test_each_app_request_is_light_until_its_search_turns_heavy(news_index, monkeypatch):
    import threading

    from search.retrieval import lanes
    from search.retrieval.engine import Engine
    from web import create_app
    from web.engine import close_engine

    seen = {}
    search = Engine.search

    def spy(self, q, *args, **kwargs):
        seen[q, "before"] = threading.get_ident() in lanes.LIGHT
        try:
            return search(self, q, *args, **kwargs)
        finally:
            seen[q, "after"] = threading.get_ident() in lanes.LIGHT

    monkeypatch.setattr(Engine, "search", spy)
    app = create_app({"CARI_INDEX": str(news_index), "TESTING": True, "CARI_RESULT_CACHE": 0})
    # As a warmed worker does (Engine.warm(settle=True)): the objects so far
    # are left out of the collector's passes. In the whole suite's process a
    # collection over every earlier test's objects may run inside a search
    # and count as its CPU: "banjir jakarta" once came out heavy there (the
    # file alone, and the suite up to it, passed).
    gc.collect()
    gc.freeze()
    try:
        client = app.test_client()
        client.get("/api/search", query_string={"q": "jakarta"})    # the index is open and warm
        for q in ("banjir jakarta", "me* pemerintah"):
            assert client.get("/api/search", query_string={"q": q}).status_code == 200
        assert client.get("/search", query_string={"q": "banjir"}).status_code == 200
    finally:
        gc.unfreeze()
        close_engine(app)
    assert seen["banjir jakarta", "before"] and seen["banjir jakarta", "after"]
    assert seen["me* pemerintah", "before"] and not seen["me* pemerintah", "after"]
    assert seen["banjir", "before"]
    assert len(lanes.LIGHT) == 0                          # every request left it


def test_a_light_request_of_another_worker_makes_a_heavy_search_step_aside():
    """The workers of a server share the cores: the lanes of two processes
    that share a board (as gunicorn's workers do) count each other's light
    requests, and a worker that died stops counting when the next one starts."""
    import multiprocessing

    from search.retrieval.lanes import Board, Lane

    board = Board.new(4)
    fork = multiprocessing.get_context("fork")
    entered, finish = fork.Event(), fork.Event()

    def other_worker():
        lane = Lane()
        lane.share(board)
        lane.enter()
        entered.set()
        finish.wait(30)
        lane.leave()

    worker = fork.Process(target=other_worker)
    worker.start()
    try:
        assert entered.wait(10)
        lane = Lane()
        lane.share(board)
        assert lane.totals() == (1, 0)           # the other worker's request, in flight
        assert lane.step_aside(0.05) is True
        finish.set()
        worker.join(10)
        assert lane.totals() == (1, 1) and lane.step_aside(60) is False
    finally:
        finish.set()
        worker.join(10)

    dying = fork.Process(target=_enter_and_die, args=(board,))
    dying.start()
    dying.join(10)
    entered_ever, left_ever = board.totals()
    assert entered_ever - left_ever == 1          # its request never left
    late = Lane()
    late.share(board)                             # a new worker: dead workers' slots are cleared
    assert late.totals() == (0, 0) and late.step_aside(60) is False


def _enter_and_die(board):
    import os

    from search.retrieval.lanes import Lane

    lane = Lane()
    lane.share(board)
    lane.enter()
    os._exit(0)                                   # a worker recycled with a request in flight


def test_the_cpu_clock_is_read_every_few_checkpoints(monkeypatch):
    """Reading the thread's CPU clock is a system call: a search looks at it
    every CPU_LOOK_EVERY checkpoints, and at once after mark_heavy."""
    import threading

    from search.retrieval import query

    monkeypatch.setattr(query, "HEAVY_CPU", 1e9)
    budget = query.Budget(gate=threading.Lock())
    assert budget.expired() is False and not budget.holding     # looked: light
    monkeypatch.setattr(query, "HEAVY_CPU", 0.0)                 # from now on over the limit
    for _ in range(query.CPU_LOOK_EVERY - 1):
        budget.expired()
        assert not budget.holding                                # not looked yet
    budget.expired()
    assert budget.holding                                        # the next look takes the gate
    budget.release()

    monkeypatch.setattr(query, "HEAVY_CPU", 1e9)
    shaped = query.Budget(gate=threading.Lock())
    shaped.expired()
    shaped.expired()                                             # between two looks
    shaped.mark_heavy()
    monkeypatch.setattr(query, "HEAVY_CPU", 0.0)
    shaped.expired()
    assert shaped.holding                                        # heavy by its shape: at once
    shaped.release()


def test_the_cpu_clock_is_not_read_before_the_wall_clock_allows_heavy(monkeypatch):
    """A thread cannot have used more CPU than the time since it started:
    until HEAVY_CPU has passed on the wall clock, no look reads the CPU clock."""
    import threading
    import time

    from search.retrieval import query

    budget = query.Budget(gate=threading.Lock())
    reads = []
    real = time.thread_time
    monkeypatch.setattr(time, "thread_time", lambda: reads.append(1) or real())
    for _ in range(10 * query.CPU_LOOK_EVERY):
        assert budget.expired() is False
    assert reads == [] and not budget.holding
    budget.wall_start -= query.HEAVY_CPU                # as if HEAVY_CPU had passed
    for _ in range(query.CPU_LOOK_EVERY):
        budget.expired()
    assert len(reads) == 1 and not budget.holding      # looked once: little CPU used, still light


def test_excused_work_neither_counts_toward_heavy_nor_reads_the_cpu_clock(monkeypatch):
    """Per-generation work (Budget.excuse) is outside the budget: the
    deadline moves by its time, the CPU counted toward heavy leaves it out,
    and the CPU clock (a system call) is not read for it."""
    import threading
    import time

    from search.retrieval import query

    budget = query.Budget(seconds=10, gate=threading.Lock())
    deadline = budget.deadline
    reads = []
    real = time.thread_time
    monkeypatch.setattr(time, "thread_time", lambda: reads.append(1) or real())

    def busy():                 # 2 x HEAVY_CPU of work, as a first vocabulary build may take
        end = time.perf_counter() + 2 * query.HEAVY_CPU
        while time.perf_counter() < end:
            pass
        return "built"
    assert budget.excuse(busy) == "built"
    assert reads == [] and budget.deadline - deadline >= 2 * query.HEAVY_CPU
    for _ in range(4 * query.CPU_LOOK_EVERY):
        assert budget.expired() is False
    assert not budget.holding and reads == []


class SleepingLane:
    """A lane with light requests always in flight: each step aside waits its most."""

    def __init__(self):
        self.waited = 0.0
        self.waits = 0

    def step_aside(self, most: float) -> bool:
        if most <= 0:
            return False
        time.sleep(most)
        self.waited += most
        self.waits += 1
        return True

    def leave(self) -> None:
        pass


@pytest.mark.parametrize("by_shape", [False, True])
def test_a_search_heavy_by_its_cpu_steps_aside_for_a_bounded_time(monkeypatch, by_shape):
    """Under a steady stream of light requests, a search of ordinary shape
    that went over the CPU limit steps aside HEAVY_CPU_YIELD in all, then
    runs on; one heavy by its shape steps aside at every checkpoint."""
    import threading

    from search.retrieval import lanes, query

    sleeping = SleepingLane()
    monkeypatch.setattr(lanes, "LIGHT", sleeping)
    monkeypatch.setattr(lanes, "HEAVY_YIELD", 0.02)
    monkeypatch.setattr(query, "HEAVY_CPU_YIELD", 0.05)
    monkeypatch.setattr(query, "HEAVY_CPU", 0.0)          # over the limit at the first look
    budget = query.Budget(seconds=60, gate=threading.Lock())
    if by_shape:
        budget.mark_heavy()
    for _ in range(10):
        budget.expired()
    budget.release()
    assert budget.holding is False
    if by_shape:
        assert sleeping.waits == 10 and sleeping.waited == pytest.approx(10 * 0.02)
    else:
        assert 2 <= sleeping.waits <= 3                        # 0.02, 0.02 and what is left
        assert sleeping.waited <= 0.05 + 1e-9 and budget.yielded >= 0.04
