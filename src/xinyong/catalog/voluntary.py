"""Voluntary registration (自愿注册) as catalogue data: ``voluntary/registration.yaml`` (kind
``voluntary_registration``), read strictly through ``catalog.files``.

The file names the kinds of information a subject may register (资质证书, 经营信息, 合同履约,
公益慈善/志愿服务, 荣誉 …) with their fields, who verifies each (a department of the named
sectors, or the credit office), the catalogue item the verified record is filed under (whose
disclosure the kind repeats, so a reader of the file sees it), the truthfulness commitment and
the authorisation texts, the verification deadline and the target share of voluntary records
(Shaanxi 2020: about 30 %). A local supplementary folder may hold its own file: its kinds
replace national ones of the same code; its texts, deadline, office and target replace the
national ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
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
    snapshot,
    validate,
)
from xinyong.catalog.model import CatalogueSnapshot, Disclosure, Frozen, LegalBasis
from xinyong.kernel.errors import ConfigurationError, InputError

VOLUNTARY_FILE = "voluntary/registration.yaml"
KIND = "voluntary_registration"
# The catalogue items a verified registration may be filed under (市场主体自愿提供的信用信息).
ITEMS = ("ZYZC", "ZYGS")
FieldType = Literal["text", "date", "integer", "decimal"]
TYPE_LABELS = {"text": "文本", "date": "日期", "integer": "整数", "decimal": "数值"}
VERIFIER_LABELS = {"department": "行业主管部门核验", "office": "信用办核验"}


class KindField(Frozen):
    code: str
    name: str
    type: FieldType = "text"
    required: bool = False
    max_length: int = Field(default=200, ge=1, le=4000)

    def as_json(self) -> dict[str, Any]:
        return {**self.model_dump(mode="json"), "type_label": TYPE_LABELS[self.type]}


class VoluntaryKind(Frozen):
    code: str
    name: str
    item: Literal["ZYZC", "ZYGS"]
    disclosure: Disclosure
    verifier: Literal["department", "office"]
    sectors: tuple[str, ...] = ()
    fields: tuple[KindField, ...] = Field(min_length=1)
    legal_basis: tuple[LegalBasis, ...] = Field(min_length=1)
    local: bool = False
    source_file: str = ""

    def field(self, code: str) -> KindField | None:
        return next((f for f in self.fields if f.code == code), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "item": self.item,
            "disclosure": self.disclosure.value,
            "verifier": self.verifier,
            "verifier_label": VERIFIER_LABELS[self.verifier],
            "sectors": list(self.sectors),
            "fields": [f.as_json() for f in self.fields],
            "legal_basis": [b.as_json() for b in self.legal_basis],
        }


class OfficeUnit(Frozen):
    """The unit the ledger names for records the credit office verified."""

    code: str
    name: str
    sector: str


class Target(Frozen):
    share: float = Field(gt=0, le=1)
    region: str
    due_by: dt.date | None = None
    legal_basis: tuple[LegalBasis, ...] = Field(min_length=1)

    def as_json(self) -> dict[str, Any]:
        return {
            "share": self.share,
            "region": self.region,
            "due_by": self.due_by.isoformat() if self.due_by else None,
            "legal_basis": [b.as_json() for b in self.legal_basis],
        }


@dataclass(frozen=True, slots=True)
class VoluntaryCatalogue:
    version: str
    kinds: tuple[VoluntaryKind, ...]
    commitment_text: str
    authorisation_text: str
    verification_working_days: int
    verification_basis: LegalBasis
    office: OfficeUnit
    target: Target
    legal_basis: tuple[LegalBasis, ...]
    snapshot: CatalogueSnapshot

    def kind(self, code: str) -> VoluntaryKind:
        for k in self.kinds:
            if k.code == code:
                return k
        options = "、".join(f"{k.code}（{k.name}）" for k in self.kinds)
        raise InputError(
            f"no voluntary kind {code!r}", f"kind（信息类别）“{code}”无效，可选：{options}"
        )


_TOP = (
    "version",
    "effective_from",
    "legal_basis",
    "commitment_text",
    "authorisation_text",
    "verification_working_days",
    "verification_basis",
    "office",
    "target",
    "kinds",
)


def _text(src: Source, body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise error(src, key, "must be a non-empty text", "应为非空文本")
    return " ".join(value.split())


def _kinds(src: Source, body: Mapping[str, Any]) -> list[VoluntaryKind]:
    rows = body.get("kinds", [])
    if not isinstance(rows, list):
        raise error(src, "kinds", "must be a list", "应为列表")
    out: list[VoluntaryKind] = []
    seen: set[str] = set()
    for i, row in enumerate(rows):
        key: Key = ("kinds", i)
        if not isinstance(row, dict):
            raise error(src, key, "a kind must be a mapping", "每个信息类别应为键值映射")
        check_code(src, (*key, "code"), row.get("code"), "voluntary kind", "自愿注册信息类别")
        kind = validate(
            VoluntaryKind, {**row, "local": src.local, "source_file": src.label}, src, key
        )
        if kind.code in seen:
            raise error(src, (*key, "code"), f"duplicate kind {kind.code}", "信息类别代码重复")
        seen.add(kind.code)
        if kind.verifier == "department" and not kind.sectors:
            raise error(
                src,
                (*key, "sectors"),
                "a kind verified by a department must name its sectors",
                "由部门核验的信息类别须列明 sectors（负责核验的行业领域）",
            )
        codes = [f.code for f in kind.fields]
        if len(set(codes)) != len(codes):
            raise error(src, (*key, "fields"), "duplicate field code", "字段代码重复")
        out.append(kind)
    return out


def build(found: Sequence[tuple[str, Source]]) -> VoluntaryCatalogue:
    merged: dict[str, Any] = {}
    by_code: dict[str, VoluntaryKind] = {}
    for _kind, src in found:
        body = parse(src, KIND)
        only_keys(src, body, _TOP)
        for key in ("commitment_text", "authorisation_text"):
            text = _text(src, body, key)
            if text is not None:
                merged[key] = text
        if "verification_working_days" in body:
            days = body["verification_working_days"]
            if not isinstance(days, int) or isinstance(days, bool) or days < 1:
                raise error(
                    src, "verification_working_days", "must be a positive integer", "应为正整数"
                )
            merged["verification_working_days"] = days
        if "verification_basis" in body:
            merged["verification_basis"] = validate(
                LegalBasis, body["verification_basis"], src, ("verification_basis",)
            )
        if "office" in body:
            merged["office"] = validate(OfficeUnit, body["office"], src, ("office",))
        if "target" in body:
            merged["target"] = validate(Target, body["target"], src, ("target",))
        if "legal_basis" in body:
            rows = body["legal_basis"]
            if not isinstance(rows, list) or not rows:
                raise error(src, "legal_basis", "must be a non-empty list", "应为非空列表")
            merged["legal_basis"] = tuple(
                validate(LegalBasis, r, src, ("legal_basis", i)) for i, r in enumerate(rows)
            )
        if "version" in body:
            merged["version"] = str(body["version"])
        for k in _kinds(src, body):
            by_code[k.code] = k  # a local kind replaces the national one
    required = (
        "commitment_text",
        "authorisation_text",
        "verification_working_days",
        "verification_basis",
        "office",
        "target",
        "legal_basis",
        "version",
    )
    missing = [k for k in required if k not in merged]
    if not by_code or missing:
        raise ConfigurationError(
            f"{VOLUNTARY_FILE} is missing or lacks kinds/{'/'.join(missing)}",
            f"缺少自愿注册文件 {VOLUNTARY_FILE}，或其中没有 kinds / {' / '.join(missing)}",
        )
    return VoluntaryCatalogue(kinds=tuple(by_code.values()), snapshot=snapshot(found), **merged)


load_voluntary_catalogue = files.cached_loader(
    build,
    {VOLUNTARY_FILE: KIND},
    doc="The national file, then each local folder's (cached: immutable).",
)
