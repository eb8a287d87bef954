"""The workflow kernel: transitions by role, working-day deadlines, history, ledger, overdue."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.helpers import ORG, add_department
from xinyong.bootstrap import Platform
from xinyong.cases import service as cases
from xinyong.cases.model import InvalidTransition, State, Transition, Workflow
from xinyong.cases.rules import LIST_DETERMINATION, due_date
from xinyong.kernel.calendar import WorkCalendar
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.errors import PermissionDenied
from xinyong.ledger.service import verify
from xinyong.ledger.tables import entries

PARAMS = {
    "notice_deadline_working_days": 3,
    "statement_window_working_days": 5,
    "decision_deadline_working_days": 15,
    "publication_deadline_working_days": 20,
}


def test_workflow_definitions_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown states"):
        Workflow(
            "x",
            "x",
            "a",
            {"a": State("a", "甲")},
            {"t": Transition("t", "t", frozenset({"a"}), "b", frozenset({"office"}))},
        )
    with pytest.raises(ValueError, match="bad roles"):
        Workflow(
            "x",
            "x",
            "a",
            {"a": State("a", "甲")},
            {"t": Transition("t", "t", frozenset({"a"}), "a", frozenset({"king"}))},
        )


def test_roles_and_states_gate_every_transition() -> None:
    wf = LIST_DETERMINATION
    # The system also takes a repair case's effect on the listing (移出, 暂停列入).
    assert {t.name for t in wf.available("published", "system")} == {
        "expire",
        "repair_exit",
        "suspend",
    }
    assert {t.name for t in wf.available("repaired", "system")} == {"reinstate"}
    assert wf.available("repaired", "department") == []
    assert wf.check("proposed", "notify", "department").target == "notified"
    with pytest.raises(PermissionDenied):
        wf.check("proposed", "notify", "subject")
    with pytest.raises(InvalidTransition) as exc:
        wf.check("proposed", "publish", "department")
    assert "拟列入" in exc.value.message_zh
    with pytest.raises(PermissionDenied):
        wf.check("published", "expire", "department")  # only the clock ends a listing


def test_deadlines_follow_the_official_calendar() -> None:
    cal = WorkCalendar.load()
    # Notified on Wednesday 2026-09-30: five working days skip the National Day holiday
    # (10-01..10-07) and count the make-up Saturday 10-10.
    due = due_date(LIST_DETERMINATION, "notified", PARAMS, dt.date(2026, 9, 30), cal)
    assert due is not None
    # An official interval: no bounds to plan around.
    assert (due.date, due.provisional, due.earliest, due.latest) == (
        dt.date(2026, 10, 13),
        False,
        dt.date(2026, 10, 13),
        dt.date(2026, 10, 13),
    )
    assert due_date(LIST_DETERMINATION, "published", PARAMS, dt.date(2026, 9, 30), cal) is None


def test_a_case_walks_through_its_states_with_history_and_ledger(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    clock.set(dt.datetime(2026, 9, 30, 9, 0, tzinfo=CHINA_TZ))
    common = {
        "calendar": platform.calendar,
        "catalogue_version": platform.catalogue.snapshot.version,
    }
    with platform.engine.begin() as conn:
        case = cases.open_case(
            conn,
            "list_determination",
            subject_key=ORG,
            department_code="scjg",
            params=PARAMS,
            actor="scjg:张科员",
            now=clock.now(),
            note="拟列入严重违法失信名单",
            **common,
        )
        assert case.state == "proposed"
        assert case.due_on == dt.date(2026, 10, 10)  # 10-08, 10-09 and the make-up Saturday
        case = cases.transition(
            conn,
            case.id,
            "notify",
            actor="scjg:张科员",
            role="department",
            now=clock.now(),
            **common,
        )
    assert case.state == "notified"
    assert case.due_on == dt.date(2026, 10, 13)
    clock.set(dt.datetime(2026, 10, 12, 9, 0, tzinfo=CHINA_TZ))
    with platform.engine.begin() as conn:
        case = cases.transition(
            conn,
            case.id,
            "state_case",
            actor="企业",
            role="subject",
            now=clock.now(),
            note="已整改",
            **common,
        )
        case = cases.transition(
            conn, case.id, "list", actor="scjg:李处长", role="department", now=clock.now(), **common
        )
        case = cases.transition(
            conn, case.id, "publish", actor="system", role="system", now=clock.now(), **common
        )
    assert case.state == "published"
    assert case.due_on is None
    assert [e.transition for e in case.events] == [
        "open",
        "notify",
        "state_case",
        "list",
        "publish",
    ]
    assert [e.role for e in case.events][-3:] == ["subject", "department", "system"]
    with platform.engine.connect() as conn:
        steps = conn.execute(
            select(entries.c.item_code, entries.c.public)
            .where(entries.c.subject_key == ORG)
            .order_by(entries.c.id)
        ).all()
        assert verify(conn)[2] == []
    assert steps == [("case:list_determination", False)] * 5
    assert all(e.entry_id is not None for e in case.events)


def test_overdue_cases_are_visible(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    clock.set(dt.datetime(2026, 6, 1, 9, 0, tzinfo=CHINA_TZ))
    common = {
        "calendar": platform.calendar,
        "catalogue_version": platform.catalogue.snapshot.version,
    }
    with platform.engine.begin() as conn:
        late = cases.open_case(
            conn,
            "list_determination",
            subject_key=ORG,
            department_code="scjg",
            params=PARAMS,
            actor="a",
            now=clock.now(),
            **common,
        )
        done = cases.open_case(
            conn,
            "list_determination",
            subject_key=ORG,
            department_code="scjg",
            params=PARAMS,
            actor="a",
            now=clock.now(),
            **common,
        )
        cases.transition(
            conn, done.id, "drop", actor="a", role="department", now=clock.now(), **common
        )
    with platform.engine.connect() as conn:
        assert cases.overdue(conn, dt.date(2026, 6, 4)) == []  # due 06-04 itself is still in time
        overdue = cases.overdue(conn, dt.date(2026, 6, 5))
    assert [c.id for c in overdue] == [late.id]


def test_stale_transition_is_refused(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    common = {
        "calendar": platform.calendar,
        "catalogue_version": platform.catalogue.snapshot.version,
    }
    with platform.engine.begin() as conn:
        case = cases.open_case(
            conn,
            "list_determination",
            subject_key=ORG,
            department_code="scjg",
            params=PARAMS,
            actor="a",
            now=clock.now(),
            **common,
        )
        cases.transition(
            conn, case.id, "drop", actor="a", role="department", now=clock.now(), **common
        )
        with pytest.raises(InvalidTransition):
            cases.transition(
                conn, case.id, "notify", actor="a", role="department", now=clock.now(), **common
            )
