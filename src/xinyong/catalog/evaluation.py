"""Credit evaluation models as catalogue data (``evaluation/models.yaml``, kind
``evaluation_models``).

A model names its indicators (what each counts in the ledger's current records, its weight,
its cap), the score formula (a base, clamped to a range) and the grades with their score
ranges. Read strictly, with errors naming the file and key, like every catalogue file
(``catalog.files``). A local supplementary folder may hold an ``evaluation/models.yaml`` too:
its models replace national ones of the same code, its facets are added to the national ones.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import Field

from xinyong.catalog import files
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
from xinyong.kernel.errors import ConfigurationError

MODELS_FILE = "evaluation/models.yaml"
KIND = "evaluation_models"
# The registration item whose facet (its 行业门类 field) scopes a model by ``industries``.
INDUSTRY_ITEM = "DJZC"
# The grade of a "not scored" marker result: a re-scored subject now outside a model's scope
# (another 行业门类, none, another subject kind) gets this row so its earlier grade is no
# longer current; readers skip it. Reserved: no model may declare it as a grade code.
NOT_SCORED_GRADE = "not_scored"


class ModelKind(StrEnum):
    COMPREHENSIVE = "comprehensive"  # 公共信用综合评价
    INDUSTRY = "industry"  # 行业信用评价 (a department's model)
    RISK_CLASS = "risk_class"  # SAMR 企业信用风险分类: internal, never a punishment input

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    ModelKind.COMPREHENSIVE: "公共信用综合评价",
    ModelKind.INDUSTRY: "行业信用评价",
    ModelKind.RISK_CLASS: "信用风险分类",
}


class ResultDisclosure(StrEnum):
    PUBLIC = "社会公开"  # anyone, organisations only (natural persons are never public)
    GOV_SHARED = "政务共享"  # departments, the office, auditors
    INTERNAL = "内部"  # the credit office and auditors only


class Direction(StrEnum):
    NEGATIVE = "negative"
    POSITIVE = "positive"


class Function(StrEnum):
    COUNT = "count"
    DECAYED_COUNT = "decayed_count"


class RecencyBand(Frozen):
    within_days: int = Field(gt=0)
    factor: float = Field(ge=0, le=1)


class Indicator(Frozen):
    code: str
    name: str
    dimension: str = ""
    direction: Direction
    function: Function
    weight: float = Field(gt=0)  # points at saturation (value >= cap)
    cap: float = Field(gt=0)
    items: tuple[str, ...] = Field(min_length=1)
    severities: tuple[str, ...] = ()
    facet_values: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    exclude_actions: tuple[str, ...] = ()
    active: bool = False
    # Only the records of the model's own department (an industry model reading that
    # department's inspection results and penalties).
    own_department: bool = False
    recency: tuple[RecencyBand, ...] = ()

    @property
    def sign(self) -> int:
        return -1 if self.direction is Direction.NEGATIVE else 1


class ScoreFormula(Frozen):
    base: float
    min: float
    max: float


class Grade(Frozen):
    code: str
    label: str  # 优 / 良 / 中 / 差
    letter: str = ""  # the letter this model declares beside the label
    from_: float = Field(alias="from")  # inclusive
    to: float  # exclusive, except the top grade's (the formula's max, inclusive)


class EvaluationModel(Frozen):
    code: str
    name: str
    kind: ModelKind
    version: str
    effective_from: dt.date
    effective_until: dt.date | None = None
    disclosure: ResultDisclosure
    # An industry model (行业信用评价) adds its department's indicators on top of another
    # model's score: the subject's score there is this model's base.
    base_model: str | None = None
    department: str | None = None  # the department whose model it is
    # The 行业门类 (GB/T 4754-2017 letters) an industry model scores: only subjects whose
    # current registration record (INDUSTRY_ITEM, its facet) states one of them; a subject
    # with no stated industry is not scored by it. Empty: every subject of subject_kinds.
    industries: tuple[str, ...] = ()
    subject_kinds: tuple[str, ...] = ("organisation", "individual_business")
    legal_basis: tuple[LegalBasis, ...] = Field(min_length=1)
    score: ScoreFormula
    indicators: tuple[Indicator, ...] = Field(min_length=1)
    grades: tuple[Grade, ...] = Field(min_length=1)
    local: bool = False
    source_file: str = ""

    def grade_of(self, score: float) -> Grade:
        for g in self.grades:
            if g.from_ <= score < g.to or (score == g.to == self.score.max):
                return g
        raise ConfigurationError(  # the loader refuses gaps: only a score outside [min, max]
            f"model {self.code}: no grade for score {score}",
            f"评价模型“{self.code}”：分数 {score} 不在任何等级范围内",
        )


@dataclass(frozen=True, slots=True)
class EvaluationCatalogue:
    models: tuple[EvaluationModel, ...]
    facets: Mapping[str, str]  # item code -> the payload field copied into the snapshot
    snapshot: CatalogueSnapshot

    def model(self, code: str) -> EvaluationModel:
        for m in self.models:
            if m.code == code:
                return m
        raise ConfigurationError(f"no evaluation model {code}", f"没有评价模型“{code}”")

    def in_force(self, on: dt.date) -> tuple[EvaluationModel, ...]:
        return tuple(m for m in self.models if in_force(m, on))


_TOP = ("models", "facets")


def _check_model(src: Source, key: Key, m: EvaluationModel) -> None:
    f = m.score
    if not f.min < f.max or not f.min <= f.base <= f.max:
        raise error(
            src,
            (*key, "score"),
            "needs min < max and base within [min, max]",
            "score 须满足 min < max，且 base 在 [min, max] 之内",
        )
    if m.effective_until is not None and m.effective_until < m.effective_from:
        raise error(
            src,
            (*key, "effective_until"),
            "ends before it starts",
            "effective_until（失效日期）早于 effective_from（生效日期）",
        )
    if m.kind is ModelKind.RISK_CLASS and m.disclosure is not ResultDisclosure.INTERNAL:
        raise error(
            src,
            (*key, "disclosure"),
            "a risk classification is internal",
            "信用风险分类结果仅供内部监管参考，disclosure 须为“内部”（不公开、不作为惩戒依据）",
        )
    if m.industries and m.kind is not ModelKind.INDUSTRY:
        raise error(
            src,
            (*key, "industries"),
            "only an industry model is scoped by industries",
            "只有行业信用评价模型（kind: industry）可以限定 industries（适用行业门类）",
        )
    if any(len(c) != 1 or not "A" <= c <= "Z" for c in m.industries):
        raise error(
            src,
            (*key, "industries"),
            "industries are 门类 letters",
            "industries 应为国民经济行业分类门类字母（如 C、F、H）",
        )
    if m.kind is ModelKind.INDUSTRY and not (m.base_model and m.department):
        raise error(
            src,
            key,
            "an industry model names its base_model and department",
            "行业信用评价模型须写明 base_model（所依据的公共信用综合评价模型）和 department（部门）",
        )
    seen: set[str] = set()
    for i, ind in enumerate(m.indicators):
        if ind.own_department and not m.department:
            raise error(
                src,
                (*key, "indicators", i, "own_department"),
                "own_department needs the model's department",
                "own_department 须模型写明 department",
            )
        ik: Key = (*key, "indicators", i)
        if ind.code in seen:
            raise error(src, (*ik, "code"), f"duplicate indicator {ind.code}", "指标代码重复")
        seen.add(ind.code)
        if ind.function is Function.DECAYED_COUNT and not ind.recency:
            raise error(
                src,
                (*ik, "recency"),
                "decayed_count needs recency bands",
                "按时间衰减须给出 recency",
            )
        days = [b.within_days for b in ind.recency]
        if days != sorted(set(days)):
            raise error(
                src,
                (*ik, "recency"),
                "bands must be in increasing within_days",
                "recency 各档 within_days 须递增且不重复",
            )
        if set(ind.actions) & set(ind.exclude_actions):
            raise error(
                src,
                (*ik, "actions"),
                "an action both required and excluded",
                "actions 与 exclude_actions 不能有相同取值",
            )
    grades = sorted(m.grades, key=lambda g: g.from_)
    codes = [g.code for g in m.grades]
    letters = [g.letter for g in m.grades if g.letter]
    if len(set(codes)) != len(codes) or len(set(letters)) != len(letters):
        raise error(src, (*key, "grades"), "duplicate grade code or letter", "等级代码或字母重复")
    if NOT_SCORED_GRADE in codes:
        raise error(
            src,
            (*key, "grades"),
            f"grade code {NOT_SCORED_GRADE} is reserved (the not-scored marker)",
            f"等级代码“{NOT_SCORED_GRADE}”为保留值（表示未参加评价），不能用作等级",
        )
    for g in grades:
        if not g.from_ < g.to:
            raise error(
                src,
                (*key, "grades"),
                f"grade {g.code}: from >= to",
                f"等级“{g.label}”的 from 不小于 to",
            )
    if grades[0].from_ != f.min or grades[-1].to != f.max:
        raise error(
            src,
            (*key, "grades"),
            "grades must cover the score range from min to max",
            f"各等级须覆盖分值区间 [{f.min:g}, {f.max:g}]",
        )
    for a, b in itertools.pairwise(grades):
        if b.from_ < a.to:
            raise error(
                src,
                (*key, "grades"),
                f"grades {a.code} and {b.code} overlap",
                f"等级“{a.label}”与“{b.label}”的分值区间重叠",
            )
        if b.from_ > a.to:
            raise error(
                src,
                (*key, "grades"),
                f"a gap between grades {a.code} and {b.code}",
                f"等级“{a.label}”与“{b.label}”之间有分值空档",
            )


def _parse(src: Source) -> tuple[list[tuple[EvaluationModel, Key]], dict[str, str]]:
    body = parse(src, KIND)
    only_keys(src, body, _TOP)
    facets = body.get("facets", {})
    if not isinstance(facets, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in facets.items()
    ):
        raise error(
            src, "facets", "must map item codes to field codes", "应为“信息项代码: 字段代码”映射"
        )
    rows = body.get("models", [])
    if not isinstance(rows, list):
        raise error(src, "models", "must be a list", "应为列表")
    out: list[tuple[EvaluationModel, Key]] = []
    for i, row in enumerate(rows):
        key: Key = ("models", i)
        if not isinstance(row, dict):
            raise error(src, key, "a model must be a mapping", "每个评价模型应为键值映射")
        reject_loader_keys(src, row, key)
        check_code(src, (*key, "code"), row.get("code"), "evaluation model", "评价模型")
        model = validate(
            EvaluationModel, {**row, "local": src.local, "source_file": src.label}, src, key
        )
        _check_model(src, key, model)
        out.append((model, key))
    return out, dict(facets)


def build(found: Sequence[tuple[str, Source]]) -> EvaluationCatalogue:
    by_code: dict[str, EvaluationModel] = {}
    facets: dict[str, str] = {}
    for _kind, src in found:
        models, own_facets = _parse(src)
        facets.update(own_facets)
        seen: set[str] = set()
        for model, key in models:
            if model.code in seen:
                raise error(
                    src, (*key, "code"), f"duplicate model {model.code}", "评价模型代码重复"
                )
            seen.add(model.code)
            by_code[model.code] = model  # a local file replaces the national model
    scoped = [m.code for m in by_code.values() if m.industries]
    if scoped and INDUSTRY_ITEM not in facets:
        raise ConfigurationError(
            f"models {scoped} are scoped by industry but facets has no {INDUSTRY_ITEM}",
            f"评价模型 {'、'.join(scoped)} 限定了适用行业，facets 须写明 {INDUSTRY_ITEM} 的行业门类字段",
        )
    if not by_code:
        raise ConfigurationError(
            "the evaluation models file is missing or has no models",
            f"缺少评价模型文件 {MODELS_FILE}，或其中没有 models",
        )
    for m in by_code.values():
        base = by_code.get(m.base_model) if m.base_model else None
        if m.base_model and (base is None or base.base_model is not None):
            raise ConfigurationError(
                f"{m.source_file}: model {m.code}: base_model {m.base_model} is not a model "
                "scored on its own",
                f"{m.source_file}：评价模型“{m.code}”的 base_model“{m.base_model}”"
                "须为已有的、自身不以其他模型为基础的评价模型",
            )
    return EvaluationCatalogue(tuple(by_code.values()), facets, snapshot(found))


load_evaluation_catalogue = files.cached_loader(
    build,
    {MODELS_FILE: KIND},
    doc="The national models, replaced where a local folder has its own (cached: immutable).",
)


def scope_note(m: EvaluationModel, industry_labels: Mapping[str, str]) -> str:
    """Who the model scores, in words (the pages show it beside the model)."""
    if not m.industries:
        return ""
    names = "、".join(f"{c} {industry_labels.get(c, c)}" for c in m.industries)
    return (
        f"仅评价登记信息载明的行业门类为 {names} 的主体；登记信息未载明行业或属于其他行业的主体"
        "不参加本模型评价（只有公共信用综合评价结果）"
    )


def model_json(
    m: EvaluationModel,
    industry_labels: Mapping[str, str] | None = None,
    department_names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A model as the API publishes it (codes with labels beside them)."""
    il = industry_labels or {}
    dn = department_names or {}
    return {
        "code": m.code,
        "name": m.name,
        "kind": m.kind.value,
        "kind_label": m.kind.label,
        "version": m.version,
        "effective_from": m.effective_from.isoformat(),
        "effective_until": m.effective_until.isoformat() if m.effective_until else None,
        "disclosure": m.disclosure.value,
        "base_model": m.base_model,
        "department": m.department,
        "department_label": dn.get(m.department, m.department) if m.department else None,
        "industries": [{"code": c, "label": il.get(c, c)} for c in m.industries],
        "scope_note": scope_note(m, il),
        "legal_basis": [b.as_json() for b in m.legal_basis],
        "score": {"base": m.score.base, "min": m.score.min, "max": m.score.max},
        "indicators": [
            {
                "code": i.code,
                "name": i.name,
                "dimension": i.dimension,
                "direction": i.direction.value,
                "direction_label": "扣分" if i.direction is Direction.NEGATIVE else "加分",
                "function": i.function.value,
                "weight": i.weight,
                "cap": i.cap,
                "items": list(i.items),
                "own_department": i.own_department,
            }
            for i in m.indicators
        ],
        "grades": [
            {"code": g.code, "label": g.label, "letter": g.letter, "from": g.from_, "to": g.to}
            for g in sorted(m.grades, key=lambda g: -g.from_)
        ],
    }
