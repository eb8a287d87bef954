"""SQL of the monthly statistics and of typical cases.

Every statistic is one GROUP BY in the database over the month's rows (the receipts through
``ix_receipts_at``), so the amount of data leaving the database is a row per department,
measure or list type, whatever the number of checks. The measure codes of a receipt are a JSON
array in a text column; it is expanded by the database's own JSON table function
(``json_each`` on SQLite, ``jsonb_array_elements_text`` on PostgreSQL) rather than by reading
every receipt into Python.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    and_,
    case,
    cast,
    false,
    func,
    insert,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB

from xinyong.access.tables import departments
from xinyong.alerts.tables import alerts
from xinyong.cases.tables import case_events, cases
from xinyong.checks.tables import check_feedback, check_receipts
from xinyong.identity.tables import subjects
from xinyong.ledger.tables import batches
from xinyong.lists.repository import active_on
from xinyong.lists.tables import list_memberships
from xinyong.reports.tables import typical_cases
from xinyong.store.db import is_postgres

# -- monthly statistics ---------------------------------------------------------------------


def _in_month(
    conn: Connection, start: dt.datetime, end: dt.datetime, department: str | None
) -> ColumnElement[bool]:
    r = check_receipts.c
    cond = and_(r.at >= start, r.at < end)  # UtcDateTime binds either zone as an instant
    if department is not None:
        cond = and_(cond, r.department_code == department)
    return cond


def _measure_count(conn: Connection) -> ColumnElement[Any]:
    if is_postgres(conn):
        return func.jsonb_array_length(cast(check_receipts.c.measures, JSONB))
    return func.json_array_length(check_receipts.c.measures)


def _measure_codes(conn: Connection) -> FromClause:
    """The receipt's measure codes as a table with one ``value`` column, joinable laterally."""
    if is_postgres(conn):
        # A set-returning function in FROM may refer to earlier FROM items (implicitly lateral).
        return (
            func.jsonb_array_elements_text(cast(check_receipts.c.measures, JSONB))
            .table_valued("value")
            .render_derived(name="m")
        )
    return func.json_each(check_receipts.c.measures).table_valued("value").alias("m")


def checks_by_department(
    conn: Connection, start: dt.datetime, end: dt.datetime, department: str | None
) -> list[dict[str, Any]]:
    r = check_receipts.c
    stmt = (
        select(
            r.department_code,
            func.count().label("checks"),
            func.sum(case((_measure_count(conn) > 0, 1), else_=0)).label("checks_with_measures"),
            func.count(r.subject_key.distinct()).label("subjects"),
        )
        .where(_in_month(conn, start, end, department))
        .group_by(r.department_code)
    )
    return [dict(row._mapping) for row in conn.execute(stmt)]


def distinct_subjects(
    conn: Connection, start: dt.datetime, end: dt.datetime, department: str | None
) -> int:
    stmt = select(func.count(check_receipts.c.subject_key.distinct())).where(
        _in_month(conn, start, end, department)
    )
    return int(conn.execute(stmt).scalar_one())


def measures_returned(
    conn: Connection, start: dt.datetime, end: dt.datetime, department: str | None
) -> dict[str, int]:
    """Per measure code: times it was in the month's answers."""
    m = _measure_codes(conn)
    stmt = (
        select(m.c.value, func.count())
        .select_from(check_receipts.join(m, true()))
        .where(_in_month(conn, start, end, department))
        .group_by(m.c.value)
    )
    return {str(code): int(n) for code, n in conn.execute(stmt)}


def feedback_by_measure(
    conn: Connection, start: dt.datetime, end: dt.datetime, department: str | None
) -> dict[str, tuple[int, int]]:
    """Per measure code: (applied, not applied) by the newest feedback on each (receipt,
    measure) of the month's checks, as of now.

    Counted apart from the answers rather than by joining every (receipt, measure) pair to its
    feedback: feedback rows are few, and ``checks.feedback`` accepts only a measure that was
    in the answer, so "no feedback" is the difference.
    """
    f = check_feedback.c
    # A business system may correct its feedback; the newest row for a measure is the answer.
    newest = func.row_number().over(partition_by=(f.receipt, f.measure), order_by=f.id.desc())
    latest = (
        select(f.measure, f.applied, newest.label("rn"))
        .select_from(check_feedback.join(check_receipts, check_receipts.c.receipt == f.receipt))
        .where(_in_month(conn, start, end, department))
        .subquery("fb")
    )
    stmt = (
        select(
            latest.c.measure,
            func.sum(case((latest.c.applied == true(), 1), else_=0)),
            func.sum(case((latest.c.applied == false(), 1), else_=0)),
        )
        .where(latest.c.rn == 1)
        .group_by(latest.c.measure)
    )
    return {str(code): (int(yes), int(no)) for code, yes, no in conn.execute(stmt)}


def list_activity(
    conn: Connection,
    first_day: dt.date,
    last_day: dt.date,
    members_day: dt.date,
    department: str | None,
) -> list[dict[str, Any]]:
    """Per list type: listings in the month and memberships in force on ``members_day``
    (``listed_on <= D < until``, not exited by D, as the check counts them)."""
    lm = list_memberships.c
    listed = and_(lm.listed_on >= first_day, lm.listed_on <= last_day)
    active = active_on(members_day)
    stmt = (
        select(
            lm.list_type,
            func.sum(case((listed, 1), else_=0)).label("listed"),
            func.sum(case((active, 1), else_=0)).label("members_at_end"),
        )
        .where(lm.listed_on <= last_day)
        .group_by(lm.list_type)
    )
    if department is not None:
        stmt = stmt.where(lm.department_code == department)
    return [dict(row._mapping) for row in conn.execute(stmt)]


