"""Indexing progress: a live line on a terminal, plain log lines otherwise."""
from __future__ import annotations

import time


class Progress:
    def __init__(self, stream, every_seconds: float = 5.0):
        self.stream = stream
        self.tty = stream.isatty()
        self.started = time.perf_counter()
        self.last = 0.0
        self.every = 0.2 if self.tty else every_seconds
        self.shown = False

    def update(self, files_done: int, files_total: int, articles: int) -> None:
        now = time.perf_counter()
        if now - self.last < self.every and files_done < files_total:
            return
        self.last = now
        elapsed = now - self.started
        rate = articles / elapsed if elapsed > 0 else 0.0
        eta = elapsed / files_done * (files_total - files_done) if files_done else 0.0
        line = (f"{files_done}/{files_total} files, {articles} articles, "
                f"{rate:.0f} articles/s, ETA {eta:.0f}s")
        if self.tty:
            self.stream.write("\r" + line.ljust(78))
            self.shown = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty and self.shown:
            self.stream.write("\n")
            self.stream.flush()
