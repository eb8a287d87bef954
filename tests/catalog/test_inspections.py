"""The inspection item list and the graded supervision policies: the national facts as loaded,
a local file replacing a policy, and every bad file refused naming file, key and reason."""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from xinyong.catalog.files import NATIONAL_DIR
from xinyong.catalog.inspections import (
    InspectionItem,
    ItemCategory,
    SupervisionPolicy,
    load_inspection_catalogue,
    policy_json,
)
from xinyong.catalog.model import Evidence
from xinyong.inspections.rules import canonical_bytes
from xinyong.kernel.errors import ConfigurationError, InputError

Doc = dict[str, Any]


def _national(name: str) -> Doc:
    doc: Doc = yaml.safe_load((NATIONAL_DIR / "inspections" / name).read_text("utf-8"))
    return doc


def test_national_facts() -> None:
    cat = load_inspection_catalogue()
    gsxx = cat.item("GSXX_CC")
    assert gsxx.name == "企业公示信息抽查"
    assert gsxx.sector == "market_regulation"
    assert gsxx.category is ItemCategory.GENERAL
    assert gsxx.category.label == "一般检查事项"
    assert gsxx.floor_ratio == Decimal("0.03")  # 企业公示信息抽查办法 第四条
    assert any("第四条" in b.articles and b.evidence is Evidence.PRIMARY for b in gsxx.legal_basis)
    assert {i.category for i in cat.items} == {ItemCategory.GENERAL, ItemCategory.KEY}
    assert all(i.legal_basis for i in cat.items)

    p = cat.policy("SAMR_GRADED")
    assert p.ref == "SAMR_GRADED@2025.1"
    assert cat.policy("SAMR_GRADED@2025.1") == p
    ratios = {s.grade: s.ratio for s in p.strata}
    # A lower, B normal, C higher, D much higher (国市监信发〔2022〕6号); none below the floor.
    assert ratios["A"] < ratios["B"] < ratios["C"] < ratios["D"]
    assert min(ratios.values()) >= Decimal("0.03")
    # Subjects without a class are drawn at B's ratio, and the file says why.
    ungraded = next(s for s in p.strata if s.grade is None)
    assert ungraded.ratio == ratios["B"]
    assert "B类" in ungraded.note
    assert all(s.local for s in p.strata)  # local configuration, marked unconfirmed
    assert p.min_inspectors.count == 2
    assert any("第四十二条" in b.articles for b in p.min_inspectors.legal_basis)
    assert p.result_entry.working_days == 20
    assert p.yearly_cap.local
    assert p.yearly_cap.max_inspections >= 1
    assert p.recusal.recent_pairing_months == 12


def test_policy_json_is_canonical_and_complete() -> None:
    cat = load_inspection_catalogue()
    p = cat.policy("SAMR_GRADED")
    data = policy_json(p, cat.items_of(p))
    canonical_bytes(data)  # no floats: exact ratios as decimal strings
    assert data["floor_ratio"] == "0.03"
    assert [s["ratio"] for s in data["strata"]] == ["0.03", "0.10", "0.40", "0.80", "0.10"]
    assert data["min_inspectors"] == 2
    assert data["rounding"] == "ceil"
    assert data["items"][0]["qualifications"] == ["执法证件"]


def test_unknown_policy_and_item_named_in_chinese() -> None:
    cat = load_inspection_catalogue()
    with pytest.raises(InputError, match="NOPE") as exc:
        cat.policy("NOPE@1")
    assert "SAMR_GRADED@2025.1" in exc.value.message_zh
    with pytest.raises(InputError) as exc2:
        cat.item("NOPE")
    assert "抽查事项清单中没有" in exc2.value.message_zh


def _write(tmp_path: Path, name: str, doc: Doc) -> Path:
    folder = tmp_path / "inspections"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    return tmp_path


