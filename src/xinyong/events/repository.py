"""All SQL of the outbox: appending events in commit order, reading them after a position,
claiming and advancing a consumer's position."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from xinyong.events.model import Event
from xinyong.events.tables import outbox_consumers, outbox_events
from xinyong.store.db import is_postgres

c = outbox_consumers.c


class LostPosition(Exception):
    """Another dispatcher advanced the consumer meanwhile: this transaction must roll back."""


def append(
    conn: Connection,
    kind: str,
    subject_key: str | None,
    payload: Mapping[str, Any],
    now: dt.datetime,
) -> int:
    """Insert one event; returns its id.

    On PostgreSQL the table is locked (EXCLUSIVE: plain reads go on, other writers wait) until
    this transaction ends, so ids are handed out in commit order; otherwise a transaction
    holding id 10 could commit after one holding id 11 and a consumer already past 11 would
    never see 10. SQLite serialises writers anyway. Emitters write their event after their
    ledger append, whose head lock already serialises them, so the wait costs nothing more.
    """
    if is_postgres(conn):
        conn.execute(text("LOCK TABLE outbox_events IN EXCLUSIVE MODE"))
    row = conn.execute(
        insert(outbox_events)
        .values(
            kind=kind,
            subject_key=subject_key,
            payload=json.dumps(payload, ensure_ascii=False, sort_keys=True),
            occurred_at=now,
            **concerns(payload),
        )
        .returning(outbox_events.c.id)
    ).scalar_one()
    return int(row)


def concerns(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The case, ledger entry and department an event's payload names (stored beside it)."""

    def _id(value: object) -> int | None:
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    department = payload.get("department")
    return {
        "case_id": _id(payload.get("case")),
        "entry_id": _id(payload.get("entry")),
        "department_code": department if isinstance(department, str) else None,
    }


def after(conn: Connection, position: int, limit: int) -> list[Event]:
    """Events after ``position``, in id order."""
    rows = conn.execute(
        select(outbox_events)
        .where(outbox_events.c.id > position)
        .order_by(outbox_events.c.id)
        .limit(limit)
    )
    return [event_of(r) for r in rows]


def event_of(row: Any) -> Event:
    """An outbox row as an event (its JSON payload read)."""
    return Event(
        id=int(row.id),
        kind=row.kind,
        subject_key=row.subject_key,
        payload=json.loads(row.payload),
        occurred_at=row.occurred_at,
    )


_HEAD = func.coalesce(func.max(outbox_events.c.id), 0)


def head(conn: Connection) -> int:
    """The newest event id (0 when there is none)."""
    return int(conn.execute(select(_HEAD)).scalar_one())


def claim(conn: Connection, name: str, *, from_start: bool, now: dt.datetime) -> int:
    """The consumer's position, its row created if new (at 0, or at the newest event), and
    locked until this transaction ends: a second dispatcher of the same consumer waits here,
    then reads the position the first one left. (On SQLite the insert, this transaction's first
    statement, takes the database's write lock; on PostgreSQL the row is locked FOR UPDATE.)"""
    dialect_insert = postgresql.insert if is_postgres(conn) else sqlite.insert
    start: Any = 0 if from_start else select(_HEAD).scalar_subquery()
    conn.execute(
        dialect_insert(outbox_consumers)
        .values(name=name, position=start, updated_at=now)
        .on_conflict_do_nothing(index_elements=[c.name])
    )
    return int(
        conn.execute(select(c.position).where(c.name == name).with_for_update()).scalar_one()
    )


def advance(conn: Connection, name: str, old: int, new: int, now: dt.datetime) -> None:
    """Move the position from ``old`` to ``new``, or raise :class:`LostPosition` when it is no
    longer ``old`` (SQLite, where :func:`claim` cannot lock: the loser rolls back)."""
    done = conn.execute(
        update(outbox_consumers)
        .where(c.name == name, c.position == old)
        .values(position=new, updated_at=now)
    )
    if done.rowcount != 1:
        raise LostPosition(name)


def positions(conn: Connection) -> dict[str, int]:
    return {r.name: int(r.position) for r in conn.execute(select(c.name, c.position))}
