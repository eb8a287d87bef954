"""Inspection items and graded supervision policies as catalogue data (``inspections/``).

``inspections/items.yaml`` (kind ``inspection_items``): the 随机抽查事项清单, each item with its
legal basis, content, method, department sector, 一般/重点 category, the qualifications an
inspector needs and, where a rule fixes one, the floor of the share drawn.
``inspections/supervision.yaml`` (kind ``supervision_policies``): the graded supervision
policies: risk class or grade → sampling ratio (strata, one of them for subjects without a
grade), the per-enterprise yearly cap, the minimum inspectors per subject, recusal and the
result-entry deadline in working days. Every policy and every rule in it names its legal
basis or the file is refused. Read strictly, with errors naming file and key, like every
catalogue file; a local folder's files replace national items of the same code and
policies of the same code and version.

``policy_json`` is the policy as the draw record carries it (the input of the draw and of its
digest): plain JSON, ratios as decimal strings, no floats.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field

from xinyong.catalog import files
from xinyong.catalog.evaluation import (
    EvaluationCatalogue,
    ResultDisclosure,
    load_evaluation_catalogue,
)
from xinyong.catalog.files import (
    Key,
    Source,
    check_code,
    error,
    only_keys,
    parse,
    reject_loader_keys,
    snapshot,
    validate,
)
from xinyong.catalog.model import CatalogueSnapshot, Frozen, LegalBasis, in_force
from xinyong.kernel.errors import ConfigurationError, InputError

ITEMS_FILE = "inspections/items.yaml"
POLICIES_FILE = "inspections/supervision.yaml"
SECTORS_FILE = "sectors.yaml"
ITEMS_KIND = "inspection_items"
POLICIES_KIND = "supervision_policies"
MIN_INSPECTORS_BY_LAW = 2  # 行政处罚法 第四十二条: 执法人员不得少于两人


class ItemCategory(StrEnum):
    GENERAL = "general"
    KEY = "key"

    @property
    def label(self) -> str:
        return "一般检查事项" if self is ItemCategory.GENERAL else "重点检查事项"


class InspectionItem(Frozen):
    """One entry of the 抽查事项清单."""

    code: str
    name: str
    sector: str
    category: ItemCategory
    content: str = Field(min_length=1)
    method: str = Field(min_length=1)
    qualifications: tuple[str, ...] = ()
    floor_ratio: Decimal | None = Field(default=None, gt=0, le=1)
    effective_from: dt.date
    effective_until: dt.date | None = None
    legal_basis: tuple[LegalBasis, ...]
    local: bool = False
    source_file: str = ""


class Stratum(Frozen):
    """A grade (or the subjects without one, ``grade: null``) and the share drawn of it."""

    code: str
    grade: str | None
    label: str
    ratio: Decimal = Field(ge=0, le=1)
    local: bool = False  # local configuration whose default is not a national figure
    note: str = ""


class YearlyCap(Frozen):
    max_inspections: int = Field(ge=1)
    local: bool = False
    note: str = ""
    legal_basis: tuple[LegalBasis, ...]


class MinInspectors(Frozen):
    count: int
    legal_basis: tuple[LegalBasis, ...]


class Recusal(Frozen):
    same_region: bool
    recent_pairing_months: int = Field(ge=0)
    local: bool = False
    note: str = ""
    legal_basis: tuple[LegalBasis, ...]


class ResultEntry(Frozen):
    working_days: int = Field(ge=1)
    legal_basis: tuple[LegalBasis, ...]


class SupervisionPolicy(Frozen):
    code: str
    name: str
    version: str
    effective_from: dt.date
    effective_until: dt.date | None = None
    sector: str
    items: tuple[str, ...]
    grade_scheme: str
    # The evaluation model whose current grades (their letters) stratify the pool; None: no
    # model, every subject in the ungraded stratum. Checked against the evaluation catalogue.
    grade_model: str | None = None
    legal_basis: tuple[LegalBasis, ...]
    strata: tuple[Stratum, ...]
    yearly_cap: YearlyCap
    min_inspectors: MinInspectors
    recusal: Recusal
    result_entry: ResultEntry
    local: bool = False
    source_file: str = ""

    @property
    def ref(self) -> str:
        """``CODE@VERSION``: how a draw record names the policy."""
        return f"{self.code}@{self.version}"


@dataclass(frozen=True, slots=True)
class GradeModel:
    """What the draw and its pages need of the evaluation model a policy names."""

    code: str
    name: str
    public: bool  # its results are disclosed 社会公开: grades may show in the public record
    letters: Mapping[str, str]  # letter -> grade label (优, A类…)


@dataclass(frozen=True, slots=True)
class InspectionCatalogue:
    items: tuple[InspectionItem, ...]
    policies: tuple[SupervisionPolicy, ...]
    snapshot: CatalogueSnapshot
    grade_models: Mapping[str, GradeModel] = field(default_factory=dict)

    def grade_model(self, policy: SupervisionPolicy) -> GradeModel | None:
        return self.grade_models.get(policy.grade_model) if policy.grade_model else None

    def item(self, code: str) -> InspectionItem:
        for it in self.items:
            if it.code == code:
                return it
        raise InputError(f"no inspection item {code}", f"抽查事项清单中没有事项“{code}”")

    def policy(self, ref: str, *, on: dt.date | None = None) -> SupervisionPolicy:
        """``CODE@VERSION``, or ``CODE`` alone: the version in force ``on`` (else the newest)."""
        code, _, version = ref.partition("@")
        same = [p for p in self.policies if p.code == code]
        if version:
            for p in same:
                if p.version == version:
                    return p
        elif same:
            live = [p for p in same if on is None or in_force(p, on)] or same
            return max(live, key=lambda p: p.effective_from)
        raise InputError(
            f"no supervision policy {ref}",
            f"没有监管策略“{ref}”（可用：{'、'.join(p.ref for p in self.policies)}）",
        )

    def items_of(self, policy: SupervisionPolicy) -> tuple[InspectionItem, ...]:
        return tuple(self.item(code) for code in policy.items)


def _rows(src: Source, body: dict[str, Any], name: str, what_zh: str) -> list[dict[str, Any]]:
    rows = body.get(name, [])
    if not isinstance(rows, list) or not rows:
        raise error(src, name, "must be a non-empty list", f"应为非空列表（{what_zh}）")
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise error(src, (name, i), "must be a mapping", f"每条{what_zh}应为键值映射")
        reject_loader_keys(src, row, (name, i))
    return rows


def _require_basis(src: Source, key: Key, bases: tuple[LegalBasis, ...], what_zh: str) -> None:
    if not bases:
        raise error(
            src,
            (*key, "legal_basis"),
            "a rule without a legal basis is refused",
            f"{what_zh}须写明法律依据 legal_basis（没有依据的不得作为抽查依据）",
        )


def _dates(src: Source, key: Key, start: dt.date, end: dt.date | None) -> None:
    if end is not None and end < start:
        raise error(
            src,
            (*key, "effective_until"),
            "ends before it starts",
            "effective_until（失效日期）早于 effective_from（生效日期）",
        )


def _parse_items(src: Source, sectors: set[str]) -> list[tuple[InspectionItem, Key]]:
    body = parse(src, ITEMS_KIND)
    only_keys(src, body, ("items",))
    out: list[tuple[InspectionItem, Key]] = []
    for i, row in enumerate(_rows(src, body, "items", "抽查事项")):
        key: Key = ("items", i)
        check_code(src, (*key, "code"), row.get("code"), "inspection item", "抽查事项")
        item = validate(
            InspectionItem, {**row, "local": src.local, "source_file": src.label}, src, key
        )
        _require_basis(src, key, item.legal_basis, "抽查事项")
        _dates(src, key, item.effective_from, item.effective_until)
        if item.sector not in sectors:
            raise error(
                src,
                (*key, "sector"),
                f"unknown sector {item.sector!r}",
                f"行业领域“{item.sector}”不在 sectors.yaml 中",
            )
        out.append((item, key))
    return out


def _parse_policies(src: Source, sectors: set[str]) -> list[tuple[SupervisionPolicy, Key]]:
    body = parse(src, POLICIES_KIND)
    only_keys(src, body, ("policies",))
    out: list[tuple[SupervisionPolicy, Key]] = []
    for i, row in enumerate(_rows(src, body, "policies", "监管策略")):
        key: Key = ("policies", i)
        check_code(src, (*key, "code"), row.get("code"), "supervision policy", "监管策略")
        p = validate(
            SupervisionPolicy, {**row, "local": src.local, "source_file": src.label}, src, key
        )
        _require_basis(src, key, p.legal_basis, "监管策略")
        _require_basis(src, (*key, "yearly_cap"), p.yearly_cap.legal_basis, "年度检查频次上限")
        _require_basis(src, (*key, "min_inspectors"), p.min_inspectors.legal_basis, "检查人员人数")
        _require_basis(src, (*key, "recusal"), p.recusal.legal_basis, "回避规则")
        _require_basis(src, (*key, "result_entry"), p.result_entry.legal_basis, "结果录入期限")
        _dates(src, key, p.effective_from, p.effective_until)
        if p.sector not in sectors:
            raise error(
                src,
                (*key, "sector"),
                f"unknown sector {p.sector!r}",
                f"行业领域“{p.sector}”不在 sectors.yaml 中",
            )
        if p.min_inspectors.count < MIN_INSPECTORS_BY_LAW:
            raise error(
                src,
                (*key, "min_inspectors", "count"),
                "at least two inspectors per subject (Administrative Penalty Law art. 42)",
                "每户检查人员不得少于2名（行政处罚法第四十二条：执法人员不得少于两人）",
            )
        if not p.items:
            raise error(src, (*key, "items"), "names no item", "应至少列出一个抽查事项")
        codes = [s.code for s in p.strata]
        if len(set(codes)) != len(codes) or not all(s.code.isalnum() for s in p.strata):
            raise error(
                src,
                (*key, "strata"),
                "stratum codes must be unique",
                "分层代码须唯一且只含字母数字",
            )
        grades = [s.grade for s in p.strata if s.grade is not None]
        if len(set(grades)) != len(grades):
            raise error(src, (*key, "strata"), "a grade in two strata", "同一等级出现在两个分层中")
        if sum(1 for s in p.strata if s.grade is None) != 1:
            raise error(
                src,
                (*key, "strata"),
                "exactly one stratum (grade: null) for subjects without a grade",
                "须有且只有一个 grade: null 的分层，写明尚无等级的主体按什么比例抽取及理由",
            )
        for j, s in enumerate(p.strata):
            if s.grade is None and not s.note.strip():
                raise error(
                    src,
                    (*key, "strata", j, "note"),
                    "say why this ratio applies to subjects without a grade",
                    "未分类主体的分层须在 note 中写明适用该比例的理由",
                )
        out.append((p, key))
    return out


def _sectors(found: Sequence[tuple[str, Source]]) -> set[str]:
    codes: set[str] = set()
    for kind, src in found:
        if kind == "sectors":
            body = parse(src, "sectors")
            for row in body.get("sectors", []):
                if isinstance(row, dict) and isinstance(row.get("code"), str):
                    codes.add(row["code"])
    return codes


def build(found: Sequence[tuple[str, Source]]) -> InspectionCatalogue:
    sectors = _sectors(found)
    items: dict[str, InspectionItem] = {}
    policies: dict[tuple[str, str], tuple[SupervisionPolicy, Source, Key]] = {}
    for kind, src in found:
        if kind == ITEMS_KIND:
            seen: set[str] = set()
            for item, key in _parse_items(src, sectors):
                if item.code in seen:
                    raise error(src, (*key, "code"), "duplicate item", "抽查事项代码重复")
                seen.add(item.code)
                items[item.code] = item  # a local file replaces the national item
        elif kind == POLICIES_KIND:
            seen_p: set[tuple[str, str]] = set()
            for p, key in _parse_policies(src, sectors):
                ident = (p.code, p.version)
                if ident in seen_p:
                    raise error(
                        src, (*key, "version"), "duplicate policy", "监管策略代码与版本重复"
                    )
                seen_p.add(ident)
                policies[ident] = (p, src, key)
    if not items or not policies:
        raise ConfigurationError(
            "the inspection item list or the supervision policies are missing",
            f"缺少抽查事项清单 {ITEMS_FILE} 或监管策略 {POLICIES_FILE}",
        )
    for p, src, key in policies.values():
        for j, code in enumerate(p.items):
            found_item = items.get(code)
            if found_item is None:
                raise error(
                    src,
                    (*key, "items", j),
                    f"unknown inspection item {code}",
                    f"抽查事项“{code}”不在抽查事项清单中（无清单不检查）",
                )
            # The floor (企业公示信息抽查 ≥ 3 %) is on the draw's total, not on each stratum: a
            # stratum may be lower (盐城 A < 3 %); the draw tops up to the floor
            # (docs/architecture.md "Verifiable draws").
    return InspectionCatalogue(
        tuple(items.values()), tuple(p for p, _, _ in policies.values()), snapshot(found)
    )


def link_grade_models(cat: InspectionCatalogue, models: EvaluationCatalogue) -> InspectionCatalogue:
    """Each policy's ``grade_model`` checked against the evaluation catalogue (the same national
    and local folders): the model exists, and every stratum's grade is a letter it declares.
    The catalogue comes back with what the draw and its pages need of each model."""
    linked: dict[str, GradeModel] = {}
    for p in cat.policies:
        if p.grade_model is None:
            continue
        where = f"{p.source_file}: policies {p.code}@{p.version}"
        found = next((m for m in models.models if m.code == p.grade_model), None)
        if found is None:
            raise ConfigurationError(
                f"{where}: grade_model {p.grade_model!r} is not an evaluation model",
                f"{p.source_file}：监管策略 {p.ref} 的 grade_model“{p.grade_model[:32]}”"
                f"不是已有的评价模型（可用：{'、'.join(m.code for m in models.models)}）",
            )
        letters = {g.letter: g.label for g in found.grades if g.letter}
        for j, s in enumerate(p.strata):
            if s.grade is not None and s.grade not in letters:
                raise ConfigurationError(
                    f"{where}: strata[{j}].grade {s.grade!r} is not a letter of model {found.code}",
                    f"{p.source_file}：监管策略 {p.ref} 的 strata[{j}].grade“{s.grade[:8]}”"
                    f"不是评价模型“{found.name}”（{found.code}）声明的等级字母"
                    f"（可用：{'、'.join(letters) or '无'}）",
                )
        linked[found.code] = GradeModel(
            found.code, found.name, found.disclosure is ResultDisclosure.PUBLIC, letters
        )
    return replace(cat, grade_models=linked)


_load_unlinked = files.cached_loader(
    build,
    {SECTORS_FILE: "sectors", ITEMS_FILE: ITEMS_KIND, POLICIES_FILE: POLICIES_KIND},
    doc="The national items and policies, replaced where a local folder has its own (cached), "
    "before their grade models are linked.",
)


@lru_cache(maxsize=8)
def _load(extra: tuple[Path, ...]) -> InspectionCatalogue:
    return link_grade_models(_load_unlinked(extra), load_evaluation_catalogue(extra))


def load_inspection_catalogue(extra_dirs: Sequence[Path] = ()) -> InspectionCatalogue:
    """The national items and policies, replaced where a local folder has its own, each
    policy's grade model linked from the evaluation catalogue of the same folders (cached)."""
    return _load(tuple(Path(d) for d in extra_dirs))


