"""All SQL of notifications: messages, and the feed's read of the outbox narrowed to what a
department may read (its cases, the entries it provided, the subjects of its cases)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from xinyong.cases.tables import cases
from xinyong.events.model import Event
from xinyong.events.repository import event_of
from xinyong.events.tables import outbox_events
from xinyong.ledger.tables import entries
from xinyong.notifications.tables import messages
from xinyong.store.db import is_postgres

m = messages.c
e = outbox_events.c


def insert_message(conn: Connection, values: dict[str, Any]) -> None:
    """Write a message once per event and recipient (a second write is ignored)."""
    dialect_insert = postgresql.insert if is_postgres(conn) else sqlite.insert
    conn.execute(
        dialect_insert(messages)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[m.event_id, m.recipient_kind, m.recipient])
    )


def _mine(recipient_kind: str, recipient: str) -> Any:
    return and_(m.recipient_kind == recipient_kind, m.recipient == recipient)


def list_messages(
    conn: Connection,
    recipient_kind: str,
    recipient: str,
    *,
    unread_only: bool,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    where = _mine(recipient_kind, recipient)
    if unread_only:
        where = and_(where, m.read_at.is_(None))
    total = int(conn.execute(select(func.count()).select_from(messages).where(where)).scalar_one())
    rows = conn.execute(
        select(messages).where(where).order_by(m.id.desc()).limit(limit).offset(offset)
    )
    return [dict(r._mapping) for r in rows], total


def unread_count(conn: Connection, recipient_kind: str, recipient: str) -> int:
    where = and_(_mine(recipient_kind, recipient), m.read_at.is_(None))
    return int(conn.execute(select(func.count()).select_from(messages).where(where)).scalar_one())


def get_message(conn: Connection, message_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(messages).where(m.id == message_id)).first()
    return None if row is None else dict(row._mapping)


def mark_read(conn: Connection, message_id: int, reader: str, now: dt.datetime) -> bool:
    """Mark an unread message read; False when it was read already."""
    done = conn.execute(
        update(messages)
        .where(m.id == message_id, m.read_at.is_(None))
        .values(read_at=now, read_by=reader)
    )
    return done.rowcount == 1


def feed(
    conn: Connection, *, after: int, limit: int, department: str | None
) -> tuple[list[Event], bool]:
    """Events after ``after`` in id order (keyset), at most ``limit``, and whether more
    follow; narrowed to ``department``'s (see rules) when given."""
    stmt = select(outbox_events).where(e.id > after)
    if department is not None:
        own_cases = select(cases.c.id).where(cases.c.department_code == department)
        own_subjects = select(cases.c.subject_key).where(cases.c.department_code == department)
        own_entries = select(entries.c.id).where(entries.c.department_code == department)
        stmt = stmt.where(
            or_(
                e.department_code == department,
                e.case_id.in_(own_cases),
                e.entry_id.in_(own_entries),
                e.subject_key.in_(own_subjects),
            )
        )
    rows = list(conn.execute(stmt.order_by(e.id).limit(limit + 1)))
    return [event_of(r) for r in rows[:limit]], len(rows) > limit


def case_workflows(conn: Connection, case_ids: list[int]) -> dict[int, str]:
    if not case_ids:
        return {}
    rows = conn.execute(select(cases.c.id, cases.c.workflow).where(cases.c.id.in_(case_ids)))
    return {int(r.id): r.workflow for r in rows}
