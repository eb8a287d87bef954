"""List types and measures as catalogue data: the shipped data, the index, and bad files."""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml

from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.files import SCHEMA
from xinyong.catalog.loader import load_catalogue
from xinyong.catalog.model import (
    TARGET_RELATION_ROLES,
    Evidence,
    RelationRole,
    Severity,
    TargetRole,
)
from xinyong.catalog.sanctions import SanctionsCatalogue, load_sanctions
from xinyong.kernel.errors import ConfigurationError, NotFound

Doc = dict[str, Any]

LIST_TYPES = {
    "SAMR_SERIOUS", "DRUG_SERIOUS", "COURT_DEFAULTER", "TAX_SERIOUS", "WAGE_ARREARS",
    "JYYC_ABNORMAL", "WATCH", "RED_TAX_A", "RED_GENERAL", "BAN_FOOD", "BAN_FOOD_LIFE",
    "BAN_SECURITIES", "BAN_DRUG", "BAN_SAFETY", "MILITARY_EVASION",
}  # fmt: skip
SCENARIOS = {
    "government_procurement", "bidding", "fiscal_funds", "tax_preferences", "licensing",
    "qualification", "honours", "financing", "public_resource_trading", "public_sector_hiring",
    "market_access", "consumption", "travel", "exit", "company_office",
}  # fmt: skip


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def sc(cat: Catalogue) -> SanctionsCatalogue:
    return load_sanctions(catalogue=cat)


# -- the shipped data ---------------------------------------------------------------------


def test_shipped_data_loads(sc: SanctionsCatalogue, cat: Catalogue) -> None:
    assert {lt.code for lt in sc.list_types()} >= LIST_TYPES
    assert set(sc.scenarios) >= SCENARIOS
    assert sc.scenarios["government_procurement"].name == "政府采购"
    codes = {m.code for m in sc.measures()}
    assert codes >= {f"M{n:02d}" for n in range(1, 27)}
    assert codes >= {"I01", "I02", "I03", "I04", "I05", "I06", "W01"}
    assert len(sc.snapshot.version) == 12
    assert "national/scenarios.yaml" in sc.snapshot.files
    assert "national/lists/samr_serious.yaml" in sc.snapshot.files
    assert all(f.startswith("national/") for f in sc.snapshot.files)
    assert load_sanctions(catalogue=cat).snapshot == sc.snapshot  # deterministic
    assert load_sanctions().snapshot == sc.snapshot  # loads its own item catalogue
    assert not any(m.local for m in sc.measures())
    assert sc.measure("M12").source_file == "national/measures/national_list.yaml"


def test_everything_has_a_legal_basis(sc: SanctionsCatalogue) -> None:
    for code in (m.code for m in sc.measures()):
        for m in sc.measure_versions(code):
            assert m.legal_basis, m.code
            assert all(b.title.strip() for b in m.legal_basis), m.code
            assert m.scenarios, m.code
            assert m.triggers, m.code
            assert m.targets, m.code
    for lt in sc.list_types():
        for v in sc.list_type_versions(lt.code):
            assert v.legal_basis, v.code
            assert v.entry_criteria, v.code


def test_samr_serious_list(sc: SanctionsCatalogue) -> None:
    lt = sc.list_type("SAMR_SERIOUS", on=d("2024-01-01"))
    assert (lt.kind, lt.sector, lt.version) == ("black", "market_regulation", "2021.1")
    assert lt.period_months == 36
    assert lt.automatic_exit
    assert not lt.permanent
    assert lt.early_exit is not None
    assert lt.early_exit.min_months == 12
    assert lt.early_exit.decision_deadline_working_days == 15
    assert lt.early_exit.stop_publication_working_days == 3
    assert lt.publication_deadline_working_days == 20
    assert lt.revocation_deadline_working_days == 3
    assert lt.notice_required
    assert (lt.linked_item, lt.linked_item_match) == ("YZSX", {"YZ_MDLX": ("01",)})
    assert any("令第44号" in b.doc_no for b in lt.legal_basis)
    # 令107 shortens the early-exit decision from 2025-12-25
    now = sc.list_type("SAMR_SERIOUS", on=d("2026-06-01"))
    assert now.version == "2025.1"
    assert now.early_exit is not None
    assert now.early_exit.decision_deadline_working_days == 7
    assert now.early_exit.min_months == 12
    assert now.period_months == 36
    assert sc.list_type("SAMR_SERIOUS") == now
    with pytest.raises(NotFound):
        sc.list_type("SAMR_SERIOUS", on=d("2020-01-01"))


