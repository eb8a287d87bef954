"""All SQL of the workflow kernel."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, insert, select, update

from xinyong.cases.model import Case, Event
from xinyong.cases.tables import case_events, cases


def insert_case(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(cases).values(**values).returning(cases.c.id))
    return int(result.scalar_one())


def update_state(
    conn: Connection, case_id: int, version: int, state: str, due_on: dt.date | None
) -> bool:
    """Move a case on if nobody else moved it first (optimistic lock)."""
    result = conn.execute(
        update(cases)
        .where(cases.c.id == case_id, cases.c.version == version)
        .values(state=state, due_on=due_on, version=version + 1)
    )
    return result.rowcount == 1


def insert_event(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(case_events).values(**values))


def _event(row: Any) -> Event:
    m = row._mapping
    return Event(
        seq=m["seq"],
        transition=m["transition"],
        from_state=m["from_state"],
        to_state=m["to_state"],
        actor=m["actor"],
        role=m["role"],
        at=m["at"],
        note=m["note"],
        due_on=m["due_on"],
        entry_id=m["entry_id"],
    )


def _case(row: Any, events: tuple[Event, ...]) -> Case:
    m = row._mapping
    return Case(
        id=int(m["id"]),
        workflow=m["workflow"],
        subject_key=m["subject_key"],
        department_code=m["department_code"],
        state=m["state"],
        opened_at=m["opened_at"],
        due_on=m["due_on"],
        params=json.loads(m["params"]),
        version=int(m["version"]),
        events=events,
    )


def get_case(conn: Connection, case_id: int, *, lock: bool = False) -> Case | None:
    stmt = select(cases).where(cases.c.id == case_id)
    if lock and conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = conn.execute(stmt).first()
    if row is None:
        return None
    events = tuple(
        _event(r)
        for r in conn.execute(
            select(case_events).where(case_events.c.case_id == case_id).order_by(case_events.c.seq)
        )
    )
    return _case(row, events)


def open_cases_due_before(
    conn: Connection, day: dt.date, terminal: dict[str, set[str]]
) -> list[Case]:
    """Cases whose current state's deadline is before ``day`` (terminal states excluded)."""
    rows = conn.execute(
        select(cases)
        .where(cases.c.due_on.is_not(None), cases.c.due_on < day)
        .order_by(cases.c.due_on)
    )
    return [
        _case(r, ())
        for r in rows
        if r._mapping["state"] not in terminal.get(r._mapping["workflow"], set())
    ]


def cases_of_subject(conn: Connection, subject_key: str) -> list[Case]:
    rows = conn.execute(
        select(cases).where(cases.c.subject_key == subject_key).order_by(cases.c.id)
    )
    return [_case(r, ()) for r in rows]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_cases(
    conn: Connection,
    workflow: str,
    *,
    department_code: str | None = None,
    states: Collection[str] | None = None,
    due_before: dt.date | None = None,
    params_fragment: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Case], int]:
    """One page of a workflow's cases, soonest deadline first (cases without one last), and
    the number matching. ``params_fragment`` is matched inside the JSON ``params`` text, which
    ``open_case`` writes with sorted keys and default separators, so a ``"key": value`` pair
    has one spelling (there is no portable JSON column here)."""
    conds: list[ColumnElement[bool]] = [cases.c.workflow == workflow]
    if department_code is not None:
        conds.append(cases.c.department_code == department_code)
    if states is not None:
        conds.append(cases.c.state.in_(sorted(states)))
    if due_before is not None:
        conds.append(cases.c.due_on.is_not(None))
        conds.append(cases.c.due_on < due_before)
    if params_fragment is not None:
        conds.append(cases.c.params.like(f"%{_escape_like(params_fragment)}%", escape="\\"))
    where = and_(*conds)
    total = conn.execute(select(func.count()).select_from(cases).where(where)).scalar_one()
    rows = conn.execute(
        select(cases)
        .where(where)
        .order_by(cases.c.due_on.is_(None), cases.c.due_on, cases.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [_case(r, ()) for r in rows], int(total)
