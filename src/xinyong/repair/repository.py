"""All SQL of credit repair: the re-check draws, and the approvals of a month (case steps)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert, select

from xinyong.cases.tables import case_events, cases
from xinyong.repair.tables import repair_samples

WORKFLOW = "credit_repair"


def approved_between(conn: Connection, start: dt.datetime, end: dt.datetime) -> list[int]:
    """Repair cases approved (a full repair) in [start, end), by case id."""
    e = case_events.c
    rows = conn.execute(
        select(e.case_id)
        .select_from(case_events.join(cases, cases.c.id == e.case_id))
        .where(
            cases.c.workflow == WORKFLOW,
            e.transition.in_(["approve", "complete_plan"]),
            e.at >= start,
            e.at < end,
        )
        .order_by(e.case_id)
        .distinct()
    )
    return [int(r[0]) for r in rows]


def sample_of_month(conn: Connection, month: str) -> dict[str, Any] | None:
    row = conn.execute(select(repair_samples).where(repair_samples.c.month == month)).first()
    return None if row is None else dict(row._mapping)


def insert_sample(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(repair_samples).values(**values).returning(repair_samples.c.id))
    return int(result.scalar_one())


def samples(conn: Connection, limit: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(repair_samples).order_by(repair_samples.c.month.desc()).limit(limit))
    return [dict(r._mapping) for r in rows]