def test_local_policy_replaces_the_national_one(tmp_path: Path) -> None:
    doc = _national("supervision.yaml")
    doc["policies"][0]["strata"][3]["ratio"] = "0.90"
    cat = load_inspection_catalogue([_write(tmp_path, "supervision.yaml", doc)])
    p = cat.policy("SAMR_GRADED@2025.1")
    assert p.local
    assert next(s for s in p.strata if s.grade == "D").ratio == Decimal("0.90")
    assert len(cat.policies) == 2  # HJ_GRADED, national, is kept


def _policy(change: Callable[[Doc], None]) -> Doc:
    doc = copy.deepcopy(_national("supervision.yaml"))
    change(doc["policies"][0])
    return doc


def _drop(key: str) -> Callable[[Doc], None]:
    return lambda p: p.pop(key)


BAD_POLICIES: list[tuple[Callable[[Doc], None], str, str]] = [
    (lambda p: p.update(legal_basis=[]), "policies[0].legal_basis", "法律依据"),
    (_drop("legal_basis"), "policies[0].legal_basis", "缺少"),
    (lambda p: p["yearly_cap"].update(legal_basis=[]), "yearly_cap.legal_basis", "法律依据"),
    (lambda p: p["min_inspectors"].update(count=1), "min_inspectors.count", "第四十二条"),
    (lambda p: p.update(grade_model="NOPE"), "grade_model“NOPE”", "不是已有的评价模型"),
    (lambda p: p["strata"][3].update(grade="E"), "strata[3].grade“E”", "声明的等级字母"),
    (lambda p: p["strata"][0].update(ratio="1.5"), "strata[0].ratio", ""),
    (lambda p: p["strata"].pop(4), "policies[0].strata", "grade: null"),
    (lambda p: p["strata"][4].update(note=""), "strata[4].note", "理由"),
    (lambda p: p["strata"][1].update(grade="A"), "policies[0].strata", "同一等级"),
    (lambda p: p.update(items=["NOPE"]), "items[0]", "无清单不检查"),
    (lambda p: p.update(sector="nowhere"), "policies[0].sector", "sectors.yaml"),
    (lambda p: p.update(effective_until="2020-01-01"), "effective_until", "早于"),
    (lambda p: p["legal_basis"][0].pop("evidence"), "legal_basis[0].evidence", "evidence"),
    (lambda p: p.update(surprise=1), "surprise", "不认识的键"),
]


@pytest.mark.parametrize(("change", "key", "zh"), BAD_POLICIES)
def test_bad_policy_refused(
    tmp_path: Path, change: Callable[[Doc], None], key: str, zh: str
) -> None:
    with pytest.raises(ConfigurationError) as exc:
        load_inspection_catalogue([_write(tmp_path, "supervision.yaml", _policy(change))])
    assert key in exc.value.message_zh
    assert zh in exc.value.message_zh
    assert "local/inspections/supervision.yaml" in str(exc.value) or "supervision.yaml" in str(
        exc.value
    )


def _items(change: Callable[[Doc], None]) -> Doc:
    doc = copy.deepcopy(_national("items.yaml"))
    change(doc["items"][0])
    return doc


BAD_ITEMS: list[tuple[Callable[[Doc], None], str, str]] = [
    (lambda i: i.update(legal_basis=[]), "items[0].legal_basis", "法律依据"),
    (lambda i: i.update(category="urgent"), "items[0].category", "允许范围"),
    (lambda i: i.update(code="bad code"), "items[0].code", "大写字母"),
    (lambda i: i.update(content=""), "items[0].content", ""),
    (lambda i: i.update(sector="nowhere"), "items[0].sector", "sectors.yaml"),
]


@pytest.mark.parametrize(("change", "key", "zh"), BAD_ITEMS)
def test_bad_item_refused(tmp_path: Path, change: Callable[[Doc], None], key: str, zh: str) -> None:
    with pytest.raises(ConfigurationError) as exc:
        load_inspection_catalogue([_write(tmp_path, "items.yaml", _items(change))])
    assert key in exc.value.message_zh
    assert zh in exc.value.message_zh


