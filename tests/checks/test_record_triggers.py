"""Measures triggered by credit records (catalogue item + severity + sectors), on both engines:
they appear for the right scenario and person, run for the period the catalogue gives, and end
with the period, a revocation or a correction that lowers the severity."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import event, select

from tests.helpers import ORG, ORG2, add_department, csv_bytes, penalty, resident_id, revoke
from xinyong.bootstrap import Platform
from xinyong.checks import service as checks
from xinyong.checks.tables import check_receipts
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.errors import InputError
from xinyong.ledger.tables import entries
from xinyong.lists import service as lists

REP = resident_id()  # 张三, legal representative of ORG in tests.helpers.penalty()
WSH = "陕市监罚〔2026〕1号"
SERIOUS = "罚款,责令停产停业"  # 责令停产停业 makes the penalty 严重 (令36)


def _at(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10), tzinfo=CHINA_TZ)


def _import(platform: Platform, *rows: dict[str, str], department: str = "scjg") -> None:
    result = platform.importer().import_bytes(
        csv_bytes(list(rows)), filename="p.csv", department_code=department, item_code="XZCF"
    )
    assert result.rejected == 0, result.rejections


def _check(platform: Platform, subject: str, scenario: str) -> dict[str, Any]:
    with platform.engine.begin() as conn:
        return checks.check(
            conn,
            platform.sanctions,
            platform.vault,
            subject=subject,
            scenario=scenario,
            today=platform.clock.today(),
            now=platform.clock.now(),
            actor="procurement-system",
            department_code="scjg",
        )


def _by_code(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["measure"]: m for m in answer["measures"]}


def _entry_id(platform: Platform, record: str) -> int:
    with platform.engine.connect() as conn:
        return int(
            conn.execute(
                select(entries.c.id)
                .where(entries.c.record_key == f"{ORG}|{record}")
                .order_by(entries.c.id.desc())
            ).first()[0]  # type: ignore[index]
        )


def test_serious_penalty_brings_its_measures_with_the_record_cited(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    clock.set(_at("2026-06-15"))
    _import(platform, penalty(CF_CFLB=SERIOUS, CF_JDRQ="2026-06-10"))
    entry_id = _entry_id(platform, WSH)

    procurement = _check(platform, ORG, "government_procurement")
    assert procurement["memberships"] == []
    m04 = _by_code(procurement)["M04"]
    assert m04["via"] == {
        "trigger": "record",
        "record_entry": entry_id,
        "item": "XZCF",
        "record_key": WSH,
        "decision_date": "2026-06-10",
        "severity": "严重",
        "department": "scjg",
        "department_name": "部门scjg",
        "sector": "market_regulation",
        "role": "subject",
    }
    assert m04["period"] == {
        "from": "2026-06-10",
        "until": "2029-06-10",
        "rule": "自决定之日起36个月",
    }
    assert m04["implementing_department"] == "采购人、采购代理机构（资格审查）"
    assert m04["legal_basis"][0]["title"] == "中华人民共和国政府采购法（2014年修正）"
    # M03 is limited to penalties from the finance sector: not this one.
    assert "M03" not in _by_code(procurement)
    assert procurement["data_version"] == entry_id

    bidding = _by_code(_check(platform, ORG, "bidding"))
    assert bidding["M02"]["period"]["until"] == "2031-06-10"  # by_decision, at most 60 months
    assert "最长60个月" in bidding["M02"]["period"]["rule"]
    assert bidding["M02"]["automatic"] is False
    assert set(_by_code(_check(platform, ORG, "licensing"))) == {"M01"}
    assert _check(platform, ORG, "honours")["measures"] == []  # no record trigger there

    # The legal representative is reached where the measure targets that role (M09B) only.
    office = _check(platform, REP, "company_office")
    assert REP not in json.dumps(office, ensure_ascii=False)
    assert [
        (m["measure"], m["via"]["role"], m["via"]["organisation"], m["via"]["record_entry"])
        for m in office["measures"]
    ] == [("M09B", "legal_representative", ORG, entry_id)]
    assert _check(platform, REP, "government_procurement")["measures"] == []
    # The organisation itself is not the target of M09B.
    assert "M09B" not in _by_code(_check(platform, ORG, "company_office"))


def test_general_penalty_and_sector_limited_triggers(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    add_department(platform, "czt", "finance")
    clock.set(_at("2026-06-15"))
    _import(platform, penalty(CF_JDRQ="2026-06-10"))  # 罚款 only: 一般
    assert "M04" not in _by_code(_check(platform, ORG, "government_procurement"))
    assert set(_by_code(_check(platform, ORG, "licensing"))) == {"M01"}  # any severity
    _import(
        platform,
        penalty(CF_WSH="陕财罚〔2026〕3号", CF_CFLB=SERIOUS, CF_JDRQ="2026-06-11"),
        department="czt",
    )
    procurement = _by_code(_check(platform, ORG, "government_procurement"))
    assert procurement["M03"]["via"]["record_key"] == "陕财罚〔2026〕3号"
    assert procurement["M03"]["via"]["sector"] == "finance"
    assert procurement["M04"]["via"]["record_key"] == "陕财罚〔2026〕3号"


def test_measures_end_with_their_period(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    clock.set(_at("2026-06-15"))
    _import(platform, penalty(CF_CFLB=SERIOUS, CF_JDRQ="2026-06-10"))
    clock.set(_at("2029-06-09"))  # last day of 36 months
    assert "M04" in _by_code(_check(platform, ORG, "government_procurement"))
    assert [m["measure"] for m in _check(platform, REP, "company_office")["measures"]] == ["M09B"]
    clock.set(_at("2029-06-10"))
    assert _check(platform, ORG, "government_procurement")["measures"] == []
    assert _check(platform, ORG, "licensing")["measures"] == []  # M01: at most 36 months
    assert _check(platform, REP, "company_office")["measures"] == []
    assert "M02" in _by_code(_check(platform, ORG, "bidding"))  # at most 60 months
    clock.set(_at("2031-06-10"))
    assert _check(platform, ORG, "bidding")["measures"] == []


def test_while_published_measures_follow_the_publication_window(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform, "yjj", "drug")
    clock.set(_at("2026-06-15"))
    _import(
        platform,
        penalty(CF_WSH="陕药监罚〔2026〕7号", CF_CFLB=SERIOUS, CF_JDRQ="2026-06-10"),
        department="yjj",
    )
    with platform.engine.connect() as conn:
        until = conn.execute(select(entries.c.public_until)).scalar_one()
    supervision = _by_code(_check(platform, ORG, "supervision"))
    # M22 runs while the record is published; M21 (by decision, no maximum) likewise.
    assert supervision["M22"]["period"] == {
        "from": "2026-06-10",
        "until": until.isoformat(),
        "rule": "该记录公示期间",
    }
    assert supervision["M21"]["period"]["until"] == until.isoformat()
    assert "公示期间" in supervision["M21"]["period"]["rule"]
    clock.set(dt.datetime.combine(until - dt.timedelta(days=1), dt.time(10), tzinfo=CHINA_TZ))
    assert {"M21", "M22"} <= set(_by_code(_check(platform, ORG, "supervision")))
    clock.set(dt.datetime.combine(until, dt.time(10), tzinfo=CHINA_TZ))
    assert _check(platform, ORG, "supervision")["measures"] == []


def test_revocation_and_correction_end_the_trigger(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    clock.set(_at("2026-06-15"))
    serious = penalty(CF_CFLB=SERIOUS, CF_JDRQ="2026-06-10")
    _import(platform, serious)
    assert "M04" in _by_code(_check(platform, ORG, "government_procurement"))
    clock.set(_at("2026-06-20"))
    revoke(platform, "scjg", "XZCF", ORG, WSH, "行政复议决定撤销原处罚")
    revoked = _check(platform, ORG, "government_procurement")
    assert revoked["measures"] == []
    assert revoked["data_version"] == _entry_id(platform, WSH)  # the revocation entry
    assert _check(platform, REP, "company_office")["measures"] == []
    # Re-sending the row reinstates the record; a correction to 一般 ends the trigger again.
    _import(platform, serious)
    reinstated = _by_code(_check(platform, ORG, "government_procurement"))
    assert reinstated["M04"]["via"]["record_entry"] == _entry_id(platform, WSH)
    _import(platform, penalty(CF_JDRQ="2026-06-10"))
    assert _check(platform, ORG, "government_procurement")["measures"] == []


def test_list_and_record_triggers_together_and_feedback(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    clock.set(_at("2026-06-15"))
    _import(platform, penalty(CF_CFLB=SERIOUS, CF_JDRQ="2026-06-10"))
    with platform.engine.begin() as conn:
        case = lists.propose(
            conn,
            platform.sanctions,
            platform.calendar,
            list_type="SAMR_SERIOUS",
            subject_key=ORG,
            department_code="scjg",
            actor="t",
            now=clock.now(),
            catalogue_version="v",
        )
        for name in ("notify", "list", "publish"):
            lists.advance(
                conn,
                platform.sanctions,
                platform.catalogue,
                platform.calendar,
                case.id,
                name,
                actor="t",
                role="department",
                now=clock.now(),
            )
    answer = _check(platform, ORG, "government_procurement")
    triggers = {(m["measure"], m["via"]["trigger"]) for m in answer["measures"]}
    assert {("M04", "record"), ("M11", "list"), ("M12", "list")} <= triggers
    with platform.engine.connect() as conn:
        stored = conn.execute(
            select(check_receipts.c.measures, check_receipts.c.department_code).where(
                check_receipts.c.receipt == answer["receipt"]
            )
        ).one()
    assert "M04" in json.loads(stored[0])
    assert stored[1] == "scjg"
    with platform.engine.begin() as conn:
        checks.feedback(
            conn,
            receipt=answer["receipt"],
            measure="M04",
            applied=True,
            reason="",
            actor="procurement-system",
            department_code="scjg",
            now=clock.now(),
        )
        with pytest.raises(InputError):
            checks.feedback(
                conn,
                receipt=answer["receipt"],
                measure="M24",
                applied=True,
                reason="",
                actor="procurement-system",
                department_code="scjg",
                now=clock.now(),
            )


def test_every_returned_measure_has_a_legal_basis(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    add_department(platform, "yjj", "drug")
    add_department(platform, "czt", "finance")
    clock.set(_at("2026-06-15"))
    _import(platform, penalty(CF_CFLB=SERIOUS, CF_JDRQ="2026-06-10"))
    _import(
        platform, penalty(CF_WSH="药2", CF_CFLB=SERIOUS, CF_JDRQ="2026-06-01"), department="yjj"
    )
    _import(
        platform, penalty(CF_WSH="财3", CF_CFLB=SERIOUS, CF_JDRQ="2026-06-02"), department="czt"
    )
    seen: set[str] = set()
    for scenario in platform.sanctions.scenarios:
        for subject in (ORG, REP):
            for m in _check(platform, subject, scenario)["measures"]:
                seen.add(m["measure"])
                assert m["legal_basis"], f"{m['measure']} returned without legal basis"
                assert all(b["title"].strip() for b in m["legal_basis"])
                catalogued = platform.sanctions.measure(m["measure"], clock.today())
                assert len(m["legal_basis"]) == len(catalogued.legal_basis)
    assert {"M01", "M02", "M03", "M04", "M09B", "M21", "M22"} <= seen


def test_a_check_is_a_handful_of_keyed_queries(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    clock.set(_at("2026-06-15"))
    _import(
        platform,
        penalty(CF_CFLB=SERIOUS, CF_JDRQ="2026-06-10"),
        *(penalty(CF_WSH=f"陕市监罚〔2026〕{n}号", CF_JDRQ="2026-05-01") for n in range(2, 40)),
        penalty(CF_XDR_SHXYM=ORG2, CF_XDR_MC="另一公司", CF_WSH="其他", CF_FR_ZJHM=""),
    )
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(platform.engine, "before_cursor_execute", count)
    try:
        org = _check(platform, ORG, "government_procurement")
        n_org = len(statements)
        statements.clear()
        _check(platform, REP, "company_office")
        n_person = len(statements)
    finally:
        event.remove(platform.engine, "before_cursor_execute", count)
    assert [m["measure"] for m in org["measures"]] == ["M04"]
    # status rows, trigger entries, receipt; a person adds the relations lookup.
    assert n_org <= 3, statements
    assert n_person <= 4, statements
