"""Objections end to end on the service: filing, the mark in every view, the steps, the outcome
through the ledger into every projection, deadlines on a moved clock, and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.helpers import ORG, add_department, csv_bytes, person_penalty, resident_id
from tests.objections.helpers import check, file, penalty_entry, public_file, records, step, view
from xinyong.bootstrap import Platform
from xinyong.events.tables import outbox_events as events_table
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.errors import Conflict, InputError, PermissionDenied
from xinyong.ledger.tables import entries
from xinyong.objections.service import DuplicateObjection


def _event_kinds(platform: Platform) -> list[str]:
    with platform.engine.connect() as conn:
        return list(conn.execute(select(events_table.c.kind).order_by(events_table.c.id)).scalars())


def _entry_count(platform: Platform) -> int:
    with platform.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(entries)).scalar_one())


def test_submitted_accepted_corrected(platform: Platform, clock: FixedClock) -> None:
    entry = penalty_entry(platform)
    o = file(platform, entry)
    # 令36: pushed within 1 working day of 2026-06-15 (Mon).
    v = view(platform, o["id"])
    assert v["state"] == "submitted"
    assert v["regime"]["code"] == "LING36"
    assert v["due"]["date"] == "2026-06-16"
    assert v["department"] == "scjg"
    # Marked at once on the portal and in the check; the record stays published.
    (rec,) = records(public_file(platform))
    assert rec["objection"]["label"] == "异议处理中"
    answer = check(platform)
    assert answer["objections"][0]["label"] == "异议处理中"
    assert answer["objections"][0]["entry"] == entry

    step(platform, o["id"], "push")
    step(platform, o["id"], "accept")
    v = view(platform, o["id"])
    assert v["state"] == "accepted"
    assert v["due"]["date"] == "2026-06-25"  # 7 working days after 2026-06-15 (端午 6-19)
    step(
        platform,
        o["id"],
        "decide",
        outcome="correct",
        reason="经核查，罚款金额录入错误",
        corrections={"CF_NR": "罚款人民币1000元"},
    )
    v = view(platform, o["id"])
    assert v["state"] == "closed"
    assert v["outcome"] == "correct"
    assert v["mark"] is None
    cf = public_file(platform)
    (rec,) = records(cf)
    assert "objection" not in rec
    assert any(f["code"] == "CF_NR" and f["text"] == "罚款人民币1000元" for f in rec["fields"])
    assert cf["correction_notices"][0]["outcome"] == "correct"
    assert "更正公告" in cf["correction_notices"][0]["text"]
    assert "objections" not in check(platform)
    # The objection's own events (the kernel also announces each step as case.objection.*).
    assert [k for k in _event_kinds(platform) if k.startswith("objection.")][-4:] == [
        "objection.submitted",
        "objection.pushed",
        "objection.accepted",
        "objection.decided",
    ]


def test_refused_and_kept(platform: Platform) -> None:
    entry = penalty_entry(platform)
    o = file(platform, entry)
    with pytest.raises(InputError):
        step(platform, o["id"], "refuse", reason="  ")
    step(platform, o["id"], "refuse", reason="异议申请未附任何证明材料")
    assert view(platform, o["id"])["state"] == "refused"
    assert "objection" not in records(public_file(platform))[0]
    # Refused: a new objection on the same record may be filed, and kept.
    o2 = file(platform, entry, statement="补充材料后再次提出")
    step(platform, o2["id"], "accept")
    before = _entry_count(platform)
    step(platform, o2["id"], "decide", outcome="keep", reason="经核查，记录与处罚决定书一致")
    v = view(platform, o2["id"])
    assert v["outcome"] == "keep"
    assert v["reason"] == "经核查，记录与处罚决定书一致"
    assert _entry_count(platform) == before + 1  # the step only: the record stands
    assert "correction_notices" not in public_file(platform)


def test_court_listing_revoked_leaves_the_list(platform: Platform) -> None:
    add_department(platform, "gy", "court")
    row = {
        "被执行人名称": "西安市碑林区示例科技有限公司",
        "统一社会信用代码": ORG,
        "法定代表人": "张三",
        "执行法院": "西安市中级人民法院",
        "案号": "（2026）陕01执123号",
        "立案日期": "2026-03-02",
        "失信被执行人行为具体情形": "有履行能力而拒不履行生效法律文书确定义务",
        "发布日期": "2026-06-01",
    }
    platform.importer().import_bytes(
        csv_bytes([row]), filename="s.csv", department_code="gy", item_code="SXBZXR"
    )
    answer = check(platform)
    member = answer["memberships"][0]
    o = file(platform, member["entry"], grounds="wrongly_listed", statement="已履行完毕")
    assert o["regime"] == "COURT"
    assert o["target_kind"] == "list_entry"
    marked = check(platform)
    assert marked["memberships"][0]["objection"] == "异议处理中"
    assert marked["measures"], "measures continue during the objection"
    step(platform, o["id"], "accept", department_code="gy")
    v = view(platform, o["id"])
    assert v["due"]["date"] == "2026-06-30"  # 15 calendar days (the courts' rule)
    step(platform, o["id"], "decide", outcome="revoke", reason="已履行", department_code="gy")
    after = check(platform)
    assert after["memberships"] == []
    assert after["measures"] == []
    assert "record.revoked" in _event_kinds(platform)


def test_extension_notice(platform: Platform, clock: FixedClock) -> None:
    entry = penalty_entry(platform)
    o = file(platform, entry)
    step(platform, o["id"], "accept")
    with pytest.raises(InputError):
        step(platform, o["id"], "notify_extension", reason="需调取卷宗")  # no date
    with pytest.raises(InputError):
        step(
            platform,
            o["id"],
            "notify_extension",
            reason="需调取卷宗",
            extended_until=dt.date(2026, 6, 20),
        )
    step(
        platform,
        o["id"],
        "notify_extension",
        reason="需调取卷宗核实",
        extended_until=dt.date(2026, 7, 10),
    )
    v = view(platform, o["id"])
    assert v["state"] == "extended"
    assert v["due"]["date"] == "2026-07-10"
    assert v["history"][-1]["note"] == "需调取卷宗核实"
    # Again (no cap is invented), and a decision from the extended state.
    step(
        platform,
        o["id"],
        "notify_extension",
        reason="仍需核实",
        extended_until=dt.date(2026, 7, 20),
    )
    # After the extended date has passed, no further extension: the notice comes first.
    clock.set(dt.datetime(2026, 7, 21, 10, 0, tzinfo=CHINA_TZ))
    before = _entry_count(platform)
    with pytest.raises(Conflict) as exc:
        step(
            platform,
            o["id"],
            "notify_extension",
            reason="仍需核实",
            extended_until=dt.date(2026, 8, 20),
        )
    assert "届满" in exc.value.message_zh
    assert _entry_count(platform) == before
    step(platform, o["id"], "decide", outcome="keep", reason="记录无误")
    assert "objection.extension_notified" in _event_kinds(platform)


def test_no_extension_once_the_verification_deadline_passed(
    platform: Platform, clock: FixedClock
) -> None:
    entry = penalty_entry(platform)
    o = file(platform, entry)
    step(platform, o["id"], "accept")
    assert view(platform, o["id"])["due"]["date"] == "2026-06-25"
    clock.set(dt.datetime(2026, 6, 26, 9, 0, tzinfo=CHINA_TZ))
    with pytest.raises(Conflict) as exc:
        step(
            platform,
            o["id"],
            "notify_extension",
            reason="需调取卷宗核实",
            extended_until=dt.date(2026, 7, 10),
        )
    assert "2026-06-25 届满" in exc.value.message_zh
    assert view(platform, o["id"])["state"] == "accepted"


def test_overdue_across_national_day(platform: Platform, clock: FixedClock) -> None:
    clock.set(dt.datetime(2026, 9, 29, 10, 0, tzinfo=CHINA_TZ))
    entry = penalty_entry(platform, CF_JDRQ="2026-09-20")
    o = file(platform, entry)
    step(platform, o["id"], "accept")
    v = view(platform, o["id"])
    # 7 working days from Tue 2026-09-29: 9-30, then 10-9 (Fri), 10-10 (Sat, a working day),
    # 10-12 .. 10-14: National Day (10-1 .. 10-8) is skipped.
    assert v["due"]["date"] == "2026-10-14"
    assert v["due"]["provisional"] is False
    clock.set(dt.datetime(2026, 10, 14, 18, 0, tzinfo=CHINA_TZ))
    assert view(platform, o["id"])["overdue"] is False
    clock.set(dt.datetime(2026, 10, 15, 9, 0, tzinfo=CHINA_TZ))
    assert view(platform, o["id"])["overdue"] is True


def test_deadline_across_new_year_2027_is_provisional(
    platform: Platform, clock: FixedClock
) -> None:
    clock.set(dt.datetime(2026, 12, 28, 10, 0, tzinfo=CHINA_TZ))
    entry = penalty_entry(platform, CF_JDRQ="2026-12-20")
    o = file(platform, entry)
    step(platform, o["id"], "accept")
    due = view(platform, o["id"])["due"]
    assert due["provisional"] is True
    assert 2027 in due["provisional_years"]
    assert due["earliest"] <= due["date"] <= due["latest"]
    assert "暂定" in due["status_label"]


def test_bad_input_writes_nothing(platform: Platform, clock: FixedClock) -> None:
    entry = penalty_entry(platform)
    person = person_penalty(resident_id(seq="456"), CF_WSH="陕市监罚〔2026〕2号")
    platform.importer().import_bytes(
        csv_bytes([person]), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    with platform.engine.connect() as conn:
        other = int(conn.execute(select(func.max(entries.c.id))).scalar_one())
    before = (_entry_count(platform), len(_event_kinds(platform)))
    with pytest.raises(InputError):
        file(platform, entry, grounds="nonsense")
    with pytest.raises(InputError):
        file(platform, entry, statement="   ")
    # Another subject's record that is not public (a person's): refused.
    with pytest.raises(PermissionDenied):
        file(platform, other)
    assert (_entry_count(platform), len(_event_kinds(platform))) == before
    o = file(platform, entry)
    with pytest.raises(DuplicateObjection):
        file(platform, entry)
    # Out of order and by the wrong department.
    with pytest.raises(Conflict):
        step(platform, o["id"], "decide", outcome="keep", reason="x")
    add_department(platform, "swj", "tax")
    with pytest.raises(PermissionDenied):
        step(platform, o["id"], "accept", department_code="swj")
    with pytest.raises(PermissionDenied):
        step(platform, o["id"], "accept", role="subject")
    assert view(platform, o["id"])["state"] == "submitted"
