"""Rectification and interviews as catalogue data (``rectification/rectification.yaml``).

The interview kinds (提示约谈, 警示约谈) with their basis and notice period, the grounds an order
may rest on (the items whose records are findings), the default and longest rectification
period, and the item the interview record is written as. Read strictly, errors naming the
file and key; a local supplementary folder's own file replaces the national one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from xinyong.catalog import files
from xinyong.catalog.files import (
    Source,
    check_code,
    error,
    only_keys,
    parse,
    snapshot,
    validate,
)
from xinyong.catalog.model import CatalogueSnapshot, Frozen, LegalBasis
from xinyong.kernel.errors import ConfigurationError, InputError

RECTIFICATION_FILE = "rectification/rectification.yaml"
KIND = "rectification"


class InterviewKind(Frozen):
    code: str
    name: str
    notice_working_days: int = Field(ge=0)
    legal_basis: tuple[LegalBasis, ...] = Field(min_length=1)


class Ground(Frozen):
    code: str
    name: str
    items: tuple[str, ...] = Field(min_length=1)
    legal_basis: tuple[LegalBasis, ...] = Field(min_length=1)


class RectificationRules(Frozen):
    version: str
    effective_from: dt.date
    legal_basis: tuple[LegalBasis, ...] = Field(min_length=1)
    interview_item: str
    default_period_days: int = Field(ge=1)
    max_period_days: int = Field(ge=1)
    interview_kinds: tuple[InterviewKind, ...] = Field(min_length=1)
    grounds: tuple[Ground, ...] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class RectificationCatalogue:
    rules: RectificationRules
    source_file: str
    snapshot: CatalogueSnapshot

    def interview_kind(self, code: str) -> InterviewKind:
        for k in self.rules.interview_kinds:
            if k.code == code:
                return k
        options = "、".join(f"{k.code}（{k.name}）" for k in self.rules.interview_kinds)
        raise InputError(
            f"interview kind {code!r} unknown", f"kind（约谈类型）“{code}”无效，可选：{options}"
        )

    def ground(self, code: str) -> Ground:
        for g in self.rules.grounds:
            if g.code == code:
                return g
        options = "、".join(f"{g.code}（{g.name}）" for g in self.rules.grounds)
        raise InputError(
            f"ground {code!r} unknown", f"ground（整改事由）“{code}”无效，可选：{options}"
        )

    def ground_of_item(self, item_code: str) -> Ground | None:
        return next((g for g in self.rules.grounds if item_code in g.items), None)


_TOP = (
    "version",
    "effective_from",
    "legal_basis",
    "interview_item",
    "default_period_days",
    "max_period_days",
    "interview_kinds",
    "grounds",
)


def _parse(src: Source) -> RectificationRules:
    body = parse(src, KIND)
    only_keys(src, body, _TOP)
    for part in ("interview_kinds", "grounds"):
        rows = body.get(part)
        if not isinstance(rows, list):
            raise error(src, part, "must be a list", "应为列表")
        seen: set[str] = set()
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                raise error(src, (part, i), "must be a mapping", "应为键值映射")
            code = check_code(src, (part, i, "code"), row.get("code"), part, "代码")
            if code in seen:
                raise error(src, (part, i, "code"), f"duplicate code {code}", "代码重复")
            seen.add(code)
    check_code(src, "interview_item", body.get("interview_item"), "item", "信息项")
    rules = validate(RectificationRules, body, src, ())
    if rules.max_period_days < rules.default_period_days:
        raise error(
            src,
            "max_period_days",
            "shorter than default_period_days",
            "max_period_days（最长整改期限）短于 default_period_days（默认整改期限）",
        )
    return rules


def build(found: Sequence[tuple[str, Source]]) -> RectificationCatalogue:
    if not found:
        raise ConfigurationError(
            "the rectification file is missing", f"缺少限期整改与约谈规则文件 {RECTIFICATION_FILE}"
        )
    # The last file found is a local folder's, which replaces the national one.
    src = found[-1][1]
    return RectificationCatalogue(_parse(src), src.label, snapshot(found))


load_rectification_catalogue = files.cached_loader(
    build,
    {RECTIFICATION_FILE: KIND},
    doc="The rectification rules (national, or a local folder's own; cached: immutable).",
)


def rules_json(cat: RectificationCatalogue) -> dict[str, Any]:
    r = cat.rules
    return {
        "version": r.version,
        "legal_basis": [b.as_json() for b in r.legal_basis],
        "default_period_days": r.default_period_days,
        "max_period_days": r.max_period_days,
        "interview_kinds": [
            {
                "code": k.code,
                "name": k.name,
                "notice_working_days": k.notice_working_days,
                "legal_basis": [b.as_json() for b in k.legal_basis],
            }
            for k in r.interview_kinds
        ],
        "grounds": [{"code": g.code, "name": g.name, "items": list(g.items)} for g in r.grounds],
    }
