"""Credit repair end to end on both engines, with a moved clock across National Day 2026 and
New Year 2027 (a provisional calendar year): eligibility, application, every step, effects on
the public file, the portal, the check and the events, and bad input changing nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.calendar_files import HYPOTHETICAL_OFFICIAL_2027, write_year
from tests.helpers import ORG, ORG2, add_department, csv_bytes, list_subject, penalty
from xinyong.bootstrap import Platform
from xinyong.cases import recalc
from xinyong.cases import service as cases
from xinyong.cases.attachments import Upload
from xinyong.cases.rules import extended_due
from xinyong.cases.tables import cases as cases_table
from xinyong.checks import service as checks
from xinyong.creditfile.service import build_credit_file
from xinyong.events.tables import outbox_events as outbox
from xinyong.identity.divisions import default_divisions
from xinyong.ingest.rederive import derived_differences
from xinyong.kernel.calendar import WorkCalendar
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.errors import Conflict, InputError, NotFound, PermissionDenied
from xinyong.ledger import service as ledger
from xinyong.ledger.tables import entries
from xinyong.lists import repository as lists_repo
from xinyong.lists import service as lists
from xinyong.notifications import service as notifications
from xinyong.portal import service as portal
from xinyong.repair import service as repair

PDF = b"%PDF-1.7\n% proof of payment\n"


def at(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, 0, tzinfo=CHINA_TZ)


def _import(platform: Platform, **fields: str) -> None:
    platform.importer().import_bytes(
        csv_bytes([penalty(**fields)]),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )


def _eligibility(platform: Platform, key: str = ORG) -> list[dict[str, Any]]:
    with platform.engine.begin() as conn:
        view = repair.eligibility_view(conn, platform.repair_deps(), key, platform.clock.today())
    return list(view["records"])


def _penalty_entry(platform: Platform, number: str = "陕市监罚〔2026〕1号") -> int:
    for r in _eligibility(platform):
        if r["record"]["number"] == number:
            return int(r["record"]["entry"])
    raise AssertionError(f"no record {number}")


def _apply(platform: Platform, record: int, deps: Any = None, **kw: Any) -> int:
    args: dict[str, Any] = {
        "kind": "ordinary",
        "commitment_signed": True,
        "signatory": "王经理",
        "materials": [Upload("缴款凭证.pdf", PDF)],
    }
    args.update(kw)
    with platform.transaction() as conn:
        case = repair.apply(
            conn,
            deps or platform.repair_deps(),
            subject_key=ORG,
            record=record,
            actor="subject:" + ORG,
            now=platform.clock.now(),
            **args,
        )
    return case.id


def _step(platform: Platform, case_id: int, name: str, role: str = "department", **kw: Any) -> Any:
    kw.setdefault("department_code", "scjg" if role == "department" else None)
    with platform.transaction() as conn:
        return repair.step(
            conn,
            platform.repair_deps(),
            case_id,
            name,
            actor=f"{role}:t",
            role=role,
            now=platform.clock.now(),
            **kw,
        )


def _public_text(platform: Platform) -> str:
    """The subject's public credit file today, as JSON text."""
    with platform.engine.connect() as conn:
        cf = build_credit_file(
            conn,
            platform.catalogue,
            ORG,
            as_of=platform.clock.today(),
            view="public",
            sanctions=platform.sanctions,
        )
    return json.dumps(cf.as_dict(), ensure_ascii=False, default=str)


def _events(platform: Platform) -> list[tuple[str, dict[str, Any]]]:
    with platform.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.kind, outbox.c.payload).order_by(outbox.c.id))
        return [(k, json.loads(p)) for k, p in rows if k.startswith("repair.")]


