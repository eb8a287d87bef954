"""Every shipped measure against its legal basis: a record or list entry that must trigger it,
and one that must not (issue 7 item 1; the law texts are summarised in the catalogue file).

Pure: records are built as the check reads them and folded with ``checks.rules`` over the
national catalogue, so each case is a few microseconds. ``decided`` means the answer lists the
measure as applying; ``verify`` means it lists it under ``to_verify`` with the conditions to
check by hand; ``absent`` means neither.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pytest

from xinyong.catalog.sanctions import SanctionsCatalogue
from xinyong.checks import rules
from xinyong.checks.rules import EntryRow
from xinyong.kernel.clock import CHINA_TZ

ORG = "91610102MA6T1C7D3A"
_ids = itertools.count(1)

Outcome = Literal["decided", "verify", "absent"]


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def record(
    item: str = "XZCF",
    *,
    kind: str = "organisation",
    sector: str = "market_regulation",
    decided: str = "2026-06-10",
    severity: str | None = "一般",
    public_until: str | None = None,
    key: str | None = None,
    **values: str,
) -> EntryRow:
    n = next(_ids)
    return EntryRow(
        id=n,
        subject_key=ORG,
        item_code=item,
        record_key=f"{ORG}|{key or f'R{n}'}",
        action="assert",
        decision_date=d(decided),
        severity=severity,
        department_code="dept",
        department_name="某部门",
        sector=sector,
        public=True,
        public_from=d(decided),
        public_until=d(public_until) if public_until else d(decided) + dt.timedelta(days=1095),
        received_at=dt.datetime.combine(d(decided), dt.time(10), tzinfo=CHINA_TZ),
        subject_kind=kind,
        values=values,
    )


def member(
    list_type: str, kind: str, listed: str = "2026-06-01", until: str | None = None
) -> dict[str, Any]:
    n = next(_ids)
    return {
        "id": n,
        "entry": n,
        "list_type": list_type,
        "kind": kind,
        "listed_on": listed,
        "until": until,
        "exited_on": None,
    }


@dataclass
class Case:
    name: str
    measure: str
    scenario: str
    expected: Outcome
    records: list[EntryRow] = field(default_factory=list)
    memberships: list[dict[str, Any]] = field(default_factory=list)
    day: str = "2026-06-15"
    role: str = "subject"
    kind: str = "organisation"  # of the subject asked about (list triggers)
    checker: str | None = None


def fold(
    sanctions: SanctionsCatalogue,
    *,
    records: list[EntryRow] = (),  # type: ignore[assignment]
    memberships: list[dict[str, Any]] = (),  # type: ignore[assignment]
    scenario: str,
    day: dt.date,
    role: str = "subject",
    kind: str = "organisation",
    checker: str | None = None,
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    asking = rules.Asking(scenario, day, role, checker)
    current = rules.current_records(records, sanctions)
    reaches = rules.list_reaches(
        sanctions, memberships, asking, kind, lambda m: {"list": m["list_type"]}
    )
    reaches += rules.record_reaches(sanctions, current, asking, lambda r: {"entry": r.entry.id})
    measures, to_verify = rules.fold_measures(reaches, lambda m: [])
    return {m["measure"]: m for m in measures}, {m["measure"]: m for m in to_verify}


def outcome(sanctions: SanctionsCatalogue, case: Case) -> tuple[Outcome, Mapping[str, Any] | None]:
    measures, to_verify = fold(
        sanctions,
        records=case.records,
        memberships=case.memberships,
        scenario=case.scenario,
        day=d(case.day),
        role=case.role,
        kind=case.kind,
        checker=case.checker,
    )
    if case.measure in measures:
        return "decided", measures[case.measure]
    if case.measure in to_verify:
        return "verify", to_verify[case.measure]
    return "absent", None


LICENCE_FRAUD_78 = {"CF_CFLB": "01", "CF_YJ": "《中华人民共和国行政许可法》第七十八条"}
LICENCE_FRAUD_79 = {"CF_CFLB": "03", "CF_YJ": "《行政许可法》第七十九条、第六十九条第二款"}
# 成都利尔药业 (issue 7): drug-production licence revoked for substandard drugs.
DRUG_REVOKED = {
    "CF_CFLB": "08",
    "CF_YJ": "《中华人民共和国药品管理法》第一百一十七条",
    "CF_NR": "生产销售劣药，情节严重，吊销药品生产许可证",
    "CF_NR_ZKDX": "药品生产许可证 川20160001",
}
FOOD_FINE = {
    "CF_CFLB": "03",
    "CF_YJ": "《中华人民共和国食品安全法》第一百二十四条",
    "CF_NR_FK": "2",
}
ENV_REVOKED = {
    "CF_CFLB": "081",
    "CF_YJ": "《中华人民共和国大气污染防治法》第九十九条",
    "CF_NR": "吊销营业执照",
}
BID_FRAUD = {
    "CF_CFLB": "03,99",
    "CF_YJ": "《招标投标法》第五十四条第二款、《招标投标法实施条例》第六十八条第二款第（一）项",
    "CF_NR": "伪造资质证书骗取中标，罚款，取消其二年内参加依法必须进行招标的项目的投标资格",
}
PROCUREMENT_BAN = {
    "CF_CFLB": "03,99",
    "CF_YJ": "《中华人民共和国政府采购法》第七十七条第一款第（一）项",
    "CF_NR": "提供虚假材料谋取中标，罚款，列入不良行为记录名单，二年内禁止参加政府采购活动",
}

CASES = [
    # M01: only 行政许可法 78/79; the public-safety condition is never decided by data.
    Case("M01 78", "M01", "licensing", "verify", [record(**LICENCE_FRAUD_78)]),
    Case("M01 79", "M01", "licensing", "verify", [record(**LICENCE_FRAUD_79)]),
    Case(
        "M01 drug revocation", "M01", "licensing", "absent", [record(sector="drug", **DRUG_REVOKED)]
    ),
    Case(
        "M01 four food fines",
        "M01",
        "licensing",
        "absent",
        [record(key=f"F{i}", **FOOD_FINE) for i in range(4)],
    ),
    Case(
        "M01 78 without a warning",
        "M01",
        "licensing",
        "absent",
        [record(CF_CFLB="03", CF_YJ="行政许可法第七十八条")],
    ),
    # M02: the decision itself cancels the eligibility.
    Case("M02 cancellation", "M02", "bidding", "verify", [record(sector="housing", **BID_FRAUD)]),
    Case(
        "M02 environmental revocation",
        "M02",
        "bidding",
        "absent",
        [record(sector="ecology", **ENV_REVOKED)],
    ),
    Case(
        "M02 collusion fined only",
        "M02",
        "bidding",
        "absent",
        [
            record(
                CF_CFLB="03",
                CF_YJ="《招标投标法》第五十三条",
                CF_NR="串通投标，罚款中标项目金额千分之五",
            )
        ],
    ),
    # M03: a ban under 政府采购法 77.
    Case(
        "M03 ban",
        "M03",
        "government_procurement",
        "decided",
        [record(sector="finance", **PROCUREMENT_BAN)],
    ),
    Case(
        "M03 no ban",
        "M03",
        "government_procurement",
        "absent",
        [
            record(
                sector="finance",
                CF_CFLB="03",
                CF_YJ="《政府采购法实施条例》第七十二条第二款",
                CF_NR="处以采购金额5‰的罚款，列入不良行为记录名单，中标无效",
            )
        ],
    ),
    # M04: 停产停业, 吊销 within three years; 较大数额罚款 to verify.
    Case("M04 停产停业", "M04", "government_procurement", "decided", [record(CF_CFLB="10,03")]),
    Case(
        "M04 吊销 in window", "M04", "government_procurement", "decided", [record(**DRUG_REVOKED)]
    ),
    Case(
        "M04 吊销 out of window",
        "M04",
        "government_procurement",
        "absent",
        [record(decided="2023-06-30", **ENV_REVOKED)],
        day="2026-12-10",
    ),
    Case(
        "M04 large fine",
        "M04",
        "government_procurement",
        "verify",
        [record(CF_CFLB="03", CF_NR_FK="250", decided="2025-05-20")],
    ),
    Case(
        "M04 ordinary fine",
        "M04",
        "government_procurement",
        "absent",
        [record(CF_CFLB="03", CF_NR_FK="150", decided="2025-05-20")],
    ),
    Case("M04 暂扣", "M04", "government_procurement", "verify", [record(CF_CFLB="06")]),
    # M05: the court list; the legal representative too, other roles to verify.
    Case(
        "M05 defaulter",
        "M05",
        "consumption",
        "decided",
        memberships=[member("COURT_DEFAULTER", "black")],
    ),
    Case(
        "M05 legal representative",
        "M05",
        "consumption",
        "decided",
        memberships=[member("COURT_DEFAULTER", "black")],
        role="legal_representative",
    ),
    Case(
        "M05 principal",
        "M05",
        "consumption",
        "verify",
        memberships=[member("COURT_DEFAULTER", "black")],
        role="principal",
    ),
    Case("M05 no list", "M05", "consumption", "absent", [record(**ENV_REVOKED)]),
    # M06: the rail/air restriction lists, not the tax list.
    Case(
        "M06 rail list",
        "M06",
        "travel",
        "decided",
        [record("YZSX", kind="person", severity="严重", YZ_MDLX="06")],
        kind="person",
    ),
    Case("M06 tax list", "M06", "travel", "verify", memberships=[member("TAX_SERIOUS", "black")]),
    Case("M06 SAMR list", "M06", "travel", "absent", memberships=[member("SAMR_SERIOUS", "black")]),
    # M07, M08: separate decisions.
    Case(
        "M07 defaulter", "M07", "exit", "verify", memberships=[member("COURT_DEFAULTER", "black")]
    ),
    Case("M07 penalty", "M07", "exit", "absent", [record(**ENV_REVOKED)]),
    Case("M08 tax list", "M08", "exit", "verify", memberships=[member("TAX_SERIOUS", "black")]),
    Case(
        "M08 defaulter", "M08", "exit", "absent", memberships=[member("COURT_DEFAULTER", "black")]
    ),
    # M09: a natural person on the court list; not the legal representative of a listed company.
    Case(
        "M09 person",
        "M09",
        "company_office",
        "verify",
        memberships=[member("COURT_DEFAULTER", "black")],
        kind="person",
    ),
    Case(
        "M09 company's legal representative",
        "M09",
        "company_office",
        "absent",
        memberships=[member("COURT_DEFAULTER", "black")],
        role="legal_representative",
    ),
    # M09B: a revoked business licence or closure; the legal representative, to verify.
    Case(
        "M09B revoked business licence",
        "M09B",
        "company_office",
        "verify",
        [record(**ENV_REVOKED)],
        role="legal_representative",
    ),
    Case(
        "M09B closure",
        "M09B",
        "company_office",
        "verify",
        [record(CF_CFLB="11")],
        role="legal_representative",
    ),
    Case(
        "M09B other serious penalty",
        "M09B",
        "company_office",
        "absent",
        [record(severity="严重", CF_CFLB="10,03", CF_YJ="《安全生产法》第一百零二条")],
        role="legal_representative",
    ),
    Case(
        "M09B food licence revoked",
        "M09B",
        "company_office",
        "absent",
        [record(CF_CFLB="08", CF_NR_ZKDX="食品经营许可证 JY1")],
        role="legal_representative",
    ),
    Case("M09B the company itself", "M09B", "company_office", "absent", [record(**ENV_REVOKED)]),
    # M10: SAMR list entry on the false-disclosure ground.
    Case(
        "M10 false disclosure",
        "M10",
        "company_office",
        "verify",
        [record("YZSX", severity="严重", YZ_MDLX="01", YZ_LRYY="年度报告隐瞒真实情况、弄虚作假")],
        role="legal_representative",
    ),
    Case(
        "M10 abnormal operations list",
        "M10",
        "company_office",
        "absent",
        memberships=[member("JYYC_ABNORMAL", "watch")],
        role="legal_representative",
    ),
    # M11: 经营异常名录 / SAMR list, decided by the implementing department.
    Case(
        "M11 abnormal",
        "M11",
        "government_procurement",
        "decided",
        memberships=[member("JYYC_ABNORMAL", "watch")],
    ),
    Case(
        "M11 exited",
        "M11",
        "government_procurement",
        "absent",
        memberships=[{**member("JYYC_ABNORMAL", "watch"), "exited_on": "2026-06-10"}],
    ),
    # M12: binds market-regulation and drug departments.
    Case(
        "M12 SAMR checker",
        "M12",
        "licensing",
        "decided",
        memberships=[member("SAMR_SERIOUS", "black")],
        checker="market_regulation",
    ),
    Case(
        "M12 housing checker",
        "M12",
        "honours",
        "absent",
        memberships=[member("SAMR_SERIOUS", "black")],
        checker="housing",
    ),
    Case(
        "M12 credit office",
        "M12",
        "licensing",
        "decided",
        memberships=[member("SAMR_SERIOUS", "black")],
    ),
    Case(
        "M13 defaulter",
        "M13",
        "licensing",
        "decided",
        memberships=[member("COURT_DEFAULTER", "black")],
    ),
    Case(
        "M13 tax list", "M13", "licensing", "absent", memberships=[member("TAX_SERIOUS", "black")]
    ),
    # M14: listed parties themselves, not derived persons.
    Case("M14 listed", "M14", "bidding", "decided", memberships=[member("WAGE_ARREARS", "black")]),
    Case(
        "M14 legal representative",
        "M14",
        "bidding",
        "absent",
        memberships=[member("WAGE_ARREARS", "black")],
        role="legal_representative",
    ),
    # M15: listed natural persons; 公务员 only.
    Case(
        "M15 person",
        "M15",
        "public_sector_hiring",
        "verify",
        memberships=[member("COURT_DEFAULTER", "black")],
        kind="person",
    ),
    Case(
        "M15 organisation",
        "M15",
        "public_sector_hiring",
        "absent",
        memberships=[member("COURT_DEFAULTER", "black")],
    ),
    Case(
        "M16 organisation",
        "M16",
        "tax_preferences",
        "decided",
        memberships=[member("TAX_SERIOUS", "black")],
    ),
    Case(
        "M16 person",
        "M16",
        "tax_preferences",
        "verify",
        memberships=[member("TAX_SERIOUS", "black")],
        kind="person",
    ),
    # M17: the body's finding of 情节严重 is never assumed.
    Case(
        "M17 safety penalty",
        "M17",
        "supervision",
        "verify",
        [record(sector="safety", CF_CFLB="10", CF_YJ="《安全生产法》第一百零二条")],
    ),
    Case(
        "M17 special equipment",
        "M17",
        "supervision",
        "absent",
        [record(CF_CFLB="03", CF_YJ="《特种设备安全法》第八十四条")],
    ),
    Case(
        "M18 ban",
        "M18",
        "occupation",
        "decided",
        memberships=[member("BAN_SAFETY", "ban")],
        kind="person",
    ),
    Case(
        "M18 closure",
        "M18",
        "occupation",
        "absent",
        [record(kind="person", CF_CFLB="10")],
        kind="person",
    ),
    # M19: a revoked food licence (5 years from the decision).
    Case(
        "M19 food licence revoked",
        "M19",
        "occupation",
        "verify",
        [
            record(
                kind="individual_business",
                CF_CFLB="08,03",
                CF_NR_ZKDX="食品经营许可证 JY23301060012345",
            )
        ],
    ),
    Case("M19 food fines", "M19", "occupation", "absent", [record(**FOOD_FINE)]),
    Case(
        "M19 drug licence revoked",
        "M19",
        "occupation",
        "absent",
        [record(CF_CFLB="08", CF_NR_ZKDX="药品经营许可证 陕AA0290001")],
    ),
    Case(
        "M20 person barred",
        "M20",
        "occupation",
        "decided",
        [
            record(
                kind="person",
                sector="drug",
                CF_CFLB="12,03",
                CF_YJ="《药品管理法》第一百一十八条第一款",
                CF_NR="生产销售假药，终身禁止从事药品生产经营活动",
            )
        ],
        kind="person",
    ),
    Case(
        "M20 company revoked",
        "M20",
        "occupation",
        "absent",
        [record(sector="drug", **DRUG_REVOKED)],
    ),
    Case(
        "M21 drug list",
        "M21",
        "supervision",
        "verify",
        memberships=[member("DRUG_SERIOUS", "black")],
    ),
    Case(
        "M21 drug penalty", "M21", "supervision", "absent", [record(sector="drug", **DRUG_REVOKED)]
    ),
    Case(
        "M22 device penalty",
        "M22",
        "supervision",
        "decided",
        [record(sector="drug", CF_CFLB="01", CF_YJ="《医疗器械监督管理条例》第八十九条第（三）项")],
        checker="drug",
    ),
    Case(
        "M22 device penalty, market checker",
        "M22",
        "supervision",
        "absent",
        [record(sector="drug", CF_CFLB="01", CF_YJ="《医疗器械监督管理条例》第八十九条")],
        checker="market_regulation",
    ),
    Case(
        "M22 drug penalty", "M22", "supervision", "absent", [record(sector="drug", **DRUG_REVOKED)]
    ),
    Case(
        "M23 ban",
        "M23",
        "occupation",
        "verify",
        memberships=[member("BAN_SECURITIES", "ban")],
        kind="person",
    ),
    Case(
        "M24 stated in the decision",
        "M24",
        "occupation",
        "decided",
        [
            record(
                kind="person",
                sector="finance",
                CF_YJ="《会计法》第四十一条",
                CF_NR="编制虚假财务会计报告，五年内不得从事会计工作",
            )
        ],
    ),
    Case(
        "M24 art. 41",
        "M24",
        "occupation",
        "verify",
        [record(kind="person", sector="finance", CF_YJ="《会计法》第四十一条", CF_NR="罚款")],
    ),
    Case(
        "M24 organisation",
        "M24",
        "occupation",
        "absent",
        [record(sector="finance", CF_YJ="《会计法》第四十条", CF_NR_FK="10")],
    ),
    Case(
        "M25 hiring",
        "M25",
        "public_sector_hiring",
        "decided",
        memberships=[member("MILITARY_EVASION", "black", listed="2025-09-01")],
        kind="person",
    ),
    Case(
        "M25B exit within two years",
        "M25B",
        "exit",
        "decided",
        memberships=[member("MILITARY_EVASION", "black", listed="2025-09-01")],
        kind="person",
        day="2027-08-31",
    ),
    Case(
        "M25B exit after two years",
        "M25B",
        "exit",
        "absent",
        memberships=[member("MILITARY_EVASION", "black", listed="2025-09-01")],
        kind="person",
        day="2027-09-01",
    ),
    Case(
        "M26 tax list",
        "M26",
        "fiscal_funds",
        "decided",
        memberships=[member("TAX_SERIOUS", "black")],
    ),
    Case("M26 watch list", "M26", "fiscal_funds", "absent", memberships=[member("WATCH", "watch")]),
    Case("W01 watch list", "W01", "supervision", "decided", memberships=[member("WATCH", "watch")]),
    Case(
        "W01 red list", "W01", "supervision", "absent", memberships=[member("RED_GENERAL", "red")]
    ),
    Case("I01 red list", "I01", "licensing", "verify", memberships=[member("RED_TAX_A", "red")]),
    Case("I02 red list", "I02", "licensing", "decided", memberships=[member("RED_GENERAL", "red")]),
    Case(
        "I02 black list",
        "I02",
        "licensing",
        "absent",
        memberships=[member("SAMR_SERIOUS", "black")],
    ),
    Case("I03 red list", "I03", "financing", "decided", memberships=[member("RED_TAX_A", "red")]),
    Case(
        "I04 red list", "I04", "fiscal_funds", "decided", memberships=[member("RED_GENERAL", "red")]
    ),
    # An unconfirmed basis (U) is never applied as decided.
    Case(
        "I05 unconfirmed basis",
        "I05",
        "honours",
        "verify",
        memberships=[member("RED_GENERAL", "red")],
    ),
    Case(
        "I06 red list", "I06", "supervision", "decided", memberships=[member("RED_GENERAL", "red")]
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_measure_against_its_basis(national: Any, case: Case) -> None:
    sanctions = national[1]
    got, view = outcome(sanctions, case)
    assert got == case.expected, view
    if got == "verify":
        assert view is not None
        assert view["conditions"], "a measure to verify names what to verify"


def test_every_measure_has_a_positive_and_a_negative_case(national: Any) -> None:
    sanctions: SanctionsCatalogue = national[1]
    positive = {c.measure for c in CASES if c.expected != "absent"}
    negative = {c.measure for c in CASES if c.expected == "absent"}
    codes = {m.code for m in sanctions.measures()}
    assert codes <= positive, codes - positive
    # Incentives triggered only by red lists: their negative is a black list (I02) or none.
    assert codes - {"I01", "I03", "I04", "I05", "I06", "M16", "M23", "M25"} <= negative, (
        codes - negative
    )


def test_repeated_triggers_give_one_measure_with_every_record_and_the_longest_period(
    national: Any,
) -> None:
    sanctions = national[1]
    first = record(CF_CFLB="10", decided="2025-03-01")
    second = record(**DRUG_REVOKED, decided="2026-02-01")
    measures, _ = fold(
        sanctions, records=[first, second], scenario="government_procurement", day=d("2026-06-15")
    )
    m04 = measures["M04"]
    assert [v["entry"] for v in m04["triggered_by"]] == [first.id, second.id]
    assert m04["period"]["until"] == "2029-02-01"
    assert m04["via"]["entry"] == second.id


def test_m01_periods_follow_the_ground(national: Any) -> None:
    sanctions = national[1]
    _, verify = fold(
        sanctions, records=[record(**LICENCE_FRAUD_78)], scenario="licensing", day=d("2026-06-15")
    )
    assert verify["M01"]["period"]["until"] == "2027-06-10"
    assert any("公共安全" in c for c in verify["M01"]["conditions"])
    assert any("同一行政许可" in c for c in verify["M01"]["conditions"])
    _, verify = fold(
        sanctions, records=[record(**LICENCE_FRAUD_79)], scenario="licensing", day=d("2026-06-15")
    )
    assert verify["M01"]["period"]["until"] == "2029-06-10"
    _, later = fold(
        sanctions, records=[record(**LICENCE_FRAUD_78)], scenario="licensing", day=d("2027-06-10")
    )
    assert "M01" not in later


def test_a_decided_term_is_read_from_the_record(national: Any) -> None:
    sanctions = national[1]
    with_term = record(sector="finance", CF_YXQ="2028-04-14", **PROCUREMENT_BAN)
    measures, verify = fold(
        sanctions, records=[with_term], scenario="government_procurement", day=d("2028-04-14")
    )
    assert measures["M03"]["period"] == {
        "from": "2026-06-10",
        "until": "2028-04-15",
        "rule": "按决定书所定期限",
    }
    measures, verify = fold(
        sanctions, records=[with_term], scenario="government_procurement", day=d("2028-04-15")
    )
    assert "M03" not in measures
    assert "M03" not in verify
    # Without the term: certain for the shortest term the law allows, then to verify.
    bare = record(sector="finance", **PROCUREMENT_BAN)
    measures, _ = fold(
        sanctions, records=[bare], scenario="government_procurement", day=d("2027-06-09")
    )
    assert measures["M03"]["period"]["until"] == "2027-06-10"
    measures, verify = fold(
        sanctions, records=[bare], scenario="government_procurement", day=d("2027-06-10")
    )
    assert "M03" not in measures
    assert verify["M03"]["period"]["until"] == "2029-06-10"
    assert any("核对决定书" in c for c in verify["M03"]["conditions"])


def test_large_fines_before_the_threshold_rule_are_verified_against_their_own_standard(
    national: Any,
) -> None:
    sanctions = national[1]
    old = record(CF_CFLB="03", CF_NR_FK="300", decided="2021-12-01")
    _, verify = fold(
        sanctions, records=[old], scenario="government_procurement", day=d("2024-06-01")
    )
    assert any("作出决定时适用" in c for c in verify["M04"]["conditions"])


# -- 告知承诺 / 容缺受理 ------------------------------------------------------------------------


def bars(
    sanctions: SanctionsCatalogue,
    *,
    records: list[EntryRow] = (),  # type: ignore[assignment]
    memberships: list[dict[str, Any]] = (),  # type: ignore[assignment]
    day: str = "2026-06-15",
) -> list[dict[str, Any]]:
    current = rules.current_records(records, sanctions)
    return rules.commitment_bars(
        sanctions,
        memberships,
        current,
        [],
        d(day),
        sanctions.list_type,
        lambda x: [],
        lambda m: {"list": m["list_type"]},
        lambda r: {"entry": r.entry.id},
    )


def test_every_serious_list_and_ban_bars_commitments_and_no_other_list_does(national: Any) -> None:
    """国办发〔2020〕42号: 较严重的不良信用记录 — a serious-dishonesty list (失信被执行人 included)
    or a ban; a watch list, 经营异常名录 or a red list does not."""
    sanctions: SanctionsCatalogue = national[1]
    for lt in sanctions.list_types():
        got = bars(sanctions, memberships=[member(lt.code, lt.kind)])
        if lt.kind in ("black", "ban"):
            assert [b["code"] for b in got] == ["SERIOUS_LIST"], lt.code
        else:
            assert got == [], lt.code
    # An exited membership bars nothing.
    exited = {**member("COURT_DEFAULTER", "black"), "exited_on": "2026-06-10"}
    assert bars(sanctions, memberships=[exited]) == []


def test_a_serious_record_bars_while_published_and_a_persons_for_three_years(national: Any) -> None:
    sanctions: SanctionsCatalogue = national[1]
    serious = record(severity="严重", CF_CFLB="10", public_until="2027-06-10")
    assert [b["code"] for b in bars(sanctions, records=[serious])] == ["SERIOUS_RECORD"]
    assert bars(sanctions, records=[serious], day="2027-06-10") == []
    assert bars(sanctions, records=[record(severity="一般", CF_CFLB="03")]) == []
    person = dataclasses.replace(
        record(kind="person", severity="严重", CF_CFLB="13"), public=False, public_until=None
    )
    assert [b["code"] for b in bars(sanctions, records=[person], day="2029-06-09")] == [
        "SERIOUS_RECORD"
    ]
    assert bars(sanctions, records=[person], day="2029-06-10") == []


def test_a_false_or_broken_commitment_bars_for_three_years_from_its_finding(national: Any) -> None:
    sanctions: SanctionsCatalogue = national[1]
    false = record("XYCN", severity=None, decided="2025-01-10", CN_LYZT="4", CN_RDRQ="2026-03-01")
    got = bars(sanctions, records=[false])
    assert [b["code"] for b in got] == ["FALSE_COMMITMENT"]
    assert got[0]["period"] == {
        "from": "2026-03-01",
        "until": "2029-03-01",
        "rule": "自认定之日起36个月",
    }
    assert bars(sanctions, records=[false], day="2029-03-01") == []
    kept = record("XYCN", severity=None, CN_LYZT="2")
    assert bars(sanctions, records=[kept]) == []
