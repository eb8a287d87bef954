"""Throughput and timeliness of the workflow kernel's cases on the dashboard: opened, closed,
duty steps taken by their deadline, overdue today; per department."""

from __future__ import annotations

import datetime as dt

from tests.helpers import ORG, ORG2, add_department
from tests.notifications.support import at, open_case, step
from xinyong.bootstrap import Platform
from xinyong.kernel.clock import FixedClock
from xinyong.reports import service as reports


def _cases(platform: Platform, department: str | None = None) -> dict[str, dict[str, object]]:
    with platform.engine.connect() as conn:
        data = reports.dashboard(
            conn,
            platform.sanctions,
            today=platform.clock.today(),
            now=platform.clock.now(),
            months=2,
            department=department,
        )
    (listing,) = [w for w in data["cases"] if w["workflow"] == "list_determination"]
    assert listing["name"] == "名单认定"
    return {"overdue": listing["overdue"], **{m["month"]: m for m in listing["months"]}}


def test_cases_opened_closed_and_decided_within_their_deadlines(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    add_department(platform, "swj", "tax")
    clock.set(at(dt.date(2026, 6, 15)))  # the notice is due in 3 working days: 2026-06-18
    a = open_case(platform, ORG)
    b = open_case(platform, ORG2, "swj")
    c = open_case(platform, ORG2)
    clock.set(at(dt.date(2026, 6, 16)))
    step(platform, c.id, "drop")  # on time, and closed
    clock.set(at(dt.date(2026, 6, 17)))
    step(platform, a.id, "notify")  # on time
    clock.set(at(dt.date(2026, 6, 22)))
    step(platform, b.id, "notify")  # late: due 06-18
    clock.set(at(dt.date(2026, 7, 1)))
    step(platform, a.id, "state_case", role="subject")  # the subject's window: not counted
    clock.set(at(dt.date(2026, 7, 2)))
    step(platform, a.id, "list")  # within the 15 working days to decide

    province = _cases(platform)
    june, july = province["2026-06"], province["2026-07"]
    assert (june["opened"], june["closed"], june["decided"], june["decided_on_time"]) == (
        3,
        1,
        3,
        2,
    )
    assert abs(june["on_time_rate"] - 2 / 3) < 1e-3
    assert (july["opened"], july["closed"], july["decided"], july["decided_on_time"]) == (
        0,
        0,
        1,
        1,
    )
    assert july["on_time_rate"] == 1.0
    # b's statement window (5 working days from 06-22) ended on 06-29 with nothing done.
    assert province["overdue"] == 1

    scjg = _cases(platform, "scjg")
    assert (scjg["2026-06"]["opened"], scjg["2026-06"]["decided_on_time"]) == (2, 2)
    assert scjg["2026-06"]["on_time_rate"] == 1.0
    assert scjg["overdue"] == 0
    swj = _cases(platform, "swj")
    assert swj["2026-06"]["on_time_rate"] == 0.0
    assert swj["overdue"] == 1
