"""gunicorn settings for `cari serve` and `make run`.

Use it as a file (``gunicorn -c web/gunicorn_config.py 'web:create_app()'``, what
`cari serve` does) so that gunicorn's master imports no application code;
every setting comes from a ``CARI_*`` variable (docs/configuration.md).

Workers are processes, one per core: a query is CPU-bound Python, and each
worker keeps its own searchers. Each worker runs a few threads so a slow
client or a long query does not hold the whole worker. The index is opened
after the fork, on the first request (preload_app stays off).
"""
import os
import sys

# Loaded as a file, this module may not find the project on sys.path. (Every
# public name here is read as a gunicorn setting: hence "cari_settings".)
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from search import config as cari_settings  # noqa: E402
from web.logging import TEXT_ACCESS_FORMAT  # noqa: E402

bind = cari_settings.bind()
workers = cari_settings.workers()
worker_class = "gthread"
threads = cari_settings.get_int("CARI_THREADS")
# A query that runs longer than this gets its worker restarted.
timeout = cari_settings.get_int("CARI_TIMEOUT")
graceful_timeout = cari_settings.get_int("CARI_GRACEFUL_TIMEOUT")
keepalive = cari_settings.get_int("CARI_KEEPALIVE", minimum=0)
preload_app = False

logger_class = "web.logging.Logger"
accesslog = cari_settings.log_target("CARI_ACCESS_LOG")
access_log_format = TEXT_ACCESS_FORMAT
errorlog = cari_settings.log_target("CARI_ERROR_LOG") or "/dev/null"
loglevel = cari_settings.get("CARI_LOG_LEVEL")
proc_name = "cari"
# gunicorn >= 25 opens a control socket at one fixed path per user: two
# servers would fight over it. Opt in with CARI_CONTROL_SOCKET=/path.
control_socket_disable = not os.environ.get("CARI_CONTROL_SOCKET")
if os.environ.get("CARI_CONTROL_SOCKET"):
    control_socket = os.environ["CARI_CONTROL_SOCKET"]

# Long search URLs (many filters) get the app's JSON 413 rather than
# gunicorn's own HTML 414 at 4094 bytes.
limit_request_line = 8190


def post_worker_init(worker):
    """After the fork: open the index and build its caches in this worker."""
    from web.engine import warm_engine

    warm_engine(worker.wsgi)
