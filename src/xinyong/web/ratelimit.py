"""A per-client token bucket for the public search (settings ``search_rate_per_minute``,
``search_rate_burst``). Per server process; clients are told apart by their address as the
server sees it (behind a reverse proxy, the proxy must limit or pass the real address)."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from xinyong.kernel.errors import RateLimited

# Buckets kept at most: the least recently seen client is forgotten first, so a flood of
# addresses cannot grow the process (a forgotten client starts again with a full bucket).
MAX_CLIENTS = 10_000


class RateLimiter:
    def __init__(
        self,
        per_minute: int,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = MAX_CLIENTS,
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, client: str) -> None:
        """Take one token for ``client``; ``RateLimited`` (429, Chinese) when none is left."""
        if self.rate <= 0:
            return
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens < 1:
                self._buckets[client] = (tokens, now)
                wait = math.ceil((1 - tokens) / self.rate)
                raise RateLimited(
                    f"search rate limit exceeded; retry after {wait} s",
                    f"查询过于频繁，请 {wait} 秒后再试",
                    retry_after=wait,
                )
            self._buckets[client] = (tokens - 1, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
