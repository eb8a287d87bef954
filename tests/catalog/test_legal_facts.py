"""The catalogue's legal facts as the legal audit (2026-12) and the law-text review corrected
them, and the rule that what a user reads of a legal basis is Chinese, without working notes
or evidence tags (the ``evidence`` field carries how well a fact is established)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from xinyong.catalog.loader import Catalogue
from xinyong.catalog.model import Evidence, LegalBasis
from xinyong.catalog.sanctions import ListType, SanctionsCatalogue
from xinyong.kernel.calendar import WorkCalendar

National = tuple[Catalogue, SanctionsCatalogue, WorkCalendar]
d = dt.date.fromisoformat


@pytest.fixture
def cat(national: National) -> Catalogue:
    return national[0]


@pytest.fixture
def sc(national: National) -> SanctionsCatalogue:
    return national[1]


# -- what users read ----------------------------------------------------------------------

# Allowed in Chinese text: standard numbers (GB/T 45255-2025), URLs; single letters (A级).
_ALLOWED = re.compile(r"https?://\S+|\bGB(?:/T)?\b")
_WORD = re.compile(r"[A-Za-z]{2,}")
# An evidence tag in brackets, as the design notes write them: [U], [S：…], [seed], [calc].
_TAG = re.compile(r"\[\s*(?:P|S|C|U|seed|calc)\b[^\]]*\]")


def text_problems(text: str) -> list[str]:
    """What makes ``text`` unfit to show: English words, evidence tags."""
    found = [f"evidence tag {t!r}" for t in _TAG.findall(text)]
    found += [f"English {w!r}" for w in _WORD.findall(_ALLOWED.sub("", text))]
    return found


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("准予行政许可的决定应当予以公开 (article from memory)", True),
        ("期限3年为推定默认值 [U]", True),
        ("按条款写明 [S：条款与期限的对应关系未逐条核对]", True),
        ("CF_* codes as used across provincial systems", True),
        ("公共信用综合评价规范（GB/T 45255-2025）", False),
        ("国办发〔2018〕118号：行政许可、行政处罚7个工作日内公开", False),
        ("见 https://www.gov.cn/zhengce/content/2019-09/12/content_5429462.htm", False),
        ("纳税信用A级纳税人（待核实）", False),
    ],
)
def test_the_text_rule_itself(text: str, bad: bool) -> None:
    assert bool(text_problems(text)) is bad


def _bases(obj: object, where: str) -> Iterator[tuple[str, LegalBasis]]:
    """Every legal basis inside a catalogue object (severity rules, periods, early exits,
    extensions, bars …), with where it sits."""
    if isinstance(obj, LegalBasis):
        yield where, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _bases(getattr(obj, name), f"{where}.{name}")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _bases(v, f"{where}[{k}]")
    elif isinstance(obj, tuple | list):
        for i, v in enumerate(obj):
            yield from _bases(v, f"{where}[{i}]")


def _catalogue_objects(cat: Catalogue, sc: SanctionsCatalogue) -> Iterator[tuple[str, object]]:
    for item in cat.items():
        for v in cat.item_versions(item.code):
            yield f"item {v.code} {v.version}", v
    for table in cat.code_tables():
        yield f"code table {table.code}", table
    for p in cat.policies():
        yield f"policy {p.code}", p
    for latest in sc.list_types():
        for lt in sc.list_type_versions(latest.code):
            yield f"list type {lt.code} {lt.version}", lt
    for m in sc.measures():
        for mv in sc.measure_versions(m.code):
            yield f"measure {mv.code} {mv.version}", mv
    i = 0
    while True:
        try:
            bar = sc.commitment_bar(i)
        except IndexError:
            break
        yield f"commitment bar {bar.code} {bar.version}", bar
        i += 1


def test_every_legal_basis_reads_in_chinese_without_tags(
    cat: Catalogue, sc: SanctionsCatalogue
) -> None:
    seen: dict[str, int] = {}
    bad: list[str] = []
    for name, obj in _catalogue_objects(cat, sc):
        kind = name.split(" ")[0]
        for where, b in _bases(obj, name):
            seen[kind] = seen.get(kind, 0) + 1
            for field in ("title", "note"):
                bad += [f"{where}.{field}: {p}" for p in text_problems(getattr(b, field))]
    # The walk reached every kind of catalogue object, bars and severity rules included.
    assert set(seen) == {"item", "code", "policy", "list", "measure", "commitment"}
    assert sum(seen.values()) > 250
    assert not bad, "\n".join(bad)


def test_the_walk_reaches_nested_bases(cat: Catalogue, sc: SanctionsCatalogue) -> None:
    xzcf = [w for w, _ in _bases(cat.item("XZCF"), "XZCF")]
    assert any(".severity_rules[" in w for w in xzcf)
    assert any(".publication_deadline_basis[" in w for w in xzcf)
    p107 = [w for w, _ in _bases(cat.policy("SAMR-2025-107"), "p")]
    assert any(".severity_rules[XZCF]" in w for w in p107)
    assert any(".natural_persons_basis[" in w for w in p107)
    court = [w for w, _ in _bases(sc.list_type("COURT_DEFAULTER"), "c")]
    assert any(".extension.legal_basis[" in w for w in court)
    assert any(".early_exit.legal_basis[" in w for w in court)


def _shown_texts(lt: ListType) -> Iterator[tuple[str, str]]:
    yield "name", lt.name
    yield "deciding_authority", lt.deciding_authority
    yield "procedure_note", lt.procedure_note
    yield "period_note", lt.period_note
    yield "note", lt.note
    for i, text in enumerate(lt.entry_criteria):
        yield f"entry_criteria[{i}]", text
    if lt.early_exit is not None:
        yield "early_exit.note", lt.early_exit.note
        for i, text in enumerate((*lt.early_exit.conditions, *lt.early_exit.excluded_when)):
            yield f"early_exit.conditions[{i}]", text


def test_list_type_texts_shown_to_users_carry_no_tags_or_english(
    sc: SanctionsCatalogue,
) -> None:
    bad = [
        f"{lt.code} {lt.version} {where}: {p}"
        for latest in sc.list_types()
        for lt in sc.list_type_versions(latest.code)
        for where, text in _shown_texts(lt)
        for p in text_problems(text)
    ]
    assert not bad, "\n".join(bad)


def test_measure_and_bar_texts_shown_to_users_carry_no_tags_or_english(
    sc: SanctionsCatalogue,
) -> None:
    bad: list[str] = []
    for m in sc.measures():
        texts = [m.name, m.content, m.note, m.implementing_department]
        for t in m.triggers:
            texts += [t.ground, *t.to_verify]
        for conds in (*m.role_conditions.values(), *m.scenario_conditions.values()):
            texts += list(conds)
        bad += [f"{m.code}: {p}" for text in texts for p in text_problems(text)]
    for bar in sc.commitment_bars(d("2026-12-01")):
        bad += [f"{bar.code}: {p}" for text in (bar.reason, bar.note) for p in text_problems(text)]
    for scenario in sc.scenarios.values():
        texts = (scenario.name, scenario.description)
        bad += [f"{scenario.code}: {p}" for text in texts for p in text_problems(text)]
    assert not bad, "\n".join(bad)


def test_evidence_labels_say_to_be_verified_where_unconfirmed() -> None:
    assert Evidence.PRIMARY.label == "已读原文"
    assert Evidence.SECONDARY.label == "二手来源"
    assert Evidence.UNCONFIRMED.label == "待核实"
    assert Evidence.CODE.label.startswith("待核实")
    assert [e.confirmed for e in Evidence] == [True, True, False, False]


# -- W4: 令107 binds drug regulators ------------------------------------------------------


def test_drug_serious_list_follows_107_from_its_commencement(sc: SanctionsCatalogue) -> None:
    v2021, v2025 = sc.list_type_versions("DRUG_SERIOUS")
    assert (v2021.version, v2021.effective_until) == ("2021.1", d("2025-12-24"))
    assert (v2025.version, v2025.effective_from) == ("2025.1", d("2025-12-25"))
    assert sc.list_type("DRUG_SERIOUS", d("2025-12-24")).early_exit is not None
    old = sc.list_type("DRUG_SERIOUS", d("2025-12-24")).early_exit
    new = sc.list_type("DRUG_SERIOUS", d("2025-12-25")).early_exit
    samr = sc.list_type("SAMR_SERIOUS", d("2025-12-25")).early_exit
    assert old is not None
    assert new is not None
    assert samr is not None
    assert old.decision_deadline_working_days == 15
    deadlines = (
        "min_months",
        "acceptance_deadline_working_days",
        "decision_deadline_working_days",
        "decision_extension_working_days",
        "stop_publication_working_days",
    )
    assert [getattr(new, k) for k in deadlines] == [12, 2, 7, 10, 3]
    assert [getattr(new, k) for k in deadlines] == [getattr(samr, k) for k in deadlines]
    (basis,) = new.legal_basis
    assert basis.doc_no == "国家市场监督管理总局令第107号"
    assert "第三十条" in basis.articles
    assert basis.evidence is Evidence.PRIMARY
    assert any(
        b.doc_no == "国家市场监督管理总局令第107号" and b.articles == "第三十条"
        for b in v2025.legal_basis
    )


# -- W7: 兵役法 第五十七条第二款 ----------------------------------------------------------


def test_military_evasion_list_rests_on_57_2_and_states_its_period_is_a_default(
    sc: SanctionsCatalogue,
) -> None:
    (lt,) = sc.list_type_versions("MILITARY_EVASION")
    assert lt.name == "履行国防义务严重失信主体名单"
    articles = {b.articles: b.evidence for b in lt.legal_basis}
    assert articles["第五十七条第二款"] is Evidence.PRIMARY
    assert articles["第五十八条第二款"] is Evidence.PRIMARY
    assert lt.deciding_authority.startswith("县级人民政府")
    assert lt.subject_types == ("自然人",)
    # Only 57①(二) + 拒不改正, and 58②; registration refusals lead to fines, not the list.
    listing, soldiers, not_listed = lt.entry_criteria
    assert "征集服现役" in listing
    assert "拒不改正" in listing
    assert "第（二）项" in listing
    assert "第五十八条第二款" in soldiers
    assert "不列入" in not_listed
    assert "第（一）项" in not_listed
    # The law states no period for the list: a default, marked so.
    assert lt.evidence is Evidence.UNCONFIRMED
    assert lt.period_months == 24
    assert "未规定" in lt.period_note
    assert "待核实" in lt.period_note


# -- W8: 人力资源社会保障部令第45号 --------------------------------------------------------


def test_wage_arrears_list_has_a_version_boundary_at_the_ministry_rule(
    sc: SanctionsCatalogue,
) -> None:
    before, after = sc.list_type_versions("WAGE_ARREARS")
    assert (before.effective_from, before.effective_until) == (d("2020-05-01"), d("2021-12-31"))
    assert (after.effective_from, after.effective_until) == (d("2022-01-01"), None)
    assert before.evidence is Evidence.UNCONFIRMED
    assert before.early_exit is not None
    assert before.early_exit.min_months is None
    rule = next(b for b in after.legal_basis if b.doc_no)
    assert rule.doc_no == "人力资源社会保障部令第45号"
    assert rule.title == "拖欠农民工工资失信联合惩戒对象名单管理暂行办法"
    assert rule.evidence is Evidence.SECONDARY
    assert "2022年1月1日起施行" in rule.note
    assert after.evidence is Evidence.SECONDARY
    assert after.period_months == 36
    criteria = "；".join(after.entry_criteria)
    for words in ("拒不支付劳动报酬罪", "群体性事件", "责令限期支付", "逾期未支付"):
        assert words in criteria
    ex = after.early_exit
    assert ex is not None
    assert ex.min_months == 6
    assert any("自改正之日起满6个月" in c for c in ex.conditions)
    assert any("守信承诺" in c for c in ex.conditions)
    assert ex.legal_basis[0].doc_no == "人力资源社会保障部令第45号"
    # Record-fed from YZSX 03 in both versions.
    assert before.from_records
    assert after.from_records
    assert after.linked_item_match == {"YZ_MDLX": ("03",)}


# -- W9: 药品管理法 bans, the term per article ----------------------------------------------

BAN_DRUG_TERMS = {
    "第一百一十六条": "十年内不受理",
    "第一百一十八条": "终身禁止",
    "第一百二十二条": "十年内禁止",
    "第一百二十三条": "十年内不受理",
    "第一百二十四条": "十年直至终身",
    "第一百二十五条": "十年直至终身",
    "第一百二十六条": "十年直至终身",
    "第一百四十一条": "终身禁止",
    "第一百四十二条": "五年内禁止",
}


def test_drug_ban_cites_every_article_with_its_term(sc: SanctionsCatalogue) -> None:
    (lt,) = sc.list_type_versions("BAN_DRUG")
    (basis,) = lt.legal_basis
    assert basis.articles == (
        "第一百一十六条、第一百一十八条、第一百二十二条至第一百二十六条、"
        "第一百四十一条、第一百四十二条"
    )
    assert basis.evidence is Evidence.PRIMARY
    for article, term in BAN_DRUG_TERMS.items():
        (line,) = [c for c in lt.entry_criteria if c.startswith(article)]
        assert term in line, article
    assert "五年内不得开展" in next(c for c in lt.entry_criteria if "第一百二十六条" in c)
    assert lt.period_by_decision
    assert lt.period_months is None
    m20 = sc.measure("M20", d("2026-06-01"))
    assert m20.legal_basis[0].articles == basis.articles


# -- W10 / W11: publication deadlines -------------------------------------------------------

NATIONAL_7_WD = {
    "国办发〔2015〕51号": "（十八）",
    "国发〔2016〕33号": "（十七）",
    "发改办财金〔2018〕424号": "",
    "国办发〔2018〕118号": "",
}
OTHER_ITEMS = ("XZQZ", "XZQR", "XZZS", "XZGF", "XZCJ", "XZBC", "XZJL", "XZJC")


@pytest.mark.parametrize("code", ["XZCF", "XZXK"])
def test_licences_and_penalties_rest_on_the_national_seven_days(cat: Catalogue, code: str) -> None:
    item = cat.item(code)
    assert item.publication_deadline_working_days == 7
    by_doc = {b.doc_no: b for b in item.publication_deadline_basis}
    for doc, articles in NATIONAL_7_WD.items():
        assert by_doc[doc].evidence is Evidence.SECONDARY, doc
        assert by_doc[doc].articles == articles, doc
        assert "7个工作日" in by_doc[doc].note, doc
    assert "20个工作日" in by_doc["国办发〔2018〕118号"].note
    provincial = by_doc["晋政办发〔2020〕10号"]
    assert (provincial.articles, provincial.evidence) == ("第9项", Evidence.PRIMARY)
    assert not any(b.evidence is Evidence.UNCONFIRMED for b in item.publication_deadline_basis)


@pytest.mark.parametrize("code", OTHER_ITEMS)
def test_other_decisions_keep_seven_days_as_the_provincial_target(
    cat: Catalogue, code: str
) -> None:
    item = cat.item(code)
    assert item.publication_deadline_working_days == 7
    by_doc = {b.doc_no: b for b in item.publication_deadline_basis if b.doc_no}
    assert by_doc["晋政办发〔2020〕10号"].articles == "第9项"
    assert by_doc["陕发改财金函〔2020〕920号"].evidence is Evidence.PRIMARY
    policy_target = by_doc["国办发〔2019〕35号"]
    assert policy_target.articles == "（十五）"
    assert "政策目标" in policy_target.note
    assert "非约束性" in policy_target.note
    national = by_doc["国办发〔2018〕118号"]
    assert national.evidence is Evidence.SECONDARY
    assert "20个工作日" in national.note
    # The provincial target comes first: it is the value the item carries.
    assert item.publication_deadline_basis[0].doc_no == "晋政办发〔2020〕10号"


# -- W12: 527号 from 2019-07-01 ------------------------------------------------------------


def test_527_governs_decisions_from_its_commencement(cat: Catalogue) -> None:
    p = cat.policy("NDRC-2019-527")
    assert (p.decisions_from, p.decisions_until) == (d("2019-07-01"), d("2023-04-30"))
    xzcf = cat.item("XZCF")
    found = cat.policy_for(xzcf, d("2019-07-01"), None)
    assert found is not None
    assert found.code == "NDRC-2019-527"
    assert cat.policy_for(xzcf, d("2019-06-30"), None) is None
    assert cat.policy_for(xzcf, d("2019-06-30"), "market_regulation") is None
    # The rule it had and the platform does not model is named, not hidden.
    assert any("特定严重失信行为" in b.title for b in p.legal_basis)


# -- the tag corrections under legal audit §1.2 ---------------------------------------------


def test_tag_corrections(cat: Catalogue, sc: SanctionsCatalogue) -> None:
    court = sc.list_type("COURT_DEFAULTER")
    commencement = next(b for b in court.legal_basis if "施行日期" in b.title)
    assert (commencement.evidence, commencement.doc_no) == (Evidence.SECONDARY, "法释〔2017〕7号")
    assert "2017年5月1日" in commencement.note
    p45 = cat.policy("SAMR-2021-45")
    assert next(b for b in p45.legal_basis if b.articles == "第十九条").evidence is Evidence.PRIMARY
    ctype = {b.doc_no: b for b in cat.code_table("commitment_type").legal_basis}
    seed = ctype["陕发改财金函〔2020〕920号"]
    assert seed.evidence is Evidence.PRIMARY
    assert all(t in seed.note for t in ("审批替代型", "信用修复型", "行业自律型", "主动型"))
    assert not any(b.evidence is Evidence.UNCONFIRMED for b in ctype.values())
    lists = {b.doc_no: b for b in cat.code_table("serious_list_type").legal_basis}
    assert lists["应急管理部令第11号"].evidence is Evidence.SECONDARY
    assert "2023年10月1日" in lists["应急管理部令第11号"].note
    for code in ("XZCF", "XZXK", "DJZC"):
        (doc,) = [b for b in cat.item(code).legal_basis if b.doc_no == "发改财金规〔2024〕203号"]
        assert doc.evidence is Evidence.CODE, code


def test_the_tax_list_runs_from_publication_the_others_from_the_decision(
    sc: SanctionsCatalogue,
) -> None:
    assert sc.list_type("TAX_SERIOUS").period_start == "publication"
    assert "自公布之日起满3年" in sc.list_type("TAX_SERIOUS").period_note
    for code in ("SAMR_SERIOUS", "DRUG_SERIOUS", "COURT_DEFAULTER", "WAGE_ARREARS"):
        assert sc.list_type(code).period_start == "decision", code