def test_court_defaulter_list(sc: SanctionsCatalogue) -> None:
    lt = sc.list_type("COURT_DEFAULTER")
    assert lt.minors_excluded
    assert lt.sector == "court"
    assert lt.linked_item == "SXBZXR"
    assert lt.period_months == 24
    assert lt.automatic_exit
    assert lt.extension is not None
    assert (lt.extension.min_months, lt.extension.max_months) == (12, 36)
    assert lt.exit_processing_working_days == 3
    assert lt.revocation_deadline_working_days == 3
    assert "第一项" in lt.period_note  # ground 1 has no fixed term
    # no other list excludes minors by itself
    assert [x.code for x in sc.list_types() if x.minors_excluded] == ["COURT_DEFAULTER"]


def test_other_shipped_lists(sc: SanctionsCatalogue) -> None:
    tax = sc.list_type("TAX_SERIOUS")
    assert tax.period_months == 36
    assert tax.statement_window_working_days == 5
    assert tax.early_exit is not None
    assert tax.early_exit.min_months == 6
    jyyc = sc.list_type("JYYC_ABNORMAL", on=d("2025-06-01"))
    assert jyyc.kind == "watch"
    assert jyyc.period_months is None
    assert not jyyc.automatic_exit
    assert jyyc.objection_window_days == 30
    assert jyyc.early_exit is not None
    assert jyyc.early_exit.decision_deadline_working_days == 5
    later = sc.list_type("JYYC_ABNORMAL", on=d("2026-01-05")).early_exit
    assert later is not None
    assert later.decision_deadline_working_days == 2
    food = sc.list_type("BAN_FOOD")
    assert (food.kind, food.period_months, food.automatic_exit) == ("ban", 60, True)
    life = sc.list_type("BAN_FOOD_LIFE")
    assert life.permanent
    assert life.period_months is None
    assert not life.automatic_exit
    sec = sc.list_type("BAN_SECURITIES")
    assert sec.kind == "ban"
    assert sec.period_by_decision
    assert "二百二十一" in sec.legal_basis[0].articles
    assert {x.kind for x in sc.list_types()} == {"red", "black", "watch", "ban"}
    assert sc.list_type("WATCH").evidence is Evidence.UNCONFIRMED
    assert sc.list_type("RED_TAX_A").kind == "red"


def test_measures_for_samr_in_procurement(sc: SanctionsCatalogue) -> None:
    found = sc.measures_for("SAMR_SERIOUS", "government_procurement", on=d("2026-06-01"))
    codes = [m.code for m in found]
    assert "M12" in codes  # 令44 第十五条
    assert "M11" in codes  # 企业信息公示暂行条例 第十九条: procurement restriction
    assert codes == sorted(codes)
    m12 = sc.measure("M12")
    assert any("令第44号" in b.doc_no and "第十五条" in b.articles for b in m12.legal_basis)
    assert m12.blocks_commitment
    assert m12.automatic
    assert m12.duration.type == "while_listed"
    for m in found:
        assert m.legal_basis
        assert "government_procurement" in m.scenarios
        assert m.implementing_department
        assert m.duration.type
    # every scenario: also the ones for other scenarios (M10 担任其他企业法定代表人)
    every = [m.code for m in sc.measures_for("SAMR_SERIOUS", on=d("2026-06-01"))]
    assert {"M10", "M11", "M12", "M15"} <= set(every)
    # only measures in force on the day
    before = [m.code for m in sc.measures_for("SAMR_SERIOUS", "company_office", on=d("2023-01-01"))]
    assert "M10" not in before


