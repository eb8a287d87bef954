"""The check end to end on both engines: records imported through the real importer bring the
measures their bases name (and only those), to verify where a condition is not in the data;
periods end; a revocation or correction ends a trigger; feedback is the checking department's;
an unknown subject is told apart from a clean one; a check may ask about another day.

Measure-by-measure positive and negative cases against the catalogue are in test_triggers.py."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import event, select

from tests.helpers import (
    ORG,
    ORG2,
    add_department,
    csv_bytes,
    list_subject,
    penalty,
    resident_id,
    revoke,
)
from xinyong.bootstrap import Platform
from xinyong.checks import service as checks
from xinyong.checks.tables import check_receipts
from xinyong.identity.uscc import make_uscc
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.errors import InputError, NotFound, PermissionDenied
from xinyong.ledger.tables import entries

REP = resident_id()  # 张三, legal representative of ORG in tests.helpers.penalty()
WSH = "陕市监罚〔2026〕1号"
# A penalty outside the fields 令107 classes 严重 (广告法), so 一般 unless its kinds say more.
ADVERT = "《中华人民共和国广告法》第五十八条"


def _at(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10), tzinfo=CHINA_TZ)


def _import(platform: Platform, *rows: dict[str, str], department: str = "scjg") -> None:
    result = platform.importer().import_bytes(
        csv_bytes(list(rows)), filename="p.csv", department_code=department, item_code="XZCF"
    )
    assert result.rejected == 0, result.rejections


def _check(
    platform: Platform,
    subject: str,
    scenario: str,
    department: str | None = "scjg",
    on: dt.date | None = None,
) -> dict[str, Any]:
    with platform.engine.begin() as conn:
        return checks.check(
            conn,
            platform.sanctions,
            platform.vault,
            subject=subject,
            scenario=scenario,
            today=platform.clock.today(),
            now=platform.clock.now(),
            actor="business-system",
            department_code=department,
            on=on,
        )


def _codes(answer: dict[str, Any], key: str = "measures") -> dict[str, dict[str, Any]]:
    return {m["measure"]: m for m in answer[key]}


def _entry_id(platform: Platform, record: str, subject: str = ORG) -> int:
    with platform.engine.connect() as conn:
        return int(
            conn.execute(
                select(entries.c.id)
                .where(entries.c.record_key == f"{subject}|{record}")
                .order_by(entries.c.id.desc())
            ).first()[0]  # type: ignore[index]
        )


def test_a_drug_licence_revocation_is_not_a_licence_fraud_ban(
    platform: Platform, clock: FixedClock
) -> None:
    """成都利尔药业 (issue 7): revoked for substandard drugs; M01 is about licences obtained
    by fraud and must not come up at a licensing counter, while M04 does at procurement."""
    add_department(platform, "yjj", "drug")
    clock.set(_at("2026-06-15"))
    _import(
        platform,
        penalty(
            CF_WSH="川药监罚〔2026〕9号",
            CF_CFLB="吊销许可证件,罚款",
            CF_YJ="《中华人民共和国药品管理法》第一百一十七条",
            CF_NR="生产销售劣药，情节严重，吊销药品生产许可证",
            CF_NR_ZKDX="药品生产许可证 川20160001",
        ),
        department="yjj",
    )
    licensing = _check(platform, ORG, "licensing", department="yjj")
    assert "M01" not in _codes(licensing)
    assert "M01" not in _codes(licensing, "to_verify")
    procurement = _check(platform, ORG, "government_procurement", department="yjj")
    m04 = _codes(procurement)["M04"]
    assert m04["via"]["record_key"] == "川药监罚〔2026〕9号"
    assert m04["via"]["ground"] == "责令停产停业、吊销许可证或者执照"
    assert m04["period"] == {
        "from": "2026-06-10",
        "until": "2029-06-10",
        "rule": "自决定之日起36个月",
    }
    assert procurement["subject"]["on_record"] is True
    assert "message" not in procurement
    # A revoked drug licence is no business-licence revocation: nothing for the representative.
    office = _check(platform, REP, "company_office", department="yjj")
    assert office["measures"] == []
    assert office["to_verify"] == []


def test_four_ordinary_fines_bring_no_licence_bar(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    clock.set(_at("2026-06-15"))
    _import(
        platform,
        *(
            penalty(
                CF_WSH=f"陕市监罚〔2026〕{n}号", CF_YJ="《中华人民共和国食品安全法》第一百二十四条"
            )
            for n in range(1, 5)
        ),
    )
    answer = _check(platform, ORG, "licensing")
    assert answer["measures"] == []
    assert answer["to_verify"] == []
    # Food-field penalties are 严重 under 令107: the commitment system is barred while public.
    assert answer["commitment_allowed"] is False
    assert {b["code"] for b in answer["commitment_blocked_by"]} == {"SERIOUS_RECORD"}
    assert len(answer["commitment_blocked_by"]) == 4


def test_business_licence_revocation_reaches_the_representative_to_verify(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    clock.set(_at("2026-06-15"))
    _import(platform, penalty(CF_CFLB="吊销营业执照", CF_YJ=ADVERT, CF_NR="吊销营业执照"))
    entry_id = _entry_id(platform, WSH)
    office = _check(platform, REP, "company_office")
    assert REP not in json.dumps(office, ensure_ascii=False)
    assert office["measures"] == []
    m09b = _codes(office, "to_verify")["M09B"]
    assert m09b["via"]["role"] == "legal_representative"
    assert m09b["via"]["organisation"] == ORG
    assert m09b["via"]["record_entry"] == entry_id
    assert m09b["period"]["until"] == "2029-06-10"
    assert any("个人责任" in c for c in m09b["conditions"])
    # The company itself is not the target of M09B.
    assert "M09B" not in _codes(_check(platform, ORG, "company_office"), "to_verify")


def test_measures_end_with_their_period_and_a_check_may_ask_about_another_day(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    clock.set(_at("2026-06-15"))
    _import(platform, penalty(CF_CFLB="罚款,责令停产停业", CF_YJ=ADVERT))
    assert "M04" in _codes(_check(platform, ORG, "government_procurement"))
    last_day = _check(platform, ORG, "government_procurement", on=dt.date(2029, 6, 9))
    assert "M04" in _codes(last_day)
    assert last_day["as_of"] == "2029-06-09"
    after = _check(platform, ORG, "government_procurement", on=dt.date(2029, 6, 10))
    assert after["measures"] == []
    with platform.engine.connect() as conn:
        stored = conn.execute(
            select(check_receipts.c.as_of, check_receipts.c.measures).where(
                check_receipts.c.receipt == after["receipt"]
            )
        ).one()
    assert stored == (dt.date(2029, 6, 10), "[]")
    # The same when the clock itself gets there.
    clock.set(_at("2029-06-10"))
    assert _check(platform, ORG, "government_procurement")["measures"] == []


def test_while_published_measures_follow_the_publication_window(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform, "yjj", "drug")
    clock.set(_at("2026-06-15"))
    _import(
        platform,
        penalty(
            CF_WSH="陕药监罚〔2026〕7号",
            CF_CFLB="警告,罚款",
            CF_YJ="《医疗器械监督管理条例》第八十九条第（三）项",
        ),
        department="yjj",
    )
    with platform.engine.connect() as conn:
        until = conn.execute(select(entries.c.public_until)).scalar_one()
    supervision = _codes(_check(platform, ORG, "supervision", department="yjj"))
    assert supervision["M22"]["period"] == {
        "from": "2026-06-10",
        "until": until.isoformat(),
        "rule": "该记录公示期间",
    }
    # M22 binds drug regulators: a market-regulation check does not get it.
    add_department(platform)
    assert "M22" not in _codes(_check(platform, ORG, "supervision", department="scjg"))
    last = until - dt.timedelta(days=1)
    assert "M22" in _codes(_check(platform, ORG, "supervision", department="yjj", on=last))
    assert _check(platform, ORG, "supervision", department="yjj", on=until)["measures"] == []


def test_revocation_and_correction_end_the_trigger(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    clock.set(_at("2026-06-15"))
    serious = penalty(CF_CFLB="罚款,责令停产停业", CF_YJ=ADVERT)
    _import(platform, serious)
    assert "M04" in _codes(_check(platform, ORG, "government_procurement"))
    clock.set(_at("2026-06-20"))
    revoke(platform, "scjg", "XZCF", ORG, WSH, "行政复议决定撤销原处罚")
    revoked = _check(platform, ORG, "government_procurement")
    assert revoked["measures"] == []
    assert revoked["data_version"] == _entry_id(platform, WSH)  # the revocation entry
    # Re-sending the row reinstates the record; a correction to a plain fine ends it again.
    _import(platform, serious)
    reinstated = _codes(_check(platform, ORG, "government_procurement"))
    assert reinstated["M04"]["via"]["record_entry"] == _entry_id(platform, WSH)
    _import(platform, penalty(CF_YJ=ADVERT))
    assert _check(platform, ORG, "government_procurement")["measures"] == []


def test_lists_and_records_together_and_feedback_only_by_the_checking_department(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    other = add_department(platform, "zjt", "housing")
    assert other
    clock.set(_at("2026-06-15"))
    _import(platform, penalty(CF_CFLB="罚款,责令停产停业", CF_YJ=ADVERT))
    list_subject(platform, ORG)
    answer = _check(platform, ORG, "government_procurement")
    triggers = {(m["measure"], m["via"]["trigger"]) for m in answer["measures"]}
    assert {("M04", "record"), ("M11", "list"), ("M12", "list")} <= triggers
    assert _codes(answer)["M11"]["automatic"] is False  # decided by the implementing department
    # M12 binds market regulators; a housing department's check does not get it.
    assert "M12" not in _codes(_check(platform, ORG, "government_procurement", department="zjt"))
    assert {b["code"] for b in answer["commitment_blocked_by"]} >= {"SERIOUS_LIST", "MEASURE"}
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
        with pytest.raises(PermissionDenied):
            checks.feedback(
                conn,
                receipt=answer["receipt"],
                measure="M04",
                applied=False,
                reason="不是我们的核查",
                actor="housing-system",
                department_code="zjt",
                now=clock.now(),
            )
        for role in ("office", "auditor"):  # neither speaks for the checking department
            with pytest.raises(PermissionDenied):
                checks.feedback(
                    conn,
                    receipt=answer["receipt"],
                    measure="M12",
                    applied=True,
                    reason="",
                    actor=role,
                    department_code=None,
                    role=role,
                    now=clock.now(),
                )


def test_unknown_subjects_are_told_apart_from_clean_ones(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    clock.set(_at("2026-06-15"))
    _import(platform, penalty(CF_YJ=ADVERT))  # ORG is on record, with a plain fine
    never_seen = make_uscc("9", "1", "610104", "MA6T9Q1W")
    unknown = _check(platform, never_seen, "government_procurement")
    assert unknown["subject"]["on_record"] is False
    assert unknown["message"].startswith("平台暂无该主体信用记录")
    assert unknown["measures"] == []
    assert unknown["commitment_allowed"] is True
    clean = _check(platform, ORG, "government_procurement")
    assert clean["subject"]["on_record"] is True
    assert clean["measures"] == []
    assert "message" not in clean
    # A person known only as a legal representative is on record too.
    assert _check(platform, REP, "company_office")["subject"]["on_record"] is True


def test_court_defaulter_may_not_use_commitments_and_loses_the_commitment_incentive(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform, "swj", "tax")
    add_department(platform, "fy", "court")
    clock.set(_at("2026-06-15"))
    list_subject(platform, ORG, "RED_TAX_A", "swj")
    red = _check(platform, ORG, "licensing", department=None)
    assert red["commitment_allowed"] is True
    assert "I01" in _codes(red, "to_verify")  # 容缺受理, for items open to commitments
    list_subject(platform, ORG, "COURT_DEFAULTER", "fy")
    both = _check(platform, ORG, "licensing", department=None)
    assert both["commitment_allowed"] is False
    bar = both["commitment_blocked_by"][0]
    assert bar["code"] == "SERIOUS_LIST"
    assert bar["via"]["list_type"] == "COURT_DEFAULTER"
    assert bar["legal_basis"][0]["doc_no"] == "国办发〔2020〕42号"
    assert "I01" not in _codes(both)
    assert "I01" not in _codes(both, "to_verify")
    assert [w["measure"] for w in both["withheld"]] == ["I01"]


def test_scenarios_by_chinese_name_and_unknown_ones(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    clock.set(_at("2026-06-15"))
    assert _check(platform, ORG, "政府采购")["scenario"] == {
        "code": "government_procurement",
        "name": "政府采购",
    }
    with pytest.raises(NotFound) as info:
        _check(platform, ORG, "政府采买")
    assert "政府采购（government_procurement）" in info.value.message_zh


def test_every_returned_measure_has_a_legal_basis(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    add_department(platform, "czt", "finance")
    clock.set(_at("2026-06-15"))
    _import(platform, penalty(CF_CFLB="罚款,责令停产停业", CF_YJ=ADVERT))
    _import(
        platform,
        penalty(
            CF_WSH="财3",
            CF_CFLB="罚款,其他",
            CF_YJ="《中华人民共和国政府采购法》第七十七条第一款第（一）项",
            CF_NR="提供虚假材料谋取中标，罚款，二年内禁止参加政府采购活动",
        ),
        department="czt",
    )
    seen: set[str] = set()
    for scenario in platform.sanctions.scenarios:
        for subject in (ORG, REP):
            answer = _check(platform, subject, scenario, department=None)
            for m in [*answer["measures"], *answer["to_verify"]]:
                seen.add(m["measure"])
                assert m["legal_basis"], f"{m['measure']} returned without legal basis"
                catalogued = platform.sanctions.measure(m["measure"], clock.today())
                assert len(m["legal_basis"]) == len(catalogued.legal_basis)
    assert {"M03", "M04"} <= seen


def test_a_check_is_a_handful_of_keyed_queries(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    clock.set(_at("2026-06-15"))
    _import(
        platform,
        penalty(CF_CFLB="罚款,责令停产停业", CF_YJ=ADVERT),
        *(penalty(CF_WSH=f"陕市监罚〔2026〕{n}号", CF_YJ=ADVERT) for n in range(2, 40)),
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
    # department sector, relations (persons), status rows, trigger entries, known subject,
    # open objections (the 异议处理中 mark), receipt; a person also the alias of their key
    # after a key rotation.
    assert n_org <= 6, statements
    assert n_person <= 8, statements
