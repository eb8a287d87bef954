"""All SQL of rectification: the interviews of a case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from xinyong.rectifications.tables import rectification_interviews as ri


def interviews(conn: Connection, case_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(ri).where(ri.c.case_id == case_id).order_by(ri.c.number))
    return [dict(r._mapping) for r in rows]


def interviews_of_cases(conn: Connection, case_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {c: [] for c in case_ids}
    if not case_ids:
        return out
    rows = conn.execute(select(ri).where(ri.c.case_id.in_(case_ids)).order_by(ri.c.number))
    for r in rows:
        out[int(r.case_id)].append(dict(r._mapping))
    return out


def next_number(conn: Connection, case_id: int) -> int:
    n = conn.execute(select(func.max(ri.c.number)).where(ri.c.case_id == case_id)).scalar()
    return int(n or 0) + 1


def insert_interview(conn: Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(insert(ri).values(**values).returning(ri.c.id)).scalar_one())


def record_held(conn: Connection, interview_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(ri).where(ri.c.id == interview_id).values(**values))
