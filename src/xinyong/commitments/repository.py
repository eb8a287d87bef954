"""All SQL of credit commitments and integrity education."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from xinyong.commitments.tables import (
    commitment_samples,
    commitment_steps,
    commitments,
    training_attendance,
    trainings,
)


def insert_commitment(conn: Connection, values: dict[str, Any]) -> int:
    r = conn.execute(insert(commitments).values(**values).returning(commitments.c.id))
    return int(r.scalar_one())


def update_commitment(conn: Connection, cid: int, values: dict[str, Any]) -> None:
    conn.execute(update(commitments).where(commitments.c.id == cid).values(**values))


def get_commitment(conn: Connection, cid: int, *, lock: bool = False) -> dict[str, Any] | None:
    stmt = select(commitments).where(commitments.c.id == cid)
    if lock and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    return None if row is None else dict(row._mapping)


def insert_step(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(commitment_steps).values(**values))


def steps_of(conn: Connection, cid: int) -> list[dict[str, Any]]:
    s = commitment_steps.c
    rows = conn.execute(select(commitment_steps).where(s.commitment_id == cid).order_by(s.id))
    return [dict(r._mapping) for r in rows]


def find(
    conn: Connection,
    *,
    subject_key: str | None = None,
    type_: str | None = None,
    department_code: str | None = None,
    status: str | None = None,
    disclosure: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    c = commitments.c
    where = []
    if subject_key is not None:
        where.append(c.subject_key == subject_key)
    if type_ is not None:
        where.append(c.type == type_)
    if department_code is not None:
        where.append(c.department_code == department_code)
    if status is not None:
        where.append(c.status == status)
    if disclosure is not None:
        where.append(c.disclosure == disclosure)
    total = int(
        conn.execute(select(func.count()).select_from(commitments).where(*where)).scalar_one()
    )
    rows = conn.execute(
        select(commitments).where(*where).order_by(c.id.desc()).limit(limit).offset(offset)
    )
    return [dict(r._mapping) for r in rows], total


def overdue_candidates(conn: Connection, today: dt.date) -> list[int]:
    c = commitments.c
    rows = conn.execute(
        select(c.id)
        .where(c.status == "signed", c.fulfilment == "materials", c.due_latest < today)
        .order_by(c.id)
    )
    return [int(r[0]) for r in rows]


def fulfilled_between(conn: Connection, start: dt.datetime, end: dt.datetime) -> list[int]:
    s = commitment_steps.c
    rows = conn.execute(
        select(s.commitment_id)
        .where(s.to_status == "fulfilled", s.from_status == "signed", s.at >= start, s.at < end)
        .distinct()
        .order_by(s.commitment_id)
    )
    return [int(r[0]) for r in rows]


def counts(conn: Connection) -> list[dict[str, Any]]:
    """(type, item, department, status, count) of every commitment."""
    c = commitments.c
    rows = conn.execute(
        select(c.type, c.item, c.department_code, c.status, func.count())
        .group_by(c.type, c.item, c.department_code, c.status)
        .order_by(c.type, c.item, c.department_code, c.status)
    )
    return [
        {"type": r[0], "item": r[1], "department": r[2], "status": r[3], "count": int(r[4])}
        for r in rows
    ]


def sample_of_month(conn: Connection, month: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(commitment_samples).where(commitment_samples.c.month == month)
    ).first()
    return None if row is None else dict(row._mapping)


def insert_sample(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(commitment_samples).values(**values))


def samples(conn: Connection, limit: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(commitment_samples).order_by(commitment_samples.c.month.desc()).limit(limit)
    )
    return [dict(r._mapping) for r in rows]


# -- integrity education -------------------------------------------------------------------


def insert_training(conn: Connection, values: dict[str, Any]) -> int:
    r = conn.execute(insert(trainings).values(**values).returning(trainings.c.id))
    return int(r.scalar_one())


def get_training(conn: Connection, tid: int) -> dict[str, Any] | None:
    row = conn.execute(select(trainings).where(trainings.c.id == tid)).first()
    return None if row is None else dict(row._mapping)


def list_trainings(
    conn: Connection, limit: int, offset: int, department_code: str | None = None
) -> tuple[list[dict[str, Any]], int]:
    where = [] if department_code is None else [trainings.c.department_code == department_code]
    total = int(
        conn.execute(select(func.count()).select_from(trainings).where(*where)).scalar_one()
    )
    rows = conn.execute(
        select(trainings)
        .where(*where)
        .order_by(trainings.c.held_on.desc(), trainings.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [dict(r._mapping) for r in rows], total


def attendance_of(conn: Connection, tid: int) -> list[dict[str, Any]]:
    a = training_attendance.c
    rows = conn.execute(select(training_attendance).where(a.training_id == tid).order_by(a.id))
    return [dict(r._mapping) for r in rows]


def attendance(conn: Connection, tid: int, subject_key: str) -> dict[str, Any] | None:
    a = training_attendance.c
    row = conn.execute(
        select(training_attendance).where(a.training_id == tid, a.subject_key == subject_key)
    ).first()
    return None if row is None else dict(row._mapping)


def insert_attendance(conn: Connection, values: dict[str, Any]) -> int:
    r = conn.execute(
        insert(training_attendance).values(**values).returning(training_attendance.c.id)
    )
    return int(r.scalar_one())


def attendance_counts(conn: Connection, tids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(attendees, certificates) per session."""
    a = training_attendance.c
    rows = conn.execute(
        select(a.training_id, func.count(), func.count(a.certificate))
        .where(a.training_id.in_(list(tids)))
        .group_by(a.training_id)
    )
    return {int(r[0]): (int(r[1]), int(r[2])) for r in rows}


def trainings_of_subject(conn: Connection, subject_key: str) -> list[dict[str, Any]]:
    """A subject's attendance rows with their session, newest session first."""
    a, t = training_attendance.c, trainings.c
    rows = conn.execute(
        select(
            a.training_id,
            a.certificate,
            a.certified_at,
            a.representative_masked,
            t.title,
            t.held_on,
            t.place,
            t.department_code,
        )
        .select_from(training_attendance.join(trainings, trainings.c.id == a.training_id))
        .where(a.subject_key == subject_key)
        .order_by(t.held_on.desc(), a.id.desc())
    )
    return [dict(r._mapping) for r in rows]


def certify(conn: Connection, aid: int, certificate: str, at: dt.datetime) -> None:
    a = training_attendance.c
    conn.execute(
        update(training_attendance)
        .where(a.id == aid)
        .values(certificate=certificate, certified_at=at)
    )


def certificate(conn: Connection, number: str) -> dict[str, Any] | None:
    a = training_attendance.c
    row = conn.execute(select(training_attendance).where(a.certificate == number)).first()
    return None if row is None else dict(row._mapping)


def certificates_of(conn: Connection, subject_keys: Sequence[str]) -> list[dict[str, Any]]:
    a = training_attendance.c
    rows = conn.execute(
        select(training_attendance)
        .where(a.subject_key.in_(list(subject_keys)), a.certificate.is_not(None))
        .order_by(a.id)
    )
    return [dict(r._mapping) for r in rows]
