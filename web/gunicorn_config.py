"""gunicorn settings for `cari serve` and `make run`.

Use it as a file (``gunicorn -c web/gunicorn_config.py 'web:create_app()'``, what
`cari serve` does) so that gunicorn's master imports no application code;
every setting comes from a ``CARI_*`` variable, declared, typed and checked
in search/settings.py (docs/configuration.md).

Workers are processes, one per core: a query is CPU-bound Python, and each
worker keeps its own searchers. Each worker runs a few threads so a slow
client or a long query does not hold the whole worker; its light requests
run one at a time (search/retrieval/lanes.py). The index is opened
after the fork, on the first request (preload_app stays off). A worker with
more requests in flight than its least busy sibling closes kept-alive
connections after the answer, so clients that opened theirs at once do not
all stay with one worker (web/balance.py).

A stuck request really ends. gunicorn's ``timeout`` alone does not do it for
``gthread``: the worker's main thread sends the heartbeat between polls
whatever its request threads do, so a thread stuck in a request never stops
it. Each worker therefore keeps a watchdog thread that looks at the requests
in flight (``pre_request``/``post_request``); one older than ``timeout``
(``CARI_TIMEOUT``) is logged, the worker stops accepting, the other requests
get ``graceful_timeout`` to finish, and the process exits, so the arbiter
starts a fresh one. (A search cannot get there by itself: search/retrieval/engine.py
holds every query to a budget of two seconds.)
"""
import ctypes
import multiprocessing
import os
import sys
import threading
import time

# Loaded as a file, this module may not find the project on sys.path. (Every
# public name here is read as a gunicorn setting: hence "cari_settings".)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from search import settings as cari_settings  # noqa: E402
from search.retrieval.lanes import Board  # noqa: E402
from web.balance import Balance  # noqa: E402
from web.logs import TEXT_ACCESS_FORMAT  # noqa: E402

try:
    _cari = cari_settings.read()   # every setting, checked before any worker starts
except cari_settings.SettingError as exc:
    sys.exit(f"cari: {exc}")       # one line, not gunicorn's traceback of this file

bind = cari_settings.bind()
workers = cari_settings.workers()
worker_class = "gthread"
threads = _cari["CARI_THREADS"]
# A query that runs longer than this gets its worker restarted.
timeout = _cari["CARI_TIMEOUT"]
graceful_timeout = _cari["CARI_GRACEFUL_TIMEOUT"]
keepalive = _cari["CARI_KEEPALIVE"]
preload_app = False

logger_class = "web.logs.Logger"
accesslog = _cari["CARI_ACCESS_LOG"]
access_log_format = TEXT_ACCESS_FORMAT
errorlog = _cari["CARI_ERROR_LOG"] or "/dev/null"
loglevel = _cari["CARI_LOG_LEVEL"]
proc_name = "cari"
# gunicorn >= 25 opens a control socket at one fixed path per user: two
# servers would fight over it. Opt in with CARI_CONTROL_SOCKET=/path.
control_socket_disable = not _cari["CARI_CONTROL_SOCKET"]
if _cari["CARI_CONTROL_SOCKET"]:
    control_socket = _cari["CARI_CONTROL_SOCKET"]

# Long search URLs (many filters) get the app's JSON 413 rather than
# gunicorn's own HTML 414 at 4094 bytes.
limit_request_line = 8190


def post_worker_init(worker):
    """After the fork: open the index and build its caches in this worker;
    start the watchdog."""
    from web.engine import warm_engine

    warm_engine(worker.wsgi)
    # A thread that waited for I/O (a socket, a stored field) takes the
    # interpreter back only when the running thread hands it over, by default
    # every 5 ms: behind CPU-bound searches, a light one that reads twenty
    # times would wait 100 ms. Hand over every millisecond.
    sys.setswitchinterval(SWITCH_INTERVAL)
    # Light requests first, in every worker (search/retrieval/lanes.py): a
    # heavy search steps aside while any worker has one in flight, as they
    # share the cores. Heavy searches waiting for their turn hold at most
    # half of the threads; the rest stays for light requests.
    from search.retrieval import lanes

    lanes.LIGHT.share(lanes.Board(*_light_board))
    lanes.limit_waiters(worker.cfg.threads)
    # One light request at a time per worker (a worker per core): threads
    # running Python at once cost far more CPU than the same work in turn.
    lanes.LIGHT.take_turns()
    # Kept-alive connections spread over the workers (web/balance.py).
    _balance.join()
    threading.Thread(target=_watchdog, args=(worker, timeout), name="cari-watchdog", daemon=True).start()


SWITCH_INTERVAL = 0.001
# The light requests of every worker (search.retrieval.lanes.Board): made
# here, in the master, so that the workers it forks share them. Slots for
# the workers and for their replacements (a dead worker's slot is reused).
_LIGHT_SLOTS = 4 * workers + 8
_light_board = (multiprocessing.Lock(), *(multiprocessing.RawArray(ctypes.c_longlong, _LIGHT_SLOTS)
                                          for _ in range(3)))
# Requests in flight per worker, on a board of their own (web/balance.py).
_balance = Balance(Board(multiprocessing.Lock(), *(multiprocessing.RawArray(ctypes.c_longlong, _LIGHT_SLOTS)
                                                   for _ in range(3))))
# Requests in flight in this worker: request thread -> (monotonic start, "METHOD /path").
_in_flight: dict = {}
# Tests only (tests/test_query_budget.py): a request for exactly this path
# hangs, as a stuck request would. Unset in production: no request can.
_TEST_STALL_PATH = cari_settings.value("CARI_TEST_STALL_PATH")


def pre_request(worker, req):
    _in_flight[threading.get_ident()] = (time.monotonic(), f"{req.method} {req.path}")
    if _balance.start():
        req.must_close = True       # gunicorn answers "Connection: close" and closes after it
    if _TEST_STALL_PATH is not None and req.path == _TEST_STALL_PATH:
        while True:
            time.sleep(1)


def post_request(worker, req, environ, resp):
    _in_flight.pop(threading.get_ident(), None)
    _balance.end()


def _watchdog(worker, limit: float) -> None:
    """End this worker when a request has run longer than ``limit`` seconds."""
    step = min(1.0, limit / 4)
    while True:
        time.sleep(step)
        now = time.monotonic()
        stuck = {ident: (started, what) for ident, (started, what) in list(_in_flight.items())
                 if now - started > limit}
        if stuck:
            break
    for started, what in stuck.values():
        worker.log.critical("%s has run %.0f s, over CARI_TIMEOUT=%s: restarting worker %s",
                            what, now - started, limit, os.getpid())
    worker.alive = False                # accept nothing more
    # The other requests in flight get graceful_timeout to finish.
    end = time.monotonic() + worker.cfg.graceful_timeout
    while time.monotonic() < end and any(ident not in stuck for ident in list(_in_flight)):
        time.sleep(0.1)
    for log in (worker.log.error_log, worker.log.access_log):
        for handler in log.handlers:
            try:
                handler.flush()
            except Exception:  # noqa: BLE001 - exiting anyway
                pass
    # A thread cannot be stopped from outside, and interpreter shutdown would
    # wait for it: leave now; the arbiter starts a new worker.
    os._exit(1)