def test_measures_for_court_and_roles(sc: SanctionsCatalogue) -> None:
    found = {m.code for m in sc.measures_for("COURT_DEFAULTER", "consumption", on=d("2026-06-01"))}
    assert found == {"M05"}
    m05 = sc.measure("M05")
    assert m05.automatic
    assert set(m05.relation_roles()) == {"legal_representative", "principal", "actual_controller"}
    assert sc.measure("M09").follows_person
    assert sc.measure("M10").follows_person
    assert sc.measure("M18").follows_person
    # the target vocabulary covers the relation roles subjects' persons are recorded under
    assert set(get_args(RelationRole)) <= set(get_args(TargetRole))
    assert set(TARGET_RELATION_ROLES) == set(get_args(TargetRole))
    assert all(v is None or v in get_args(RelationRole) for v in TARGET_RELATION_ROLES.values())


def test_record_triggers_match_their_conditions(sc: SanctionsCatalogue) -> None:
    def hits(values: dict[str, str], scenario: str, **kw: object) -> set[str]:
        args = {
            "severity": Severity.SERIOUS,
            "sector": "market_regulation",
            "subject_kind": "organisation",
            "decided": d("2026-06-01"),
            **kw,
        }
        ids = sc.match_record("XZCF", values, **args)  # type: ignore[arg-type]
        return {h.measure.code for h in sc.record_hits(ids, scenario, d("2026-06-15"))}

    # A serious class alone brings nothing: the bases name kinds and provisions.
    assert (
        hits({"CF_CFLB": "03", "CF_YJ": "《广告法》第五十八条"}, "government_procurement") == set()
    )
    assert hits({"CF_CFLB": "10"}, "government_procurement") == {"M04"}
    procurement_ban = {
        "CF_CFLB": "03",
        "CF_YJ": "《政府采购法》第七十七条",
        "CF_NR": "二年内禁止参加政府采购活动",
    }
    assert hits(procurement_ban, "government_procurement") == {"M03"}
    # decided_from: the 200万元 threshold of 财库〔2022〕3号 applies to decisions from 2022-02-08.
    fine = {"CF_CFLB": "03", "CF_NR_FK": "300"}
    new = {
        h.trigger.ground
        for h in sc.record_hits(
            sc.match_record(
                "XZCF",
                fine,
                severity=Severity.GENERAL,
                sector="x",
                subject_kind="organisation",
                decided=d("2022-02-08"),
            ),
            "government_procurement",
            d("2023-01-01"),
        )
    }
    old = {
        h.trigger.ground
        for h in sc.record_hits(
            sc.match_record(
                "XZCF",
                fine,
                severity=Severity.GENERAL,
                sector="x",
                subject_kind="organisation",
                decided=d("2022-02-07"),
            ),
            "government_procurement",
            d("2023-01-01"),
        )
    }
    assert new == {"较大数额罚款（200万元以上）"}
    assert old == {"较大数额罚款（2022年2月8日以前的决定）"}
    assert (
        sc.match_record(
            "DJZC", {}, severity=None, sector=None, subject_kind="organisation", decided=None
        )
        == ()
    )
    assert "CF_YXQ" in sc.term_fields("XZCF")
    assert {"CF_CFLB", "CF_YJ", "CF_NR", "CF_NR_FK", "CF_NR_ZKDX", "CF_YXQ"} <= sc.record_fields(
        "XZCF"
    )


def test_incentives_and_commitment(sc: SanctionsCatalogue) -> None:
    red = {m.code for m in sc.measures_for("RED_TAX_A", on=d("2026-06-01"))}
    assert red >= {"I01", "I02", "I03", "I04", "I05", "I06"}
    assert all(sc.measure(c).kind == "incentive" for c in red)
    i01 = sc.measure("I01")
    assert any(
        b.doc_no == "国办发〔2019〕35号" and b.evidence is Evidence.PRIMARY for b in i01.legal_basis
    )
    assert not i01.in_national_list.listed
    blocking = {m.code for m in sc.measures() if m.blocks_commitment}
    assert blocking == {"M12"}
    for m in sc.measures():
        for code in m.list_types:
            assert (sc.list_type(code).kind == "red") == (m.kind == "incentive"), m.code


def test_unknown_codes_are_not_found(sc: SanctionsCatalogue) -> None:
    with pytest.raises(NotFound) as info:
        sc.measures_for("NOPE", "government_procurement", on=d("2026-06-01"))
    assert "NOPE" in info.value.message_zh
    with pytest.raises(NotFound):
        sc.measures_for("SAMR_SERIOUS", "nope", on=d("2026-06-01"))
    with pytest.raises(NotFound):
        sc.measure("M99")
    with pytest.raises(NotFound):
        sc.list_type("NOPE")
    with pytest.raises(AttributeError):
        sc._items = frozenset()


