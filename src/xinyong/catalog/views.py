"""The catalogue as the public reads it: items, code tables, list types' measures, measures,
publication policies, shaped for the catalogue pages and their JSON twins (pure).

Every code is shown with its Chinese label beside it; every legal basis with its evidence
label (待核实 where a fact is not confirmed): the catalogue is law as data and shows where the
data is still to be verified, unlike the public credit file, which hides unconfirmed bases.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from xinyong.catalog.catalogue import Catalogue, governs
from xinyong.catalog.model import (
    LIST_KIND_LABELS,
    ROLE_NAMES,
    CodeTable,
    Condition,
    Duration,
    ItemVersion,
    LegalBasis,
    Measure,
    Nature,
    PeriodRule,
    PublicationPolicy,
    Trigger,
)
from xinyong.catalog.sanctions import SanctionsCatalogue
from xinyong.kernel.errors import NotFound

FIELD_TYPE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "text": "文本",
        "uscc": "统一社会信用代码",
        "legacy_code": "原注册号或代码",
        "id_number": "证件号码",
        "date": "日期",
        "amount_wan": "金额（万元）",
        "money_text": "金额（文字）",
        "code": "代码（单选）",
        "codes": "代码（多选）",
        "integer": "整数",
    }
)
NATURE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        Nature.NEGATIVE.value: "失信信息",
        Nature.POSITIVE.value: "守信信息",
        Nature.NEUTRAL.value: "一般信息",
    }
)
MEASURE_KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {"punishment": "惩戒措施", "incentive": "激励措施", "management": "管理措施"}
)
# 全国失信惩戒措施基础清单's three classes.
MEASURE_CLASS_LABELS: Mapping[int, str] = MappingProxyType(
    {1: "第一类：减损权益或增加义务", 2: "第二类：管理措施", 3: "第三类：其他组织实施"}
)
DURATION_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "while_listed": "在列期间",
        "while_published": "记录公示期间",
        "fixed_months": "固定期限",
        "by_decision": "由实施决定确定期限",
        "permanent": "终身",
    }
)


def basis(b: LegalBasis) -> dict[str, Any]:
    """A basis with its evidence label and one line of text (title, number, articles)."""
    text = b.title
    if b.doc_no and b.doc_no not in text:
        text += f"（{b.doc_no}）"
    return {**b.as_json(), "text": text + b.articles, "confirmed": b.evidence.confirmed}


def bases(items: Iterable[LegalBasis]) -> list[dict[str, Any]]:
    return [basis(b) for b in items]


def _months(months: int | None) -> str:
    if months is None:
        return ""
    if months % 12 == 0:
        return f"{months // 12}年"
    return f"{months}个月"


def duration_text(d: Duration) -> str:
    label = DURATION_LABELS.get(d.type, d.type)
    if d.type == "fixed_months":
        return f"{label}：{_months(d.months)}"
    if d.type == "by_decision":
        low, high = _months(d.min_months), _months(d.max_months)
        if low and high:
            return f"{label}（{low}至{high}）"
        if low:
            return f"{label}（至少{low}，最长可至终身）"
        if high:
            return f"{label}（最长{high}）"
    return label


def _code_label(catalogue: Catalogue, item: ItemVersion | None, field: str, code: str) -> str:
    """「01 警告」 where the field has a code table, else the code as written."""
    if item is None:
        return code
    try:
        f = item.field(field)
    except KeyError:
        return code
    if f.code_table is None:
        return code
    value = catalogue.lookup_code(f.code_table, code)
    if value is None or value.label == code:
        return code
    return f"{value.code} {value.label}"


def _field_name(item: ItemVersion | None, field: str) -> str:
    if item is None:
        return field
    try:
        return f"{item.field(field).name}（{field}）"
    except KeyError:
        return field


def condition_text(catalogue: Catalogue, item: ItemVersion | None, c: Condition) -> str:
    """One condition in Chinese, field and codes with their labels."""
    name = _field_name(item, c.field)
    parts = []
    if c.any_of:
        parts.append("为" + "、".join(_code_label(catalogue, item, c.field, v) for v in c.any_of))
    if c.only:
        parts.append("仅含" + "、".join(_code_label(catalogue, item, c.field, v) for v in c.only))
    if c.matches:
        parts.append(f"含“{c.matches}”")
    if c.cites:
        cited = []
        for cite in c.cites:
            arts = "、".join(f"第{a}条" for a in cite.articles)
            cited.append(f"《{cite.law}》{arts}")
        parts.append("引用" + "或".join(cited))
    if c.at_least is not None:
        parts.append(f"不少于{c.at_least:g}万元")
    if c.at_most is not None:
        parts.append(f"不超过{c.at_most:g}万元")
    text = name + "，".join(parts)
    return f"{text}（{c.note}）" if c.note else text


# -- items ----------------------------------------------------------------------------------


def item_summary(v: ItemVersion) -> dict[str, Any]:
    return {
        "code": v.code,
        "name": v.name,
        "category": v.category,
        "version": v.version,
        "effective_from": v.effective_from.isoformat(),
        "effective_until": v.effective_until.isoformat() if v.effective_until else None,
        "disclosure": v.disclosure.value,
        "nature": v.nature.value,
        "nature_label": NATURE_LABELS[v.nature.value],
        "fields": len(v.fields),
        "local": v.local,
    }


def _field(catalogue: Catalogue, v: ItemVersion, f: Any) -> dict[str, Any]:
    table = catalogue.code_table(f.code_table) if f.code_table else None
    when = [
        f"{_field_name(v, k)}为" + "、".join(_code_label(catalogue, v, k, x) for x in vals)
        for k, vals in f.required_when.items()
    ]
    return {
        "code": f.code,
        "name": f.name,
        "type": f.type,
        "type_label": FIELD_TYPE_LABELS.get(f.type, f.type),
        "required": f.required,
        "required_when": when,
        "personal": f.personal,
        "public": f.public and not f.personal,
        "max_length": f.max_length,
        "code_table": None if table is None else {"code": table.code, "name": table.name},
        "aliases": list(f.aliases),
    }


def item_detail(catalogue: Catalogue, sanctions: SanctionsCatalogue, code: str) -> dict[str, Any]:
    """Every version of an item (newest first) with its fields, the publication policies that
    govern it and the measures its records can trigger. NotFound for an unknown code."""
    versions = catalogue.item_versions(code)
    latest = versions[-1]
    out_versions = []
    for v in reversed(versions):
        out_versions.append(
            {
                **item_summary(v),
                "legal_basis": bases(v.legal_basis),
                "sharing": v.sharing_level.value,
                "sharing_basis": bases(v.sharing_basis),
                "subject_types": [t.value for t in v.subject_types],
                "record_key": [_field_name(v, k) for k in v.record_key],
                "decision_date_field": _field_name(v, v.decision_date_field)
                if v.decision_date_field
                else None,
                "publication_deadline_working_days": v.publication_deadline_working_days,
                "publication_deadline_basis": bases(v.publication_deadline_basis),
                "severity_rules": [
                    {
                        "severity": r.severity.value,
                        "conditions": [condition_text(catalogue, v, c) for c in r.conditions],
                        "sectors": [_sector(catalogue, s) for s in r.sectors],
                        "legal_basis": bases(r.legal_basis),
                        "note": r.note,
                    }
                    for r in v.severity_rules
                ],
                "field_list": [_field(catalogue, v, f) for f in v.fields],
            }
        )
    policies = [
        {
            "code": p.code,
            "name": p.name,
            "decisions": _decisions(p),
            "sectors": _sectors(catalogue, p),
        }
        for p in catalogue.policies()
        if governs(p, latest)
    ]
    measures = [
        {"code": m.code, "name": m.name, "kind_label": MEASURE_KIND_LABELS[m.kind]}
        for m in sanctions.measures()
        if any(t.item == code for t in m.triggers)
    ]
    return {
        "code": latest.code,
        "name": latest.name,
        "category": latest.category,
        "versions": out_versions,
        "policies": policies,
        "measures": measures,
    }


def items(catalogue: Catalogue) -> list[dict[str, Any]]:
    return [item_summary(v) for v in catalogue.items()]


# -- code tables ----------------------------------------------------------------------------


def code_table_summary(t: CodeTable) -> dict[str, Any]:
    return {"code": t.code, "name": t.name, "version": t.version, "values": len(t.values)}


def code_table_detail(catalogue: Catalogue, code: str) -> dict[str, Any]:
    t = catalogue.code_table(code)  # NotFound for an unknown code
    used_by = [
        {"item": v.code, "item_name": v.name, "field": f.code, "field_name": f.name}
        for v in catalogue.items()
        for f in v.fields
        if f.code_table == code
    ]
    return {
        **code_table_summary(t),
        "legal_basis": bases(t.legal_basis),
        "value_list": [
            {
                "code": v.code,
                "label": v.label,
                "aliases": list(v.aliases),
                "valid_from": v.valid_from.isoformat() if v.valid_from else None,
                "valid_until": v.valid_until.isoformat() if v.valid_until else None,
            }
            for v in t.values
        ],
        "used_by": used_by,
    }


def code_tables(catalogue: Catalogue) -> list[dict[str, Any]]:
    return [code_table_summary(t) for t in catalogue.code_tables()]


# -- measures -------------------------------------------------------------------------------


def _sector(catalogue: Catalogue, code: str) -> str:
    s = catalogue.sectors.get(code)
    return s.name if s is not None else code


def _scenario(sanctions: SanctionsCatalogue, code: str) -> dict[str, str]:
    sc = sanctions.scenarios.get(code)
    return {"code": code, "name": sc.name if sc is not None else code}


def _trigger(catalogue: Catalogue, sanctions: SanctionsCatalogue, t: Trigger) -> dict[str, Any]:
    if t.list_type is not None:
        # The loader refused a trigger naming an unknown list type.
        what = sanctions.list_type(t.list_type).name
        source = {"kind": "list", "code": t.list_type, "name": what}
        item = None
    else:
        assert t.item is not None  # noqa: S101 - a trigger names a list type or an item
        item = catalogue.item(t.item)
        source = {"kind": "item", "code": t.item, "name": item.name}
    return {
        "source": source,
        "ground": t.ground,
        "severity": t.severity.value if t.severity else None,
        "sectors": [_sector(catalogue, s) for s in t.sectors],
        "conditions": [condition_text(catalogue, item, c) for c in t.conditions],
        "decided_from": t.decided_from.isoformat() if t.decided_from else None,
        "decided_until": t.decided_until.isoformat() if t.decided_until else None,
        "checker_sectors": [_sector(catalogue, s) for s in t.checker_sectors],
        "to_verify": list(t.to_verify),
        "duration": duration_text(t.duration) if t.duration else None,
        "note": t.note,
    }


def measure_summary(m: Measure) -> dict[str, Any]:
    return {
        "code": m.code,
        "name": m.name,
        "kind": m.kind,
        "kind_label": MEASURE_KIND_LABELS[m.kind],
        "implementing_department": m.implementing_department,
        "version": m.version,
        "effective_from": m.effective_from.isoformat(),
        "effective_until": m.effective_until.isoformat() if m.effective_until else None,
        "local": m.local,
    }


def measure_version(
    catalogue: Catalogue, sanctions: SanctionsCatalogue, m: Measure
) -> dict[str, Any]:
    listing = m.in_national_list
    return {
        **measure_summary(m),
        "content": m.content,
        "measure_class": m.measure_class,
        "measure_class_label": MEASURE_CLASS_LABELS.get(m.measure_class, "")
        if m.measure_class
        else "",
        "measure_class_evidence_label": m.measure_class_evidence.label,
        "targets": [ROLE_NAMES.get(r, r) for r in m.targets],
        "follows_person": m.follows_person,
        "triggers": [_trigger(catalogue, sanctions, t) for t in m.triggers],
        "scenarios": [_scenario(sanctions, s) for s in m.scenarios],
        "legal_basis": bases(m.legal_basis),
        "in_national_list": {
            "listed": listing.listed,
            "editions": list(listing.editions),
            "row": listing.row,
            "evidence": listing.evidence.value,
            "evidence_label": listing.evidence.label,
            "note": listing.note,
        },
        "duration": duration_text(m.duration),
        "automatic": m.automatic,
        "blocks_commitment": m.blocks_commitment,
        "role_conditions": [
            {"role": ROLE_NAMES.get(k, k), "conditions": list(v)}
            for k, v in m.role_conditions.items()
        ],
        "scenario_conditions": [
            {"scenario": _scenario(sanctions, k), "conditions": list(v)}
            for k, v in m.scenario_conditions.items()
        ],
        "note": m.note,
    }


def measures(sanctions: SanctionsCatalogue) -> list[dict[str, Any]]:
    return [measure_summary(m) for m in sanctions.measures()]


def measure_detail(
    catalogue: Catalogue, sanctions: SanctionsCatalogue, code: str
) -> dict[str, Any]:
    versions = sanctions.measure_versions(code)  # NotFound for an unknown code
    return {
        "code": code,
        "name": versions[-1].name,
        "versions": [measure_version(catalogue, sanctions, m) for m in reversed(versions)],
    }


def list_type_measures(sanctions: SanctionsCatalogue, code: str) -> list[dict[str, Any]]:
    """The measures (any version) a member of list type ``code`` is subject to."""
    out = []
    for m in sanctions.measures():
        if code in m.list_types:
            out.append(
                {
                    **measure_summary(m),
                    "scenarios": [_scenario(sanctions, s) for s in m.scenarios],
                }
            )
    return out


def list_type_versions(sanctions: SanctionsCatalogue, code: str) -> list[dict[str, Any]]:
    return [
        {
            "version": v.version,
            "effective_from": v.effective_from.isoformat(),
            "effective_until": v.effective_until.isoformat() if v.effective_until else None,
            "kind_label": LIST_KIND_LABELS.get(v.kind, v.kind),
        }
        for v in reversed(sanctions.list_type_versions(code))
    ]


# -- publication policies -------------------------------------------------------------------


def _decisions(p: PublicationPolicy) -> str:
    start, end = p.decisions_from, p.decisions_until
    if start is None and end is None:
        return "不限"
    if end is None:
        return f"{start} 起"
    if start is None:
        return f"{end} 及以前"
    return f"{start} 至 {end}"


def _sectors(catalogue: Catalogue, p: PublicationPolicy) -> list[str]:
    return [_sector(catalogue, s) for s in p.sectors]


def _governed_item(catalogue: Catalogue, p: PublicationPolicy, field: str) -> ItemVersion | None:
    """An item the policy governs that has ``field``, to label the field and its codes."""
    for v in catalogue.items():
        if governs(p, v) and any(f.code == field for f in v.fields):
            return v
    return None


def _period(catalogue: Catalogue, p: PublicationPolicy, rule: PeriodRule) -> dict[str, Any]:
    if not rule.publish:
        text = "不公示"
    elif rule.max_months is None:
        text = (
            "不设上限" if rule.min_months is None else f"最短{_months(rule.min_months)}，不设上限"
        )
    else:
        low = f"最短{_months(rule.min_months)}，" if rule.min_months else ""
        text = f"{low}最长{_months(rule.max_months)}"
    unpublished = []
    for field, codes in rule.unpublished_if_only.items():
        item = _governed_item(catalogue, p, field)
        labelled = "、".join(_code_label(catalogue, item, field, c) for c in codes)
        unpublished.append(f"{_field_name(item, field)}仅含{labelled}时不公示")
    return {
        "publish": rule.publish,
        "min_months": rule.min_months,
        "max_months": rule.max_months,
        "text": text,
        "unpublished_if_only": unpublished,
        "legal_basis": bases(rule.legal_basis),
        "note": rule.note,
    }


def _item_or_none(catalogue: Catalogue, code: str) -> ItemVersion | None:
    try:
        return catalogue.item(code)
    except NotFound:
        return None


def policy_view(catalogue: Catalogue, p: PublicationPolicy) -> dict[str, Any]:
    names = {v.code: v.name for v in catalogue.items()}
    return {
        "code": p.code,
        "name": p.name,
        "version": p.version,
        "decisions_from": p.decisions_from.isoformat() if p.decisions_from else None,
        "decisions_until": p.decisions_until.isoformat() if p.decisions_until else None,
        "decisions": _decisions(p),
        "items": [{"code": c, "name": names.get(c, c)} for c in p.items],
        "all_negative_items": not p.items,
        "sectors": _sectors(catalogue, p),
        "legal_basis": bases(p.legal_basis),
        "periods": [
            {"severity": sev.value, **_period(catalogue, p, rule)}
            for sev, rule in p.periods.items()
        ],
        "severity_rules": [
            {
                "item": {"code": code, "name": names.get(code, code)},
                "rules": [
                    {
                        "severity": r.severity.value,
                        "conditions": [
                            condition_text(catalogue, _item_or_none(catalogue, code), c)
                            for c in r.conditions
                        ],
                        "sectors": [_sector(catalogue, x) for x in r.sectors],
                        "legal_basis": bases(r.legal_basis),
                        "note": r.note,
                    }
                    for r in rules
                ],
            }
            for code, rules in p.severity_rules.items()
        ],
        "publish_natural_persons": p.publish_natural_persons,
        "natural_persons_basis": bases(p.natural_persons_basis),
        "local": p.local,
        "source_file": p.source_file,
    }


def policies(catalogue: Catalogue) -> list[dict[str, Any]]:
    """Every policy, newest regime first."""
    ps = sorted(
        catalogue.policies(),
        key=lambda p: (p.decisions_from.isoformat() if p.decisions_from else "", p.code),
        reverse=True,
    )
    return [policy_view(catalogue, p) for p in ps]
