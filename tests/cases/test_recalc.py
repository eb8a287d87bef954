"""Deadlines on the provisional 2027 calendar, the statement window guard, and what happens
when the official 2027 file arrives: recomputation, ledger entries, notices, closed cases."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.calendar_files import HYPOTHETICAL_OFFICIAL_2027, write_year
from tests.helpers import IBIZ, ORG, ORG2, add_department, csv_bytes, listing_details, penalty
from xinyong.bootstrap import Platform
from xinyong.cases import recalc
from xinyong.cases import service as cases
from xinyong.cases.service import WindowStillOpen
from xinyong.cases.tables import case_events, case_notices
from xinyong.kernel.calendar import WorkCalendar, shipped_calendar_dir
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.ledger.tables import entries
from xinyong.lists import service as lists

D = dt.date


def _at(day: D, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), CHINA_TZ)


@pytest.fixture
def official(tmp_path: Path) -> WorkCalendar:
    write_year(tmp_path / "official", HYPOTHETICAL_OFFICIAL_2027)
    return WorkCalendar.load([tmp_path / "official"])


def _open(
    platform: Platform,
    clock: FixedClock,
    day: D,
    steps: tuple[str, ...],
    *,
    list_type: str = "WATCH",
    department: str = "xyb",
    subject: str = ORG,
    calendar: WorkCalendar | None = None,
) -> int:
    cal = calendar or platform.calendar
    clock.set(_at(day))
    with platform.engine.begin() as conn:
        case = lists.propose(
            conn,
            platform.sanctions,
            cal,
            list_type=list_type,
            subject_key=subject,
            department_code=department,
            actor=f"{department}:张科员",
            now=clock.now(),
            catalogue_version="v",
        )
    for name in steps:
        _step(platform, clock, case.id, name, calendar=cal)
    return case.id


def _step(
    platform: Platform,
    clock: FixedClock,
    case_id: int,
    name: str,
    *,
    day: D | None = None,
    calendar: WorkCalendar | None = None,
) -> None:
    if day is not None:
        clock.set(_at(day))
    with platform.engine.begin() as conn:
        lists.advance(
            conn,
            platform.sanctions,
            platform.catalogue,
            calendar or platform.calendar,
            case_id,
            name,
            actor="t",
            role="subject" if name == "state_case" else "department",
            now=clock.now(),
            **listing_details(name),
        )


def _apply(platform: Platform, calendar: WorkCalendar, day: D) -> recalc.ApplyReport:
    days = {
        (v.code, v.version): v.publication_deadline_working_days
        for latest in platform.catalogue.items()
        for v in platform.catalogue.item_versions(latest.code)
    }
    with platform.engine.begin() as conn:
        return recalc.apply_calendar(
            conn,
            calendar,
            now=_at(day, 7),
            catalogue_version="v",
            publication_days=lambda c, v: days.get((c, v)),
            deadline_items=sorted({c for (c, _), n in days.items() if n is not None}),
        )


@pytest.fixture
def departments(platform: Platform) -> None:
    add_department(platform, "xyb", "other")  # WATCH: a 5-working-day statement window
    add_department(platform)  # scjg: SAMR_SERIOUS, 20 working days to publish


# -- the statement window ---------------------------------------------------------------------


@pytest.mark.usefixtures("departments")
def test_listing_waits_for_the_latest_end_of_a_provisional_window(
    platform: Platform, clock: FixedClock
) -> None:
    case_id = _open(platform, clock, D(2027, 2, 3), ("notify",))
    with platform.engine.connect() as conn:
        case = cases.get(conn, case_id)
    due = case.deadline
    assert due is not None
    assert due.provisional
    assert (due.date, due.earliest, due.latest) == (D(2027, 2, 16), D(2027, 2, 12), D(2027, 2, 19))
    # The nominal end has passed, but the notice could still make it 02-19.
    with pytest.raises(WindowStillOpen) as info:
        _step(platform, clock, case_id, "list", day=D(2027, 2, 17))
    msg = info.value.message_zh
    assert "陈述申辩期至 2027-02-19（含当日）届满" in msg
    assert "暂定（2027年国务院放假安排尚未公布）" in msg
    assert "2027-02-20 起方可执行" in msg
    with pytest.raises(WindowStillOpen):
        _step(platform, clock, case_id, "list", day=D(2027, 2, 19))
    _step(platform, clock, case_id, "list", day=D(2027, 2, 20))
    with platform.engine.connect() as conn:
        assert cases.get(conn, case_id).state == "listed"


@pytest.mark.usefixtures("departments")
def test_official_window_guard_and_a_statement_lets_the_decision_follow(
    platform: Platform, clock: FixedClock
) -> None:
    # 2026: official. Notified 09-30, the window ends 10-13 (National Day skipped).
    case_id = _open(platform, clock, D(2026, 9, 30), ("notify",))
    with pytest.raises(WindowStillOpen) as info:
        _step(platform, clock, case_id, "list", day=D(2026, 10, 13))
    assert "暂定" not in info.value.message_zh
    _step(platform, clock, case_id, "list", day=D(2026, 10, 14))
    # Once the subject has stated its case, the department may decide at once.
    other = _open(platform, clock, D(2026, 9, 30), ("notify", "state_case", "list"), subject=ORG2)
    with platform.engine.connect() as conn:
        assert cases.get(conn, other).state == "listed"


# -- inbox status -----------------------------------------------------------------------------


@pytest.mark.usefixtures("departments")
def test_provisional_duty_is_overdue_by_its_earliest_date(
    platform: Platform, clock: FixedClock
) -> None:
    case_id = _open(
        platform,
        clock,
        D(2027, 1, 20),
        ("notify", "list"),
        list_type="SAMR_SERIOUS",
        department="scjg",
    )
    with platform.engine.connect() as conn:
        due = cases.get(conn, case_id).deadline
        assert due is not None
        assert due.provisional
        assert due.earliest < due.date
        assert cases.overdue(conn, due.earliest) == []
        assert [c.id for c in cases.overdue(conn, due.earliest + dt.timedelta(days=1))] == [case_id]


# -- the official calendar arrives ------------------------------------------------------------


@pytest.mark.usefixtures("departments")
def test_official_2027_recomputes_open_deadlines_and_tells_the_department(
    platform: Platform, clock: FixedClock, official: WorkCalendar
) -> None:
    provisional = platform.calendar
    notified = _open(platform, clock, D(2027, 2, 3), ("notify",))
    listed = _open(
        platform,
        clock,
        D(2027, 1, 20),
        ("notify", "list"),
        list_type="SAMR_SERIOUS",
        department="scjg",
        subject=ORG2,
    )
    closed = _open(platform, clock, D(2027, 2, 2), ("notify",), subject=IBIZ)
    _step(platform, clock, closed, "drop", day=D(2027, 2, 4))
    untouched = _open(
        platform,
        clock,
        D(2026, 6, 15),
        ("notify", "list"),
        list_type="SAMR_SERIOUS",
        department="scjg",
        subject=IBIZ,
    )
    # A publication deadline on the ledger: 7 working days from 2026-12-28.
    clock.set(_at(D(2027, 1, 6)))
    platform.importer().import_bytes(
        csv_bytes([penalty(CF_JDRQ="2026-12-28")]),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    with platform.engine.connect() as conn:
        before = {i: cases.get(conn, i) for i in (notified, listed, closed, untouched)}
        closed_events = conn.execute(
            select(case_events).where(case_events.c.case_id == closed).order_by(case_events.c.seq)
        ).all()

    # The deployment's first run records what its deadlines were computed on: nothing moves.
    baseline = _apply(platform, provisional, D(2027, 1, 7))
    assert {y.year for y in baseline.years} == set(provisional.years)
    assert baseline.cases == []
    assert baseline.entries_moved == 0

    report = _apply(platform, official, D(2027, 1, 8))
    assert [(y.year, y.old_status, y.new_status, y.reason) for y in report.years] == [
        (2027, "provisional", "official", "国务院办公厅2027年节假日安排公布")
    ]
    assert report.warnings == []
    moved = {c["case"]: c for c in report.cases}
    assert set(moved) == {notified, listed}
    # The statement window: 02-16 on the draft, 02-17 on the notice (春节 02-05..02-11).
    assert moved[notified]["old"]["date"] == "2027-02-16"
    assert moved[notified]["new"] == official.deadline(D(2027, 2, 3), 5).as_dict()
    assert moved[notified]["new"]["date"] == "2027-02-17"
    assert moved[notified]["new"]["provisional"] is False
    assert moved[listed]["new"]["date"] == official.deadline(D(2027, 1, 20), 20).date.isoformat()
    assert moved[listed]["old"]["date"] == provisional.deadline(D(2027, 1, 20), 20).date.isoformat()

    with platform.engine.connect() as conn:
        after = {i: cases.get(conn, i) for i in before}
        case_entries = conn.execute(
            select(entries.c.subject_key, entries.c.payload, entries.c.public).where(
                entries.c.item_code == "case:list_determination"
            )
        ).all()
        notices = conn.execute(select(case_notices).order_by(case_notices.c.id)).all()
        publication = conn.execute(
            select(
                entries.c.due_date,
                entries.c.due_provisional,
                entries.c.due_earliest,
                entries.c.due_latest,
            ).where(entries.c.item_code == "XZCF")
        ).one()
        closed_after = conn.execute(
            select(case_events).where(case_events.c.case_id == closed).order_by(case_events.c.seq)
        ).all()

    # Case rows: the new official deadline, no bounds; not a step (version unchanged).
    new = after[notified].deadline
    assert new is not None
    assert (new.date, new.provisional, new.earliest, new.latest) == (
        D(2027, 2, 17),
        False,
        D(2027, 2, 17),
        D(2027, 2, 17),
    )
    assert after[notified].version == before[notified].version
    assert after[notified].events[-1].transition == recalc.RECALC
    assert after[notified].events[-1].note == "国务院办公厅2027年节假日安排公布"
    # A ledger entry per changed case, with the old and new dates and the reason.
    recalcs = [
        json.loads(p) for _, p, _ in case_entries if json.loads(p)["transition"] == recalc.RECALC
    ]
    assert sorted(p["case"] for p in recalcs) == sorted([notified, listed])
    one = next(p for p in recalcs if p["case"] == notified)
    assert (one["old_due"]["date"], one["new_due"]["date"]) == ("2027-02-16", "2027-02-17")
    assert one["old_due"]["provisional"] is True
    assert one["reason"] == "国务院办公厅2027年节假日安排公布"
    assert all(public is False for *_, public in case_entries)
    # The owning departments are told.
    assert sorted((n.department_code, n.case_id, n.kind) for n in notices) == sorted(
        [("xyb", notified, "deadline_changed"), ("scjg", listed, "deadline_changed")]
    )
    text = next(n.summary for n in notices if n.case_id == notified)
    assert "陈述申辩期由 2027-02-16（暂定" in text
    assert "改为 2027-02-17（正式）" in text
    # Closed and unaffected cases are left as they were.
    assert after[closed] == before[closed]
    assert closed_after == closed_events
    assert after[untouched] == before[untouched]
    # The ledger's publication deadline follows the notice too.
    assert tuple(publication) == (
        official.deadline(D(2026, 12, 28), 7).date,
        False,
        official.deadline(D(2026, 12, 28), 7).date,
        official.deadline(D(2026, 12, 28), 7).date,
    )
    assert report.entries_moved == 1

    # Idempotent: a second run finds nothing to do.
    again = _apply(platform, official, D(2027, 1, 9))
    assert again.years == []
    assert again.cases == []
    # And a process still holding the draft cannot apply it over the notice.
    with pytest.raises(Exception, match="2027") as info:
        _apply(platform, provisional, D(2027, 1, 10))
    assert "正式安排" in getattr(info.value, "message_zh", "")


@pytest.mark.usefixtures("departments")
def test_an_action_before_the_official_end_of_a_window_is_flagged(
    platform: Platform, clock: FixedClock, official: WorkCalendar, tmp_path: Path
) -> None:
    # A deployment whose draft allowed no extra day off: its latest bound was too early.
    draft = (Path(str(shipped_calendar_dir())) / "2027.yaml").read_text(encoding="utf-8")
    narrow_dir = tmp_path / "narrow"
    write_year(
        narrow_dir,
        draft.replace("extra_days_off: 3", "extra_days_off: 0").replace(
            "status: provisional\n", "status: provisional\nreplaces: true\n"
        ),
    )
    narrow = WorkCalendar.load([narrow_dir])
    case_id = _open(platform, clock, D(2027, 2, 3), ("notify",), calendar=narrow)
    _step(platform, clock, case_id, "list", day=D(2027, 2, 17), calendar=narrow)  # after 02-16
    _apply(platform, narrow, D(2027, 2, 17))
    report = _apply(platform, official, D(2027, 2, 18))
    (flag,) = report.early_actions
    assert (flag["case"], flag["taken_on"], flag["window_ends"]) == (
        case_id,
        "2027-02-17",
        "2027-02-17",
    )
    with platform.engine.connect() as conn:
        (notice,) = conn.execute(
            select(case_notices).where(case_notices.c.kind == recalc.NOTICE_EARLY)
        ).all()
        state = cases.get(conn, case_id).state
    assert notice.department_code == "xyb"
    assert "按正式日历当事人的陈述申辩期至 2027-02-17 才届满" in notice.summary
    assert state == "listed"  # flagged, not undone


@pytest.mark.usefixtures("departments")
def test_notices_are_read_by_their_department_only(
    platform: Platform, clock: FixedClock, official: WorkCalendar
) -> None:
    notified = _open(platform, clock, D(2027, 2, 3), ("notify",))
    _apply(platform, platform.calendar, D(2027, 2, 3))
    _apply(platform, official, D(2027, 2, 4))
    with platform.engine.begin() as conn:
        listing = recalc.notices(conn, department_code="xyb")
        assert listing["unread"] == 1
        (n,) = listing["notices"]
        assert n["case"] == notified
        assert n["kind_label"] == "办理期限变更"
        assert recalc.notices(conn, department_code="scjg")["notices"] == []
        with pytest.raises(Exception, match="belongs to xyb"):
            recalc.mark_read(conn, n["id"], by="scjg:王", department_code="scjg", now=clock.now())
        view = recalc.mark_read(conn, n["id"], by="xyb:李", department_code="xyb", now=clock.now())
        assert view["read_by"] == "xyb:李"
        assert recalc.notices(conn, department_code="xyb")["unread"] == 0