def test_granted_across_national_day(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    clock.set(at(2026, 6, 12))
    _import(platform)
    record = _penalty_entry(platform)
    # 令107 一般: minimum 3 months from 2026-06-10.
    [r] = _eligibility(platform)
    assert r["regime"]["code"] == "SAMR_107"
    assert r["result"] == "not_yet"
    assert r["eligible_from"] == "2026-09-10"
    clock.set(at(2026, 9, 29))
    [r] = _eligibility(platform)
    assert r["result"] == "eligible", r
    statuses = {c["code"]: c["status"] for c in r["conditions"]}
    assert statuses["OBLIGATIONS"] == "to_verify"
    assert statuses["COMMITMENT"] == "on_application"
    case_id = _apply(platform, record)
    with platform.engine.connect() as conn:
        case = cases.get(conn, case_id)
    # 2 working days under 令107 from 2026-09-29: 09-30, then National Day (10-01..10-07) → 10-08.
    assert case.state == "submitted"
    assert case.due_on == dt.date(2026, 10, 8)
    clock.set(at(2026, 10, 8))
    case = _step(platform, case_id, "accept")
    assert case.due_on is not None
    assert case.state == "accepted"
    clock.set(at(2026, 10, 12))
    assert "陕市监罚〔2026〕1号" in _public_text(platform)
    _step(platform, case_id, "approve", note="已缴清罚款，予以修复")
    assert "陕市监罚〔2026〕1号" not in _public_text(platform)
    kinds = [k for k, _ in _events(platform)]
    assert kinds == ["repair.submitted", "repair.accepted", "repair.approved"]
    with platform.engine.connect() as conn:
        assert (
            list(
                derived_differences(conn, platform.catalogue, platform.sanctions, platform.calendar)
            )
            == []
        )


def _counts(platform: Platform) -> tuple[int, int, int]:
    with platform.engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(cases_table)).scalar_one(),
            conn.execute(select(func.count()).select_from(entries)).scalar_one(),
            conn.execute(select(func.count()).select_from(outbox)).scalar_one(),
        )


def _check(platform: Platform, scenario: str = "supervision") -> dict[str, Any]:
    with platform.engine.begin() as conn:
        return checks.check(
            conn,
            platform.sanctions,
            platform.vault,
            subject=ORG,
            scenario=scenario,
            today=platform.clock.today(),
            now=platform.clock.now(),
            actor="t",
        )


def _penalties_page(platform: Platform) -> str:
    with platform.engine.connect() as conn:
        page = portal.publicity_page(
            conn,
            platform.catalogue,
            default_divisions(),
            "penalties",
            day=platform.clock.today(),
            department=None,
            region=None,
            decided_from=None,
            decided_to=None,
            page=1,
            page_size=50,
        )
    return json.dumps(page, ensure_ascii=False, default=str)


def _eligible_case(platform: Platform, clock: FixedClock, when: dt.datetime) -> tuple[int, int]:
    add_department(platform)
    clock.set(at(2026, 6, 12))
    _import(platform)
    clock.set(when)
    record = _penalty_entry(platform)
    return record, _apply(platform, record)


def test_the_record_leaves_the_portal_listing(platform: Platform, clock: FixedClock) -> None:
    record, case_id = _eligible_case(platform, clock, at(2026, 9, 29))
    assert "陕市监罚〔2026〕1号" in _penalties_page(platform)
    _step(platform, case_id, "accept")
    _step(platform, case_id, "approve", note="予以修复")
    assert "陕市监罚〔2026〕1号" not in _penalties_page(platform)
    # The internal file still has the record, marked as repaired.
    with platform.engine.connect() as conn:
        versions = ledger.record_versions(conn, ORG)
    current = next(v.current for v in versions if v.current.item_code == "XZCF")
    assert current.action == "repair"
    assert current.supersedes_id == record
    assert current.window_reason == "经信用修复，停止公示"
    # Before the approval, as the ledger knew it then, the record was the one reported.
    with platform.engine.connect() as conn:
        before = ledger.record_versions(conn, ORG, at(2026, 9, 29, 9))
    assert next(v.current for v in before if v.current.item_code == "XZCF").id == record
    [r] = _eligibility(platform)
    assert r["record"]["repaired"]
    assert r["result"] == "not_eligible"


def test_the_check_answer_changes_the_same_day(platform: Platform, clock: FixedClock) -> None:
    add_department(platform, "yjglj", sector="safety")
    clock.set(at(2026, 6, 12))
    platform.importer().import_bytes(
        csv_bytes(
            [
                penalty(
                    CF_YJ="《中华人民共和国安全生产法》第一百零二条", CF_WSH="陕应急罚〔2026〕5号"
                )
            ]
        ),
        filename="p.csv",
        department_code="yjglj",
        item_code="XZCF",
    )
    assert "M17" in {m["measure"] for m in _check(platform)["to_verify"]}
    clock.set(at(2026, 12, 1))
    [r] = _eligibility(platform)
    assert r["regime"]["code"] == "NDRC_36", r["regime"]
    assert r["result"] == "eligible", r["reasons"]
    case_id = _apply(platform, int(r["record"]["entry"]))
    with platform.engine.connect() as conn:
        # 令36: 3 working days to accept.
        assert cases.get(conn, case_id).due_on == dt.date(2026, 12, 4)
    _step(platform, case_id, "accept", department_code="yjglj")
    _step(platform, case_id, "approve", department_code="yjglj", note="予以修复")
    assert "M17" not in {m["measure"] for m in _check(platform)["to_verify"]}


