"""audit verify's recomputation of the derived columns of every ledger entry: a derived
column edited in the database is named; a ledger written by the platform passes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from tests.helpers import ORG, add_department, csv_bytes, drop_write_guards, list_subject, penalty
from tests.helpers import revoke as revoke_record
from xinyong.bootstrap import Platform
from xinyong.ingest.rederive import DerivedMismatch, DerivedSummary, derived_differences
from xinyong.ledger.tables import entries
from xinyong.publication.derived import DERIVED_COLUMNS


def _fill(platform: Platform) -> None:
    add_department(platform)
    imp = platform.importer()
    imp.import_bytes(
        csv_bytes([penalty(CF_WSH=f"{i}号") for i in range(4)]),
        filename="a.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    # a correction of 1号 and a backfill batch
    imp.import_bytes(
        csv_bytes([penalty(CF_WSH="1号", CF_FKJE="2.5")]),
        filename="b.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    imp.import_bytes(
        csv_bytes([penalty(CF_WSH="old1号", CF_JDRQ="2025-01-06")]),
        filename="c.csv",
        department_code="scjg",
        item_code="XZCF",
        backfill=True,
    )
    revoke_record(platform, "scjg", "XZCF", ORG, "2号", "决定已撤销")
    list_subject(platform, ORG)


def _differences(platform: Platform) -> tuple[list[DerivedMismatch], DerivedSummary]:
    summary = DerivedSummary()
    with platform.engine.connect() as conn:
        found = list(
            derived_differences(
                conn, platform.catalogue, platform.sanctions, platform.calendar, summary
            )
        )
    return found, summary


def _apply_calendar(platform: Platform) -> None:
    from xinyong.jobs.registry import apply_calendar

    apply_calendar(platform)


def test_a_ledger_the_platform_wrote_passes(platform: Platform) -> None:
    _fill(platform)
    found, summary = _differences(platform)
    assert found == []
    with platform.engine.connect() as conn:
        n = len(conn.execute(select(entries.c.id)).all())
    assert summary.entries == n > 6  # imports, correction, backfill, revocation, case, listing


def test_calendar_apply_leaves_no_false_alarm(platform: Platform) -> None:
    """calendar apply legitimately rewrites due_* and late; after it, the recomputation on
    the same calendar agrees, backfilled rows included (never late)."""
    _fill(platform)
    _apply_calendar(platform)
    found, summary = _differences(platform)
    assert found == []
    assert summary.pending == 0


def _tampered(column: str, current: object) -> object:
    if isinstance(current, bool):
        return not current
    if column.startswith(("public_", "repair_", "due_")) and column != "due_provisional":
        return dt.date(2001, 2, 3)
    return "轻微" if column == "severity" and current != "轻微" else "改过"


@pytest.mark.parametrize("column", DERIVED_COLUMNS)
def test_each_edited_derived_column_is_named(platform: Platform, column: str) -> None:
    _fill(platform)
    _apply_calendar(platform)  # the deadlines were computed on the applied calendar
    with platform.engine.begin() as conn:
        row = conn.execute(select(entries).where(entries.c.id == 1)).one()._mapping
        drop_write_guards(conn)
        conn.execute(
            update(entries)
            .where(entries.c.id == 1)
            .values({column: _tampered(column, row[column])})
        )
    found, summary = _differences(platform)
    assert [(m.entry_id, m.column, m.pending) for m in found] == [(1, column, False)]
    assert summary.mismatches == 1
    assert summary.by_column == {column: 1}
    assert f"条目 1 的派生字段 {column}：存储值" in found[0].message_zh
    assert f"entry 1 derived column {column}: stored" in found[0].message_en


def test_edited_revocation_and_listing_windows_are_named(platform: Platform) -> None:
    _fill(platform)
    with platform.engine.connect() as conn:
        revocation = conn.execute(
            select(entries.c.id).where(entries.c.action == "revoke")
        ).scalar_one()
        listing = conn.execute(
            select(entries.c.id).where(entries.c.item_version == "list")
        ).scalar_one()
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(update(entries).where(entries.c.id == revocation).values(public=True))
        conn.execute(
            update(entries).where(entries.c.id == listing).values(public_until=dt.date(2099, 1, 1))
        )
    found, _ = _differences(platform)
    assert {(m.entry_id, m.column) for m in found} == {
        (revocation, "public"),
        (listing, "public_until"),
    }


def test_deadline_differences_on_an_unapplied_calendar_year_are_pending(
    platform: Platform,
) -> None:
    """Before `calendar apply` has recorded the loaded calendar, a deadline that differs may
    be a calendar change waiting to be applied: reported as pending, not as tampering."""
    _fill(platform)
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(update(entries).where(entries.c.id == 1).values(due_date=dt.date(2001, 2, 3)))
    found, summary = _differences(platform)
    assert [(m.entry_id, m.column, m.pending) for m in found] == [(1, "due_date", True)]
    assert summary.mismatches == 0
    assert summary.pending == 1
