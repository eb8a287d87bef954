"""Credit commitments as catalogue data (``commitments/commitments.yaml``, kind
``commitment_catalogue``): the four practice types, GB/T 46277-2025's classification as a
second axis, the licensing items open to 告知承诺制 with the exclusions of 国办发〔2020〕42号,
the templates subjects sign, what a breach writes into the ledger, and the 复核 draw.

Read strictly like every catalogue file (``catalog.files``): errors name the file and the key.
A local folder's file replaces items and templates of the same code and the recheck policy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

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
from xinyong.catalog.model import CatalogueSnapshot, Frozen, LegalBasis, RecheckPolicy, in_force
from xinyong.kernel.errors import ConfigurationError, NotFound

COMMITMENTS_FILE = "commitments/commitments.yaml"
KIND = "commitment_catalogue"
Fulfilment = Literal["materials", "verification", "standing"]
FULFILMENT_LABELS = {
    "materials": "容缺补正（限期提交材料）",
    "verification": "事后核查",
    "standing": "持续履约",
}
DISCLOSURES = ("社会公开", "政务共享", "不公开")


class CommitmentType(Frozen):
    code: str
    name: str
    fulfilment: tuple[Fulfilment, ...]
    telling: bool  # 告知承诺 / 容缺受理: signing needs the check's commitment_allowed


class Classification(Frozen):
    code: str
    name: str


class Exclusion(Frozen):
    code: str
    name: str


class LicensingItem(Frozen):
    code: str
    name: str
    sector: str
    open: bool
    exclusion: str | None = None
    legal_basis: tuple[LegalBasis, ...]
    effective_from: dt.date
    effective_until: dt.date | None = None


class Template(Frozen):
    code: str
    name: str
    type: str
    classification: str
    item: str | None = None
    sector: str | None = None
    fulfilment: Fulfilment
    working_days: int | None = Field(default=None, ge=1)
    materials: tuple[str, ...] = ()
    disclosure: str
    text: str
    legal_basis: tuple[LegalBasis, ...]
    effective_from: dt.date
    effective_until: dt.date | None = None
    local: bool = False
    source_file: str = ""


class BreachPolicy(Frozen):
    item: str
    breached_status: str
    false_status: str
    repairable: tuple[str, ...]
    not_repairable_reason: str
    not_repairable_basis: LegalBasis


@dataclass(frozen=True, slots=True)
class CommitmentCatalogue:
    types: tuple[CommitmentType, ...]
    types_basis: tuple[LegalBasis, ...]
    classifications: tuple[Classification, ...]
    classifications_basis: tuple[LegalBasis, ...]
    exclusions: tuple[Exclusion, ...]
    exclusions_basis: tuple[LegalBasis, ...]
    items: tuple[LicensingItem, ...]
    templates: tuple[Template, ...]
    breach: BreachPolicy
    recheck: RecheckPolicy
    snapshot: CatalogueSnapshot

    def type(self, code: str) -> CommitmentType:
        for t in self.types:
            if t.code == code:
                return t
        raise NotFound(f"no commitment type {code}", f"没有承诺类型“{code}”")

    def classification(self, code: str) -> Classification:
        return next(c for c in self.classifications if c.code == code)

    def exclusion(self, code: str) -> Exclusion:
        return next(x for x in self.exclusions if x.code == code)

    def item(self, code: str) -> LicensingItem:
        for i in self.items:
            if i.code == code:
                return i
        raise NotFound(f"no licensing item {code}", f"没有行政许可事项“{code}”")

    def template(self, code: str) -> Template:
        for t in self.templates:
            if t.code == code:
                return t
        raise NotFound(f"no commitment template {code}", f"没有信用承诺书模板“{code}”")

    def in_force(self, day: dt.date) -> list[Template]:
        return [t for t in self.templates if in_force(t, day)]


_TOP = (
    "types",
    "types_basis",
    "classifications",
    "classifications_basis",
    "exclusions",
    "exclusions_basis",
    "items",
    "templates",
    "breach",
    "recheck",
)


def _rows(src: Source, body: dict[str, Any], name: str) -> list[tuple[dict[str, Any], Key]]:
    rows = body.get(name, [])
    if not isinstance(rows, list):
        raise error(src, name, "must be a list", "应为列表")
    out = []
    for i, row in enumerate(rows):
        key: Key = (name, i)
        if not isinstance(row, dict):
            raise error(src, key, "must be a mapping", "应为键值映射")
        reject_loader_keys(src, row, key)
        out.append((row, key))
    return out


def _basis(src: Source, body: dict[str, Any], name: str) -> tuple[LegalBasis, ...]:
    return tuple(validate(LegalBasis, row, src, key) for row, key in _rows(src, body, name))


def _dates(src: Source, key: Key, v: LicensingItem | Template) -> None:
    if v.effective_until is not None and v.effective_until < v.effective_from:
        raise error(
            src,
            (*key, "effective_until"),
            "ends before it starts",
            "effective_until（失效日期）早于 effective_from（生效日期）",
        )


def build(found: Sequence[tuple[str, Source]]) -> CommitmentCatalogue:
    parts: dict[str, Any] = {}
    items: dict[str, LicensingItem] = {}
    templates: dict[str, tuple[Template, Source, Key]] = {}
    for _kind, src in found:
        body = parse(src, KIND)
        only_keys(src, body, _TOP)
        if "types" in body:
            parts["types"] = tuple(
                validate(CommitmentType, r, src, k) for r, k in _rows(src, body, "types")
            )
        for name, model in (("classifications", Classification), ("exclusions", Exclusion)):
            if name in body:
                parts[name] = tuple(validate(model, r, src, k) for r, k in _rows(src, body, name))
        for name in ("types_basis", "classifications_basis", "exclusions_basis"):
            if name in body:
                parts[name] = _basis(src, body, name)
        for row, key in _rows(src, body, "items"):
            check_code(src, (*key, "code"), row.get("code"), "licensing item", "许可事项")
            item = validate(LicensingItem, row, src, key)
            _dates(src, key, item)
            if not item.open and not item.exclusion:
                raise error(
                    src,
                    (*key, "exclusion"),
                    "an item closed to commitment must name its exclusion",
                    "不适用告知承诺的事项须写明 exclusion（排除情形）",
                )
            items[item.code] = item
        for row, key in _rows(src, body, "templates"):
            check_code(src, (*key, "code"), row.get("code"), "commitment template", "承诺书模板")
            t = validate(Template, {**row, "local": src.local, "source_file": src.label}, src, key)
            _dates(src, key, t)
            templates[t.code] = (t, src, key)
        if "breach" in body:
            parts["breach"] = validate(BreachPolicy, body["breach"], src, ("breach",))
        if "recheck" in body:
            parts["recheck"] = validate(RecheckPolicy, body["recheck"], src, ("recheck",))
    missing = [n for n in _TOP if n not in ("items", "templates") and n not in parts]
    if missing or not templates:
        raise ConfigurationError(
            f"the commitments file is missing or lacks {', '.join(missing) or 'templates'}",
            f"缺少信用承诺目录文件 {COMMITMENTS_FILE}，或其中缺少 {'、'.join(missing) or 'templates'}",
        )
    types = {t.code for t in parts["types"]}
    classes = {c.code for c in parts["classifications"]}
    exclusions = {x.code for x in parts["exclusions"]}
    for item in items.values():
        if item.exclusion is not None and item.exclusion not in exclusions:
            raise ConfigurationError(
                f"item {item.code}: unknown exclusion {item.exclusion}",
                f"{COMMITMENTS_FILE}：事项 {item.code} 的排除情形“{item.exclusion}”不在 exclusions 中",
            )
    for t, src, key in templates.values():
        checks = (
            ("type", t.type in types, "不在 types 中"),
            ("classification", t.classification in classes, "不在 classifications 中"),
            ("item", t.item is None or t.item in items, "不在 items 中"),
            ("disclosure", t.disclosure in DISCLOSURES, f"应为{'、'.join(DISCLOSURES)}之一"),
        )
        for field, ok, why in checks:
            if not ok:
                raise error(
                    src,
                    (*key, field),
                    f"{field} {getattr(t, field)!r} is not known",
                    f"“{getattr(t, field)}”{why}",
                )
        kind = next(x for x in parts["types"] if x.code == t.type)
        if t.fulfilment not in kind.fulfilment:
            raise error(
                src,
                (*key, "fulfilment"),
                f"type {t.type} is not fulfilled by {t.fulfilment}",
                f"{kind.name}承诺不采用“{FULFILMENT_LABELS[t.fulfilment]}”方式履约",
            )
        if t.fulfilment != "standing" and t.working_days is None:
            raise error(
                src, (*key, "working_days"), "needs a deadline", "须写明 working_days（工作日）"
            )
        if t.fulfilment == "materials" and not t.materials:
            raise error(src, (*key, "materials"), "needs materials", "容缺承诺须列出所缺材料")
    return CommitmentCatalogue(
        templates=tuple(t for t, _, _ in templates.values()),
        items=tuple(items.values()),
        snapshot=snapshot(found),
        **parts,
    )


load_commitment_catalogue = files.cached_loader(
    build,
    {COMMITMENTS_FILE: KIND},
    doc="The national commitment catalogue, replaced where a local folder has its own.",
)


def template_json(cat: CommitmentCatalogue, t: Template) -> dict[str, Any]:
    """A template as the JSON views and pages show it: codes with labels beside them."""
    item = cat.item(t.item) if t.item else None
    return {
        "code": t.code,
        "name": t.name,
        "type": t.type,
        "type_label": cat.type(t.type).name,
        "classification": t.classification,
        "classification_label": cat.classification(t.classification).name,
        "item": t.item,
        "item_label": item.name if item else None,
        "item_open": item.open if item else None,
        "item_exclusion": cat.exclusion(item.exclusion).name if item and item.exclusion else None,
        "sector": t.sector,
        "fulfilment": t.fulfilment,
        "fulfilment_label": FULFILMENT_LABELS[t.fulfilment],
        "working_days": t.working_days,
        "materials": list(t.materials),
        "disclosure": t.disclosure,
        "text": t.text,
        "legal_basis": [b.as_json() for b in t.legal_basis],
        "effective_from": t.effective_from.isoformat(),
        "effective_until": t.effective_until.isoformat() if t.effective_until else None,
    }
