"""History loaded with ``backfill`` keeps its deadlines but is not counted late; the quality
report names departments and gives rejection rates per department."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update

from tests.helpers import add_department, csv_bytes, drop_write_guards, penalty, revoke
from xinyong.bootstrap import Platform
from xinyong.ingest.quality import quality_report
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.ledger import service as ledger
from xinyong.ledger.tables import batches, entries


def _import(platform: Platform, rows: list[dict[str, str]], **kw: Any) -> Any:
    return platform.importer().import_bytes(
        csv_bytes(rows),
        filename="p.csv",
        department_code=kw.pop("dept", "scjg"),
        item_code="XZCF",
        **kw,
    )


def _quality(platform: Platform) -> dict[str, dict[str, Any]]:
    with platform.engine.connect() as conn:
        return {d["department"]: d for d in quality_report(conn)["departments"]}


def test_backfill_keeps_deadlines_but_counts_nothing_late(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    # Decided on Friday 2026-06-12, due Wednesday 2026-06-24 (端午 on 06-19); sent on 06-25.
    clock.set(dt.datetime(2026, 6, 25, 9, 0, tzinfo=CHINA_TZ))
    history = _import(
        platform,
        [penalty(CF_JDRQ="2026-06-12"), penalty(CF_WSH="2号", CF_JDRQ="2026-06-24")],
        backfill=True,
    )
    assert (history.accepted, history.late, history.past_deadline) == (2, 0, 1)
    assert history.as_dict()["backfill"] is True
    ordinary = _import(platform, [penalty(CF_WSH="3号", CF_JDRQ="2026-06-12")])
    assert (ordinary.late, ordinary.past_deadline, ordinary.backfill) == (1, 0, False)
    with platform.engine.connect() as conn:
        rows = conn.execute(select(entries.c.due_date, entries.c.late).order_by(entries.c.id)).all()
        flags = conn.execute(select(batches.c.backfill, batches.c.late).order_by(batches.c.id))
        assert [tuple(f) for f in flags] == [(True, 0), (False, 1)]
    due = dt.date(2026, 6, 24)
    assert [tuple(r) for r in rows] == [(due, False), (dt.date(2026, 7, 3), False), (due, True)]

    q = _quality(platform)["scjg"]
    assert (q["rows"], q["backfill_rows"], q["backfill_batches"]) == (3, 2, 1)
    # Lateness is measured on ordinary submissions only.
    assert (q["with_deadline"], q["late"], q["late_rate_percent"]) == (1, 1, 100.0)

    # The flag is part of the batch's chained facts: clearing it to count the rows late shows.
    with platform.engine.connect() as conn:
        assert ledger.verify(conn)[2] == []
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
        conn.execute(update(batches).where(batches.c.id == 1).values(backfill=False))
    with platform.engine.connect() as conn:
        problems = ledger.verify(conn)[2]
    assert [p.batch_id for p in problems] == [1]


def test_quality_names_departments_and_gives_rejection_rates(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    add_department(platform, "sthj", "ecology")
    _import(
        platform,
        [
            penalty(),
            penalty(CF_WSH="2号"),
            penalty(CF_WSH="3号"),
            penalty(CF_WSH="4号", CF_JDRQ="2026-13-01"),  # rejected
        ],
    )
    _import(platform, [penalty(CF_WSH="环罚1号", CF_CFJG="省生态环境厅")], dept="sthj")
    revoke(platform, "scjg", "XZCF", penalty()["CF_XDR_SHXYM"], "2号", "复议撤销")
    q = _quality(platform)
    assert q["scjg"]["department_name"] == "部门scjg"
    # A revocation is written by the platform, not submitted: still 4 rows, 1 rejected.
    assert (q["scjg"]["rows"], q["scjg"]["rejected_rows"]) == (4, 1)
    assert q["scjg"]["rejection_rate_percent"] == 25.0
    assert (q["sthj"]["rows"], q["sthj"]["rejected_rows"], q["sthj"]["rejection_rate_percent"]) == (
        1,
        0,
        0.0,
    )