def test_m25_rests_on_the_military_service_law_read_in_full(sc: SanctionsCatalogue) -> None:
    for code in ("M25", "M25B"):
        m = sc.measure(code)
        assert m.legal_basis[0].evidence is Evidence.PRIMARY
        assert "第五十七条第二款" in m.legal_basis[0].articles
    assert sc.measure("M25B").duration.months == 24  # 两年内不准出境或者升学复学


# -- local directories and bad files -------------------------------------------------------

COND = {"field": "CF_CFLB", "any_of": ["10"]}
MEASURE: Doc = {
    "code": "DF01",
    "name": "地方措施",
    "content": "示例：在本省公共资源交易中限制。",
    "kind": "punishment",
    "measure_class": 1,
    "targets": ["subject", "legal_representative"],
    "triggers": [{"list_type": "SAMR_SERIOUS"}],
    "scenarios": ["public_resource_trading"],
    "implementing_department": "省公共资源交易管理部门",
    "legal_basis": [{"title": "某省社会信用条例", "articles": "第三十条", "evidence": "U"}],
    "in_national_list": {"listed": False, "evidence": "U"},
    "duration": {"type": "while_listed"},
    "automatic": False,
    "version": "2026.1",
    "effective_from": dt.date(2026, 1, 1),
}
LIST_TYPE: Doc = {
    "schema": SCHEMA,
    "kind": "list_type",
    "code": "DF_RED",
    "versions": [
        {
            "name": "某省诚信示范企业",
            "kind": "red",
            "sector": "development_reform",
            "version": "2026.1",
            "effective_from": dt.date(2026, 1, 1),
            "legal_basis": [{"title": "某省社会信用条例", "evidence": "U"}],
            "evidence": "U",
            "entry_criteria": ["连续三年无失信记录"],
            "deciding_authority": "省发展改革委",
            "subject_types": ["法人及非法人组织"],
            "notice_required": False,
            "period_months": 24,
            "automatic_exit": True,
            "early_exit": {"min_months": 0, "conditions": ["主动申请退出"]},
        }
    ],
}


def measures_doc(*rows: Doc) -> Doc:
    return {"schema": SCHEMA, "kind": "measures", "measures": list(rows)}


def write(root: Path, folder: str, doc: Doc, name: str = "bad.yaml") -> Path:
    path = root / folder / name if folder else root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def refused(root: Path, cat: Catalogue, *keys: str) -> ConfigurationError:
    with pytest.raises(ConfigurationError) as info:
        load_sanctions([root], catalogue=cat)
    exc = info.value
    for text in (exc.message_en, exc.message_zh):
        assert "bad.yaml" in text, text
        for key in keys:
            assert key in text, (key, text)
    return exc


def changed(base: Doc, change: Callable[[Doc], None]) -> Doc:
    doc = copy.deepcopy(base)
    change(doc)
    return doc


def test_local_dir_adds_measures_and_list_types(tmp_path: Path, cat: Catalogue) -> None:
    incentive = {
        **MEASURE,
        "code": "DF02",
        "kind": "incentive",
        "triggers": [{"list_type": "DF_RED"}],
        "scenarios": ["provincial_talent"],
    }
    del incentive["measure_class"]
    write(tmp_path, "measures", measures_doc(MEASURE, incentive), "local.yaml")
    write(tmp_path, "lists", LIST_TYPE, "df_red.yaml")
    scen = {
        "schema": SCHEMA,
        "kind": "scenarios",
        "scenarios": [{"code": "provincial_talent", "name": "人才引进"}],
    }
    write(tmp_path, "", scen, "scenarios.yaml")
    sc = load_sanctions([tmp_path], catalogue=cat)
    m = sc.measure("DF01")
    assert m.local
    assert m.source_file == "local/measures/local.yaml"
    day = d("2026-06-01")
    assert "DF01" in [
        x.code for x in sc.measures_for("SAMR_SERIOUS", "public_resource_trading", on=day)
    ]
    assert not sc.measure("M12").local
    assert sc.list_type("DF_RED").local
    assert sc.scenarios["provincial_talent"].local
    assert [x.code for x in sc.measures_for("DF_RED", "provincial_talent", on=day)] == ["DF02"]
    assert "local/lists/df_red.yaml" in sc.snapshot.files
    assert sc.snapshot != load_sanctions(catalogue=cat).snapshot


