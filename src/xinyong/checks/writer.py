"""Check receipts written in small batches off the request path.

A receipt insert and its commit cost about as much as the whole rest of a check; business
systems check at every transaction, so the server hands receipts to one background thread
per process, which writes whatever has queued every ``interval`` seconds in one
transaction. A receipt exists only in memory until the write after the next tick commits: at
most the interval (20 ms by default) plus two write times (the write in progress when it was
queued, and its own); on shutdown the queue is drained. A failed write keeps the rows and
retries. With the interval set to 0 there is no writer: each receipt commits before the answer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Any

from sqlalchemy import Engine

from xinyong.checks import repository as repo

log = logging.getLogger(__name__)


class ReceiptWriter:
    def __init__(self, engine: Engine, interval: float) -> None:
        self._engine = engine
        self._interval = interval
        self._pending: deque[dict[str, Any]] = deque()
        self._write_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(self, row: dict[str, Any]) -> None:
        self._pending.append(row)  # deque.append is atomic: no lock on the request path
        if self._thread is None:
            self._start()

    def _start(self) -> None:
        with self._start_lock:
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(
                    target=self._run, name="xinyong-receipts", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.flush()

    def flush(self) -> int:
        """Write every queued receipt now; returns how many were written."""
        with self._write_lock:
            rows: list[dict[str, Any]] = []
            while self._pending:
                rows.append(self._pending.popleft())
            if not rows:
                return 0
            try:
                with self._engine.begin() as conn:
                    repo.insert_receipts(conn, rows)
            except Exception:
                log.exception("writing %d check receipts failed; retrying", len(rows))
                self._pending.extendleft(reversed(rows))
                time.sleep(min(1.0, self._interval * 10))
                return 0
            return len(rows)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.flush()

    @property
    def pending(self) -> int:
        return len(self._pending)