def test_a_stratum_below_the_floor_is_accepted(tmp_path: Path) -> None:
    """The floor (企业公示信息抽查 ≥ 3 %) is on the draw's total, not on each stratum: 盐城's
    "A < 3 %" can be configured, and the draw tops up (tests/inspections)."""
    doc = _policy(lambda p: p["strata"][0].update(ratio="0.02"))
    cat = load_inspection_catalogue([_write(tmp_path, "supervision.yaml", doc)])
    assert cat.policy("SAMR_GRADED").strata[0].ratio == Decimal("0.02")
    raised = _items(lambda i: i.update(floor_ratio="0.05"))
    (tmp_path / "x").mkdir()
    cat2 = load_inspection_catalogue([_write(tmp_path / "x", "items.yaml", raised)])
    assert cat2.item("GSXX_CC").floor_ratio == Decimal("0.05")


def test_policies_name_the_models_that_grade_them() -> None:
    cat = load_inspection_catalogue()
    samr, hj = cat.policy("SAMR_GRADED"), cat.policy("HJ_GRADED")
    assert samr.grade_model == "QYXYFXFL"
    internal = cat.grade_model(samr)
    assert internal is not None
    assert not internal.public
    assert internal.letters["D"] == "D类（信用风险高）"
    assert hj.grade_model == "GGXYPJ"
    assert hj.sector == "ecology"
    public = cat.grade_model(hj)
    assert public is not None
    assert public.public
    assert [public.letters[s.grade] for s in hj.strata if s.grade] == ["优", "良", "中", "差"]
    assert policy_json(hj, cat.items_of(hj))["grade_model"] == "GGXYPJ"
    item = cat.item("PWDW_CC")
    assert item.sector == "ecology"
    assert item.floor_ratio is None
    # Honest evidence: the environmental law's article was not read here.
    assert {b.evidence for b in item.legal_basis} == {Evidence.UNCONFIRMED, Evidence.SECONDARY}


def test_a_local_model_dropping_a_letter_refuses_the_policy(tmp_path: Path) -> None:
    """The cross-check runs over the same folders as both catalogues: a local risk model that
    declares no D refuses the national policy whose D stratum names it."""
    models = yaml.safe_load((NATIONAL_DIR / "evaluation" / "models.yaml").read_text("utf-8"))
    risk = next(m for m in models["models"] if m["code"] == "QYXYFXFL")
    risk["grades"] = [g for g in risk["grades"] if g["letter"] != "D"]
    risk["grades"][-1]["from"] = 0
    folder = tmp_path / "evaluation"
    folder.mkdir()
    (folder / "models.yaml").write_text(yaml.safe_dump(models, allow_unicode=True), "utf-8")
    with pytest.raises(ConfigurationError) as exc:
        load_inspection_catalogue([tmp_path])
    assert "SAMR_GRADED@2025.1" in exc.value.message_zh
    assert "strata[3].grade“D”" in exc.value.message_zh
    assert "supervision.yaml" in exc.value.message_zh
    assert "not a letter of model QYXYFXFL" in str(exc.value)


def test_what_users_read_is_chinese_without_evidence_tags() -> None:
    from tests.catalog.test_legal_facts import _bases, text_problems

    cat = load_inspection_catalogue()
    problems: list[str] = []
    objects: list[InspectionItem | SupervisionPolicy] = [*cat.items, *cat.policies]
    for obj in objects:
        for where, basis in _bases(obj, obj.code):
            for text in (basis.title, basis.articles, basis.doc_no, basis.note):
                problems += [f"{where}: {p}" for p in text_problems(text)]
    for p in cat.policies:
        texts = [p.name, p.yearly_cap.note, p.recusal.note]
        texts += [t for s in p.strata for t in (s.label, s.note)]
        problems += [f"{p.code}: {x}" for t in texts for x in text_problems(t)]
    for it in cat.items:
        problems += [f"{it.code}: {x}" for t in (it.content, it.method) for x in text_problems(t)]
    assert problems == []
