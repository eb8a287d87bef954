"""Two months of checks, feedback and list activity by two departments and the office, built
through the real lists and checks services; shared by the service, API and CLI tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tests.helpers import IBIZ, ORG, ORG2, add_department, list_subject
from xinyong.bootstrap import Platform
from xinyong.checks import service as checks
from xinyong.identity.uscc import make_uscc
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.lists import service as lists

ORG3 = make_uscc("9", "1", "610113", "MA6T3R8P")  # on the tax red list (纳税信用A级)


def cst(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=CHINA_TZ)


@dataclass
class Story:
    keys: dict[str, str] = field(default_factory=dict)  # department -> API key
    receipts: dict[str, str] = field(default_factory=dict)  # label -> receipt
    cases: dict[str, int] = field(default_factory=dict)  # label -> list case id


def _list(
    platform: Platform, clock: FixedClock, list_type: str, subject: str, department: str
) -> int:
    assert platform.clock is clock
    return list_subject(platform, subject, list_type, department)


def _check(
    platform: Platform,
    clock: FixedClock,
    at: dt.datetime,
    subject: str,
    scenario: str,
    department: str | None,
) -> tuple[str, set[str]]:
    clock.set(at)
    with platform.engine.begin() as conn:
        answer = checks.check(
            conn,
            platform.sanctions,
            platform.vault,
            subject=subject,
            scenario=scenario,
            today=clock.today(),
            now=clock.now(),
            actor=f"{department or 'office'}-system",
            department_code=department,
        )
    return answer["receipt"], {m["measure"] for m in answer["measures"]}


def _feedback(
    platform: Platform,
    clock: FixedClock,
    at: dt.datetime,
    receipt: str,
    measure: str,
    applied: bool,
    department: str | None,
) -> None:
    clock.set(at)
    with platform.engine.begin() as conn:
        checks.feedback(
            conn,
            receipt=receipt,
            measure=measure,
            applied=applied,
            reason="" if applied else "项目已开标，无法限制",
            actor=f"{department}-system",
            department_code=department,
            now=clock.now(),
        )


def build_story(platform: Platform, clock: FixedClock) -> Story:
    """May and June 2026 (and the first hours of July); the clock ends on 2026-07-15.

    Expected June figures are spelled out in tests/reports/test_monthly.py.
    """
    story = Story()
    story.keys["scjg"] = add_department(platform, "scjg", "market_regulation")
    story.keys["swj"] = add_department(platform, "swj", "tax")

    # May: ORG listed; two checks, the second 30 minutes before June in China time.
    clock.set(cst(2026, 5, 4, 10, 0))
    story.cases["org"] = _list(platform, clock, "SAMR_SERIOUS", ORG, "scjg")
    c = story.receipts
    c["may_gp"], got = _check(
        platform, clock, cst(2026, 5, 20, 9), ORG, "government_procurement", "scjg"
    )
    assert got == {"M11", "M12"}
    c["may_last"], got = _check(platform, clock, cst(2026, 5, 31, 23, 30), ORG, "licensing", "swj")
    assert got == set()  # M12 binds market regulators only (令44 第十五条); swj is tax

    # June. 00:30 on 1 June in China is still 31 May in UTC: it must count for June.
    c["jun_first"], got = _check(platform, clock, cst(2026, 6, 1, 0, 30), ORG, "honours", "swj")
    assert got == {"M11", "M26"}
    clock.set(cst(2026, 6, 2, 10, 0))
    story.cases["org2"] = _list(platform, clock, "SAMR_SERIOUS", ORG2, "scjg")
    clock.set(cst(2026, 6, 3, 10, 0))
    story.cases["org3"] = _list(platform, clock, "RED_TAX_A", ORG3, "swj")

    c["jun_gp"], got = _check(
        platform, clock, cst(2026, 6, 10, 9), ORG, "government_procurement", "scjg"
    )
    assert got == {"M11", "M12"}
    _feedback(platform, clock, cst(2026, 6, 10, 10), c["jun_gp"], "M11", True, "scjg")
    # Corrected feedback: the newest row counts (not applied, then applied).
    _feedback(platform, clock, cst(2026, 6, 10, 10), c["jun_gp"], "M12", False, "scjg")
    _feedback(platform, clock, cst(2026, 6, 11, 10), c["jun_gp"], "M12", True, "scjg")

    c["jun_bid"], got = _check(platform, clock, cst(2026, 6, 10, 11), ORG2, "bidding", "scjg")
    assert got == {"M11", "M12", "M26"}
    _feedback(platform, clock, cst(2026, 6, 10, 12), c["jun_bid"], "M26", True, "scjg")
    _feedback(platform, clock, cst(2026, 6, 10, 12), c["jun_bid"], "M11", False, "scjg")

    c["jun_red"], got = _check(platform, clock, cst(2026, 6, 11, 9), ORG3, "licensing", "scjg")
    assert got == {"I02"}  # I01 容缺受理 is to be verified (items open to commitments)
    c["jun_clean"], got = _check(platform, clock, cst(2026, 6, 11, 9), IBIZ, "licensing", "scjg")
    assert got == set()
    c["jun_loan"], got = _check(platform, clock, cst(2026, 6, 12, 9), ORG3, "financing", "swj")
    assert got == {"I03"}
    _feedback(platform, clock, cst(2026, 6, 12, 10), c["jun_loan"], "I03", True, "swj")
    c["jun_office"], got = _check(
        platform, clock, cst(2026, 6, 15, 9), ORG2, "government_procurement", None
    )
    assert got == {"M11", "M12"}

    clock.set(cst(2026, 6, 20, 10, 0))
    with platform.engine.begin() as conn:
        lists.advance(
            conn,
            platform.sanctions,
            platform.catalogue,
            platform.calendar,
            story.cases["org2"],
            "revoke",
            actor="scjg",
            role="department",
            now=clock.now(),
            note="据以列入的处罚决定被撤销",
        )

    c["jun_last"], got = _check(platform, clock, cst(2026, 6, 30, 23, 30), ORG, "licensing", "scjg")
    assert got == {"M12"}
    # Feedback arriving after the month still counts for the month of the check.
    _feedback(platform, clock, cst(2026, 7, 1, 9), c["jun_last"], "M12", True, "scjg")
    # 07:30 on 1 July in China is 30 June in UTC: July.
    c["jul_first"], got = _check(platform, clock, cst(2026, 7, 1, 7, 30), ORG, "licensing", "scjg")
    assert got == {"M12"}
    clock.set(cst(2026, 7, 15, 10, 0))
    return story
