"""A fixed-window request counter per key (a link's token hash, a client address).

It lives in the process: behind N replicas each one counts on its own, so the effective limit is N times the
setting, which still stops a single client from hammering a link or guessing tokens.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class RateLimiter:
    def __init__(self, window_seconds: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window_seconds
        self._clock = clock
        self._counts: dict[str, tuple[int, int]] = {}

    def hit(self, key: str, limit: int) -> int:
        """Count a request; 0 when allowed, else the seconds until the key's window resets."""
        now = self._clock()
        window = int(now // self.window)
        start, count = self._counts.get(key, (window, 0))
        if start != window:
            start, count = window, 0
        count += 1
        self._counts[key] = (start, count)
        if len(self._counts) > 100_000:
            self._counts = {k: v for k, v in self._counts.items() if v[0] == window}
        if count > limit:
            return max(1, int((window + 1) * self.window - now))
        return 0
