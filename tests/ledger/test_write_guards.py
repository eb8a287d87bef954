"""The database keeps the ledger append-only (migration 0015), on both engines."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from tests.helpers import add_department, csv_bytes, penalty
from xinyong.access import service as access
from xinyong.access.tables import audit_log
from xinyong.bootstrap import Platform
from xinyong.ledger.tables import batches, entries


def _fill(platform: Platform) -> None:
    add_department(platform)
    result = platform.importer().import_bytes(
        csv_bytes([penalty(), penalty(CF_WSH="2号")]),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    assert result.accepted == 2
    with platform.engine.begin() as conn:
        access.audit(conn, "test", "read_file", "subject:x", platform.clock.now(), "核查")


@pytest.mark.parametrize(
    "statement",
    [
        update(entries).where(entries.c.id == 1).values(payload='{"forged":true}'),
        update(entries).where(entries.c.id == 1).values(public_until=None),
        update(entries).where(entries.c.id == 1).values(severity="轻微"),
        update(entries).where(entries.c.id == 2).values(id=99),
        delete(entries).where(entries.c.id == 2),
        update(batches).where(batches.c.id == 1).values(row_count=1),
        delete(batches).where(batches.c.id == 1),
        update(audit_log).values(purpose="改过"),
        delete(audit_log),
    ],
    ids=[
        "entry payload",
        "public_until",
        "severity",
        "entry id",
        "delete entry",
        "batch",
        "delete batch",
        "audit row",
        "delete audit row",
    ],
)
def test_ledger_rows_cannot_be_changed_or_deleted(platform: Platform, statement: object) -> None:
    _fill(platform)
    with platform.engine.connect() as conn:
        before = conn.execute(select(entries.c.id, entries.c.entry_hash)).all()
    with pytest.raises(DBAPIError, match="append-only"), platform.engine.begin() as conn:
        conn.execute(statement)  # type: ignore[call-overload]
    with platform.engine.connect() as conn:
        assert conn.execute(select(entries.c.id, entries.c.entry_hash)).all() == before


def _another_value(platform: Platform, column: str) -> object:
    """A value of the column's type different from entry 1's."""
    with platform.engine.connect() as conn:
        current = conn.execute(select(entries.c[column]).where(entries.c.id == 1)).scalar_one()
    # A custom type (UtcDateTime) names no python_type: the stored value says what it is.
    kind = type(current) if current is not None else entries.c[column].type.python_type
    if kind is bool:
        return not current
    if kind is int:
        return (current or 0) + 1000
    if kind is str:
        return (current or "")[:8] + "改"
    if kind is bytes:
        return b"forged"
    if kind is dt.datetime:
        return current + dt.timedelta(seconds=1)
    if kind is dt.date:
        return dt.date(2001, 1, 1) if current != dt.date(2001, 1, 1) else dt.date(2002, 1, 1)
    raise AssertionError(f"no test value for {column} of {kind}")


# A column added to entries later is guarded unless it is a calendar-derived one: the list of
# columns the triggers compare is written out in migration 0015 and must follow the table.
CALENDAR_DERIVED = {"due_date", "due_provisional", "due_earliest", "due_latest", "late"}


def test_every_entry_column_but_the_calendar_derived_ones_is_guarded(platform: Platform) -> None:
    _fill(platform)
    columns = [c.name for c in entries.c]
    refused = []
    for column in columns:
        if column in CALENDAR_DERIVED:
            continue
        statement = (
            update(entries)
            .where(entries.c.id == 1)
            .values({column: _another_value(platform, column)})
        )
        try:
            with platform.engine.begin() as conn:
                conn.execute(statement)
        except DBAPIError as exc:
            if "append-only" in str(exc):
                refused.append(column)
    assert refused == [c for c in columns if c not in CALENDAR_DERIVED]


def test_the_derived_deadline_columns_may_be_recomputed(platform: Platform) -> None:
    _fill(platform)
    with platform.engine.begin() as conn:
        conn.execute(update(entries).where(entries.c.id == 1).values(late=True, due_date=None))
    with platform.engine.connect() as conn:
        assert conn.execute(select(entries.c.late).where(entries.c.id == 1)).scalar_one()


# Database roles are PostgreSQL's; SQLite is guarded by its triggers alone.
@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_the_application_role_may_append_but_not_rewrite(platform: Platform) -> None:
    _fill(platform)
    with platform.engine.connect() as conn:
        conn.execute(text("SET ROLE xinyong_app"))
        # Reads, and the one update the application makes (a calendar recomputation).
        assert conn.execute(select(entries.c.id)).first() is not None
        conn.execute(update(entries).where(entries.c.id == 1).values(late=True))
        for statement in (
            text("ALTER TABLE entries DISABLE TRIGGER USER"),
            delete(entries).where(entries.c.id == 1),
            text("TRUNCATE entries CASCADE"),
        ):
            nested = conn.begin_nested()
            with pytest.raises(DBAPIError, match=r"permission denied|must be owner"):
                conn.execute(statement)
            nested.rollback()
        conn.rollback()