def test_refused_with_reasons_and_remedies(platform: Platform, clock: FixedClock) -> None:
    _record, case_id = _eligible_case(platform, clock, at(2026, 9, 29))
    _step(platform, case_id, "accept")
    with pytest.raises(InputError) as exc:
        _step(platform, case_id, "refuse")  # no reasons
    assert "理由" in exc.value.message_zh
    _step(platform, case_id, "refuse", note="未缴清罚款")
    with platform.engine.connect() as conn:
        view = repair.case_view(
            conn, platform.repair_deps(), case_id, today=clock.today(), role=None
        )
    assert view["state"] == "refused"
    assert view["terminal"]
    assert "复议" in view["remedies"]
    assert "诉讼" in view["remedies"]
    assert view["history"][-1]["note"] == "未缴清罚款"
    assert "陕市监罚〔2026〕1号" in _public_text(platform)
    assert [k for k, _ in _events(platform)][-1] == "repair.refused"
    # A refusal closes the case: the subject may apply again.
    [r] = _eligibility(platform)
    assert r["result"] == "eligible"


def test_incomplete_completed_extended_across_new_year(
    platform: Platform, clock: FixedClock
) -> None:
    _record, case_id = _eligible_case(platform, clock, at(2026, 12, 24))
    _step(platform, case_id, "incomplete", note="缺少罚款缴纳凭证；缺少整改报告")
    with pytest.raises(InputError):
        _step(platform, case_id, "complete", role="subject", subject_key=ORG)  # no files
    clock.set(at(2026, 12, 28))
    case = _step(
        platform,
        case_id,
        "complete",
        role="subject",
        subject_key=ORG,
        materials=[Upload("整改报告.pdf", PDF + b"report")],
    )
    # 7 working days from 2026-12-28 run into 2027, a provisional calendar year.
    assert case.state == "accepted"
    assert case.deadline is not None
    assert case.deadline.provisional
    assert case.deadline.earliest <= case.deadline.date <= case.deadline.latest
    with pytest.raises(InputError):
        _step(platform, case_id, "extend")  # a reason is required
    accepted_due = case.deadline
    case = _step(platform, case_id, "extend", note="需现场核查整改情况")
    assert case.state == "extended"
    assert case.deadline is not None
    assert case.deadline.provisional
    # On from the decision deadline (2027-01-07, provisional: 01-05 .. 01-08), each bound too.
    assert accepted_due.date == dt.date(2027, 1, 7)
    assert case.deadline == extended_due(accepted_due, 10, platform.calendar)
    assert case.deadline.date == platform.calendar.deadline(dt.date(2027, 1, 7), 10).date
    assert case.deadline.earliest <= case.deadline.date <= case.deadline.latest
    assert 2027 in case.deadline.provisional_years
    events = _events(platform)
    assert [k for k, _ in events] == [
        "repair.submitted",
        "repair.incomplete",
        "repair.completed",
        "repair.extended",
    ]
    assert events[-1][1]["provisional"] is True
    assert events[-1][1]["deadline"]
    clock.set(at(2027, 1, 12))
    _step(platform, case_id, "approve", note="核查属实，予以修复")
    assert "陕市监罚〔2026〕1号" not in _public_text(platform)
    with platform.engine.connect() as conn:
        view = repair.case_view(
            conn, platform.repair_deps(), case_id, today=clock.today(), role=None
        )
    assert [a["step"] for a in view["attachments"]] == [1, 3]
    assert view["history"][1]["note"] == "缺少罚款缴纳凭证；缺少整改报告"


