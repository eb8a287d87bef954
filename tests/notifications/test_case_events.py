"""The workflow kernel's events: one per step with the new deadline (provisional across New
Year 2027), one ``case.overdue`` per state passed, and the messages they give."""

from __future__ import annotations

import datetime as dt

from tests.helpers import ORG, add_department
from tests.notifications.support import at, message_rows, open_case, outbox, step
from xinyong.bootstrap import Platform
from xinyong.events.model import Event
from xinyong.jobs.registry import run_job
from xinyong.kernel.clock import FixedClock
from xinyong.notifications import service as notifications


def test_every_step_is_an_event_with_its_deadline_provisional_in_2027(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    clock.set(at(dt.date(2026, 12, 28)))  # a Monday: three working days end on 12-31
    case = open_case(platform, ORG)
    clock.set(at(dt.date(2026, 12, 30)))
    step(platform, case.id, "notify")  # the statement window runs into January 2027
    step(platform, case.id, "state_case", role="subject")
    step(platform, case.id, "list")
    step(platform, case.id, "publish")

    steps = outbox(platform, "case.")
    assert [e["kind"] for e in steps] == [
        "case.list_determination.open",
        "case.list_determination.notify",
        "case.list_determination.state_case",
        "case.list_determination.list",
        "case.list_determination.publish",
    ]
    assert all(e["subject_key"] == ORG and e["case_id"] == case.id for e in steps)
    assert all(e["department_code"] == "scjg" for e in steps)
    opened, notified, stated, listed, published = (e["payload"] for e in steps)
    assert (opened["from"], opened["to"], opened["seq"]) == (None, "proposed", 1)
    assert opened["due"]["date"] == "2026-12-31"
    assert opened["due"]["provisional"] is False  # 2026 is official
    assert (notified["from"], notified["to"]) == ("proposed", "notified")
    assert notified["due"]["provisional"] is True  # 2027's holidays are not published yet
    assert notified["due"]["date"].startswith("2027-01-")
    assert notified["due"]["earliest"] <= notified["due"]["date"] <= notified["due"]["latest"]
    assert stated["due"]["provisional"] is True
    assert published["due"] is None  # a listing has no deadline to leave it
    assert all(isinstance(p["entry"], int) for p in (opened, notified, listed))

    # The subject is told of each step; the department of the new case only.
    told = message_rows(platform, "subject")
    assert [m["kind"] for m in told] == [e["kind"] for e in steps]
    assert all(m["recipient"] == ORG and m["case_id"] == case.id for m in told)
    assert "已立案" in told[0]["body"]
    assert "2026-12-31" in told[0]["body"]
    assert "按暂定日历计算" not in told[0]["body"]
    assert "陈述申辩期至 2027-01-" in told[1]["body"]
    assert "（按暂定日历计算）" in told[1]["body"]
    assert "告知拟列入的事由、依据和权利" in told[1]["body"]
    (new_case,) = message_rows(platform, "department")
    assert new_case["recipient"] == "scjg"
    assert new_case["body"].startswith(f"新办件：名单认定（编号 {case.id}），主体 {ORG}")
    assert message_rows(platform, "office") == []


def test_a_case_past_its_deadline_is_announced_once_per_state(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    clock.set(at(dt.date(2026, 6, 15)))
    case = open_case(platform, ORG)  # due 2026-06-18
    clock.set(at(dt.date(2026, 6, 18)))
    assert run_job(platform, "scan_overdue_cases")["announced"] == 0  # the last day: not late
    clock.set(at(dt.date(2026, 6, 22)))
    first = run_job(platform, "scan_overdue_cases")
    assert (first["overdue"], first["announced"]) == (1, 1)
    again = run_job(platform, "scan_overdue_cases")
    assert (again["overdue"], again["announced"]) == (1, 0)  # still late, not told again
    (overdue,) = outbox(platform, "case.overdue")
    assert overdue["case_id"] == case.id
    assert overdue["subject_key"] == ORG
    assert overdue["payload"]["state"] == "proposed"
    assert overdue["payload"]["due"]["date"] == "2026-06-18"
    for kind, recipient in (("department", "scjg"), ("office", "office")):
        told = [m for m in message_rows(platform, kind) if m["kind"] == "case.overdue"]
        assert [m["recipient"] for m in told] == [recipient]
        assert "办件超期" in told[0]["body"]
        assert "2026-06-18" in told[0]["body"]

    # The next state, once its own deadline has passed, is announced in turn.
    step(platform, case.id, "notify")  # window of 5 working days: to 2026-06-29
    clock.set(at(dt.date(2026, 7, 6)))
    assert run_job(platform, "scan_overdue_cases")["announced"] == 1
    assert run_job(platform, "scan_overdue_cases")["announced"] == 0
    assert [e["payload"]["state"] for e in outbox(platform, "case.overdue")] == [
        "proposed",
        "notified",
    ]


def test_a_redelivered_event_writes_no_second_message(platform: Platform) -> None:
    add_department(platform)
    open_case(platform, ORG)
    before = message_rows(platform)
    events = outbox(platform, "case.")
    with platform.engine.begin() as conn:
        for e in events:
            event = Event(e["id"], e["kind"], e["subject_key"], e["payload"], e["occurred_at"])
            notifications.handle(conn, platform.catalogue, event)
    assert message_rows(platform) == before
