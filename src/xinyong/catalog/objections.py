"""Objection (异议) regimes as catalogue data: ``rights/objections.yaml`` (kind
``objection_regimes``), read strictly through ``catalog.files``.

A regime says who may object, within what window after the record's date, and the providing
department's deadlines (push, accept, verify, correct), whether an extension is possible and
how, and whether publication and measures continue while the objection is open. ``targets``
maps an item or a list type to its regime; anything else falls under ``default`` (令36).
A local supplementary directory may hold its own ``rights/objections.yaml``: its regimes and
targets replace the national ones of the same code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from xinyong.catalog.files import (
    Source,
    check_code,
    error,
    only_keys,
    parse,
    sources,
    validate,
)
from xinyong.catalog.model import Frozen, LegalBasis, in_force
from xinyong.kernel.errors import ConfigurationError, NotFound

OBJECTIONS_FILE = "rights/objections.yaml"
KIND = "objection_regimes"

Unit = Literal["working_days", "calendar_days"]
UNIT_LABELS: dict[str, str] = {"working_days": "个工作日", "calendar_days": "日"}
EXTENSION_LABELS: dict[str, str] = {
    "notice": "可延长，须事先告知申请人（未规定延长上限）",
    "none": "不得延长",
}


class ObjectionRegime(Frozen):
    code: str
    name: str
    version: str
    effective_from: dt.date
    effective_until: dt.date | None = None
    push_working_days: int | None = Field(default=None, ge=0)
    accept_working_days: int | None = Field(default=None, ge=0)
    verify_days: int = Field(ge=1)
    verify_unit: Unit = "working_days"
    correct_working_days: int | None = Field(default=None, ge=0)
    window_days: int | None = Field(default=None, ge=1)  # from the record's date
    window_unit: Unit = "calendar_days"
    extension: Literal["notice", "none"] = "none"
    public_may_object: bool = False
    publication_continues: bool = True
    measures_continue: bool = True
    legal_basis: tuple[LegalBasis, ...] = Field(min_length=1)
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        """Codes with their labels beside them (the API's view of the regime)."""
        return {
            "code": self.code,
            "name": self.name,
            "version": self.version,
            "effective_from": self.effective_from.isoformat(),
            "effective_until": self.effective_until.isoformat() if self.effective_until else None,
            "push_working_days": self.push_working_days,
            "accept_working_days": self.accept_working_days,
            "verify_days": self.verify_days,
            "verify_unit": self.verify_unit,
            "verify_unit_label": UNIT_LABELS[self.verify_unit],
            "correct_working_days": self.correct_working_days,
            "window_days": self.window_days,
            "window_unit": self.window_unit,
            "window_unit_label": UNIT_LABELS[self.window_unit],
            "extension": self.extension,
            "extension_label": EXTENSION_LABELS[self.extension],
            "public_may_object": self.public_may_object,
            "publication_continues": self.publication_continues,
            "measures_continue": self.measures_continue,
            "legal_basis": [b.as_json() for b in self.legal_basis],
            "note": self.note,
        }


class _Targets(Frozen):
    items: dict[str, str] = Field(default_factory=dict)
    list_types: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ObjectionRegimes:
    default: str
    regimes: Mapping[str, tuple[ObjectionRegime, ...]]  # code -> versions, oldest first
    items: Mapping[str, str]
    list_types: Mapping[str, str]

    def regime(self, code: str, day: dt.date | None = None) -> ObjectionRegime:
        """The version of ``code`` in force on ``day`` (the latest without a day)."""
        versions = self.regimes.get(code, ())
        if day is not None:
            versions = tuple(v for v in versions if in_force(v, day))
        if not versions:
            raise NotFound(
                f"no objection regime {code} in force", f"没有现行有效的异议规则“{code}”"
            )
        return versions[-1]

    def code_for(self, *, item_code: str, list_type: str | None) -> str:
        """The regime of a record of ``item_code`` (a list entry: of its list type)."""
        if list_type is not None and list_type in self.list_types:
            return self.list_types[list_type]
        return self.items.get(item_code, self.default)

    def for_target(self, *, item_code: str, list_type: str | None, day: dt.date) -> ObjectionRegime:
        return self.regime(self.code_for(item_code=item_code, list_type=list_type), day)

    def all(self) -> list[ObjectionRegime]:
        return [v for vs in self.regimes.values() for v in vs]


def _parse(
    src: Source, out: dict[str, list[ObjectionRegime]], targets: dict[str, dict[str, str]]
) -> str | None:
    body = parse(src, KIND)
    only_keys(src, body, ("default", "regimes", "targets"))
    rows = body.get("regimes", [])
    if not isinstance(rows, list):
        raise error(src, "regimes", "must be a list", "应为列表")
    local: dict[str, list[ObjectionRegime]] = {}
    for i, row in enumerate(rows):
        key = ("regimes", i)
        if not isinstance(row, dict):
            raise error(src, key, "a regime must be a mapping", "每条异议规则应为键值映射")
        regime = validate(ObjectionRegime, row, src, key)
        check_code(src, (*key, "code"), regime.code, "objection regime", "异议规则")
        if regime.effective_until is not None and regime.effective_until < regime.effective_from:
            raise error(
                src,
                (*key, "effective_until"),
                "effective_until is before effective_from",
                "失效日期早于生效日期",
            )
        local.setdefault(regime.code, []).append(regime)
    out.update({c: sorted(vs, key=lambda v: v.effective_from) for c, vs in local.items()})
    t = validate(_Targets, body.get("targets", {}), src, ("targets",))
    targets["items"].update(t.items)
    targets["list_types"].update(t.list_types)
    default = body.get("default")
    if default is not None and not isinstance(default, str):
        raise error(src, "default", "must be a regime code", "应为异议规则代码")
    return default


def load_regimes(extra_dirs: Sequence[Path] = ()) -> ObjectionRegimes:
    """The national regimes, then each local directory's (a local regime replaces the
    national one of the same code; its targets add to or replace the national mapping)."""
    found = sources(extra_dirs, {OBJECTIONS_FILE: KIND}, {})
    regimes: dict[str, list[ObjectionRegime]] = {}
    targets: dict[str, dict[str, str]] = {"items": {}, "list_types": {}}
    default: str | None = None
    last: Source | None = None
    for _, src in sorted(found, key=lambda ks: ks[1].local):
        default = _parse(src, regimes, targets) or default
        last = src
    if last is None or default is None:
        raise ConfigurationError(
            f"no default objection regime in {OBJECTIONS_FILE}",
            f"缺少异议规则文件 {OBJECTIONS_FILE} 或其 default（默认规则）",
        )
    for where, mapping in (
        ("default", {"": default}),
        *((f"targets.{k}", v) for k, v in targets.items()),
    ):
        for name, code in mapping.items():
            if code not in regimes:
                raise error(
                    last,
                    f"{where}.{name}" if name else where,
                    f"unknown objection regime {code!r}",
                    f"异议规则“{code}”未定义（可用：{'、'.join(sorted(regimes))}）",
                )
    return ObjectionRegimes(
        default=default,
        regimes={c: tuple(vs) for c, vs in regimes.items()},
        items=dict(targets["items"]),
        list_types=dict(targets["list_types"]),
    )


@cache
def national_regimes() -> ObjectionRegimes:
    return load_regimes(())


def regimes_for(extra_dirs: Sequence[Path]) -> ObjectionRegimes:
    """The regimes of a deployment (national only, cached, when it has no local folder)."""
    return national_regimes() if not extra_dirs else load_regimes(extra_dirs)
