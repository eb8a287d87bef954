"""Emit domain events in the caller's transaction; dispatch them to consumers, exactly once each.

A change and its event commit together (the caller owns the transaction), so there is never a
change without its event nor an event without its change. After the commit, the process that
made the change dispatches at once (``bootstrap.Platform.transaction``), which keeps today's
behaviour: an alert right after a publication. Whatever a crash between the commit and the
dispatch left behind, the ``dispatch_events`` job drains.

A consumer handles the events after its stored position in id order (hence, per subject, in
the order they happened), in one transaction per run that also advances its position: its
effect and its progress commit or roll back together, so an event's effect happens once per
consumer, however many times or from how many processes it is dispatched. A handler that fails
leaves its consumer where it was (logged; the next dispatch retries it); the other consumers
go on. A new consumer starts from the first event (``from_start``) or from now.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine

from xinyong.events import repository as repo
from xinyong.events.model import Event, is_kind

log = logging.getLogger(__name__)

# Set on a connection whose transaction emitted an event (see :func:`take_pending`).
_PENDING = "xinyong.events.pending"
BATCH = 200  # events per consumer transaction

Handler = Callable[[Connection, Event], None]


@dataclass(frozen=True, slots=True)
class Consumer:
    """A named reaction to some kinds of events (its name keys its stored position)."""

    name: str
    kinds: frozenset[str]
    handle: Handler
    from_start: bool = True
    # Kind prefixes also handled (e.g. "case." for every case step of every workflow, whose
    # kinds are open-ended).
    prefixes: tuple[str, ...] = ()

    def wants(self, kind: str) -> bool:
        return kind in self.kinds or kind.startswith(self.prefixes)


@dataclass(slots=True)
class DispatchReport:
    handled: dict[str, int] = field(default_factory=dict)  # consumer -> events it handled
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"handled": dict(self.handled), "failed": list(self.failed)}


def emit(
    conn: Connection,
    kind: str,
    *,
    subject_key: str | None,
    payload: Mapping[str, Any],
    now: dt.datetime,
) -> int:
    """Write an event in the caller's transaction; returns its id."""
    if not is_kind(kind):
        raise ValueError(f"unknown event kind {kind!r}")
    event_id = repo.append(conn, kind, subject_key, payload, now)
    conn.info[_PENDING] = True
    return event_id


def take_pending(conn: Connection) -> bool:
    """Whether this connection's transaction emitted events (and forget it: the flag lives on
    the pooled connection)."""
    return bool(conn.info.pop(_PENDING, False))


def dispatch(
    engine: Engine,
    consumers: Sequence[Consumer],
    *,
    now: Callable[[], dt.datetime],
    batch: int = BATCH,
) -> DispatchReport:
    """Run every consumer until it has handled every committed event."""
    report = DispatchReport()
    for consumer in consumers:
        try:
            report.handled[consumer.name] = _drain(engine, consumer, now, batch)
        except Exception:
            # The change that emitted the event is committed; its consumer catches up on the
            # next dispatch (the job), so this is logged, not raised into the caller.
            log.exception("events: consumer %s failed; it retries from its position", consumer.name)
            report.failed.append(consumer.name)
    return report


def _drain(engine: Engine, consumer: Consumer, now: Callable[[], dt.datetime], batch: int) -> int:
    handled = 0
    while True:
        with engine.begin() as conn:
            position = repo.claim(conn, consumer.name, from_start=consumer.from_start, now=now())
            events = repo.after(conn, position, batch)
            if not events:
                return handled
            for event in events:
                if consumer.wants(event.kind):
                    consumer.handle(conn, event)
                    handled += 1
            repo.advance(conn, consumer.name, position, events[-1].id, now())
        if len(events) < batch:
            return handled


def positions(conn: Connection) -> dict[str, int]:
    """Each consumer's position, and the newest event under ``"head"``."""
    return {"head": repo.head(conn), **repo.positions(conn)}
