"""All SQL of the inspections context: inspectors, recusals, plans, draws, tasks, results."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from xinyong.identity.tables import subjects
from xinyong.inspections.tables import inspection_draws as dr
from xinyong.inspections.tables import inspection_plans as pl
from xinyong.inspections.tables import inspection_recusals as rc
from xinyong.inspections.tables import inspection_results as rs
from xinyong.inspections.tables import inspection_task_inspectors as ti
from xinyong.inspections.tables import inspection_tasks as tk
from xinyong.inspections.tables import inspectors as ins
from xinyong.ledger.tables import batches as bt
from xinyong.ledger.tables import entries as en


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in result]


# -- inspectors and recusals ------------------------------------------------------------------


def inspector(conn: Connection, ident: str) -> dict[str, Any] | None:
    row = conn.execute(select(ins).where(ins.c.id == ident)).first()
    return None if row is None else dict(row._mapping)


def inspectors(
    conn: Connection, department_code: str | None = None, *, active_only: bool = False
) -> list[dict[str, Any]]:
    q = select(ins).order_by(ins.c.id)
    if department_code is not None:
        q = q.where(ins.c.department_code == department_code)
    if active_only:
        q = q.where(ins.c.active.is_(True))
    return _rows(conn.execute(q))


def inspectors_by_ids(conn: Connection, idents: Sequence[str]) -> list[dict[str, Any]]:
    if not idents:
        return []
    return _rows(conn.execute(select(ins).where(ins.c.id.in_(list(idents))).order_by(ins.c.id)))


def inspector_of_user(conn: Connection, user_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(ins).where(ins.c.user_id == user_id)).first()
    return None if row is None else dict(row._mapping)


def insert_inspector(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(ins).values(**values))


def update_inspector(conn: Connection, ident: str, values: dict[str, Any]) -> None:
    conn.execute(update(ins).where(ins.c.id == ident).values(**values))


def insert_recusal(conn: Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(insert(rc).values(**values).returning(rc.c.id)).scalar_one())


def recusals(
    conn: Connection,
    *,
    inspector_ids: Sequence[str] | None = None,
    subject_key: str | None = None,
    active_only: bool = True,
) -> list[dict[str, Any]]:
    q = select(rc).order_by(rc.c.id)
    if inspector_ids is not None:
        q = q.where(rc.c.inspector_id.in_(list(inspector_ids)))
    if subject_key is not None:
        q = q.where(rc.c.subject_key == subject_key)
    if active_only:
        q = q.where(rc.c.active.is_(True))
    return _rows(conn.execute(q))


def recusal(conn: Connection, recusal_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(rc).where(rc.c.id == recusal_id)).first()
    return None if row is None else dict(row._mapping)


def set_recusal_active(conn: Connection, recusal_id: int, active: bool) -> int:
    return conn.execute(update(rc).where(rc.c.id == recusal_id).values(active=active)).rowcount


# -- the pool from the platform's subjects ------------------------------------------------------


def organisations(conn: Connection, region_prefix: str | None) -> list[dict[str, Any]]:
    """Market entities only (kind organisation): natural persons never enter a pool. The
    region is the subject's division, else the USCC's registering division (characters 3-8)."""
    region = func.coalesce(subjects.c.division_code, func.substr(subjects.c.key, 3, 6))
    q = (
        select(
            subjects.c.key,
            subjects.c.name,
            region.label("region"),
            subjects.c.industry,
            subjects.c.size,
        )
        .where(subjects.c.kind == "organisation")
        .order_by(subjects.c.key)
    )
    if region_prefix:
        q = q.where(region.like(f"{region_prefix}%"))
    return _rows(conn.execute(q))


def count_unknown(
    conn: Connection, column: str, region_prefix: str | None, kind: str | None
) -> int:
    """Organisations in the region and of the USCC type whose ``column`` (industry, size) is
    not stated."""
    region = func.coalesce(subjects.c.division_code, func.substr(subjects.c.key, 3, 6))
    q = select(func.count()).where(subjects.c.kind == "organisation", subjects.c[column].is_(None))
    if region_prefix:
        q = q.where(region.like(f"{region_prefix}%"))
    if kind:
        q = q.where(func.substr(subjects.c.key, 1, 2) == kind)
    return int(conn.execute(q).scalar_one())


def inspections_in_year(
    conn: Connection, department_code: str, start: dt.date, end: dt.date
) -> dict[str, int]:
    """Tasks per subject drawn in [start, end] that the department led or took part in (one
    of its inspectors on the team: a joint inspection counts for each department in it)."""
    joined = (
        select(ti.c.task_id)
        .join(ins, ins.c.id == ti.c.inspector_id)
        .where(ins.c.department_code == department_code)
    )
    q = (
        select(tk.c.subject_key, func.count())
        .where(
            or_(tk.c.department_code == department_code, tk.c.id.in_(joined)),
            tk.c.drawn_on.between(start, end),
        )
        .group_by(tk.c.subject_key)
    )
    return {str(k): int(n) for k, n in conn.execute(q)}


def reported_inspections(
    conn: Connection, department_code: str, item_code: str, start: dt.date, end: dt.date
) -> dict[str, int]:
    """Inspection records (the catalogue's XZJC item) the department reported per subject
    with an inspection date in [start, end]: each record once (its current version, by
    record key), revoked records left out, and the platform's own results (batches of
    channel ``inspection``, which carry their task and are counted as tasks) left out."""
    latest = (
        select(func.max(en.c.id).label("id"))
        .where(en.c.item_code == item_code, en.c.department_code == department_code)
        .group_by(en.c.subject_key, en.c.record_key)
        .subquery()
    )
    platform_keys = (
        select(en.c.record_key)
        .join(bt, bt.c.id == en.c.batch_id)
        .where(
            en.c.item_code == item_code,
            en.c.department_code == department_code,
            bt.c.channel == "inspection",
        )
    )
    q = (
        select(en.c.subject_key, func.count())
        .join(latest, latest.c.id == en.c.id)
        .where(
            en.c.action != "revoke",
            en.c.decision_date.between(start, end),
            en.c.record_key.not_in(platform_keys),
        )
        .group_by(en.c.subject_key)
    )
    return {str(k): int(n) for k, n in conn.execute(q)}


def pairings_since(conn: Connection, since: dt.date, until: dt.date) -> list[dict[str, Any]]:
    q = (
        select(ti.c.inspector_id, tk.c.subject_key, tk.c.drawn_on)
        .join(tk, tk.c.id == ti.c.task_id)
        .where(tk.c.drawn_on.between(since, until))
    )
    return _rows(conn.execute(q))


# -- plans and draws ------------------------------------------------------------------------


def insert_plan(conn: Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(insert(pl).values(**values).returning(pl.c.id)).scalar_one())


def plan(conn: Connection, plan_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(pl).where(pl.c.id == plan_id)).first()
    return None if row is None else dict(row._mapping)


def plans(
    conn: Connection, *, department_code: str | None, published_only: bool, limit: int, offset: int
) -> list[dict[str, Any]]:
    q = select(pl).order_by(pl.c.id.desc()).limit(limit).offset(offset)
    if department_code is not None:
        q = q.where(pl.c.department_code == department_code)
    if published_only:
        q = q.where(pl.c.published_at.is_not(None))
    return _rows(conn.execute(q))


def update_plan(conn: Connection, plan_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(pl).where(pl.c.id == plan_id).values(**values))


def insert_draw(conn: Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(insert(dr).values(**values).returning(dr.c.id)).scalar_one())


def draw(conn: Connection, draw_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(dr).where(dr.c.id == draw_id)).first()
    return None if row is None else dict(row._mapping)


def draws_of_plans(conn: Connection, plan_ids: Sequence[int]) -> list[dict[str, Any]]:
    if not plan_ids:
        return []
    q = select(dr).where(dr.c.plan_id.in_(list(plan_ids))).order_by(dr.c.id)
    return _rows(conn.execute(q))


def update_draw(conn: Connection, draw_id: int, status_was: str, values: dict[str, Any]) -> int:
    """Compare-and-set on the status: two runs of one draw cannot both succeed."""
    return conn.execute(
        update(dr).where(and_(dr.c.id == draw_id, dr.c.status == status_was)).values(**values)
    ).rowcount


# -- tasks and results ----------------------------------------------------------------------


def insert_task(conn: Connection, values: dict[str, Any], inspector_ids: Sequence[str]) -> int:
    task_id = int(conn.execute(insert(tk).values(**values).returning(tk.c.id)).scalar_one())
    conn.execute(insert(ti), [{"task_id": task_id, "inspector_id": i} for i in inspector_ids])
    return task_id


def task(conn: Connection, task_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(tk).where(tk.c.id == task_id)).first()
    return None if row is None else dict(row._mapping)


def tasks(
    conn: Connection,
    *,
    draw_id: int | None = None,
    plan_ids: Sequence[int] | None = None,
    inspector_id: str | None = None,
    department_code: str | None = None,
    subject_key: str | None = None,
    status: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[dict[str, Any]]:
    q = select(tk).order_by(tk.c.id).limit(limit).offset(offset)
    if draw_id is not None:
        q = q.where(tk.c.draw_id == draw_id)
    if plan_ids is not None:
        q = q.where(tk.c.plan_id.in_(list(plan_ids)))
    if inspector_id is not None:
        q = q.where(tk.c.id.in_(select(ti.c.task_id).where(ti.c.inspector_id == inspector_id)))
    if department_code is not None:  # led by it, or one of its inspectors on the team
        joined = (
            select(ti.c.task_id)
            .join(ins, ins.c.id == ti.c.inspector_id)
            .where(ins.c.department_code == department_code)
        )
        q = q.where(or_(tk.c.department_code == department_code, tk.c.id.in_(joined)))
    if subject_key is not None:
        q = q.where(tk.c.subject_key == subject_key)
    if status is not None:
        q = q.where(tk.c.status == status)
    return _rows(conn.execute(q))


def task_status(conn: Connection, task_id: int) -> str:
    return str(conn.execute(select(tk.c.status).where(tk.c.id == task_id)).scalar_one())


def set_task_status(conn: Connection, task_id: int, status: str) -> None:
    conn.execute(update(tk).where(tk.c.id == task_id).values(status=status))


def insert_result(conn: Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(insert(rs).values(**values).returning(rs.c.id)).scalar_one())


def results_of_tasks(conn: Connection, task_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {int(t): [] for t in task_ids}
    if not task_ids:
        return out
    q = select(rs).where(rs.c.task_id.in_(list(task_ids))).order_by(rs.c.id)
    for r in conn.execute(q):
        out[int(r.task_id)].append(dict(r._mapping))
    return out


def coverage(conn: Connection, plan_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Per plan: tasks, tasks done, results entered late."""
    out = {int(p): {"tasks": 0, "done": 0, "overdue": 0} for p in plan_ids}
    if not plan_ids:
        return out
    q = (
        select(tk.c.plan_id, tk.c.status, func.count())
        .where(tk.c.plan_id.in_(list(plan_ids)))
        .group_by(tk.c.plan_id, tk.c.status)
    )
    for plan_id, status, n in conn.execute(q):
        out[int(plan_id)]["tasks"] += int(n)
        if status == "done":
            out[int(plan_id)]["done"] += int(n)
    late = (
        select(tk.c.plan_id, func.count())
        .join(rs, rs.c.task_id == tk.c.id)
        .where(tk.c.plan_id.in_(list(plan_ids)), rs.c.overdue.is_(True))
        .group_by(tk.c.plan_id)
    )
    for plan_id, n in conn.execute(late):
        out[int(plan_id)]["overdue"] = int(n)
    return out


