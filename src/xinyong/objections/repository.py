"""All SQL of the objections context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, insert, select, update

from xinyong.cases.tables import cases
from xinyong.ledger.tables import entries
from xinyong.objections.tables import correction_notices, objections
from xinyong.store.db import matching


def open_key(item_code: str, record_key: str) -> str:
    return f"{item_code}|{record_key}"


def insert_objection(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(objections).values(**values).returning(objections.c.id))
    return int(result.scalar_one())


def get(conn: Connection, objection_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(objections).where(objections.c.id == objection_id)).first()
    return None if row is None else dict(row._mapping)


def open_on_record(conn: Connection, item_code: str, record_key: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(objections).where(objections.c.open_key == open_key(item_code, record_key))
    ).first()
    return None if row is None else dict(row._mapping)


def close(
    conn: Connection,
    objection_id: int,
    *,
    outcome: str | None,
    reason: str,
    outcome_entry: int | None,
    now: dt.datetime,
) -> None:
    conn.execute(
        update(objections)
        .where(objections.c.id == objection_id)
        .values(
            open_key=None,
            outcome=outcome,
            outcome_reason=reason,
            outcome_entry=outcome_entry,
            closed_at=now,
        )
    )


def find(
    conn: Connection,
    *,
    subject_key: str | None = None,
    department_code: str | None = None,
    open_only: bool = False,
    state: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """A page of objections (with their case's state and deadline), soonest deadline first
    for open ones, then the newest."""
    o, c = objections.c, cases.c
    where = []
    if subject_key is not None:
        where.append(o.subject_key == subject_key)
    if department_code is not None:
        where.append(o.department_code == department_code)
    if open_only:
        where.append(o.open_key.is_not(None))
    count = select(func.count()).select_from(objections)
    if state is not None:
        where.append(c.state == state)
        count = count.join(cases, cases.c.id == o.case_id)
    base = select(
        objections, c.state, c.due_on, c.due_provisional, c.due_earliest, c.due_latest, c.version
    ).join(cases, cases.c.id == o.case_id)
    total = conn.execute(count.where(*where)).scalar_one()
    rows = conn.execute(
        base.where(*where)
        .order_by(o.closed_at.is_not(None), c.due_on.is_(None), c.due_on, o.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [dict(r._mapping) for r in rows], int(total)


def _open_marks(conn: Connection, *where: ColumnElement[bool]) -> list[dict[str, Any]]:
    o = objections.c
    rows = conn.execute(
        select(
            o.id,
            o.case_id,
            o.subject_key,
            o.item_code,
            o.record_key,
            o.entry_id,
            o.target_kind,
            o.list_type,
            o.measure,
            o.regime,
            o.filed_at,
            cases.c.state,
        )
        .join(cases, cases.c.id == o.case_id)
        .where(o.open_key.is_not(None), *where)
        .order_by(o.id)
    )
    return [dict(r._mapping) for r in rows]


def open_marks(conn: Connection, subject_keys: Sequence[str]) -> list[dict[str, Any]]:
    """The open objections of ``subject_keys`` with their case's state (what marks a record
    异议处理中 on the file, the portal and in the check)."""
    out: list[dict[str, Any]] = []
    for where in matching(conn, objections.c.subject_key, list(subject_keys)):
        out.extend(_open_marks(conn, where))
    return out


def all_open_marks(conn: Connection) -> list[dict[str, Any]]:
    return _open_marks(conn)


def insert_notice(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(
        insert(correction_notices).values(**values).returning(correction_notices.c.id)
    )
    return int(result.scalar_one())


def notices_of(conn: Connection, subject_key: str, *, public_only: bool) -> list[dict[str, Any]]:
    n = correction_notices.c
    q = select(correction_notices).where(n.subject_key == subject_key)
    if public_only:
        q = q.where(n.public.is_(True))
    return [dict(r._mapping) for r in conn.execute(q.order_by(n.published_at.desc(), n.id.desc()))]


def notices_of_list(conn: Connection, list_type: str, limit: int = 50) -> list[dict[str, Any]]:
    n = correction_notices.c
    q = (
        select(correction_notices)
        .where(n.list_type == list_type, n.public.is_(True))
        .order_by(n.published_at.desc(), n.id.desc())
        .limit(limit)
    )
    return [dict(r._mapping) for r in conn.execute(q)]


def settled_on_records(
    conn: Connection, item_code: str, record_keys: Sequence[str], department_code: str
) -> dict[str, dict[str, Any]]:
    """Per record key, the latest objection that corrected or revoked the record: its id,
    outcome, closing time, the entry it wrote and the content hash of the entry found wrong."""
    o = objections.c
    # The entry the outcome superseded is the one found wrong (the record may have been
    # corrected between the filing and the decision).
    outcome, wrong = entries.alias("outcome"), entries.alias("wrong")
    out: dict[str, dict[str, Any]] = {}
    for where in matching(conn, o.record_key, list(record_keys)):
        rows = conn.execute(
            select(
                o.id,
                o.record_key,
                o.outcome,
                o.outcome_entry,
                o.closed_at,
                wrong.c.content_hash.label("wrong_hash"),
            )
            .join(outcome, outcome.c.id == o.outcome_entry)
            .join(wrong, wrong.c.id == outcome.c.supersedes_id)
            .where(
                where,
                o.item_code == item_code,
                o.department_code == department_code,
                o.outcome.in_(("correct", "revoke")),
                o.outcome_entry.is_not(None),
            )
            .order_by(o.id)
        )
        for r in rows:
            out[str(r.record_key)] = dict(r._mapping)
    return out
