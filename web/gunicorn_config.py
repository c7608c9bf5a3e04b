"""gunicorn settings for `cari serve` and `make run` (python:web.gunicorn_config).

Workers are processes (one per core); each runs a few threads, and each thread
keeps its own Whoosh searcher. The index is opened after the fork, on the first
request.
"""
import multiprocessing
import os

bind = os.environ.get("CARI_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CARI_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("CARI_THREADS", 4))
timeout = 30
graceful_timeout = 10
keepalive = 5
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
preload_app = False
