"""A token bucket per client IP, kept in this process (so per gunicorn worker).

Configured by ``CARI_RATE_LIMIT`` (search/settings.py): ``None``/``"off"``
(the default) or ``"N/PERIOD"`` with PERIOD ``s``, ``m``, ``h`` or a number of
seconds, e.g. ``"120/m"``. A client may burst N requests, then gets N per PERIOD.
"""
from __future__ import annotations

import math
import threading
import time

from search import settings

MAX_CLIENTS = 10_000  # forget idle clients beyond this many, so memory stays bounded


def parse_rule(rule) -> tuple[int, float] | None:
    """(burst, seconds per refill of the whole burst) or None when off;
    SettingError (a ValueError) when ``rule`` is neither."""
    return settings.SETTINGS["CARI_RATE_LIMIT"].parse(rule)


class RateLimiter:
    def __init__(self, burst: int, period: float, clock=time.monotonic):
        self.burst = burst
        self.rate = burst / period          # tokens per second
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}   # ip -> (tokens, last time)
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """0 when ``client`` may go ahead, else the seconds until it may."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.burst), now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                self._forget_idle(now)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        if len(self._buckets) <= MAX_CLIENTS:
            return
        full = self.burst / self.rate
        for ip in [ip for ip, (_, last) in self._buckets.items() if now - last >= full]:
            del self._buckets[ip]


def retry_after(seconds: float) -> int:
    """Whole seconds for the Retry-After header (at least 1)."""
    return max(1, math.ceil(seconds))


EXTENSION = "cari_rate_limiter"


def install(app, rule) -> None:
    """One limiter per app (per worker), shared by the API and the HTML pages,
    so a client has one budget however it asks."""
    parsed = parse_rule(rule)
    app.extensions[EXTENSION] = RateLimiter(*parsed) if parsed else None


def wait_for(app, client: str) -> int:
    """0 when ``client`` may go ahead, else whole seconds for Retry-After."""
    limiter = app.extensions.get(EXTENSION)
    if limiter is None:
        return 0
    wait = limiter.take(client or "unknown")
    return retry_after(wait) if wait else 0
