"""List types (红名单、严重失信主体名单、重点关注对象、市场和行业禁入) and measures (惩戒、激励、
管理措施) as catalogue data, and the index answering "what applies to this subject in scenario S".

Layout, beside the item catalogue (the national files ship in ``catalog/data/national``; a
deployment's 地方补充目录 uses the same layout under ``XINYONG_LOCAL_CATALOG_DIR``)::

    lists/*.yaml     kind: list_type   one list type, one or more versions
    measures/*.yaml  kind: measures    several measures (each entry is one version of one measure)
    scenarios.yaml   kind: scenarios   the application scenarios (政府采购、招标投标 …)

Incentives are measures of kind ``incentive`` triggered by red list types only; there is no
separate type. Nothing is applied without a catalogued legal basis: a measure or list type
without one is refused at load, like any other bad file, with a :class:`ConfigurationError`
naming the file, the key path and the reason in Chinese and English.

Periods and durations are counted in months from the decision (listing) date; deadlines are in
working days unless the field name says otherwise (``objection_window_days`` is calendar days).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Generic, Literal, TypeVar

from pydantic import Field

from xinyong.catalog.conditions import all_hold
from xinyong.catalog.loader import (
    Catalogue,
    Key,
    _error,
    _parse,
    _reject_loader_keys,
    _Source,
    _validate,
    check_condition,
    default_catalogue,
    key_path,
    load_catalogue,
    version_on,
)
from xinyong.catalog.model import (
    CatalogueSnapshot,
    Condition,
    Evidence,
    Frozen,
    LegalBasis,
    RelationRole,
    Severity,
    SubjectKind,
    SubjectType,
)
from xinyong.kernel.errors import ConfigurationError, NotFound
from xinyong.kernel.settings import get_settings

NATIONAL_DIR = Path(__file__).parent / "data" / "national"
LISTS_DIR = "lists"
MEASURES_DIR = "measures"
SCENARIOS_FILE = "scenarios.yaml"
COMMITMENT_FILE = "commitment.yaml"

_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,15}$")
_SCENARIO_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")

ListKind = Literal["red", "black", "watch", "ban"]
LIST_KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "black": "严重失信主体名单",
        "red": "守信激励对象名单（红名单）",
        "watch": "重点关注对象名单",
        "ban": "市场和行业禁入",
    }
)
MeasureKind = Literal["punishment", "incentive", "management"]
# 全国失信惩戒措施基础清单's three classes: 1 减损权益或增加义务, 2 管理措施, 3 其他组织实施.
MeasureClass = Literal[1, 2, 3]
# Whom a measure reaches. The three relation roles are the ones subjects' related persons are
# recorded under (model.RelationRole); "subject" is the listed subject itself;
# "directly_responsible" (直接负责的主管人员和其他直接责任人员) is named in the bases but not
# (yet) recorded as a relation, so it cannot be resolved automatically.
TargetRole = Literal[
    "subject", "legal_representative", "principal", "actual_controller", "directly_responsible"
]
DurationType = Literal[
    "while_listed", "while_published", "fixed_months", "by_decision", "permanent"
]

TARGET_RELATION_ROLES: Mapping[str, RelationRole | None] = MappingProxyType(
    {
        "subject": None,
        "legal_representative": "legal_representative",
        "principal": "principal",
        "actual_controller": "actual_controller",
        "directly_responsible": None,
    }
)

ROLE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "subject": "失信主体本身",
        "legal_representative": "法定代表人",
        "principal": "主要负责人",
        "actual_controller": "实际控制人",
        "directly_responsible": "直接负责的主管人员和其他直接责任人员",
    }
)


# -- domain types -------------------------------------------------------------------------


class Scenario(Frozen):
    """Where a measure is applied (政府采购、招标投标 …); business systems ask per scenario."""

    code: str  # e.g. government_procurement
    name: str  # e.g. 政府采购
    description: str = ""
    local: bool = False
    source_file: str = ""


class Extension(Frozen):
    """A listing period may be extended, e.g. 失信被执行人 +1 to 3 years."""

    conditions: str  # when the extension may be decided (Chinese)
    min_months: int | None = None
    max_months: int
    legal_basis: tuple[LegalBasis, ...] = ()


class EarlyExit(Frozen):
    """Exit before the period ends on the subject's application (or, for lists with no fixed
    period such as 经营异常名录, the only exit: removal once the cause is cured)."""

    # Months on the list before an application is possible; None = no minimum.
    min_months: int | None = None
    conditions: tuple[str, ...]  # Chinese; all listed conditions unless the note says "any"
    excluded_when: tuple[str, ...] = ()  # cases where early exit is refused
    acceptance_deadline_working_days: int | None = None
    decision_deadline_working_days: int | None = None
    decision_extension_working_days: int | None = None
    # After the exit decision: publication stops and the measures are lifted within this.
    stop_publication_working_days: int | None = None
    legal_basis: tuple[LegalBasis, ...] = ()
    note: str = ""


class ListType(Frozen):
    """One version of one list type: its founding basis, procedure, period and exits."""

    code: str  # e.g. SAMR_SERIOUS
    name: str  # e.g. 市场监督管理严重违法失信名单
    kind: ListKind
    sector: str  # the deciding sector (catalog/data/national/sectors.yaml)
    version: str
    effective_from: dt.date
    effective_until: dt.date | None = None  # inclusive last day
    legal_basis: tuple[LegalBasis, ...]
    # How well the row's rules (periods, windows) are established, separate from the bases'.
    evidence: Evidence
    entry_criteria: tuple[str, ...]  # Chinese texts
    deciding_authority: str
    subject_types: tuple[SubjectType, ...]
    minors_excluded: bool = False
    # Procedure before the decision: notice of the proposed listing and a window to state
    # one's case (陈述申辩), in working days.
    notice_required: bool
    statement_window_working_days: int | None = None
    decision_deadline_working_days: int | None = None
    publication_deadline_working_days: int | None = None
    objection_window_days: int | None = None  # calendar days after publication (异议)
    procedure_note: str = ""
    # Period from the listing decision: months, or no fixed period (None), or permanent.
    period_months: int | None
    # The period runs from the listing decision (the date the list type's rule names, e.g.
    # 令44 第二十一条 满三年; 令36 第七条 自认定之日起) or, where the rule says so, publication.
    period_start: Literal["decision", "publication"] = "decision"
    permanent: bool = False
    # The decision fixes each entry's term (e.g. 证券市场禁入 "一定期限直至终身");
    # period_months, when set, is then the default.
    period_by_decision: bool = False
    period_note: str = ""
    extension: Extension | None = None
    early_exit: EarlyExit | None = None
    automatic_exit: bool  # leaves the list by itself at the end of the period
    # After expiry or deletion conditions: publication stops within this.
    exit_processing_working_days: int | None = None
    # The underlying decision is revoked / the listing was wrong: withdrawn within this.
    revocation_deadline_working_days: int | None = None
    # Catalogue item where the entries are published, and the item field values that mark an
    # entry of this list (e.g. YZSX with YZ_MDLX 01).
    linked_item: str | None = None
    linked_item_match: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    # Entries decided outside this platform (the courts' 失信被执行人, lists a department keeps
    # in its own system) arrive as records of linked_item; each such record is a membership.
    from_records: bool = False
    # When such a record gives no end date (the item's valid_until_field): the list's period,
    # or until the deciding authority removes or revokes the entry.
    record_period: Literal["list_period", "until_removed"] = "list_period"
    # Date field of linked_item by which the deciding authority reports removal (移出日期).
    record_exit_field: str | None = None
    note: str = ""
    local: bool = False
    source_file: str = ""

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_until is None or day <= self.effective_until
        )


class Duration(Frozen):
    """How long a measure applies. Months count from the decision (listing) date.

    ``while_listed``: as long as the triggering list entry; ``while_published``: as long as the
    triggering record is published (record triggers); ``fixed_months``: ``months`` from
    the decision; ``by_decision``: the implementing decision fixes the term, within
    ``min_months``..``max_months`` (no max = up to permanent); ``permanent``: for life.
    """

    type: DurationType
    months: int | None = None
    min_months: int | None = None
    max_months: int | None = None
    # by_decision: the record's date field holding the term the decision fixed (its last
    # day), e.g. 处罚有效期 CF_YXQ; used when the record carries it.
    term_field: str | None = None
    note: str = ""


class Trigger(Frozen):
    """What brings a measure into play: a list type, or a record of an item whose fields meet
    the conditions the measure's basis names.

    A record trigger is an item plus ``conditions`` over the record's fields (penalty kinds,
    amounts, the provision cited, …), optionally the record's severity class (under the regime
    in force when it was decided), the submitting department's sector and the subject's kind.
    ``to_verify`` names the conditions of the basis no field can decide (情节严重 as judged by
    the deciding body, 直接关系公共安全 …): a trigger with such conditions never gives a measure,
    only an entry to be verified by hand. A list trigger may carry ``to_verify`` too (the
    measure needs a decision beyond the listing).
    """

    list_type: str | None = None
    item: str | None = None  # e.g. XZCF
    severity: Severity | None = None  # None = any severity
    # Record triggers only: the record's source sector must be one of these (empty = any).
    sectors: tuple[str, ...] = ()
    # Record triggers only: the kinds of subject the record may be about (empty = any).
    subject_kinds: tuple[SubjectKind, ...] = ()
    conditions: tuple[Condition, ...] = ()  # record triggers: all must hold
    # Record triggers only: the record's decision date must fall in this range (inclusive),
    # e.g. a threshold in force from a date (财库〔2022〕3号 from 2022-02-08).
    decided_from: dt.date | None = None
    decided_until: dt.date | None = None
    # The measure binds departments of these sectors only (e.g. 令44 第十五条 binds
    # 市场监督管理部门): a check by another department's system does not get it. A check with
    # no department (the credit office) gets it.
    checker_sectors: tuple[str, ...] = ()
    to_verify: tuple[str, ...] = ()  # Chinese: conditions to check by hand
    # This ground's own period where it differs from the measure's (e.g. 1 or 3 years).
    duration: Duration | None = None
    ground: str = ""  # Chinese: which part of the basis this trigger is (e.g. 第七十九条)
    note: str = ""

    @property
    def decidable(self) -> bool:
        """True when the data decides the trigger alone (nothing to verify by hand)."""
        return not self.to_verify


class NationalListing(Frozen):
    """Is the measure in the 全国失信惩戒措施基础清单? Separate from its legal basis: the
    basis text may be read (P) while the list row itself was never seen (U)."""

    listed: bool
    editions: tuple[str, ...] = ()  # e.g. ("2021",) where the row was seen
    row: str = ""  # row number or heading, when known
    evidence: Evidence
    note: str = ""


class Measure(Frozen):
    """One version of one measure (punishment, management or incentive)."""

    code: str  # M01 … (measures-reference §1.4), I01 … incentives, W01 … watch-list
    name: str  # short Chinese name
    content: str  # what the measure does, in Chinese
    kind: MeasureKind
    measure_class: MeasureClass | None = None  # required unless kind is incentive
    measure_class_evidence: Evidence = Evidence.UNCONFIRMED
    targets: tuple[TargetRole, ...]
    # Follows the natural person across entities (e.g. 任职限制 M09, M10, M18).
    follows_person: bool = False
    triggers: tuple[Trigger, ...]
    scenarios: tuple[str, ...]
    implementing_department: str
    legal_basis: tuple[LegalBasis, ...]
    in_national_list: NationalListing
    duration: Duration
    # True: applies by itself once triggered; False: conditional, needs its own decision
    # (e.g. 情节严重 must be found by the implementing department).
    automatic: bool
    # 告知承诺制 / 容缺受理 is not available while this measure applies (令44 第十五条).
    blocks_commitment: bool = False
    # An incentive resting on a commitment (容缺受理): withheld while the subject may not use
    # the commitment system.
    needs_commitment: bool = False
    # Conditions to verify by hand when the measure reaches someone through one of these roles
    # (e.g. M05: 主要负责人 is not decided by a registration record alone) …
    role_conditions: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    # … or is checked in one of these scenarios (e.g. M02 in bidding: 依法必须进行招标的项目).
    scenario_conditions: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    version: str
    effective_from: dt.date
    effective_until: dt.date | None = None
    note: str = ""
    local: bool = False
    source_file: str = ""

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_until is None or day <= self.effective_until
        )

    @property
    def list_types(self) -> tuple[str, ...]:
        return tuple(t.list_type for t in self.triggers if t.list_type is not None)

    def relation_roles(self) -> tuple[RelationRole, ...]:
        """The targets that are recorded relations of the subject (法定代表人 …)."""
        out: list[RelationRole] = []
        for role in self.targets:
            rel = TARGET_RELATION_ROLES[role]
            if rel is not None:
                out.append(rel)
        return tuple(out)


class CommitmentBar(Frozen):
    """A reason a subject may not use 告知承诺制 or 容缺受理 (国办发〔2020〕42号): an active
    membership of a list of ``list_kinds``, or a current record of ``item`` (of ``severity``,
    meeting ``conditions``) while it is published or for ``months`` from its finding date."""

    code: str  # e.g. SERIOUS_LIST
    reason: str  # Chinese, shown to the counter officer
    list_kinds: tuple[ListKind, ...] = ()
    item: str | None = None
    severity: Severity | None = None
    conditions: tuple[Condition, ...] = ()
    while_published: bool = False
    months: int | None = None
    # Date field of the item on which the fact was found (e.g. 认定日期); else decision date.
    start_field: str | None = None
    legal_basis: tuple[LegalBasis, ...]
    version: str
    effective_from: dt.date
    effective_until: dt.date | None = None
    note: str = ""
    local: bool = False
    source_file: str = ""

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_until is None or day <= self.effective_until
        )


# -- the catalogue ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TriggerHit:
    """A measure version and one of its triggers."""

    measure: Measure
    trigger: Trigger


def _record_fed_lists(
    versions: Mapping[str, tuple[ListType, ...]],
) -> dict[str, tuple[str, ...]]:
    """Item code -> list types fed by its records. Two such lists on one item must be told
    apart by linked_item_match, or a record would be an entry of both: refused."""
    by_item: dict[str, list[ListType]] = {}
    for _, vs in sorted(versions.items()):
        for v in vs:
            if v.from_records and v.linked_item is not None:
                by_item.setdefault(v.linked_item, []).append(v)
    for item, lts in by_item.items():
        for a, b in itertools.combinations(lts, 2):
            if a.code == b.code:
                continue
            shared = set(a.linked_item_match) & set(b.linked_item_match)
            if not any(
                not set(a.linked_item_match[f]) & set(b.linked_item_match[f]) for f in shared
            ):
                raise ConfigurationError(
                    f"list types {a.code} and {b.code} both take records of {item} "
                    "and linked_item_match does not tell them apart",
                    f"名单类型 {a.code} 与 {b.code} 都由信息项 {item} 的记录生成，"
                    "linked_item_match 无法区分",
                )
    return {item: tuple(dict.fromkeys(lt.code for lt in lts)) for item, lts in by_item.items()}


class SanctionsCatalogue:
    """List types, measures and scenarios in force, with the (list type, scenario) index.

    Immutable once built; build it with :func:`load_sanctions` (or :func:`default_sanctions`,
    cached for the process). Queries are dictionary look-ups plus a date filter.
    """

    __slots__ = (
        "_bars",
        "_bars_by_item",
        "_by_item",
        "_by_list",
        "_by_list_any",
        "_from_records",
        "_items",
        "_list_hits",
        "_list_versions",
        "_measure_versions",
        "_record_triggers",
        "_scenarios",
        "_snapshot",
    )
    _bars: tuple[CommitmentBar, ...]
    _bars_by_item: dict[str, tuple[int, ...]]
    _by_item: dict[str, tuple[int, ...]]
    _list_hits: dict[tuple[str, str], tuple[TriggerHit, ...]]
    _by_list: dict[tuple[str, str], tuple[Measure, ...]]
    _by_list_any: dict[str, tuple[Measure, ...]]
    _from_records: dict[str, tuple[str, ...]]
    _items: frozenset[str]
    _list_versions: dict[str, tuple[ListType, ...]]
    _measure_versions: dict[str, tuple[Measure, ...]]
    _record_triggers: tuple[TriggerHit, ...]
    _scenarios: Mapping[str, Scenario]
    _snapshot: CatalogueSnapshot

    def __init__(
        self,
        *,
        snapshot: CatalogueSnapshot,
        scenarios: Mapping[str, Scenario],
        list_types: Iterable[ListType],
        measures: Iterable[Measure],
        items: Iterable[str],
        bars: Iterable[CommitmentBar] = (),
    ) -> None:
        setattr_ = object.__setattr__
        bar_list = tuple(bars)
        setattr_(self, "_bars", bar_list)
        bars_by_item: dict[str, list[int]] = {}
        for i, bar in enumerate(bar_list):
            if bar.item is not None:
                bars_by_item.setdefault(bar.item, []).append(i)
        setattr_(self, "_bars_by_item", {k: tuple(v) for k, v in bars_by_item.items()})
        setattr_(self, "_snapshot", snapshot)
        setattr_(self, "_scenarios", MappingProxyType(dict(scenarios)))
        setattr_(self, "_items", frozenset(items))
        lists: dict[str, list[ListType]] = {}
        for lt in list_types:
            lists.setdefault(lt.code, []).append(lt)
        setattr_(
            self,
            "_list_versions",
            {c: tuple(sorted(vs, key=lambda v: v.effective_from)) for c, vs in lists.items()},
        )
        setattr_(self, "_from_records", _record_fed_lists(self._list_versions))
        by_code: dict[str, list[Measure]] = {}
        for m in measures:
            by_code.setdefault(m.code, []).append(m)
        ordered = {
            c: tuple(sorted(vs, key=lambda v: v.effective_from))
            for c, vs in sorted(by_code.items())
        }
        setattr_(self, "_measure_versions", ordered)
        by_list: dict[tuple[str, str], list[Measure]] = {}
        by_list_any: dict[str, list[Measure]] = {}
        list_hits: dict[tuple[str, str], list[TriggerHit]] = {}
        record_triggers: list[TriggerHit] = []
        by_item: dict[str, list[int]] = {}
        for versions in ordered.values():  # by code, then effective_from
            for m in versions:
                for lt_code in dict.fromkeys(m.list_types):
                    by_list_any.setdefault(lt_code, []).append(m)
                    for sc in m.scenarios:
                        by_list.setdefault((lt_code, sc), []).append(m)
                for t in m.triggers:
                    if t.list_type is not None:
                        for sc in m.scenarios:
                            list_hits.setdefault((t.list_type, sc), []).append(TriggerHit(m, t))
                    elif t.item is not None:
                        by_item.setdefault(t.item, []).append(len(record_triggers))
                        record_triggers.append(TriggerHit(m, t))
        setattr_(self, "_by_list", {k: tuple(v) for k, v in by_list.items()})
        setattr_(self, "_by_list_any", {k: tuple(v) for k, v in by_list_any.items()})
        setattr_(self, "_list_hits", {k: tuple(v) for k, v in list_hits.items()})
        setattr_(self, "_record_triggers", tuple(record_triggers))
        setattr_(self, "_by_item", {k: tuple(v) for k, v in by_item.items()})

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("SanctionsCatalogue is immutable")

    def __repr__(self) -> str:
        return (
            f"<SanctionsCatalogue {self._snapshot.version}: {len(self._list_versions)} list "
            f"types, {len(self._measure_versions)} measures>"
        )

    @property
    def snapshot(self) -> CatalogueSnapshot:
        return self._snapshot

    @property
    def scenarios(self) -> Mapping[str, Scenario]:
        return self._scenarios

    # list types

    def list_type_versions(self, code: str) -> list[ListType]:
        try:
            return list(self._list_versions[code])
        except KeyError:
            raise NotFound(f"unknown list type {code!r}", f"没有名单类型“{code}”") from None

    def list_type(self, code: str, on: dt.date | None = None) -> ListType:
        """The version in force on ``on`` (the latest version when ``on`` is None)."""
        return version_on(
            self.list_type_versions(code), on, f"list type {code!r}", f"名单类型“{code}”"
        )

    def list_types(self) -> list[ListType]:
        """The latest version of every list type, by code."""
        return [self._list_versions[c][-1] for c in sorted(self._list_versions)]

    def record_fed_items(self) -> frozenset[str]:
        """Catalogue items whose records are list entries decided elsewhere."""
        return frozenset(self._from_records)

    def list_type_of_record(
        self, item: str, values: Mapping[str, object], on: dt.date
    ) -> ListType | None:
        """The list a record of ``item`` with field ``values`` is an entry of, under the list
        type version in force on ``on`` (the listing date), or the latest version for entries
        older than the catalogued versions (the entry still stands under today's rules);
        None when it is no list entry."""
        for code in self._from_records.get(item, ()):
            versions = self._list_versions[code]
            in_force = [v for v in versions if v.in_force(on)]
            lt = in_force[-1] if in_force else versions[-1]
            if not lt.from_records:
                continue
            if all(
                str(values.get(f, "")) in allowed for f, allowed in lt.linked_item_match.items()
            ):
                return lt
        return None

    # measures

    def measure_versions(self, code: str) -> list[Measure]:
        try:
            return list(self._measure_versions[code])
        except KeyError:
            raise NotFound(f"unknown measure {code!r}", f"没有措施“{code}”") from None

    def measure(self, code: str, on: dt.date | None = None) -> Measure:
        """The version in force on ``on`` (the latest version when ``on`` is None)."""
        return version_on(self.measure_versions(code), on, f"measure {code!r}", f"措施“{code}”")

    def measures(self) -> list[Measure]:
        """The latest version of every measure, by code."""
        return [vs[-1] for vs in self._measure_versions.values()]

    def _check_scenario(self, scenario: str | None) -> None:
        if scenario is not None and scenario not in self._scenarios:
            raise NotFound(f"unknown scenario {scenario!r}", f"没有应用场景“{scenario}”")

    def measures_for(
        self, list_type: str, scenario: str | None = None, *, on: dt.date
    ) -> list[Measure]:
        """Measures a member of ``list_type`` is subject to in ``scenario`` (every scenario
        when None), in force on ``on``, by code."""
        if list_type not in self._list_versions:
            raise NotFound(f"unknown list type {list_type!r}", f"没有名单类型“{list_type}”")
        self._check_scenario(scenario)
        day = on
        if scenario is None:
            found = self._by_list_any.get(list_type, ())
        else:
            found = self._by_list.get((list_type, scenario), ())
        return [m for m in found if m.in_force(day)]

    def match_record(
        self,
        item: str,
        values: Mapping[str, str],
        *,
        severity: Severity | None,
        sector: str | None,
        subject_kind: str,
        decided: dt.date | None,
    ) -> tuple[int, ...]:
        """Ids of the record triggers (of any measure version and scenario) whose item,
        severity, sector, subject kind, decision dates and field conditions a record meets.
        Depends on the record alone, so a read model can compute it once per record."""
        out: list[int] = []
        for i in self._by_item.get(item, ()):
            t = self._record_triggers[i].trigger
            if t.severity is not None and t.severity != severity:
                continue
            if t.sectors and sector not in t.sectors:
                continue
            if t.subject_kinds and subject_kind not in t.subject_kinds:
                continue
            if t.decided_from is not None or t.decided_until is not None:
                if decided is None:
                    continue
                if t.decided_from is not None and decided < t.decided_from:
                    continue
                if t.decided_until is not None and decided > t.decided_until:
                    continue
            if all_hold(t.conditions, values):
                out.append(i)
        return tuple(out)

    def record_hits(
        self,
        trigger_ids: Iterable[int],
        scenario: str,
        on: dt.date,
        checker_sector: str | None = None,
    ) -> list[TriggerHit]:
        """The matched triggers whose measure version is in force on ``on`` in ``scenario``
        and binds the checking department's sector."""
        out: list[TriggerHit] = []
        for i in trigger_ids:
            hit = self._record_triggers[i]
            if (
                scenario in hit.measure.scenarios
                and hit.measure.in_force(on)
                and _binds(hit.trigger, checker_sector)
            ):
                out.append(hit)
        return out

    def record_condition_fields(self, item: str) -> frozenset[str]:
        """The fields of ``item`` that some record trigger's conditions read."""
        return frozenset(
            c.field
            for i in self._by_item.get(item, ())
            for c in self._record_triggers[i].trigger.conditions
        )

    def term_fields(self, item: str) -> frozenset[str]:
        """Date fields of ``item`` from which a record trigger reads the decided term."""
        out: set[str] = set()
        for i in self._by_item.get(item, ()):
            hit = self._record_triggers[i]
            for d in (hit.trigger.duration, hit.measure.duration):
                if d is not None and d.term_field is not None:
                    out.add(d.term_field)
        return frozenset(out)

    def record_fields(self, item: str) -> frozenset[str]:
        """Every field of ``item`` a check reads from a record: trigger and bar conditions,
        decided terms and the bars' finding dates."""
        out = set(self.record_condition_fields(item)) | self.term_fields(item)
        for i in self._bars_by_item.get(item, ()):
            bar = self._bars[i]
            out.update(c.field for c in bar.conditions)
            if bar.start_field is not None:
                out.add(bar.start_field)
        return frozenset(out)

    def check_items(self) -> frozenset[str]:
        """Items whose records a check reads: record triggers and commitment bars."""
        return frozenset(self._by_item) | frozenset(self._bars_by_item)

    # 告知承诺 / 容缺受理

    def commitment_bars(self, on: dt.date) -> list[CommitmentBar]:
        return [b for b in self._bars if b.in_force(on)]

    def commitment_bar(self, index: int) -> CommitmentBar:
        return self._bars[index]

    def match_bars(
        self,
        item: str,
        values: Mapping[str, str],
        *,
        severity: Severity | None,
    ) -> tuple[int, ...]:
        """Indexes of the record bars (any version) a record meets by its fields alone."""
        return tuple(
            i
            for i in self._bars_by_item.get(item, ())
            if (self._bars[i].severity is None or self._bars[i].severity == severity)
            and all_hold(self._bars[i].conditions, values)
        )

    def list_hits(
        self, list_type: str, scenario: str, on: dt.date, checker_sector: str | None = None
    ) -> list[TriggerHit]:
        """(measure, trigger) for each measure a member of ``list_type`` meets in
        ``scenario`` on ``on``: the list triggers of the measure versions in force that bind
        the checking department's sector."""
        if list_type not in self._list_versions:
            raise NotFound(f"unknown list type {list_type!r}", f"没有名单类型“{list_type}”")
        self._check_scenario(scenario)
        return [
            h
            for h in self._list_hits.get((list_type, scenario), ())
            if h.measure.in_force(on) and _binds(h.trigger, checker_sector)
        ]


def _binds(trigger: Trigger, checker_sector: str | None) -> bool:
    return (
        not trigger.checker_sectors
        or checker_sector is None
        or (checker_sector in trigger.checker_sectors)
    )


# -- loading ------------------------------------------------------------------------------


V = TypeVar("V", ListType, Measure)


@dataclass(frozen=True, slots=True)
class _Entry(Generic[V]):
    obj: V
    src: _Source
    key: Key  # where the version sits in its file


def _collect(root: Path, prefix: str, local: bool) -> list[tuple[str, _Source]]:
    found: list[tuple[str, _Source]] = []
    scen = root / SCENARIOS_FILE
    if scen.is_file():
        found.append(
            ("scenarios", _Source(f"{prefix}/{SCENARIOS_FILE}", scen, local, scen.read_bytes()))
        )
    bars = root / COMMITMENT_FILE
    if bars.is_file():
        found.append(
            (
                "commitment_bars",
                _Source(f"{prefix}/{COMMITMENT_FILE}", bars, local, bars.read_bytes()),
            )
        )
    for folder, kind in ((LISTS_DIR, "list_type"), (MEASURES_DIR, "measures")):
        d = root / folder
        if not d.is_dir():
            continue
        for path in sorted(d.iterdir()):
            if path.is_file() and path.suffix in (".yaml", ".yml"):
                label = f"{prefix}/{folder}/{path.name}"
                found.append((kind, _Source(label, path, local, path.read_bytes())))
    return found


def _only_keys(src: _Source, body: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for k in body:
        if k not in allowed:
            raise _error(
                src,
                str(k),
                f"unknown key (allowed: {', '.join(allowed)})",
                f"不认识的键（允许：{'、'.join(allowed)}）",
            )


def _check_code(src: _Source, key: Key, code: object, what_en: str, what_zh: str) -> str:
    if not isinstance(code, str) or not _CODE.match(code):
        raise _error(
            src,
            key,
            f"{what_en} code must be 2-16 upper-case letters, digits or _ starting with a "
            f"letter, found {code!r}",
            f"{what_zh}代码应为2至16位大写字母、数字或下划线且以字母开头，实际为 {code!r}",
        )
    return code


def _parse_scenarios(src: _Source, body: dict[str, Any]) -> list[tuple[Scenario, Key]]:
    _only_keys(src, body, ("scenarios",))
    rows = body.get("scenarios")
    if not isinstance(rows, list) or not rows:
        raise _error(src, "scenarios", "must be a non-empty list", "应为非空列表")
    out: list[tuple[Scenario, Key]] = []
    for i, row in enumerate(rows):
        key: Key = ("scenarios", i)
        if not isinstance(row, dict):
            raise _error(src, key, "a scenario must be a mapping", "每个场景应为键值映射")
        _reject_loader_keys(src, row, key)
        sc = _validate(Scenario, {**row, "local": src.local, "source_file": src.label}, src, key)
        if not _SCENARIO_CODE.match(sc.code):
            raise _error(
                src,
                (*key, "code"),
                f"scenario code must be lower-case letters, digits or _, found {sc.code!r}",
                f"场景代码应为小写字母、数字或下划线（如 government_procurement），实际为 {sc.code!r}",
            )
        if not sc.name.strip():
            raise _error(src, (*key, "name"), "name may not be empty", "场景名称不能为空")
        out.append((sc, key))
    return out


def _parse_bars(src: _Source, body: dict[str, Any]) -> list[tuple[CommitmentBar, Key]]:
    _only_keys(src, body, ("bars",))
    rows = body.get("bars")
    if not isinstance(rows, list) or not rows:
        raise _error(src, "bars", "must be a non-empty list", "应为非空列表")
    out: list[tuple[CommitmentBar, Key]] = []
    for i, row in enumerate(rows):
        key: Key = ("bars", i)
        if not isinstance(row, dict):
            raise _error(src, key, "a bar must be a mapping", "每项应为键值映射")
        _reject_loader_keys(src, row, key)
        _check_code(src, (*key, "code"), row.get("code"), "bar", "不适用情形")
        data = {**row, "local": src.local, "source_file": src.label}
        out.append((_validate(CommitmentBar, data, src, key), key))
    return out


def _parse_list_type(src: _Source, body: dict[str, Any]) -> list[_Entry[ListType]]:
    _only_keys(src, body, ("code", "versions"))
    code = _check_code(src, ("code",), body.get("code"), "list type", "名单类型")
    versions = body.get("versions")
    if not isinstance(versions, list) or not versions:
        raise _error(src, "versions", "must be a non-empty list of versions", "应为非空的版本列表")
    out: list[_Entry[ListType]] = []
    for i, raw in enumerate(versions):
        key: Key = ("versions", i)
        if not isinstance(raw, dict):
            raise _error(src, key, "a version must be a mapping", "每个版本应为键值映射")
        _reject_loader_keys(src, raw, key)
        if raw.get("code", code) != code:
            raise _error(
                src,
                (*key, "code"),
                f"version code {raw['code']!r} differs from the file's list type code {code!r}",
                f"版本的代码 {raw['code']!r} 与文件的名单类型代码 {code} 不一致",
            )
        data = {**raw, "code": code, "local": src.local, "source_file": src.label}
        out.append(_Entry(_validate(ListType, data, src, key), src, key))
    return out


def _parse_measures(src: _Source, body: dict[str, Any]) -> list[_Entry[Measure]]:
    _only_keys(src, body, ("measures",))
    rows = body.get("measures")
    if not isinstance(rows, list) or not rows:
        raise _error(src, "measures", "must be a non-empty list of measures", "应为非空的措施列表")
    out: list[_Entry[Measure]] = []
    for i, raw in enumerate(rows):
        key: Key = ("measures", i)
        if not isinstance(raw, dict):
            raise _error(src, key, "a measure must be a mapping", "每项措施应为键值映射")
        _reject_loader_keys(src, raw, key)
        _check_code(src, (*key, "code"), raw.get("code"), "measure", "措施")
        data = {**raw, "local": src.local, "source_file": src.label}
        out.append(_Entry(_validate(Measure, data, src, key), src, key))
    return out


def _non_negative(src: _Source, key: Key, value: int | None) -> None:
    if value is not None and value < 0:
        raise _error(src, key, "must not be negative", "不能为负数")


def _dates(src: _Source, key: Key, start: dt.date, until: dt.date | None) -> None:
    if until is not None and until < start:
        raise _error(
            src,
            (*key, "effective_until"),
            "effective_until is before effective_from",
            "effective_until（失效日期）早于 effective_from（生效日期）",
        )


def _texts(src: _Source, key: Key, texts: Sequence[str], en: str, zh: str) -> None:
    if not texts:
        raise _error(src, key, en, zh)
    for j, text in enumerate(texts):
        if not text.strip():
            raise _error(src, (*key, j), "may not be empty", "不能为空")


class _Builder:
    def __init__(self, catalogue: Catalogue) -> None:
        self.cat = catalogue
        self.scenarios: dict[str, tuple[Scenario, _Source]] = {}
        self.lists: dict[str, list[_Entry[ListType]]] = {}
        self.measures: dict[str, list[_Entry[Measure]]] = {}
        self.bars: list[tuple[CommitmentBar, _Source, Key]] = []

    def add(self, kind: str, src: _Source) -> None:
        body = _parse(src, kind)
        if kind == "commitment_bars":
            for bar, key in _parse_bars(src, body):
                self.bars.append((bar, src, key))
        elif kind == "scenarios":
            for sc, key in _parse_scenarios(src, body):
                if sc.code in self.scenarios:
                    other = self.scenarios[sc.code][1]
                    raise _error(
                        src,
                        (*key, "code"),
                        f"scenario {sc.code!r} is already defined in {other.path}",
                        f"应用场景“{sc.code}”已在 {other.path} 中定义，不能重复定义",
                    )
                self.scenarios[sc.code] = (sc, src)
        elif kind == "list_type":
            for le in _parse_list_type(src, body):
                self.lists.setdefault(le.obj.code, []).append(le)
        else:
            for me in _parse_measures(src, body):
                self.measures.setdefault(me.obj.code, []).append(me)

    # 告知承诺 bars

    def check_bars(self) -> None:
        seen: dict[tuple[str, str], _Source] = {}
        for bar, src, k in self.bars:
            if (bar.code, bar.version) in seen:
                raise _error(
                    src,
                    (*k, "code"),
                    f"bar {bar.code} version {bar.version} is already defined in "
                    f"{seen[(bar.code, bar.version)].path}",
                    f"不适用情形 {bar.code} 的版本“{bar.version}”已在 "
                    f"{seen[(bar.code, bar.version)].path} 中定义",
                )
            seen[(bar.code, bar.version)] = src
            if not bar.legal_basis:
                raise _error(
                    src,
                    (*k, "legal_basis"),
                    "a bar needs a legal basis",
                    "不适用告知承诺的情形须注明依据（legal_basis）",
                )
            if not bar.reason.strip():
                raise _error(src, (*k, "reason"), "may not be empty", "不能为空")
            _dates(src, k, bar.effective_from, bar.effective_until)
            if bool(bar.list_kinds) == (bar.item is not None):
                raise _error(
                    src,
                    k,
                    "a bar names either list_kinds or an item",
                    "每项须且只能填写 list_kinds（名单性质）或 item（信息项）之一",
                )
            if bar.item is None:
                continue
            try:
                versions = self.cat.item_versions(bar.item)
            except NotFound:
                raise _error(
                    src, (*k, "item"), f"unknown item {bar.item!r}", f"信息项“{bar.item}”不存在"
                ) from None
            fields = {f.code: f for iv in versions for f in iv.fields}
            for c, cond in enumerate(bar.conditions):
                check_condition(self.cat, src, (*k, "conditions", c), bar.item, fields, cond)
            if bar.start_field is not None and (
                bar.start_field not in fields or fields[bar.start_field].type != "date"
            ):
                raise _error(
                    src,
                    (*k, "start_field"),
                    f"item {bar.item} has no date field {bar.start_field!r}",
                    f"信息项 {bar.item} 中没有日期字段“{bar.start_field}”",
                )
            if bar.months is None and not bar.while_published:
                raise _error(
                    src,
                    (*k, "months"),
                    "a record bar runs while_published or for months",
                    "信息项情形须写明 while_published（公示期间）或 months（月数）",
                )
            _non_negative(src, (*k, "months"), bar.months)

    # list types

    def check_lists(self) -> None:
        for entries in self.lists.values():
            for e in entries:
                self._check_list(e.obj, e.src, e.key)
            first = entries[0]
            for e in entries[1:]:
                if e.obj.kind != first.obj.kind:
                    raise _error(
                        e.src,
                        (*e.key, "kind"),
                        f"kind differs from version {first.obj.version!r} in {first.src.path}",
                        f"名单性质与 {first.src.path} 中版本“{first.obj.version}”不同；"
                        "性质改变时请另设名单类型代码",
                    )
            _check_overlap(entries, "list type", "名单类型")

    def _check_list(self, v: ListType, src: _Source, k: Key) -> None:
        if not v.legal_basis:
            raise _error(
                src,
                (*k, "legal_basis"),
                "a list type needs a legal basis; without one it is refused",
                "名单类型须注明设立依据（legal_basis），无依据的名单不予加载",
            )
        _texts(
            src,
            (*k, "entry_criteria"),
            v.entry_criteria,
            "list the entry criteria",
            "须列出列入条件（entry_criteria）",
        )
        if not v.deciding_authority.strip():
            raise _error(src, (*k, "deciding_authority"), "may not be empty", "认定机关不能为空")
        if not v.subject_types:
            raise _error(
                src, (*k, "subject_types"), "list the subject types", "须列出适用的主体类型"
            )
        if v.sector not in self.cat.sectors:
            raise _error(
                src, (*k, "sector"), f"unknown sector {v.sector!r}", f"行业领域“{v.sector}”不存在"
            )
        _dates(src, k, v.effective_from, v.effective_until)
        for name in (
            "statement_window_working_days",
            "decision_deadline_working_days",
            "publication_deadline_working_days",
            "objection_window_days",
            "exit_processing_working_days",
            "revocation_deadline_working_days",
        ):
            _non_negative(src, (*k, name), getattr(v, name))
        if v.period_months is not None and v.period_months < 1:
            raise _error(
                src,
                (*k, "period_months"),
                "the period must be at least 1 month (null = no fixed period)",
                "期限至少为1个月（无固定期限请写 null）",
            )
        if v.statement_window_working_days is not None and not v.notice_required:
            raise _error(
                src,
                (*k, "statement_window_working_days"),
                "a statement window needs notice_required: true",
                "设有陈述申辩期限时，notice_required 须为 true",
            )
        if v.permanent:
            for name, bad in (
                ("period_months", v.period_months is not None),
                ("automatic_exit", v.automatic_exit),
                ("period_by_decision", v.period_by_decision),
            ):
                if bad:
                    raise _error(
                        src,
                        (*k, name),
                        f"a permanent list cannot have {name}",
                        f"永久名单（permanent: true）不能设置 {name}",
                    )
        if v.automatic_exit and v.period_months is None and not v.period_by_decision:
            raise _error(
                src,
                (*k, "automatic_exit"),
                "automatic exit needs a period (period_months or period_by_decision)",
                "到期自动移出须有期限（period_months 或 period_by_decision）",
            )
        if v.extension is not None:
            x, xk = v.extension, (*k, "extension")
            if v.period_months is None:
                raise _error(src, xk, "only a fixed period can be extended", "只有固定期限才能延长")
            _non_negative(src, (*xk, "min_months"), x.min_months)
            if x.max_months < 1:
                raise _error(src, (*xk, "max_months"), "must be at least 1", "至少为1个月")
            if x.min_months is not None and x.min_months > x.max_months:
                raise _error(
                    src,
                    (*xk, "min_months"),
                    "min_months is greater than max_months",
                    "最短延长期大于最长延长期",
                )
        self._check_early_exit(v, src, (*k, "early_exit"))
        if v.linked_item is not None:
            self._check_linked_item(v, v.linked_item, src, k)
            if v.record_exit_field is not None and not any(
                f.code == v.record_exit_field and f.type == "date"
                for iv in self.cat.item_versions(v.linked_item)
                for f in iv.fields
            ):
                raise _error(
                    src,
                    (*k, "record_exit_field"),
                    f"item {v.linked_item} has no date field {v.record_exit_field!r}",
                    f"信息项 {v.linked_item} 中没有日期字段“{v.record_exit_field}”",
                )
        elif v.from_records or v.record_exit_field is not None:
            raise _error(
                src,
                (*k, "from_records"),
                "from_records needs linked_item",
                "名单由信息项记录生成（from_records）时须填写 linked_item",
            )
        elif v.linked_item_match:
            raise _error(
                src,
                (*k, "linked_item_match"),
                "linked_item_match needs linked_item",
                "填写 linked_item_match 时须同时填写 linked_item",
            )

    def _check_early_exit(self, v: ListType, src: _Source, xk: Key) -> None:
        x = v.early_exit
        if x is None:
            return
        _texts(
            src,
            (*xk, "conditions"),
            x.conditions,
            "list the early-exit conditions",
            "须列出提前移出条件（conditions）",
        )
        for name in (
            "min_months",
            "acceptance_deadline_working_days",
            "decision_deadline_working_days",
            "decision_extension_working_days",
            "stop_publication_working_days",
        ):
            _non_negative(src, (*xk, name), getattr(x, name))
        if (
            x.min_months is not None
            and v.period_months is not None
            and x.min_months > v.period_months
        ):
            raise _error(
                src,
                (*xk, "min_months"),
                f"early exit after {x.min_months} months is later than the period "
                f"({v.period_months} months)",
                f"提前移出的最短期限 {x.min_months} 个月长于名单期限 {v.period_months} 个月",
            )

    def _check_linked_item(self, v: ListType, item: str, src: _Source, k: Key) -> None:
        try:
            versions = self.cat.item_versions(item)
        except NotFound:
            raise _error(
                src, (*k, "linked_item"), f"unknown item {item!r}", f"信息项“{item}”不存在"
            ) from None
        for field_code, values in v.linked_item_match.items():
            mk: Key = (*k, "linked_item_match", field_code)
            defs = [f for iv in versions for f in iv.fields if f.code == field_code]
            if not defs:
                raise _error(
                    src,
                    mk,
                    f"item {v.linked_item} has no field {field_code!r}",
                    f"信息项 {v.linked_item} 中没有字段“{field_code}”",
                )
            for f in defs:
                if f.code_table is None:
                    continue
                allowed = {cv.code for cv in self.cat.code_table(f.code_table).values}
                for j, value in enumerate(values):
                    if value not in allowed:
                        raise _error(
                            src,
                            (*mk, j),
                            f"{value!r} is not a code of table {f.code_table!r}",
                            f"“{value}”不是代码表“{f.code_table}”中的代码",
                        )

    # measures

    def check_measures(self) -> None:
        for entries in self.measures.values():
            for e in entries:
                self._check_measure(e.obj, e.src, e.key)
            _check_overlap(entries, "measure", "措施")

    def _list_kind(self, code: str) -> ListKind | None:
        entries = self.lists.get(code)
        return entries[0].obj.kind if entries else None

    def _check_measure(self, m: Measure, src: _Source, k: Key) -> None:
        if not m.legal_basis:
            raise _error(
                src,
                (*k, "legal_basis"),
                f"measure {m.code} has no legal basis; a measure without one is refused",
                f"措施 {m.code} 没有法律依据（legal_basis），无依据的措施不予加载",
            )
        for name in ("name", "content", "implementing_department", "version"):
            if not str(getattr(m, name)).strip():
                raise _error(src, (*k, name), "may not be empty", "不能为空")
        _dates(src, k, m.effective_from, m.effective_until)
        if not m.targets:
            raise _error(src, (*k, "targets"), "list the targets", "须列出措施对象（targets）")
        if len(set(m.targets)) != len(m.targets):
            raise _error(src, (*k, "targets"), "a target is listed twice", "措施对象重复")
        if m.kind == "incentive":
            if m.blocks_commitment:
                raise _error(
                    src,
                    (*k, "blocks_commitment"),
                    "an incentive cannot block the commitment system",
                    "激励措施不能设置 blocks_commitment",
                )
        elif m.measure_class is None:
            raise _error(
                src,
                (*k, "measure_class"),
                "state the class (1, 2 or 3) of a punishment or management measure",
                "惩戒或管理措施须注明类别 measure_class（1 减损权益或增加义务、2 管理措施、3 其他组织实施）",
            )
        self._check_triggers(m, src, k)
        if not m.scenarios:
            raise _error(
                src, (*k, "scenarios"), "list the scenarios", "须列出应用场景（scenarios）"
            )
        for j, sc in enumerate(m.scenarios):
            if sc not in self.scenarios:
                raise _error(
                    src,
                    (*k, "scenarios", j),
                    f"unknown scenario {sc!r}",
                    f"应用场景“{sc}”不存在（见 scenarios.yaml）",
                )
        if len(set(m.scenarios)) != len(m.scenarios):
            raise _error(src, (*k, "scenarios"), "a scenario is listed twice", "应用场景重复")
        self._check_duration(m, src, (*k, "duration"))
        self._check_conditions_by(m, src, k)

    def _check_conditions_by(self, m: Measure, src: _Source, k: Key) -> None:
        for role, texts in m.role_conditions.items():
            rk: Key = (*k, "role_conditions", role)
            if role not in m.targets or role == "subject":
                raise _error(
                    src,
                    rk,
                    f"{role!r} is not a target role of {m.code}",
                    f"“{role}”不是本措施的对象角色（targets 中的关联人员角色）",
                )
            _texts(src, rk, texts, "list the conditions", "须列出须核实的条件")
        for scenario, texts in m.scenario_conditions.items():
            sk: Key = (*k, "scenario_conditions", scenario)
            if scenario not in m.scenarios:
                raise _error(
                    src,
                    sk,
                    f"{scenario!r} is not a scenario of {m.code}",
                    f"“{scenario}”不是本措施的应用场景",
                )
            _texts(src, sk, texts, "list the conditions", "须列出须核实的条件")
        if m.needs_commitment and m.kind != "incentive":
            raise _error(
                src,
                (*k, "needs_commitment"),
                "needs_commitment applies to incentives",
                "needs_commitment 只适用于激励措施",
            )

    def _check_triggers(self, m: Measure, src: _Source, k: Key) -> None:
        if not m.triggers:
            raise _error(
                src,
                (*k, "triggers"),
                "list what triggers the measure (list types or record classes)",
                "须列出触发条件（triggers：名单类型或信息类别）",
            )
        seen: set[str] = set()
        for j, t in enumerate(m.triggers):
            tk: Key = (*k, "triggers", j)
            ident = t.model_dump_json(exclude={"note", "ground"})
            if ident in seen:
                raise _error(src, tk, "the same trigger is listed twice", "触发条件重复")
            seen.add(ident)
            if (t.list_type is None) == (t.item is None):
                raise _error(
                    src,
                    tk,
                    "a trigger names either a list_type or an item, not both or neither",
                    "每个触发条件须且只能填写 list_type（名单类型）或 item（信息项）之一",
                )
            for v, text in enumerate(t.to_verify):
                if not text.strip():
                    raise _error(src, (*tk, "to_verify", v), "may not be empty", "不能为空")
            if t.duration is not None:
                self._check_duration_value(m, t.duration, src, (*tk, "duration"))
            for s_, sector in enumerate(t.checker_sectors):
                if sector not in self.cat.sectors:
                    raise _error(
                        src,
                        (*tk, "checker_sectors", s_),
                        f"unknown sector {sector!r}",
                        f"行业领域“{sector}”不存在",
                    )
            if t.list_type is not None and (t.decided_from or t.decided_until):
                raise _error(
                    src,
                    tk,
                    "decided_from/decided_until apply to record triggers only",
                    "decided_from、decided_until 只适用于信息项触发条件",
                )
            if t.decided_from and t.decided_until and t.decided_until < t.decided_from:
                raise _error(
                    src,
                    (*tk, "decided_until"),
                    "decided_until is before decided_from",
                    "decided_until 早于 decided_from",
                )
            if t.list_type is not None:
                if t.severity is not None or t.sectors or t.conditions:
                    raise _error(
                        src,
                        tk,
                        "severity, sectors and conditions apply to record triggers (item) only",
                        "severity、sectors、conditions 只适用于信息项触发条件（item）",
                    )
                kind = self._list_kind(t.list_type)
                if kind is None:
                    raise _error(
                        src,
                        (*tk, "list_type"),
                        f"unknown list type {t.list_type!r}",
                        f"名单类型“{t.list_type}”不存在",
                    )
                if (m.kind == "incentive") != (kind == "red"):
                    raise _error(
                        src,
                        (*tk, "list_type"),
                        f"a {m.kind} measure cannot be triggered by a {kind} list",
                        "激励措施只能由守信激励（red）名单触发，惩戒和管理措施不能由守信激励名单触发",
                    )
            elif t.item is not None:
                self._check_record_trigger(m, t, t.item, src, tk)

    def _check_record_trigger(
        self, m: Measure, t: Trigger, item: str, src: _Source, tk: Key
    ) -> None:
        if m.kind == "incentive":
            raise _error(
                src,
                tk,
                "an incentive is triggered by red list types only",
                "激励措施只能由守信激励（red）名单触发",
            )
        try:
            versions = self.cat.item_versions(item)
        except NotFound:
            raise _error(
                src, (*tk, "item"), f"unknown item {item!r}", f"信息项“{item}”不存在"
            ) from None
        # A record trigger names what its basis requires of the record; an item alone
        # (every penalty) would apply a measure to records its basis does not cover.
        if not t.conditions:
            raise _error(
                src,
                (*tk, "conditions"),
                "a record trigger needs conditions over the record's fields (penalty kinds, "
                "provision cited, amount …) that its basis names; a measure whose conditions "
                "no field can decide is triggered through a list",
                "信息项触发条件须列出措施依据所要求的记录字段条件（conditions：处罚类别、"
                "处罚依据条款、罚款金额等）；无法由数据判断的措施只能由名单触发",
            )
        fields = {f.code: f for iv in versions for f in iv.fields}
        for c, cond in enumerate(t.conditions):
            check_condition(self.cat, src, (*tk, "conditions", c), item, fields, cond)
        for s_, sector in enumerate(t.sectors):
            if sector not in self.cat.sectors:
                raise _error(
                    src,
                    (*tk, "sectors", s_),
                    f"unknown sector {sector!r}",
                    f"行业领域“{sector}”不存在",
                )

    def _check_duration(self, m: Measure, src: _Source, dk: Key) -> None:
        self._check_duration_value(m, m.duration, src, dk)
        for j, t in enumerate(m.triggers):
            d = t.duration or m.duration
            key: Key = (*dk[:-1], "triggers", j, "duration") if t.duration else (*dk, "type")
            if d.type == "while_listed" and t.list_type is None:
                raise _error(
                    src,
                    key,
                    "while_listed applies to list triggers only",
                    "while_listed（名单期间）只适用于名单类型触发条件",
                )
            if d.type == "while_published" and t.item is None:
                raise _error(
                    src,
                    key,
                    "while_published applies to record triggers (item) only",
                    "while_published（公示期间）只适用于信息项触发条件",
                )
            if d.term_field is not None:
                self._check_term_field(d, t, src, key)

    def _check_term_field(self, d: Duration, t: Trigger, src: _Source, key: Key) -> None:
        tk: Key = (*key[:-1], "term_field") if key[-1] == "type" else (*key, "term_field")
        if d.type != "by_decision" or t.item is None:
            raise _error(
                src,
                tk,
                "term_field applies to by_decision record triggers only",
                "term_field 只适用于由决定确定期限（by_decision）的信息项触发条件",
            )
        fields = {f.code: f for iv in self.cat.item_versions(t.item) for f in iv.fields}
        f = fields.get(d.term_field or "")
        if f is None or f.type != "date":
            raise _error(
                src,
                tk,
                f"item {t.item} has no date field {d.term_field!r}",
                f"信息项 {t.item} 中没有日期字段“{d.term_field}”",
            )

    def _check_duration_value(self, m: Measure, d: Duration, src: _Source, dk: Key) -> None:
        for name in ("months", "min_months", "max_months"):
            _non_negative(src, (*dk, name), getattr(d, name))
        if d.type == "fixed_months":
            if d.months is None or d.months < 1:
                raise _error(
                    src,
                    (*dk, "months"),
                    "fixed_months needs months (at least 1)",
                    "fixed_months 须填写月数 months（至少1个月）",
                )
            if d.min_months is not None or d.max_months is not None:
                raise _error(
                    src,
                    dk,
                    "fixed_months takes months only",
                    "fixed_months 只填写 months，不填写 min_months/max_months",
                )
            return
        if d.months is not None:
            raise _error(
                src, (*dk, "months"), f"{d.type} takes no months", f"{d.type} 不填写 months"
            )
        if d.type == "by_decision":
            if (
                d.min_months is not None
                and d.max_months is not None
                and d.min_months > d.max_months
            ):
                raise _error(
                    src,
                    (*dk, "min_months"),
                    "min_months is greater than max_months",
                    "最短期限大于最长期限",
                )
            return
        if d.min_months is not None or d.max_months is not None:
            raise _error(
                src, dk, f"{d.type} takes no month range", f"{d.type} 不填写 min_months/max_months"
            )


def _check_overlap(entries: Sequence[_Entry[V]], what_en: str, what_zh: str) -> None:
    ordered = sorted(entries, key=lambda e: e.obj.effective_from)
    for prev, cur in itertools.pairwise(ordered):
        until = prev.obj.effective_until
        if until is None or until >= cur.obj.effective_from:
            bad: _Entry[V]
            other: _Entry[V]
            bad, other = (prev, cur) if prev.src.local and not cur.src.local else (cur, prev)
            hint = "；地方补充目录不能重新定义国家目录已有的版本" if bad.src.local else ""
            raise _error(
                bad.src,
                (*bad.key, "effective_from"),
                f"version {bad.obj.version!r} of {what_en} {bad.obj.code} overlaps version "
                f"{other.obj.version!r} in {other.src.path} ({key_path(other.key)}); "
                "a code may be defined only once for any date",
                f"{what_zh} {bad.obj.code} 的版本“{bad.obj.version}”与 {other.src.path}"
                f"（{key_path(other.key)}）中的版本“{other.obj.version}”生效期重叠"
                f"（代码重复）{hint}",
            )


def load_sanctions(
    extra_dirs: Sequence[Path] = (), catalogue: Catalogue | None = None
) -> SanctionsCatalogue:
    """Load the national list types, measures and scenarios plus each local supplementary
    directory in ``extra_dirs``. Items and sectors are checked against ``catalogue`` (by
    default the item catalogue loaded with the same ``extra_dirs``)."""
    cat = catalogue if catalogue is not None else load_catalogue(extra_dirs)
    sources = _collect(NATIONAL_DIR, "national", local=False)
    for n, d in enumerate(extra_dirs, start=1):
        d = Path(d)
        if not d.is_dir():
            raise ConfigurationError(
                f"local catalogue directory {d} does not exist",
                f"地方补充目录的文件夹 {d} 不存在",
            )
        prefix = "local" if len(extra_dirs) == 1 else f"local{n}"
        sources += _collect(d, prefix, local=True)
    builder = _Builder(cat)
    order = {"scenarios": 0, "list_type": 1, "measures": 2, "commitment_bars": 3}
    # national files first, so that a clash is reported on the local file
    for kind, src in sorted(sources, key=lambda ks: (order[ks[0]], ks[1].local, ks[1].label)):
        builder.add(kind, src)
    if not builder.scenarios:
        raise ConfigurationError(
            f"no {SCENARIOS_FILE} found in {NATIONAL_DIR}",
            f"缺少应用场景文件 {SCENARIOS_FILE}",
        )
    builder.check_lists()
    builder.check_measures()
    builder.check_bars()

    digest = hashlib.sha256()
    labels = sorted(src.label for _, src in sources)
    by_label = {src.label: src for _, src in sources}
    for label in labels:
        digest.update(label.encode() + b"\0" + by_label[label].data + b"\0")
    return SanctionsCatalogue(
        snapshot=CatalogueSnapshot(version=digest.hexdigest()[:12], files=tuple(labels)),
        scenarios={c: sc for c, (sc, _) in builder.scenarios.items()},
        list_types=[e.obj for es in builder.lists.values() for e in es],
        measures=[e.obj for es in builder.measures.values() for e in es],
        items=[i.code for i in cat.items()],
        bars=[b for b, _, _ in builder.bars],
    )


@lru_cache(maxsize=1)
def default_sanctions() -> SanctionsCatalogue:
    """The process-wide list types and measures: national files plus
    ``XINYONG_LOCAL_CATALOG_DIR`` if set (checked against :func:`default_catalogue`)."""
    local = get_settings().local_catalog_dir
    return load_sanctions([local] if local is not None else [], catalogue=default_catalogue())