def test_measure_without_legal_basis_is_refused(tmp_path: Path, cat: Catalogue) -> None:
    write(
        tmp_path, "measures", measures_doc(MEASURE, {**MEASURE, "code": "DF03", "legal_basis": []})
    )
    exc = refused(tmp_path, cat, "measures[1].legal_basis")
    assert "DF03" in exc.message_en
    assert "法律依据" in exc.message_zh


def test_measure_missing_legal_basis_key_is_refused(tmp_path: Path, cat: Catalogue) -> None:
    doc = changed(MEASURE, lambda m: m.pop("legal_basis"))
    write(tmp_path, "measures", measures_doc(doc))
    refused(tmp_path, cat, "measures[0].legal_basis")


def test_basis_without_evidence_is_refused(tmp_path: Path, cat: Catalogue) -> None:
    doc = changed(MEASURE, lambda m: m["legal_basis"][0].pop("evidence"))
    write(tmp_path, "measures", measures_doc(doc))
    refused(tmp_path, cat, "measures[0].legal_basis[0].evidence")


MEASURE_CASES: list[tuple[str, Callable[[Doc], None], str]] = [
    (
        "unknown scenario",
        lambda m: m.update(scenarios=["moon_landing"]),
        "measures[0].scenarios[0]",
    ),
    ("no scenarios", lambda m: m.update(scenarios=[]), "measures[0].scenarios"),
    ("unknown target role", lambda m: m.update(targets=["cousin"]), "measures[0].targets[0]"),
    ("no targets", lambda m: m.update(targets=[]), "measures[0].targets"),
    (
        "unknown list type",
        lambda m: m.update(triggers=[{"list_type": "NOPE"}]),
        "measures[0].triggers[0].list_type",
    ),
    (
        "unknown item",
        lambda m: m.update(triggers=[{"item": "NOPE"}], duration={"type": "by_decision"}),
        "measures[0].triggers[0].item",
    ),
    (
        "unknown trigger sector",
        lambda m: m.update(
            triggers=[{"item": "XZCF", "sectors": ["mars"], "conditions": [COND]}],
            duration={"type": "by_decision"},
        ),
        "measures[0].triggers[0].sectors[0]",
    ),
    (
        "record trigger without conditions",
        lambda m: m.update(triggers=[{"item": "XZCF"}], duration={"type": "by_decision"}),
        "measures[0].triggers[0].conditions",
    ),
    (
        "condition on an unknown field",
        lambda m: m.update(
            triggers=[{"item": "XZCF", "conditions": [{"field": "CF_XX", "any_of": ["10"]}]}],
            duration={"type": "by_decision"},
        ),
        "measures[0].triggers[0].conditions[0].field",
    ),
    (
        "condition with an unknown penalty kind",
        lambda m: m.update(
            triggers=[{"item": "XZCF", "conditions": [{"field": "CF_CFLB", "any_of": ["吊"]}]}],
            duration={"type": "by_decision"},
        ),
        "measures[0].triggers[0].conditions[0].any_of[0]",
    ),
    (
        "citation on a code field",
        lambda m: m.update(
            triggers=[
                {
                    "item": "XZCF",
                    "conditions": [{"field": "CF_CFLB", "cites": [{"law": "行政许可法"}]}],
                }
            ],
            duration={"type": "by_decision"},
        ),
        "measures[0].triggers[0].conditions[0].cites",
    ),
    (
        "conditions on a list trigger",
        lambda m: m.update(triggers=[{"list_type": "SAMR_SERIOUS", "conditions": [COND]}]),
        "measures[0].triggers[0]",
    ),
    (
        "term field that is no date",
        lambda m: m.update(
            triggers=[{"item": "XZCF", "conditions": [COND]}],
            duration={"type": "by_decision", "term_field": "CF_NR"},
        ),
        "measures[0].duration.term_field",
    ),
    (
        "role condition for a role the measure does not target",
        lambda m: m.update(role_conditions={"principal": ["是否为主要负责人"]}),
        "measures[0].role_conditions.principal",
    ),
    (
        "scenario condition for a scenario the measure is not in",
        lambda m: m.update(scenario_conditions={"bidding": ["是否必须招标"]}),
        "measures[0].scenario_conditions.bidding",
    ),
    (
        "empty condition to verify",
        lambda m: m.update(triggers=[{"list_type": "SAMR_SERIOUS", "to_verify": [" "]}]),
        "measures[0].triggers[0].to_verify[0]",
    ),
    (
        "both list and item",
        lambda m: m.update(triggers=[{"list_type": "SAMR_SERIOUS", "item": "XZCF"}]),
        "measures[0].triggers[0]",
    ),
    (
        "while_listed on a record",
        lambda m: m.update(triggers=[{"item": "XZCF", "conditions": [COND]}]),
        "measures[0].duration.type",
    ),
    (
        "punishment on a red list",
        lambda m: m.update(triggers=[{"list_type": "RED_TAX_A"}]),
        "measures[0].triggers[0].list_type",
    ),
    (
        "incentive on a black list",
        lambda m: m.update(kind="incentive"),
        "measures[0].triggers[0].list_type",
    ),
    ("no class", lambda m: m.pop("measure_class"), "measures[0].measure_class"),
    (
        "fixed months without months",
        lambda m: m.update(duration={"type": "fixed_months"}),
        "measures[0].duration.months",
    ),
    (
        "negative months",
        lambda m: m.update(duration={"type": "by_decision", "max_months": -1}),
        "measures[0].duration.max_months",
    ),
    ("bad code", lambda m: m.update(code="m-1"), "measures[0].code"),
    ("unknown key", lambda m: m.update(colour="red"), "measures[0].colour"),
    ("loader key", lambda m: m.update(local=True), "measures[0].local"),
    (
        "until before from",
        lambda m: m.update(effective_until=dt.date(2025, 1, 1)),
        "measures[0].effective_until",
    ),
    (
        "national listing without evidence",
        lambda m: m.update(in_national_list={"listed": True}),
        "measures[0].in_national_list.evidence",
    ),
]