def test_extension_runs_on_from_the_decision_deadline(
    platform: Platform, clock: FixedClock
) -> None:
    _record, case_id = _eligible_case(platform, clock, at(2026, 9, 29))
    clock.set(at(2026, 10, 8))
    case = _step(platform, case_id, "accept")
    # 令107: 7 working days to decide, from 2026-10-08 (after National Day).
    assert case.due_on == dt.date(2026, 10, 16)
    clock.set(at(2026, 10, 12))
    case = _step(platform, case_id, "extend", note="需现场核查整改情况")
    # +10 working days on from 10-16, not from 10-12 (that would be 10-26).
    assert case.state == "extended"
    assert case.due_on == dt.date(2026, 10, 30)
    assert case.deadline is not None
    assert not case.deadline.provisional
    [*_, extended] = _events(platform)
    assert extended[0] == "repair.extended"
    assert extended[1]["deadline"] == "2026-10-30"
    with platform.engine.connect() as conn:
        view = repair.case_view(
            conn, platform.repair_deps(), case_id, today=clock.today(), role=None
        )
    assert view["due"]["date"] == "2026-10-30"
    assert view["history"][-1]["due"]["date"] == "2026-10-30"


def test_overdue_cases_are_flagged(platform: Platform, clock: FixedClock) -> None:
    _record, case_id = _eligible_case(platform, clock, at(2026, 9, 29))
    with platform.engine.connect() as conn:
        deps = platform.repair_deps()
        assert repair.find(conn, deps, today=clock.today(), overdue_only=True)["total"] == 0
        # Due 2026-10-08 (after National Day): on 10-07 it is not late yet.
        late = repair.find(conn, deps, today=dt.date(2026, 10, 7), overdue_only=True)
        assert late["total"] == 0
        late = repair.find(conn, deps, today=dt.date(2026, 10, 9), overdue_only=True)
        assert [c["id"] for c in late["repairs"]] == [case_id]
        assert late["repairs"][0]["overdue"] is True
        assert case_id in {c.id for c in cases.overdue(conn, dt.date(2026, 10, 9))}
        inbox = repair.find(conn, deps, today=clock.today(), department_code="other")
        assert inbox["total"] == 0


def test_fraud_voids_the_repair_republishes_and_bars(platform: Platform, clock: FixedClock) -> None:
    _record, case_id = _eligible_case(platform, clock, at(2026, 9, 29))
    _step(platform, case_id, "accept")
    _step(platform, case_id, "approve", note="予以修复")
    assert "陕市监罚〔2026〕1号" not in _public_text(platform)
    clock.set(at(2026, 11, 2))
    with pytest.raises(InputError):
        _step(platform, case_id, "void", role="office", department_code=None)  # no facts
    _step(platform, case_id, "void", role="office", department_code=None, note="缴款凭证系伪造")
    assert "陕市监罚〔2026〕1号" in _public_text(platform)
    assert "陕市监罚〔2026〕1号" in _penalties_page(platform)
    [r] = _eligibility(platform)
    bar = next(c for c in r["conditions"] if c["code"] == "NO_FRAUD_BAR")
    assert bar["status"] == "unmet"
    assert bar["from"] == "2029-11-02"
    assert r["result"] == "not_yet"
    assert r["eligible_from"] == "2029-11-02"
    before = _counts(platform)
    with pytest.raises(repair.NotEligible) as exc:
        _apply(platform, int(r["record"]["entry"]))
    assert "弄虚作假" in exc.value.message_zh
    assert _counts(platform) == before
    assert [k for k, _ in _events(platform)][-1] == "repair.voided"
    with platform.engine.connect() as conn:
        assert (
            list(
                derived_differences(conn, platform.catalogue, platform.sanctions, platform.calendar)
            )
            == []
        )


