"""The check's read model: a per-process copy of what a check of an organisation reads.

A check reads three things about a subject: whether the platform knows it, its status row
(list memberships) and the current records of the items that record triggers and commitment
bars name (penalties…), each with the triggers its fields meet, computed once when the record
is loaded (they depend on the record alone). Every change to any of these is a ledger entry, so
the copy follows the ledger: at most every ``interval`` seconds one request asks for the ledger
head (a primary-key lookup) and, if it moved, reloads the subjects of the new entries.

Known subjects are kept as a sorted array of 64-bit digests of their keys (8 bytes a subject:
16 MB for two million), searched by bisection; a digest collision could only make an unknown
code look known, with odds below one in 10^12 at provincial scale.
An answer from the copy carries the ledger version it reflects (``data_version``), and is at
most ``interval`` behind.

No check request pays for catching up: a daemon thread of the process polls the head every
``interval`` seconds (only the first check, before anything is loaded, waits for the load),
and the process that commits a change catches its copy up right after the commit
(``bootstrap.Platform.dispatch_events``), so a check after a publication in the same process
sees it at once; other processes see it within ``interval``. With ``interval`` 0 there is no
thread and every check first catches up (the tests).

Why the ledger head and not the outbox: every change a check can see is a ledger entry
(listings, exits, records, corrections, revocations, registrations), including those no domain
event announces; the head is one primary-key read, and the new entries say which subjects to
reload. Following the outbox would need an event for every such write.

Natural persons are not served from the copy (their relations are read from the database),
and neither is the lookup by name.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import logging
import threading
import time
from array import array
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Engine

from xinyong.catalog.sanctions import SanctionsCatalogue
from xinyong.checks import repository as repo
from xinyong.checks.rules import CurrentRecord, EntryRow, classify, current
from xinyong.kernel.memory import collector_paused
from xinyong.objections import service as objections

log = logging.getLogger(__name__)

# Above this many changed subjects a full reload is cheaper than reloading each.
FULL_RELOAD = 200_000


def _digest(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")


class CheckReadModel:
    def __init__(self, engine: Engine, sanctions: SanctionsCatalogue, interval: float) -> None:
        self._engine = engine
        self._sanctions = sanctions
        self._fields = {i: sanctions.record_fields(i) for i in sanctions.check_items()}
        self._interval = interval
        self._status: dict[str, tuple[list[Any], int]] = {}
        self._records: dict[str, tuple[CurrentRecord, ...]] = {}
        self._versions: dict[str, int] = {}  # newest trigger-item entry id per subject
        # Open objections per subject: each step of one is a ledger entry about the subject,
        # so a catch-up reloads them with the rest.
        self._objections: dict[str, tuple[dict[str, Any], ...]] = {}
        self._known = array("Q")  # sorted digests of the keys at the last full load
        self._known_since: set[str] = set()  # keys seen in entries since then
        self._sectors: dict[str, str] = {}  # department code -> sector
        self._head = -1  # nothing loaded
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._refresher: threading.Thread | None = None

    @property
    def head(self) -> int:
        return max(self._head, 0)

    @property
    def loaded(self) -> bool:
        """Whether the first load has finished (until then a check waits for it)."""
        return self._head >= 0

    def current(self) -> CheckReadModel:
        """The copy: loaded on first use (then kept current by the refresher thread), or, with
        ``interval`` 0, caught up first."""
        if self._head < 0:
            with self._lock:
                if self._head < 0:
                    self._load()
                    self._start_refresher()
        elif self._interval == 0:
            self.catch_up()
        return self

    def catch_up(self) -> None:
        """Catch up with the ledger now (nothing to do before the first load). Checks never
        take this lock once loaded: only catch-ups wait for each other, so one that starts
        after a commit always reads a head that includes it."""
        if self._head < 0:
            return
        with self._lock:
            self._catch_up()

    def close(self) -> None:
        """Stop the refresher thread (at shutdown)."""
        self._stop.set()

    def _start_refresher(self) -> None:
        if self._interval <= 0 or self._refresher is not None:
            return
        self._refresher = threading.Thread(
            target=self._refresh, name="check-read-model", daemon=True
        )
        self._refresher.start()

    def _refresh(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.catch_up()
            except Exception:  # a lost connection: the copy stays as it is, tried again later
                log.exception("check read model: catching up failed")

    def status_rows(self, keys: Sequence[str]) -> dict[str, tuple[list[Any], int]]:
        return {k: self._status[k] for k in keys if k in self._status}

    def records(self, keys: Sequence[str]) -> dict[str, list[CurrentRecord]]:
        return {k: list(self._records[k]) for k in keys if k in self._records}

    def objection_marks(self, keys: Sequence[str]) -> list[dict[str, Any]]:
        return [m for k in keys for m in self._objections.get(k, ())]

    def record_version(self, keys: Sequence[str]) -> int:
        return max((self._versions.get(k, 0) for k in keys), default=0)

    def sector_of(self, department_code: str) -> str | None:
        """A department's sector (departments are few and rarely added: one read for a code
        the copy has not seen)."""
        sector = self._sectors.get(department_code)
        if sector is None:
            with self._engine.connect() as conn:
                self._sectors = repo.department_sectors(conn)
            sector = self._sectors.get(department_code)
        return sector

    def knows(self, key: str) -> bool:
        """Whether the platform held anything about ``key`` when the copy last caught up."""
        if key in self._known_since:
            return True
        d = _digest(key)
        i = bisect.bisect_left(self._known, d)
        return i < len(self._known) and self._known[i] == d

    def _group(self, rows: Iterable[EntryRow]) -> None:
        """Resolve and store the current records of the subjects of ``rows`` (all their
        trigger-item entries, oldest first). Each entry is classified as it streams in, so
        only the matched trigger ids and a few dates are kept, not its field values."""
        grouped: dict[str, list[CurrentRecord]] = {}
        for e in rows:
            grouped.setdefault(e.subject_key, []).append(classify(e, self._sanctions))
        for k, records in grouped.items():
            standing = current(records)
            self._versions[k] = max(r.entry.id for r in records)
            if standing:
                self._records[k] = tuple(standing)
            else:
                self._records.pop(k, None)

    def _load(self) -> None:
        # Millions of rows are built here and none is garbage: collections while loading
        # only walk them again and again (measured at 1,000,000 entries: 60 s with, 44 s
        # without). Requests served meanwhile may leave cycles; they wait for the switch-on.
        with collector_paused():
            self._load_all()

    def _load_all(self) -> None:
        started = time.perf_counter()
        self._records = {}
        self._versions = {}
        with self._engine.connect() as conn:
            head = repo.entry_head(conn)
            status = {k: (m, v) for k, m, v in repo.all_status_rows(conn)}
            known = array("Q", sorted({_digest(k) for k in repo.all_subject_keys(conn)}))
            self._group(e for e in repo.all_trigger_entries(conn, self._fields) if e.id <= head)
            marks = _by_subject(objections.all_open_marks(conn))
        self._status = status
        self._objections = marks
        self._known = known
        self._known_since = set()
        self._head = head
        # Millions of long-lived rows: without this every full collection walks them all
        # again (measured: check p99 24 ms with, 12 ms without those pauses).
        gc.freeze()
        log.info(
            "check read model loaded: %d status rows, %d subjects with trigger records, "
            "%d known subjects, ledger head %d, %.1f s",
            len(status),
            len(self._records),
            len(known),
            head,
            time.perf_counter() - started,
        )

    def _catch_up(self) -> None:
        with self._engine.connect() as conn:
            head = repo.entry_head(conn)
            if head <= self._head:
                return
            changed = repo.subjects_after(conn, self._head, FULL_RELOAD)
            if changed is not None:
                keys = sorted(changed)
                status = repo.status_rows(conn, keys)
                entries = repo.trigger_entries(conn, keys, self._fields)
                marks = _by_subject(objections.open_marks(conn, keys))
        if changed is None:
            self._load()
            return
        # Item assignment is atomic: a concurrent check sees a subject's old or new rows.
        for k in keys:
            if k in status:
                self._status[k] = status[k]
            else:
                self._status.pop(k, None)
        for k in keys:
            if k in marks:
                self._objections[k] = marks[k]
            else:
                self._objections.pop(k, None)
        present = {e.subject_key for e in entries}
        for k in keys:
            if k not in present:
                self._records.pop(k, None)
        self._group(entries)
        self._known_since.update(k for k in keys if not k.startswith("P"))
        # Rows newer than ``head`` may have been read too; their subjects are read again at the
        # next catch-up, which is harmless. Moving past ``head`` could skip other subjects.
        self._head = head


def _by_subject(marks: Iterable[dict[str, Any]]) -> dict[str, tuple[dict[str, Any], ...]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for m in marks:
        out.setdefault(m["subject_key"], []).append(m)
    return {k: tuple(v) for k, v in out.items()}