@pytest.mark.parametrize(
    ("change", "key"), [c[1:] for c in MEASURE_CASES], ids=[c[0] for c in MEASURE_CASES]
)
def test_bad_measure(
    tmp_path: Path, cat: Catalogue, change: Callable[[Doc], None], key: str
) -> None:
    write(tmp_path, "measures", measures_doc(changed(MEASURE, change)))
    refused(tmp_path, cat, key)


def test_local_cannot_redefine_a_national_measure(tmp_path: Path, cat: Catalogue) -> None:
    write(tmp_path, "measures", measures_doc({**MEASURE, "code": "M12"}))
    exc = refused(tmp_path, cat, "measures[0].effective_from", "national_list.yaml")
    assert "重叠" in exc.message_zh


def test_duplicate_code_in_one_file_is_refused(tmp_path: Path, cat: Catalogue) -> None:
    write(tmp_path, "measures", measures_doc(MEASURE, {**MEASURE, "name": "又一个"}))
    refused(tmp_path, cat, "measures[1].effective_from", "DF01")


def test_later_version_of_a_measure_is_accepted(tmp_path: Path, cat: Catalogue) -> None:
    first = {**MEASURE, "effective_until": dt.date(2026, 12, 31)}
    second = {**MEASURE, "version": "2027.1", "effective_from": dt.date(2027, 1, 1)}
    write(tmp_path, "measures", measures_doc(first, second), "ok.yaml")
    sc = load_sanctions([tmp_path], catalogue=cat)
    assert [m.version for m in sc.measure_versions("DF01")] == ["2026.1", "2027.1"]
    assert sc.measure("DF01", on=d("2026-06-01")).version == "2026.1"
    assert sc.measure("DF01").version == "2027.1"


def lt0(doc: Doc) -> Doc:
    version: Doc = doc["versions"][0]
    return version


