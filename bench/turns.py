"""Searches at once in one process against the same searches in turn: why
a server's light requests take turns (search/retrieval/lanes.py).

``python -m bench.turns INDEX`` warms one engine as a worker does, then runs
the load benchmark's rotated queries (bench/load.py, with grouping and
diversity as the API asks, result cache off) three ways, in one process:
one thread; four threads at once; four threads taking turns through a
``Lane`` (enter and leave around each search, as the app does around each
request). It prints, for each, the process's CPU (user + system) per search,
its system share, and the wall time of the whole run.
"""
from __future__ import annotations

import resource
import sys
import threading
import time

THREADS = 4


def cpu_seconds() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime, usage.ru_stime


def run_threads(search, queries: list[str], threads: int, lane=None) -> dict:
    """Each thread searches every query once, from its own starting point."""
    def worker(k: int) -> None:
        for i in range(len(queries)):
            if lane is not None:
                lane.enter()
            try:
                search(queries[(i + 37 * k) % len(queries)])
            finally:
                if lane is not None:
                    lane.leave()

    (cpu0, sys0), started = cpu_seconds(), time.perf_counter()
    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    (cpu1, sys1), wall = cpu_seconds(), time.perf_counter() - started
    searches = threads * len(queries)
    return {"cpu_ms": round((cpu1 - cpu0) * 1000 / searches, 2),
            "system_ms": round((sys1 - sys0) * 1000 / searches, 2), "wall_s": round(wall, 2)}


def measure(index: str) -> dict:
    from bench import load
    from search.errors import QueryError
    from search.retrieval.engine import Engine
    from search.retrieval.lanes import Lane
    from web.gunicorn_config import SWITCH_INTERVAL

    queries = load.queries()
    engine = Engine(index, result_cache_size=0)
    engine.warm(settle=True)
    sys.setswitchinterval(SWITCH_INTERVAL)        # as a worker sets it

    def search(q: str) -> None:
        try:
            engine.search(q, per_page=10, highlight=True, facets=True, group=True, diverse=True)
        except QueryError:
            pass

    for q in queries:
        search(q)
    turns = Lane()
    turns.take_turns()
    found = {"one thread": run_threads(search, queries, 1),
             f"{THREADS} threads at once": run_threads(search, queries, THREADS),
             f"{THREADS} threads in turn": run_threads(search, queries, THREADS, turns)}
    engine.close()
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m bench.turns INDEX", file=sys.stderr)
        return 2
    for name, figures in measure(argv[0]).items():
        print(f"{name}: {figures['cpu_ms']} ms CPU a search ({figures['system_ms']} ms system), "
              f"{figures['wall_s']} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
