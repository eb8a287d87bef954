"""All SQL of the workflow kernel."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, insert, or_, select, true, update

from xinyong.cases.model import Case, Event
from xinyong.cases.tables import (
    calendar_applied,
    case_attachments,
    case_events,
    case_notices,
    case_overdue,
    cases,
)
from xinyong.kernel.calendar import Deadline


def due_columns(due: Deadline | None) -> dict[str, Any]:
    """The stored form of a deadline (cases and case_events share it)."""
    if due is None:
        return {"due_on": None, "due_provisional": False, "due_earliest": None, "due_latest": None}
    return {
        "due_on": due.date,
        "due_provisional": due.provisional,
        "due_earliest": due.earliest,
        "due_latest": due.latest,
    }


def insert_case(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(cases).values(**values).returning(cases.c.id))
    return int(result.scalar_one())


def update_state(
    conn: Connection, case_id: int, version: int, state: str, due: Deadline | None
) -> bool:
    """Move a case on if nobody else moved it first (optimistic lock)."""
    result = conn.execute(
        update(cases)
        .where(cases.c.id == case_id, cases.c.version == version)
        .values(state=state, version=version + 1, **due_columns(due))
    )
    return result.rowcount == 1


def update_due(conn: Connection, case_id: int, state: str, due: Deadline | None) -> bool:
    """A recomputed deadline of the current state (not a step: the version stays, so a user's
    pending step on the case is not refused for it)."""
    result = conn.execute(
        update(cases)
        .where(cases.c.id == case_id, cases.c.state == state)
        .values(**due_columns(due))
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
        due_provisional=bool(m["due_provisional"]),
        due_earliest=m["due_earliest"],
        due_latest=m["due_latest"],
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
        due_provisional=bool(m["due_provisional"]),
        due_earliest=m["due_earliest"],
        due_latest=m["due_latest"],
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


def _past(day: dt.date, right_states: Collection[str]) -> ColumnElement[bool]:
    """The deadline that counts is before ``day``: the latest bound for a subject's window,
    the earliest for a duty (equal to due_on on an official calendar)."""
    right = cases.c.state.in_(sorted(right_states))
    return and_(
        cases.c.due_on.is_not(None),
        or_(
            and_(right, cases.c.due_latest < day),
            and_(~right, cases.c.due_earliest < day),
        ),
    )


def open_cases_due_before(
    conn: Connection,
    day: dt.date,
    terminal: dict[str, set[str]],
    right_states: dict[str, set[str]],
) -> list[Case]:
    """Cases whose current state's deadline is before ``day`` (terminal states excluded)."""
    past = or_(
        *(and_(cases.c.workflow == wf, _past(day, states)) for wf, states in right_states.items())
    )
    rows = conn.execute(select(cases).where(past).order_by(cases.c.due_on))
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
    right_states: Collection[str] = (),
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
        conds.append(_past(due_before, right_states))
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


# -- deadlines after a calendar change ---------------------------------------------------------


def open_cases_due_from(
    conn: Connection, day: dt.date, terminal: dict[str, set[str]]
) -> list[Case]:
    """Open cases with a deadline whose latest bound is on or after ``day``, with their
    history (the step that entered the current state is the start of its interval)."""
    ids = [
        int(r.id)
        for r in conn.execute(
            select(cases.c.id, cases.c.workflow, cases.c.state)
            .where(cases.c.due_on.is_not(None), cases.c.due_latest >= day)
            .order_by(cases.c.id)
        )
        if r.state not in terminal.get(r.workflow, set())
    ]
    return [c for c in (get_case(conn, i) for i in ids) if c is not None]


def steps_since(conn: Connection, day: dt.datetime, transitions: Collection[str]) -> list[int]:
    """Ids of cases with a step named in ``transitions`` taken at or after ``day``."""
    rows = conn.execute(
        select(case_events.c.case_id)
        .where(case_events.c.at >= day, case_events.c.transition.in_(sorted(transitions)))
        .distinct()
        .order_by(case_events.c.case_id)
    )
    return [int(r[0]) for r in rows]


# -- notices ----------------------------------------------------------------------------------


def insert_notice(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(case_notices).values(**values).returning(case_notices.c.id))
    return int(result.scalar_one())


def notices(
    conn: Connection,
    *,
    department_code: str | None,
    unread_only: bool = True,
    case_ids: Collection[int] | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    conds: list[ColumnElement[bool]] = []
    if department_code is not None:
        conds.append(case_notices.c.department_code == department_code)
    if unread_only:
        conds.append(case_notices.c.read_at.is_(None))
    if case_ids is not None:
        conds.append(case_notices.c.case_id.in_(sorted(case_ids)))
    rows = conn.execute(
        select(case_notices)
        .where(and_(true(), *conds))
        .order_by(case_notices.c.id.desc())
        .limit(limit)
    )
    return [dict(r._mapping) for r in rows]


def count_unread(conn: Connection, department_code: str | None) -> int:
    conds: list[ColumnElement[bool]] = [case_notices.c.read_at.is_(None)]
    if department_code is not None:
        conds.append(case_notices.c.department_code == department_code)
    return int(
        conn.execute(select(func.count()).select_from(case_notices).where(*conds)).scalar_one()
    )


def get_notice(conn: Connection, notice_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(case_notices).where(case_notices.c.id == notice_id)).first()
    return None if row is None else dict(row._mapping)


def mark_notice_read(conn: Connection, notice_id: int, by: str, at: dt.datetime) -> bool:
    result = conn.execute(
        update(case_notices)
        .where(case_notices.c.id == notice_id, case_notices.c.read_at.is_(None))
        .values(read_at=at, read_by=by)
    )
    return result.rowcount == 1


# -- calendar years applied -------------------------------------------------------------------


def applied_years(conn: Connection) -> dict[int, dict[str, Any]]:
    return {int(r.year): dict(r._mapping) for r in conn.execute(select(calendar_applied))}


def record_applied(conn: Connection, rows: Collection[dict[str, Any]]) -> None:
    for row in rows:
        done = conn.execute(
            update(calendar_applied).where(calendar_applied.c.year == row["year"]).values(**row)
        )
        if done.rowcount == 0:
            conn.execute(insert(calendar_applied).values(**row))


# -- attachments -------------------------------------------------------------------------------


def insert_attachment(conn: Connection, values: dict[str, Any]) -> int:
    stmt = insert(case_attachments).values(**values).returning(case_attachments.c.id)
    return int(conn.execute(stmt).scalar_one())


def attachments_of_case(conn: Connection, case_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(case_attachments)
        .where(case_attachments.c.case_id == case_id)
        .order_by(case_attachments.c.event_seq, case_attachments.c.id)
    )
    return [dict(r._mapping) for r in rows]


def get_attachment(conn: Connection, attachment_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(case_attachments).where(case_attachments.c.id == attachment_id)
    ).first()
    return None if row is None else dict(row._mapping)


def overdue_marked(conn: Connection, pairs: Collection[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which (case, version) of ``pairs`` were already found overdue."""
    if not pairs:
        return set()
    ids = sorted({case_id for case_id, _ in pairs})
    rows = conn.execute(
        select(case_overdue.c.case_id, case_overdue.c.version).where(
            case_overdue.c.case_id.in_(ids)
        )
    )
    return {(int(r.case_id), int(r.version)) for r in rows} & set(pairs)


def mark_overdue(
    conn: Connection, case_id: int, version: int, due_on: dt.date | None, now: dt.datetime
) -> None:
    conn.execute(
        insert(case_overdue).values(case_id=case_id, version=version, due_on=due_on, found_at=now)
    )