LIST_CASES: list[tuple[str, Callable[[Doc], None], str]] = [
    ("no basis", lambda x: lt0(x).update(legal_basis=[]), "versions[0].legal_basis"),
    ("unknown sector", lambda x: lt0(x).update(sector="mars"), "versions[0].sector"),
    ("unknown kind", lambda x: lt0(x).update(kind="grey"), "versions[0].kind"),
    ("no criteria", lambda x: lt0(x).update(entry_criteria=[]), "versions[0].entry_criteria"),
    (
        "early exit after the period",
        lambda x: lt0(x)["early_exit"].update(min_months=30),
        "versions[0].early_exit.min_months",
    ),
    (
        "negative window",
        lambda x: lt0(x).update(notice_required=True, statement_window_working_days=-1),
        "versions[0].statement_window_working_days",
    ),
    (
        "negative early-exit deadline",
        lambda x: lt0(x)["early_exit"].update(decision_deadline_working_days=-2),
        "versions[0].early_exit.decision_deadline_working_days",
    ),
    (
        "statement window without notice",
        lambda x: lt0(x).update(statement_window_working_days=5),
        "versions[0].statement_window_working_days",
    ),
    (
        "permanent with a period",
        lambda x: lt0(x).update(permanent=True),
        "versions[0].period_months",
    ),
    (
        "automatic exit without a period",
        lambda x: lt0(x).update(period_months=None, early_exit=None),
        "versions[0].automatic_exit",
    ),
    ("zero period", lambda x: lt0(x).update(period_months=0), "versions[0].period_months"),
    ("unknown linked item", lambda x: lt0(x).update(linked_item="NOPE"), "versions[0].linked_item"),
    (
        "linked value not in the code table",
        lambda x: lt0(x).update(linked_item="YZSX", linked_item_match={"YZ_MDLX": ["77"]}),
        "versions[0].linked_item_match.YZ_MDLX[0]",
    ),
    ("bad code", lambda x: x.update(code="df red"), "code"),
    (
        "overlapping versions",
        lambda x: x["versions"].append({**lt0(x), "version": "2026.2"}),
        "versions[1].effective_from",
    ),
]


@pytest.mark.parametrize(
    ("change", "key"), [c[1:] for c in LIST_CASES], ids=[c[0] for c in LIST_CASES]
)
def test_bad_list_type(
    tmp_path: Path, cat: Catalogue, change: Callable[[Doc], None], key: str
) -> None:
    write(tmp_path, "lists", changed(LIST_TYPE, change))
    refused(tmp_path, cat, key)


def test_duplicate_scenario_is_refused(tmp_path: Path, cat: Catalogue) -> None:
    doc = {
        "schema": SCHEMA,
        "kind": "scenarios",
        "scenarios": [{"code": "bidding", "name": "招标投标"}],
    }
    path = write(tmp_path, "", doc, "scenarios.yaml")
    with pytest.raises(ConfigurationError) as info:
        load_sanctions([tmp_path], catalogue=cat)
    assert str(path) in info.value.message_en
    assert "scenarios[0].code" in info.value.message_zh


def test_wrong_kind_is_refused(tmp_path: Path, cat: Catalogue) -> None:
    write(tmp_path, "measures", {**LIST_TYPE})
    refused(tmp_path, cat, "kind")


def test_missing_local_dir(tmp_path: Path, cat: Catalogue) -> None:
    with pytest.raises(ConfigurationError):
        load_sanctions([tmp_path / "absent"], catalogue=cat)


def test_docs_examples_load(tmp_path: Path, cat: Catalogue) -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "catalogue.md"
    text = docs.read_text(encoding="utf-8")
    section = text[text.index("## 6. 名单类型") :]
    # Whole files start with the schema line; the other blocks are fragments of one.
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", section, re.S) if b.startswith("schema:")]
    assert len(blocks) == 2
    (tmp_path / "lists").mkdir()
    (tmp_path / "measures").mkdir()
    (tmp_path / "lists" / "df_red.yaml").write_text(blocks[0], encoding="utf-8")
    (tmp_path / "measures" / "df.yaml").write_text(blocks[1], encoding="utf-8")
    sc = load_sanctions([tmp_path], catalogue=cat)
    assert sc.list_type("DF_RED").local
    found = sc.measures_for("SAMR_SERIOUS", "public_resource_trading", on=d("2026-06-01"))
    assert "DF01" in [m.code for m in found]