def test_bankruptcy_masks_and_restores(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    clock.set(at(2026, 6, 12))
    _import(platform)
    _import(platform, CF_WSH="陕市监罚〔2026〕2号", CF_JDRQ="2026-06-11")
    record = _penalty_entry(platform)
    # Masking does not wait for the minimum period.
    case_id = _apply(platform, record, kind="bankruptcy", materials=[Upload("裁定书.pdf", PDF)])
    with platform.engine.connect() as conn:
        # 令107: 7 working days to mask, from Friday 2026-06-12 (Dragon Boat Festival 06-19).
        case = cases.get(conn, case_id)
    assert case.state == "submitted"
    assert case.due_on == dt.date(2026, 6, 24)
    with pytest.raises(InputError):
        _step(platform, case_id, "approve")  # a bankruptcy case is masked first
    _step(platform, case_id, "mask", note="重整计划已获法院批准")
    assert "陕市监罚〔2026〕1号" not in _public_text(platform)
    assert "陕市监罚〔2026〕2号" in _public_text(platform)
    clock.set(at(2026, 8, 3))
    _step(platform, case_id, "restore", note="重整计划未执行")
    assert "陕市监罚〔2026〕1号" in _public_text(platform)
    # The other record: masked, then the plan is completed: a full repair.
    second = _penalty_entry(platform, "陕市监罚〔2026〕2号")
    other = _apply(platform, second, kind="bankruptcy", materials=[Upload("裁定书.pdf", PDF)])
    _step(platform, other, "mask", note="重整")
    _step(platform, other, "complete_plan", note="重整计划执行完毕")
    assert "陕市监罚〔2026〕2号" not in _public_text(platform)
    kinds = [k for k, _ in _events(platform)]
    assert kinds == [
        "repair.submitted",
        "repair.masked",
        "repair.restored",
        "repair.submitted",
        "repair.masked",
        "repair.approved",
    ]
    with platform.engine.connect() as conn:
        assert (
            list(
                derived_differences(conn, platform.catalogue, platform.sanctions, platform.calendar)
            )
            == []
        )


def test_a_listing_leaves_its_list(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    clock.set(at(2026, 5, 4))
    platform.importer().import_bytes(
        csv_bytes([penalty(CF_JDRQ="2026-04-30", CF_YJ="《中华人民共和国广告法》第五十八条")]),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    list_case = list_subject(platform, ORG)
    listing = next(r for r in _eligibility(platform) if r["record"]["list_type"] == "SAMR_SERIOUS")
    assert listing["result"] == "not_yet"
    assert listing["eligible_from"] == "2027-05-04"
    assert listing["deadlines"]["acceptance_working_days"] == 2
    assert listing["deadlines"]["decision_working_days"] == 7
    clock.set(at(2027, 5, 6))
    listing = next(r for r in _eligibility(platform) if r["record"]["list_type"] == "SAMR_SERIOUS")
    assert listing["result"] == "eligible", listing["reasons"]
    case_id = _apply(platform, int(listing["record"]["entry"]))
    _step(platform, case_id, "accept")
    assert [m["list_type"] for m in _check(platform, "government_procurement")["memberships"]] == [
        "SAMR_SERIOUS"
    ]
    assert ORG in _list_page(platform)
    _step(platform, case_id, "approve", note="予以提前移出")
    assert _check(platform, "government_procurement")["memberships"] == []
    assert ORG not in _list_page(platform)
    with platform.engine.connect() as conn:
        # Left by the repair, not closed: a void may list the subject again.
        assert cases.get(conn, list_case).state == "repaired"


def _list_page(platform: Platform, code: str = "SAMR_SERIOUS") -> str:
    with platform.engine.connect() as conn:
        page = portal.list_page(
            conn,
            platform.catalogue,
            platform.sanctions,
            code,
            day=platform.clock.today(),
            page=1,
            page_size=50,
        )
    return json.dumps(page, ensure_ascii=False, default=str)


def _all_events(platform: Platform) -> list[tuple[str, dict[str, Any]]]:
    with platform.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.kind, outbox.c.payload).order_by(outbox.c.id))
        return [(k, json.loads(p)) for k, p in rows]


def _listed_org(platform: Platform, clock: FixedClock) -> int:
    add_department(platform)
    clock.set(at(2026, 5, 4))
    platform.importer().import_bytes(
        csv_bytes([penalty(CF_JDRQ="2026-04-30", CF_YJ="《中华人民共和国广告法》第五十八条")]),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    return list_subject(platform, ORG)


def _listing_entry(platform: Platform) -> int:
    listing = next(r for r in _eligibility(platform) if r["record"]["list_type"] == "SAMR_SERIOUS")
    return int(listing["record"]["entry"])


def _measures(platform: Platform, scenario: str = "government_procurement") -> set[str]:
    answer = _check(platform, scenario)
    return {m["measure"] for m in answer["measures"]} | {m["measure"] for m in answer["to_verify"]}


def test_fraud_voids_a_listing_repair_and_lists_again(
    platform: Platform, clock: FixedClock
) -> None:
    list_case = _listed_org(platform, clock)
    listed_measures = _measures(platform)
    assert listed_measures
    clock.set(at(2027, 5, 6))
    case_id = _apply(platform, _listing_entry(platform))
    _step(platform, case_id, "accept")
    _step(platform, case_id, "approve", note="予以提前移出")
    assert _check(platform, "government_procurement")["memberships"] == []
    assert "SAMR_SERIOUS" not in _public_text(platform)
    clock.set(at(2027, 6, 1))
    _step(platform, case_id, "void", role="office", department_code=None, note="整改报告系伪造")
    # The listing is back: membership, check answer and its measures, the public list page
    # and the public file, with its first listing date and period.
    answer = _check(platform, "government_procurement")
    [m] = answer["memberships"]
    assert m["list_type"] == "SAMR_SERIOUS"
    assert m["listed_on"] == "2026-05-04"
    assert _measures(platform) == listed_measures
    assert ORG in _list_page(platform)
    assert "SAMR_SERIOUS" in _public_text(platform)
    with platform.engine.connect() as conn:
        assert cases.get(conn, list_case).state == "published"
        assert cases.get(conn, case_id).state == "voided"
    kinds = [k for k, _ in _all_events(platform)]
    assert kinds.index("list.reinstated") < kinds.index("repair.voided")
    assert "case.list_determination.reinstate" in kinds
    reinstated = next(p for k, p in _all_events(platform) if k == "list.reinstated")
    assert reinstated["case"] == list_case
    assert reinstated["listed_on"] == "2026-05-04"
    assert notifications.type_label(platform.catalogue, "list.reinstated").startswith(
        "恢复列入名单"
    )
    # Barred for three years; a rebuild of the projection gives the same rows.
    listing = next(r for r in _eligibility(platform) if r["record"]["list_type"] == "SAMR_SERIOUS")
    assert listing["result"] == "not_yet"
    assert listing["eligible_from"] == "2030-06-01"
    with platform.engine.begin() as conn:
        assert lists.projection_differences(conn, platform.sanctions, platform.catalogue) == []
        conn.rollback()
    with platform.engine.connect() as conn:
        assert ledger.verify(conn)[2] == []
        assert (
            list(
                derived_differences(conn, platform.catalogue, platform.sanctions, platform.calendar)
            )
            == []
        )


def test_bankruptcy_suspends_a_listing_and_restores_it(
    platform: Platform, clock: FixedClock
) -> None:
    list_case = _listed_org(platform, clock)
    listed_measures = _measures(platform)
    clock.set(at(2026, 6, 12))
    # Masking does not wait for the list's minimum period (令107 第二十二条: 7 working days).
    case_id = _apply(
        platform, _listing_entry(platform), kind="bankruptcy", materials=[Upload("裁定书.pdf", PDF)]
    )
    with platform.engine.connect() as conn:
        assert cases.get(conn, case_id).due_on == dt.date(2026, 6, 24)
    _step(platform, case_id, "mask", note="重整计划已获法院批准")
    assert _check(platform, "government_procurement")["memberships"] == []
    assert not (_measures(platform) & listed_measures)
    assert ORG not in _list_page(platform)
    with platform.engine.connect() as conn:
        assert cases.get(conn, list_case).state == "suspended"
    clock.set(at(2026, 8, 3))
    _step(platform, case_id, "restore", note="重整计划未执行")
    [m] = _check(platform, "government_procurement")["memberships"]
    assert m["listed_on"] == "2026-05-04"
    assert ORG in _list_page(platform)
    with platform.engine.connect() as conn:
        assert cases.get(conn, list_case).state == "published"
    # Masked again, then the plan is completed: a full repair takes the listing off.
    again = _apply(
        platform, _listing_entry(platform), kind="bankruptcy", materials=[Upload("裁定书.pdf", PDF)]
    )
    _step(platform, again, "mask", note="重整")
    with pytest.raises(InputError):
        _step(platform, again, "approve")  # a bankruptcy case completes its plan
    _step(platform, again, "complete_plan", note="重整计划执行完毕")
    assert _check(platform, "government_procurement")["memberships"] == []
    assert ORG not in _list_page(platform)
    with platform.engine.connect() as conn:
        assert cases.get(conn, list_case).state == "repaired"
    kinds = [k for k, _ in _events(platform)]
    assert kinds == [
        "repair.submitted",
        "repair.masked",
        "repair.restored",
        "repair.submitted",
        "repair.masked",
        "repair.approved",
    ]
    with platform.engine.begin() as conn:
        assert lists.projection_differences(conn, platform.sanctions, platform.catalogue) == []
        conn.rollback()


def test_revocation_type_penalties_are_not_repaired_early(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    clock.set(at(2026, 6, 12))
    _import(platform, CF_CFLB="吊销营业执照", CF_NR="吊销营业执照")
    clock.set(at(2027, 7, 1))
    [r] = _eligibility(platform)
    assert r["result"] == "not_eligible"
    assert {c["code"] for c in r["conditions"] if c["status"] == "unmet"} == {"NOT_REVOCATION_TYPE"}


def test_a_later_penalty_of_the_same_kind_blocks(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    clock.set(at(2026, 6, 12))
    _import(platform)
    clock.set(at(2026, 8, 5))
    _import(platform, CF_WSH="陕市监罚〔2026〕9号", CF_JDRQ="2026-08-01")
    clock.set(at(2026, 9, 29))
    first = next(
        r for r in _eligibility(platform) if r["record"]["number"] == "陕市监罚〔2026〕1号"
    )
    assert first["result"] == "not_eligible"
    assert [c["code"] for c in first["conditions"] if c["status"] == "unmet"] == ["NO_NEW_PENALTY"]


def test_bad_input_changes_nothing(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    add_department(platform, "swj", sector="tax")
    clock.set(at(2026, 6, 12))
    _import(platform)
    record = _penalty_entry(platform)
    before = _counts(platform)
    with pytest.raises(repair.NotEligible) as exc1:  # the minimum period runs to 09-09
        _apply(platform, record)
    assert "2026-09-10" in exc1.value.message_zh
    clock.set(at(2026, 9, 29))
    with pytest.raises(NotFound):
        _apply(platform, 999_999)
    with pytest.raises(InputError) as exc2:
        _apply(platform, record, commitment_signed=False)
    assert "信用承诺" in exc2.value.message_zh
    with pytest.raises(InputError):
        _apply(platform, record, signatory="  ")
    with pytest.raises(InputError) as exc3:
        _apply(platform, record, materials=[])
    assert "materials" in exc3.value.message_zh
    with pytest.raises(InputError) as exc4:
        _apply(platform, record, materials=[Upload("a.exe", b"MZ\x90\x00")])
    assert "类型" in exc4.value.message_zh
    small = dataclasses.replace(
        platform.repair_deps(),
        attachment_policy=dataclasses.replace(platform.attachment_policy(), max_bytes=10),
    )
    with pytest.raises(InputError) as exc5:
        _apply(platform, record, deps=small)
    assert "大小上限" in exc5.value.message_zh
    with pytest.raises(InputError):
        _apply(platform, record, kind="other")
    assert _counts(platform) == before
    case_id = _apply(platform, record)
    after = _counts(platform)
    with pytest.raises(repair.DuplicateApplication):
        _apply(platform, record)
    with pytest.raises(PermissionDenied):
        _step(platform, case_id, "accept", department_code="swj")  # not the deciding department
    with pytest.raises(PermissionDenied):
        _step(platform, case_id, "accept", role="subject", subject_key=ORG)
    with pytest.raises(NotFound):
        _step(platform, case_id, "complete", role="subject", subject_key=ORG2)
    with pytest.raises(Conflict):
        _step(platform, case_id, "approve")  # out of order: not accepted yet
    with pytest.raises(InputError):
        _step(platform, case_id, "nonsense")
    assert _counts(platform) == after
    _step(platform, case_id, "accept")
    clock.set(at(2026, 10, 30))  # past the decision deadline
    with pytest.raises(Conflict) as exc6:
        _step(platform, case_id, "extend", note="需核查")
    assert "届满" in exc6.value.message_zh


def test_recheck_sample_is_recorded_and_replayable(platform: Platform, clock: FixedClock) -> None:
    _record, case_id = _eligible_case(platform, clock, at(2026, 9, 29))
    _step(platform, case_id, "accept")
    clock.set(at(2026, 10, 12))
    _step(platform, case_id, "approve", note="予以修复")
    clock.set(at(2026, 11, 2))
    with platform.engine.begin() as conn:
        drawn = repair.draw_sample(
            conn, platform.repair_deps(), "2026-10", actor="office", now=clock.now()
        )
    assert drawn["population"] == [case_id]
    assert drawn["drawn"] == [case_id]
    assert repair.replay(drawn["seed"], drawn["population"], 1) == drawn["drawn"]
    with platform.engine.begin() as conn, pytest.raises(Conflict):
        repair.draw_sample(conn, platform.repair_deps(), "2026-10", actor="office", now=clock.now())
    with platform.engine.begin() as conn, pytest.raises(InputError):
        repair.draw_sample(conn, platform.repair_deps(), "2026-13", actor="office", now=clock.now())
    with platform.engine.begin() as conn:
        empty = repair.draw_sample(
            conn, platform.repair_deps(), "2026-09", actor="office", now=clock.now()
        )
    assert empty["population"] == []
    assert empty["drawn"] == []


def test_official_2027_recomputes_an_extension_on_from_the_decision_deadline(
    platform: Platform, clock: FixedClock, tmp_path: Path
) -> None:
    write_year(tmp_path / "official", HYPOTHETICAL_OFFICIAL_2027)
    official = WorkCalendar.load([tmp_path / "official"])
    _record, case_id = _eligible_case(platform, clock, at(2026, 12, 24))
    clock.set(at(2026, 12, 28))
    _step(platform, case_id, "accept")
    clock.set(at(2026, 12, 30))
    case = _step(platform, case_id, "extend", note="需现场核查整改情况")
    assert case.deadline is not None
    assert case.deadline.provisional

    def apply(calendar: WorkCalendar) -> recalc.ApplyReport:
        with platform.engine.begin() as conn:
            return recalc.apply_calendar(
                conn,
                calendar,
                now=at(2027, 1, 4, 7),
                catalogue_version="v",
                publication_days=lambda _c, _v: None,
                deadline_items=[],
            )

    assert apply(platform.calendar).cases == []  # the first run records the baseline
    apply(official)
    with platform.engine.connect() as conn:
        after = cases.get(conn, case_id)
    # On the official calendar: 7 working days from 12-28, then 10 more from that deadline
    # (not from 12-30, the day the extension was recorded).
    decision = official.deadline(dt.date(2026, 12, 28), 7)
    assert after.deadline == official.deadline(decision.date, 10)
    assert not after.deadline.provisional
    assert after.events[-1].transition == "deadline_recalc"


def test_bankruptcy_masks_a_reported_list_entry_and_restores_it(
    platform: Platform, clock: FixedClock
) -> None:
    """A list decided elsewhere arrives as records (the tax serious list, YZSX): masking the
    record hides the listing from the public list page, the check and its measures, and a
    failed plan lists it again."""
    add_department(platform, "swj", "tax")
    clock.set(at(2026, 6, 1))
    row = {
        "YZ_ZTMC": "西安市碑林区示例科技有限公司",
        "YZ_ZTLB": "法人及非法人组织",
        "YZ_TYSHXYDM": ORG,
        "YZ_FDDBR": "张三",
        "YZ_MDLX": "02",
        "YZ_LRYY": "虚开增值税专用发票",
        "YZ_LRRQ": "2026-05-20",
        "YZ_JDJG": "国家税务总局陕西省税务局",
        "YZ_YXQZ": "",
        "YZ_YCRQ": "",
    }
    platform.importer().import_bytes(
        csv_bytes([row]), filename="y.csv", department_code="swj", item_code="YZSX"
    )
    [m] = _check(platform, "fiscal_funds")["memberships"]
    list_type = m["list_type"]
    assert ORG in _list_page(platform, list_type)
    listed_measures = _measures(platform, "fiscal_funds")
    assert listed_measures
    [r] = [x for x in _eligibility(platform) if x["record"]["item"] == "YZSX"]
    assert r["record"]["list_type"] == list_type
    case_id = _apply(
        platform,
        int(r["record"]["entry"]),
        kind="bankruptcy",
        materials=[Upload("裁定书.pdf", PDF)],
    )
    _step(platform, case_id, "mask", department_code="swj", note="重整计划已获法院批准")
    assert _check(platform, "fiscal_funds")["memberships"] == []
    assert not (_measures(platform, "fiscal_funds") & listed_measures)
    assert ORG not in _list_page(platform, list_type)
    with platform.engine.connect() as conn:
        [row_] = [x for x in lists_repo.memberships_of_subjects(conn, [ORG]) if x["exited_on"]]
    assert row_["exit_reason"] == "masked"
    clock.set(at(2026, 9, 1))
    _step(platform, case_id, "restore", department_code="swj", note="重整计划未执行")
    [m] = _check(platform, "fiscal_funds")["memberships"]
    assert m["listed_on"] == "2026-05-20"
    assert _measures(platform, "fiscal_funds") == listed_measures
    assert ORG in _list_page(platform, list_type)
    with platform.engine.begin() as conn:
        assert lists.projection_differences(conn, platform.sanctions, platform.catalogue) == []
        conn.rollback()
