"""SQL of the import jobs (ingest.jobs). Each function runs in the caller's connection; the
worker writes progress in short transactions of its own, never in the import's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from xinyong.ingest.tables import import_jobs


def insert_job(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(insert(import_jobs).values(**row))


def get_job(conn: Connection, job_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(import_jobs).where(import_jobs.c.id == job_id)).mappings().first()
    return None if row is None else dict(row)


def list_jobs(
    conn: Connection,
    *,
    department_code: str | None,
    states: Sequence[str] | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """Newest first, with the total that matches."""
    where = []
    if department_code is not None:
        where.append(import_jobs.c.department_code == department_code)
    if states:
        where.append(import_jobs.c.state.in_(list(states)))
    total = conn.execute(select(func.count()).select_from(import_jobs).where(*where)).scalar_one()
    rows = (
        conn.execute(
            select(import_jobs)
            .where(*where)
            .order_by(import_jobs.c.created_at.desc(), import_jobs.c.id)
            .limit(limit)
            .offset(offset)
        )
        .mappings()
        .all()
    )
    return [dict(r) for r in rows], int(total)


def unfinished(conn: Connection) -> list[dict[str, Any]]:
    """Jobs left queued or running (by a stop or a crash), oldest first."""
    rows = (
        conn.execute(
            select(import_jobs)
            .where(import_jobs.c.state.in_(["queued", "running"]))
            .order_by(import_jobs.c.created_at, import_jobs.c.id)
        )
        .mappings()
        .all()
    )
    return [dict(r) for r in rows]


def claim(conn: Connection, job_id: str, now: dt.datetime) -> bool:
    """queued → running (attempts + 1); False when it is no longer queued."""
    done = conn.execute(
        update(import_jobs)
        .where(import_jobs.c.id == job_id, import_jobs.c.state == "queued")
        .values(
            state="running",
            phase="reading",
            started_at=now,
            attempts=import_jobs.c.attempts + 1,
            rows_done=0,
            rows_total=None,
        )
    )
    return done.rowcount == 1


def set_progress(
    conn: Connection, job_id: str, *, phase: str, rows_done: int, rows_total: int | None
) -> None:
    conn.execute(
        update(import_jobs)
        .where(import_jobs.c.id == job_id, import_jobs.c.state == "running")
        .values(phase=phase, rows_done=rows_done, rows_total=rows_total)
    )


def requeue(conn: Connection, job_id: str) -> None:
    conn.execute(
        update(import_jobs)
        .where(import_jobs.c.id == job_id)
        .values(state="queued", phase=None, started_at=None)
    )


def finish(conn: Connection, job_id: str, values: dict[str, Any]) -> None:
    """The end of a job: ``values`` holds state (done | failed), finished_at and the result
    or the error."""
    conn.execute(update(import_jobs).where(import_jobs.c.id == job_id).values(phase=None, **values))
