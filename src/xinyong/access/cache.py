"""Authenticated API keys remembered per server process.

A key lookup costs a pooled connection and a query, and a check must stay a few
milliseconds, so a process answers a known key from memory. The price is the revocation
delay: a key revoked in the database keeps working in a process that remembers it until the
entry expires. An entry therefore expires ``ttl`` seconds after the database was *read*
(not after the answer was stored, which may be later under load), so every process refuses a
revoked key at most ``ttl`` seconds after the revocation committed; an expired entry is
dropped when next asked for, and the process that revokes a key forgets it immediately.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from xinyong.access.service import Principal

# Keys are few; the bound only stops a flood of bad keys from growing the table.
MAX_ENTRIES = 10_000


class PrincipalCache:
    """Digest of a key -> (expiry, principal). ``clock`` is monotonic seconds (injectable so
    tests can move it)."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._entries: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str) -> Principal | None:
        """The remembered caller, or None when unknown or expired (then forgotten)."""
        hit = self._entries.get(digest)
        if hit is None:
            return None
        if hit[0] > self.clock():
            return hit[1]
        with self._lock:
            if self._entries.get(digest) is hit:  # not refreshed meanwhile by another thread
                del self._entries[digest]
        return None

    def now(self) -> float:
        """The reading to take before looking a key up, then to pass to ``put``."""
        return self.clock()

    def put(self, digest: str, principal: Principal, read_at: float) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[digest] = (read_at + self.ttl, principal)

    def forget_client(self, client_id: int) -> None:
        """Drop every remembered key of this client (it was just revoked)."""
        with self._lock:
            for digest in [
                d
                for d, (_, p) in self._entries.items()
                if p.kind == "client" and p.client_id == client_id
            ]:
                del self._entries[digest]

    def __len__(self) -> int:
        return len(self._entries)