# -- sampling coverage (console charts, the public summary) ----------------------------------


def coverage_plans(
    conn: Connection,
    *,
    department_code: str | None,
    year: int | None,
    published_only: bool = False,
) -> list[dict[str, Any]]:
    """Every plan in scope (no paging: the coverage figures add them all up). A department's
    scope is the plans it leads and the joint plans listing one of its items: the items are a
    JSON column, so the department is matched on the parsed list, not on the text."""
    q = select(pl).order_by(pl.c.id)
    if year is not None:
        q = q.where(pl.c.year == year)
    if published_only:
        q = q.where(pl.c.published_at.is_not(None))
    rows = _rows(conn.execute(q))
    if department_code is None:
        return rows
    return [
        r
        for r in rows
        if r["department_code"] == department_code
        or any(it.get("department") == department_code for it in json.loads(r["items"]))
    ]


def drawn_records(conn: Connection, plan_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The draws that ran, with their full record (the pool snapshot and the strata)."""
    if not plan_ids:
        return []
    q = (
        select(dr.c.id, dr.c.plan_id, dr.c.drawn_at, dr.c.record)
        .where(dr.c.plan_id.in_(list(plan_ids)), dr.c.status == "drawn")
        .order_by(dr.c.id)
    )
    return _rows(conn.execute(q))


def coverage_tasks(conn: Connection, plan_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The tasks of the plans, without names or inspectors (the figures do not need them)."""
    if not plan_ids:
        return []
    q = (
        select(tk.c.id, tk.c.plan_id, tk.c.draw_id, tk.c.subject_key, tk.c.drawn_on, tk.c.status)
        .where(tk.c.plan_id.in_(list(plan_ids)))
        .order_by(tk.c.id)
    )
    return _rows(conn.execute(q))


def coverage_results(conn: Connection, plan_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The results of the plans' tasks: item, category, deadline status (no text, no person)."""
    if not plan_ids:
        return []
    q = (
        select(
            rs.c.task_id,
            rs.c.item_code,
            rs.c.result_code,
            rs.c.overdue,
            rs.c.due_provisional,
            rs.c.due_date,
        )
        .join(tk, tk.c.id == rs.c.task_id)
        .where(tk.c.plan_id.in_(list(plan_ids)))
        .order_by(rs.c.id)
    )
    return _rows(conn.execute(q))