def list_exits(
    conn: Connection, first_day: dt.date, last_day: dt.date, department: str | None
) -> list[dict[str, Any]]:
    lm = list_memberships.c
    stmt = (
        select(lm.list_type, lm.exit_reason, func.count().label("exits"))
        .where(lm.exited_on >= first_day, lm.exited_on <= last_day)
        .group_by(lm.list_type, lm.exit_reason)
    )
    if department is not None:
        stmt = stmt.where(lm.department_code == department)
    return [dict(row._mapping) for row in conn.execute(stmt)]


# -- dashboard ------------------------------------------------------------------------------


def imports_in(
    conn: Connection,
    start: dt.datetime,
    end: dt.datetime,
    formats: tuple[str, ...],
    department: str | None,
) -> list[dict[str, Any]]:
    """Per department, over the files received in [start, end): rows sent, accepted,
    rejected and late (backfills are never late: ingest counts them so)."""
    b = batches.c
    stmt = (
        select(
            b.department_code,
            func.count().label("batches"),
            func.sum(b.row_count).label("rows"),
            func.sum(b.accepted).label("accepted"),
            func.sum(b.rejected).label("rejected"),
            func.sum(b.late).label("late"),
        )
        .where(b.received_at >= start, b.received_at < end, b.format.in_(list(formats)))
        .group_by(b.department_code)
    )
    if department is not None:
        stmt = stmt.where(b.department_code == department)
    return [dict(row._mapping) for row in conn.execute(stmt)]


def black_listed_subjects(conn: Connection, day: dt.date, kinds: tuple[str, ...]) -> int:
    """Distinct subjects with a membership of ``kinds`` in force on ``day``."""
    lm = list_memberships.c
    stmt = select(func.count(lm.subject_key.distinct())).where(
        active_on(day), lm.kind.in_(list(kinds))
    )
    return int(conn.execute(stmt).scalar_one())


def organisation_count(conn: Connection) -> int:
    """Market entities known to the platform (natural persons are not a population here)."""
    stmt = select(func.count()).select_from(subjects).where(subjects.c.kind != "person")
    return int(conn.execute(stmt).scalar_one())


def alerts_by_status(conn: Connection) -> dict[str, int]:
    stmt = select(alerts.c.status, func.count()).group_by(alerts.c.status)
    return {str(s): int(n) for s, n in conn.execute(stmt)}


def department_names(conn: Connection) -> dict[str, str]:
    return {
        str(code): str(name)
        for code, name in conn.execute(select(departments.c.code, departments.c.name))
    }


# -- typical cases --------------------------------------------------------------------------


def insert_typical_case(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(typical_cases).values(**values))
    key = result.inserted_primary_key
    assert key is not None  # noqa: S101 - an autoincrement insert always returns its key
    return int(key[0])


def get_typical_case(conn: Connection, case_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(typical_cases).where(typical_cases.c.id == case_id)).first()
    return dict(row._mapping) if row is not None else None


def set_typical_case_state(
    conn: Connection, case_id: int, from_state: str, values: dict[str, Any]
) -> bool:
    """Move the case on only if it is still in ``from_state`` (two office users may act at
    once); False when someone else moved it first."""
    result = conn.execute(
        update(typical_cases)
        .where(typical_cases.c.id == case_id, typical_cases.c.state == from_state)
        .values(**values)
    )
    return result.rowcount == 1


def list_typical_cases(
    conn: Connection, *, states: tuple[str, ...] | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    t = typical_cases.c
    stmt = select(typical_cases)
    if states is not None:
        stmt = stmt.where(t.state.in_(states))
    # Newest publication first for readers; drafts (no publication time) by creation.
    stmt = stmt.order_by(t.published_at.desc().nulls_last(), t.id.desc())
    return [dict(row._mapping) for row in conn.execute(stmt.limit(limit).offset(offset))]


def receipt_subject(conn: Connection, receipt: str) -> str | None:
    return conn.execute(
        select(check_receipts.c.subject_key).where(check_receipts.c.receipt == receipt)
    ).scalar_one_or_none()


def cases_opened(
    conn: Connection, start: dt.datetime, end: dt.datetime, department: str | None
) -> dict[str, int]:
    """Cases opened in [start, end), per workflow."""
    c = cases.c
    stmt = (
        select(c.workflow, func.count().label("n"))
        .where(c.opened_at >= start, c.opened_at < end)
        .group_by(c.workflow)
    )
    if department is not None:
        stmt = stmt.where(c.department_code == department)
    return {r.workflow: int(r.n) for r in conn.execute(stmt)}


def case_steps_in(
    conn: Connection, start: dt.datetime, end: dt.datetime, department: str | None
) -> list[dict[str, Any]]:
    """The steps taken in [start, end) that left a state (not a deadline recomputed in it),
    each with the deadline the state had when it was left (on the step before it). A row per
    step: a month's decisions are a handful per department, unlike the checks above."""
    e = case_events.alias("e")
    before = case_events.alias("before")
    stmt = (
        select(
            cases.c.workflow,
            e.c.from_state,
            e.c.to_state,
            e.c.at,
            before.c.due_on,
            before.c.due_provisional,
            before.c.due_earliest,
            before.c.due_latest,
        )
        .select_from(
            e.join(cases, cases.c.id == e.c.case_id).join(
                before, and_(before.c.case_id == e.c.case_id, before.c.seq == e.c.seq - 1)
            )
        )
        .where(e.c.at >= start, e.c.at < end, e.c.from_state != e.c.to_state)
    )
    if department is not None:
        stmt = stmt.where(cases.c.department_code == department)
    return [dict(r._mapping) for r in conn.execute(stmt)]
