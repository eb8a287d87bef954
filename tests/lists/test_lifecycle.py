"""A subject through listing, checks in several scenarios, early exit and automatic expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.helpers import (
    ORG,
    ORG2,
    add_department,
    csv_bytes,
    list_subject,
    listing_details,
    penalty,
    resident_id,
)
from xinyong.bootstrap import Platform
from xinyong.checks import service as checks
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.errors import InputError, PermissionDenied
from xinyong.lists import service as lists
from xinyong.lists.tables import list_memberships, subject_status

REP = resident_id()  # 张三, legal representative of ORG in tests.helpers.penalty()


def _list(platform: Platform, clock: FixedClock, subject: str = ORG) -> int:
    assert platform.clock is clock
    return list_subject(platform, subject)


def _check(platform: Platform, clock: FixedClock, subject: str, scenario: str) -> dict:  # type: ignore[type-arg]
    with platform.engine.begin() as conn:
        return checks.check(
            conn,
            platform.sanctions,
            platform.vault,
            subject=subject,
            scenario=scenario,
            today=clock.today(),
            now=clock.now(),
            actor="procurement-system",
        )


def _codes(answer: dict) -> set[str]:  # type: ignore[type-arg]
    return {m["measure"] for m in answer["measures"]}


def test_listing_checks_early_exit(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    clock.set(dt.datetime(2026, 5, 4, 10, 0, tzinfo=CHINA_TZ))
    platform.importer().import_bytes(
        csv_bytes([penalty(CF_JDRQ="2026-04-30", CF_YJ="《中华人民共和国广告法》第五十八条")]),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    before = _check(platform, clock, ORG, "government_procurement")
    assert before["memberships"] == []
    assert before["measures"] == []
    assert before["commitment_allowed"]
    case_id = _list(platform, clock)
    procurement = _check(platform, clock, ORG, "government_procurement")
    assert [m["list_type"] for m in procurement["memberships"]] == ["SAMR_SERIOUS"]
    assert {"M11", "M12"} <= _codes(procurement)
    for m in procurement["measures"]:
        assert m["legal_basis"], "a measure without legal basis must never be returned"
        assert m["implementing_department"]
        assert m["via"]["list_type"] == "SAMR_SERIOUS"
    assert procurement["commitment_allowed"] is False
    blocked = {(b["code"], b.get("measure")) for b in procurement["commitment_blocked_by"]}
    assert blocked == {("SERIOUS_LIST", None), ("MEASURE", "M12")}
    m12 = next(m for m in procurement["measures"] if m["measure"] == "M12")
    assert m12["period"]["until"] == "2029-05-04"
    honours = _check(platform, clock, ORG, "honours")
    assert "M26" in _codes(honours)
    # The legal representative, checked by ID number, is reached where the measure says so.
    office = _check(platform, clock, REP, "company_office")
    assert office["subject"]["kind"] == "person"
    assert REP not in str(office)
    # M10 is for listings on the false-disclosure ground, which the case does not say.
    assert office["measures"] == []
    assert [
        (m["measure"], m["via"]["role"], m["via"]["organisation"]) for m in office["to_verify"]
    ] == [("M10", "legal_representative", ORG)]
    assert (
        _check(platform, clock, REP, "government_procurement")["measures"] == []
    )  # M11/M12 target the subject only
    # Early exit is refused before 12 months, then granted.
    s = platform.sanctions
    with platform.engine.begin() as conn, pytest.raises(InputError) as exc:
        lists.advance(
            conn,
            s,
            platform.catalogue,
            platform.calendar,
            case_id,
            "exit_early",
            actor="scjg",
            role="department",
            now=clock.now(),
        )
    assert "12个月" in exc.value.message_zh
    clock.set(dt.datetime(2027, 5, 6, 10, 0, tzinfo=CHINA_TZ))
    with platform.engine.begin() as conn:
        lists.advance(
            conn,
            s,
            platform.catalogue,
            platform.calendar,
            case_id,
            "exit_early",
            actor="scjg",
            role="department",
            now=clock.now(),
            note="已履行义务，信用修复",
        )
    after = _check(platform, clock, ORG, "government_procurement")
    assert after["memberships"] == []
    assert after["measures"] == []
    assert after["commitment_allowed"]
    assert _check(platform, clock, REP, "company_office")["to_verify"] == []


def test_automatic_expiry_with_a_moved_clock_and_rebuild(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    clock.set(dt.datetime(2026, 5, 4, 10, 0, tzinfo=CHINA_TZ))
    case_id = _list(platform, clock)
    _list(platform, clock, ORG2)
    clock.set(dt.datetime(2029, 5, 3, 10, 0, tzinfo=CHINA_TZ))
    assert "M12" in _codes(_check(platform, clock, ORG, "licensing"))  # last day of the period
    clock.set(dt.datetime(2029, 5, 4, 10, 0, tzinfo=CHINA_TZ))
    assert (
        _check(platform, clock, ORG, "licensing")["measures"] == []
    )  # expired, even before the job ran
    s = platform.sanctions
    with platform.engine.begin() as conn:
        assert lists.expire_due(conn, s, platform.catalogue, platform.calendar, clock.now()) == 2
        snapshot_m = [
            dict(r._mapping)
            for r in conn.execute(select(list_memberships).order_by(list_memberships.c.id))
        ]
        snapshot_s = [
            dict(r._mapping)
            for r in conn.execute(
                select(subject_status.c.subject_key, subject_status.c.memberships).order_by(
                    subject_status.c.subject_key
                )
            )
        ]
    assert [r["exit_reason"] for r in snapshot_m] == ["expired", "expired"]
    assert snapshot_m[0]["case_id"] == case_id
    with platform.engine.begin() as conn:
        assert lists.rebuild(conn, s, platform.catalogue) == 2
        rebuilt_m = [
            dict(r._mapping)
            for r in conn.execute(select(list_memberships).order_by(list_memberships.c.id))
        ]
        rebuilt_s = [
            dict(r._mapping)
            for r in conn.execute(
                select(subject_status.c.subject_key, subject_status.c.memberships).order_by(
                    subject_status.c.subject_key
                )
            )
        ]
    assert rebuilt_m == snapshot_m
    assert rebuilt_s == snapshot_s


def test_only_the_competent_sector_may_propose(platform: Platform, clock: FixedClock) -> None:
    add_department(platform, "sthj", "ecology")
    with platform.engine.begin() as conn, pytest.raises(PermissionDenied):
        lists.propose(
            conn,
            platform.sanctions,
            platform.calendar,
            list_type="SAMR_SERIOUS",
            subject_key=ORG,
            department_code="sthj",
            actor="x",
            now=clock.now(),
            catalogue_version="v",
        )


def test_check_rejects_bad_codes_and_unknown_scenarios(
    platform: Platform, clock: FixedClock
) -> None:
    from xinyong.kernel.errors import NotFound

    with pytest.raises(InputError):
        _check(platform, clock, "91610102MA6T1C7D3B", "licensing")
    with pytest.raises(NotFound):
        _check(platform, clock, ORG, "no_such_scenario")


def _step(
    platform: Platform, case_id: int, name: str, role: str, decided: dt.date | None = None
) -> None:
    with platform.engine.begin() as conn:
        lists.advance(
            conn,
            platform.sanctions,
            platform.catalogue,
            platform.calendar,
            case_id,
            name,
            actor="scjg:王科长",
            role=role,
            now=platform.clock.now(),
            decided_on=decided,
            **listing_details(name),
        )


def test_period_runs_from_the_listing_decision_not_from_publication(
    platform: Platform, clock: FixedClock
) -> None:
    """令44 第二十一条: 被列入严重违法失信名单之日起满三年. The listing decision of 5 May (taken
    on the 8th, dated the 5th) is published on 3 June: the list ends on 5 May 2029."""
    add_department(platform)
    clock.set(dt.datetime(2026, 4, 20, 10, 0, tzinfo=CHINA_TZ))
    with platform.engine.begin() as conn:
        case = lists.propose(
            conn,
            platform.sanctions,
            platform.calendar,
            list_type="SAMR_SERIOUS",
            subject_key=ORG,
            department_code="scjg",
            actor="scjg:王科长",
            now=clock.now(),
            catalogue_version=platform.catalogue.snapshot.version,
        )
    _step(platform, case.id, "notify", "department")
    clock.set(dt.datetime(2026, 5, 8, 10, 0, tzinfo=CHINA_TZ))
    with pytest.raises(InputError) as future:
        _step(platform, case.id, "list", "department", dt.date(2026, 5, 9))
    assert "晚于今天" in future.value.message_zh
    with pytest.raises(InputError) as early:
        _step(platform, case.id, "list", "department", dt.date(2026, 4, 19))
    assert "早于办件进入当前环节的日期" in early.value.message_zh
    _step(platform, case.id, "list", "department", dt.date(2026, 5, 5))
    clock.set(dt.datetime(2026, 6, 3, 10, 0, tzinfo=CHINA_TZ))
    _step(platform, case.id, "publish", "system")
    with platform.engine.connect() as conn:
        m = conn.execute(select(list_memberships)).one()
    assert (m.listed_on, m.until) == (dt.date(2026, 5, 5), dt.date(2029, 5, 5))
    answer = _check(platform, clock, ORG, "licensing")
    m12 = next(x for x in answer["measures"] if x["measure"] == "M12")
    assert m12["period"] == {"from": "2026-05-05", "until": "2029-05-05", "rule": "列入名单期间"}
    assert answer["memberships"][0]["listed_on"] == "2026-05-05"
    # The last day of the period it applies, the day after it does not.
    for day, applies in ((dt.date(2029, 5, 4), True), (dt.date(2029, 5, 5), False)):
        with platform.engine.begin() as conn:
            on = checks.check(
                conn,
                platform.sanctions,
                platform.vault,
                subject=ORG,
                scenario="licensing",
                today=clock.today(),
                now=clock.now(),
                actor="t",
                on=day,
            )
        assert ("M12" in {x["measure"] for x in on["measures"]}) is applies, day
