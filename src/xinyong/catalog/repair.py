"""Credit repair regimes as catalogue data (``rights/repair.yaml``, kind ``repair_regimes``).

Which rules govern the repair of a record, the working-day deadlines of the procedure, what
cannot be repaired early, the fraud bar, and the re-check sampling ratio: read strictly, with
errors naming the file and key, like every catalogue file (``catalog.files``). A local
supplementary folder may hold a ``rights/repair.yaml`` too: its regimes replace national ones
of the same code, and its ``recheck`` replaces the national one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
from xinyong.catalog.model import CatalogueSnapshot, Frozen, LegalBasis, RecheckPolicy, in_force
from xinyong.kernel.errors import ConfigurationError

REPAIR_FILE = "rights/repair.yaml"
KIND = "repair_regimes"


class RepairRegime(Frozen):
    """One regime of credit repair (令36, 令107, 令54, the courts' rules)."""

    code: str
    name: str
    version: str
    effective_from: dt.date
    effective_until: dt.date | None = None
    default: bool = False  # the regime of a record no other regime names
    policies: tuple[str, ...] = ()  # publication policy codes whose records it governs
    list_types: tuple[str, ...] = ()  # list types whose memberships it governs
    repairable: bool = True
    not_repairable_reason: str = ""
    acceptance_working_days: int = Field(ge=0)
    decision_working_days: int = Field(ge=0)
    decision_working_days_by_item: Mapping[str, int] = Field(default_factory=dict)
    extension_working_days: int = Field(ge=0)
    data_processing_working_days: int = Field(ge=0)
    bankruptcy_working_days: int = Field(ge=0)
    min_months: int | None = Field(default=None, ge=0)  # floor when the record names none
    fraud_bar_months: int = Field(ge=0)
    commitment_required: bool = True
    # Integrity education (诚信教育) as a step of repair: a provincial choice (Shaanxi 2018
    # (十六) makes training and a signed commitment necessary before repair); no national rule
    # asks for it, so false unless a local repair.yaml says otherwise.
    requires_training: bool = False
    training_basis: LegalBasis | None = None
    not_repairable_penalty_kinds: tuple[str, ...] = ()
    restriction_penalty_kinds: tuple[str, ...] = ()
    restriction_min_months: int | None = Field(default=None, ge=0)
    legal_basis: tuple[LegalBasis, ...]
    commitment_basis: LegalBasis | None = None
    fraud_basis: LegalBasis | None = None
    remedies: str = ""
    local: bool = False
    source_file: str = ""

    def decision_days(self, item_code: str) -> int:
        return self.decision_working_days_by_item.get(item_code, self.decision_working_days)


class RecordFields(Frozen):
    """The penalty item's fields eligibility reads."""

    item: str
    penalty_kinds: str
    restriction_until: str
    violation: str


@dataclass(frozen=True, slots=True)
class RepairCatalogue:
    regimes: tuple[RepairRegime, ...]
    recheck: RecheckPolicy
    commitment_text: str
    record_fields: RecordFields
    snapshot: CatalogueSnapshot

    def regime(self, code: str) -> RepairRegime:
        for r in self.regimes:
            if r.code == code:
                return r
        raise ConfigurationError(f"no repair regime {code}", f"没有信用修复规则“{code}”")

    def regime_for(
        self, *, policy_code: str | None, list_type: str | None, on: dt.date
    ) -> RepairRegime:
        """The regime of a record (by the policy that governs its publication) or of a list
        membership (by its list type), in force ``on``; else the default regime."""
        live = [r for r in self.regimes if in_force(r, on)] or list(self.regimes)
        if list_type is not None:
            for r in live:
                if list_type in r.list_types:
                    return r
        if policy_code is not None:
            for r in live:
                if policy_code in r.policies:
                    return r
        return next(r for r in live if r.default) if any(r.default for r in live) else live[0]


_TOP = ("regimes", "recheck", "commitment_text", "record_fields")


def _parse(
    src: Source,
) -> tuple[list[tuple[RepairRegime, Key]], RecheckPolicy | None, str | None, RecordFields | None]:
    body = parse(src, KIND)
    only_keys(src, body, _TOP)
    rows = body.get("regimes", [])
    if not isinstance(rows, list):
        raise error(src, "regimes", "must be a list", "应为列表")
    out: list[tuple[RepairRegime, Key]] = []
    for i, row in enumerate(rows):
        key: Key = ("regimes", i)
        if not isinstance(row, dict):
            raise error(src, key, "a regime must be a mapping", "每条修复规则应为键值映射")
        reject_loader_keys(src, row, key)
        check_code(src, (*key, "code"), row.get("code"), "repair regime", "修复规则")
        regime = validate(
            RepairRegime, {**row, "local": src.local, "source_file": src.label}, src, key
        )
        if regime.effective_until is not None and regime.effective_until < regime.effective_from:
            raise error(
                src,
                (*key, "effective_until"),
                "ends before it starts",
                "effective_until（失效日期）早于 effective_from（生效日期）",
            )
        if not regime.repairable and not regime.not_repairable_reason.strip():
            raise error(
                src,
                (*key, "not_repairable_reason"),
                "a regime that takes no application must say where to go",
                "不受理修复申请的规则须写明 not_repairable_reason（去何处办理）",
            )
        out.append((regime, key))
    recheck = None
    if "recheck" in body:
        recheck = validate(RecheckPolicy, body["recheck"], src, ("recheck",))
    text = body.get("commitment_text")
    if text is not None and (not isinstance(text, str) or not text.strip()):
        raise error(src, "commitment_text", "must be a non-empty text", "应为非空文本")
    fields = None
    if "record_fields" in body:
        fields = validate(RecordFields, body["record_fields"], src, ("record_fields",))
    return out, recheck, text, fields


def build(found: Sequence[tuple[str, Source]]) -> RepairCatalogue:
    by_code: dict[str, RepairRegime] = {}
    recheck: RecheckPolicy | None = None
    text: str | None = None
    fields: RecordFields | None = None
    for _kind, src in found:
        regimes, rc, own_text, own_fields = _parse(src)
        text = own_text or text
        fields = own_fields or fields
        seen: set[str] = set()
        for regime, key in regimes:
            if regime.code in seen:
                raise error(
                    src, (*key, "code"), f"duplicate regime {regime.code}", "修复规则代码重复"
                )
            seen.add(regime.code)
            by_code[regime.code] = regime  # a local file replaces the national regime
        if rc is not None:
            recheck = rc
    if not by_code or recheck is None or text is None or fields is None:
        raise ConfigurationError(
            "the repair regimes file is missing or has no regimes/recheck/commitment_text/record_fields",
            f"缺少信用修复规则文件 {REPAIR_FILE}，或其中没有 regimes / recheck / commitment_text / record_fields",
        )
    if sum(1 for r in by_code.values() if r.default) != 1:
        raise ConfigurationError(
            "exactly one repair regime must be the default",
            f"{REPAIR_FILE}：须有且只有一条修复规则为 default: true",
        )
    return RepairCatalogue(tuple(by_code.values()), recheck, text.strip(), fields, snapshot(found))


load_repair_catalogue = files.cached_loader(
    build,
    {REPAIR_FILE: KIND},
    doc="The national regimes, replaced where a local folder has its own (cached: immutable).",
)


def regime_json(r: RepairRegime) -> dict[str, Any]:
    """A regime as the JSON views show it (codes with labels beside them)."""
    return {
        "code": r.code,
        "name": r.name,
        "version": r.version,
        "effective_from": r.effective_from.isoformat(),
        "legal_basis": [b.as_json() for b in r.legal_basis],
        "unit": "工作日",
        "acceptance_working_days": r.acceptance_working_days,
        "decision_working_days": r.decision_working_days,
        "extension_working_days": r.extension_working_days,
        "data_processing_working_days": r.data_processing_working_days,
        "bankruptcy_working_days": r.bankruptcy_working_days,
        "fraud_bar_months": r.fraud_bar_months,
        "requires_training": r.requires_training,
        "remedies": r.remedies,
    }