def _bases(bases: tuple[LegalBasis, ...]) -> list[dict[str, str]]:
    return [
        {"title": b.title, "doc_no": b.doc_no, "articles": b.articles, "evidence": b.evidence.value}
        for b in bases
    ]


def policy_json(p: SupervisionPolicy, items: Sequence[InspectionItem]) -> dict[str, Any]:
    """The policy as a draw record carries it: every parameter the draw reads, with the items'
    floors and qualifications; strings and integers only (canonical JSON, no floats)."""
    floors = [it.floor_ratio for it in items if it.floor_ratio is not None]
    return {
        "code": p.code,
        "version": p.version,
        "name": p.name,
        "grade_scheme": p.grade_scheme,
        "grade_model": p.grade_model,
        "effective_from": p.effective_from.isoformat(),
        "legal_basis": _bases(p.legal_basis),
        "items": [
            {
                "code": it.code,
                "name": it.name,
                "category": it.category.value,
                "category_label": it.category.label,
                "qualifications": sorted(it.qualifications),
                "floor_ratio": None if it.floor_ratio is None else str(it.floor_ratio),
            }
            for it in items
        ],
        "floor_ratio": str(max(floors)) if floors else None,
        "strata": [
            {"code": s.code, "grade": s.grade, "label": s.label, "ratio": str(s.ratio)}
            for s in p.strata
        ],
        "yearly_cap": p.yearly_cap.max_inspections,
        "min_inspectors": p.min_inspectors.count,
        "recusal": {
            "same_region": p.recusal.same_region,
            "recent_pairing_months": p.recusal.recent_pairing_months,
        },
        "result_entry_working_days": p.result_entry.working_days,
        "rounding": "ceil",
    }
