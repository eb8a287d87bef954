"""Domain types of the catalogue: information items, code tables and publication policies;
list types, measures, their triggers and durations, scenarios and commitment bars.

Everything here is loaded from versioned data files (``catalog/data`` plus a deployment's
local supplementary directory); nothing in code states a period, a deadline or a code value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field


class Dated(Protocol):
    """A catalogue version with inclusive effective dates (items, list types, measures)."""

    @property
    def effective_from(self) -> dt.date: ...

    @property
    def effective_until(self) -> dt.date | None: ...


def in_force(v: Dated, day: dt.date) -> bool:
    """Whether ``day`` falls within ``v``'s effective dates, both ends inclusive."""
    return v.effective_from <= day and (v.effective_until is None or day <= v.effective_until)


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Evidence(StrEnum):
    """How well a fact is established (see domain-reference.md's tags)."""

    PRIMARY = "P"  # read in the rule's full text
    SECONDARY = "S"  # secondary source
    CODE = "C"  # seen in third-party implementations
    UNCONFIRMED = "U"  # inference; a deployment should verify

    @property
    def label(self) -> str:
        """Chinese, beside the code in JSON views: staff see 待核实 where a fact is not
        confirmed (third-party code or inference), as the credit file marks it."""
        return EVIDENCE_LABELS[self]

    @property
    def confirmed(self) -> bool:
        """Read in full or from a reliable secondary source; the others are to be verified."""
        return self in (Evidence.PRIMARY, Evidence.SECONDARY)


EVIDENCE_LABELS: dict[Evidence, str] = {
    Evidence.PRIMARY: "已读原文",
    Evidence.SECONDARY: "二手来源",
    Evidence.CODE: "待核实（仅见于第三方系统）",
    Evidence.UNCONFIRMED: "待核实",
}


class LegalBasis(Frozen):
    title: str  # e.g. 信用修复管理办法（国家发展改革委令2025年第36号）
    articles: str = ""  # e.g. 第十条、第十一条
    doc_no: str = ""  # e.g. 国家发展改革委令2025年第36号
    evidence: Evidence = Evidence.PRIMARY
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        """As the JSON views show it: codes with their labels beside them."""
        return {**self.model_dump(mode="json"), "evidence_label": self.evidence.label}


class RecheckPolicy(Frozen):
    """The credit office's monthly re-check sampling of closed cases (信用修复复查, 信用承诺
    复核): the share drawn, at least ``minimum`` while there are any."""

    ratio: float = Field(gt=0, le=1)
    minimum: int = Field(default=1, ge=0)
    legal_basis: tuple[LegalBasis, ...]


class Disclosure(StrEnum):
    PUBLIC = "社会公开"
    GOV_SHARED = "政务共享"
    AUTHORISED = "授权查询"


class Sharing(StrEnum):
    """政务共享的类型 (政务信息资源共享管理暂行办法, 国发〔2016〕51号): how far a record that is
    not public reaches departments other than the one that provided it."""

    UNCONDITIONAL = "无条件共享"
    CONDITIONAL = "有条件共享"
    NOT_SHARED = "不予共享"


class Severity(StrEnum):
    MINOR = "轻微"
    GENERAL = "一般"
    SERIOUS = "严重"


class Nature(StrEnum):
    NEGATIVE = "negative"  # 失信信息: publication periods and repair apply
    POSITIVE = "positive"  # 守信 / honours
    NEUTRAL = "neutral"  # registration, licences, commitments


class SubjectType(StrEnum):
    ORGANISATION = "法人及非法人组织"
    INDIVIDUAL_BUSINESS = "个体工商户"
    NATURAL_PERSON = "自然人"


FieldType = Literal[
    "text",  # free text, max_length applies
    "uscc",  # a unified social credit code (GB 32100), checked
    "legacy_code",  # 工商注册号 / 组织机构代码 / 税务登记号 …: stored as given, shape-checked only
    "id_number",  # a natural person's certificate number; checked by the id_type field
    "date",  # a calendar date in any format departments send
    "amount_wan",  # money in 万元, non-negative
    "money_text",  # registered capital as free text (e.g. "6,000(万元人民币)"), parsed best-effort
    "code",  # one value of code_table (code or label accepted, stored as code)
    "codes",  # several values of code_table separated by , ， ; ； 、
    "integer",
]


class CodeValue(Frozen):
    code: str
    label: str
    aliases: tuple[str, ...] = ()  # other spellings departments send (legacy codes, labels)
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None  # last day the value may be used for new decisions


class CodeTable(Frozen):
    code: str  # e.g. penalty_kind
    name: str  # e.g. 处罚类别
    version: str
    legal_basis: tuple[LegalBasis, ...] = ()
    values: tuple[CodeValue, ...]


class FieldDef(Frozen):
    code: str  # the national field code, e.g. CF_WSH; our own prefix where none exists
    name: str  # Chinese field name shown to users, e.g. 行政处罚决定书文号
    type: FieldType = "text"
    required: bool = False
    # Required only when another field has one of these values, e.g. the subject's USCC is
    # required when 行政相对人类别 is 法人及非法人组织: {"CF_XDR_LB": ["法人及非法人组织"]}.
    required_when: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    max_length: int | None = None
    code_table: str | None = None  # for code / codes
    # For id_number: the field holding the certificate type (01 = resident ID is checked).
    id_type_field: str | None = None
    aliases: tuple[str, ...] = ()  # other header names that map to this field
    personal: bool = False  # natural-person data: encrypted/masked, never public
    public: bool = True  # shown in the public credit file (when the record is public)


SubjectKind = Literal["organisation", "individual_business", "person"]


class Citation(Frozen):
    """A provision a record cites (e.g. in 处罚依据 CF_YJ): a law and, optionally, articles."""

    # The title without 《》 and without the 中华人民共和国 prefix, e.g. 行政许可法.
    law: str
    articles: tuple[int, ...] = ()  # empty: any article of the law


class Condition(Frozen):
    """One condition over one field of a record; every key that is set must hold.

    Code fields (``code``/``codes``) are tested with ``any_of`` (the field holds one of these
    codes) or ``only`` (every code it holds is one of these); text fields with ``matches`` (a
    regular expression found in the text) or ``cites`` (the text cites one of these
    provisions, see ``catalog.conditions.citations``); amount fields (万元) with ``at_least`` /
    ``at_most``. A field the record leaves empty satisfies no condition.
    """

    field: str
    any_of: tuple[str, ...] = ()
    only: tuple[str, ...] = ()
    matches: str | None = None
    cites: tuple[Citation, ...] = ()
    at_least: float | None = None
    at_most: float | None = None
    note: str = ""


class SeverityRule(Frozen):
    """First matching rule wins; a rule with no condition is the default."""

    severity: Severity
    conditions: tuple[Condition, ...] = ()  # all must hold
    # Only for records submitted by departments of these sectors (empty = any).
    sectors: tuple[str, ...] = ()
    legal_basis: tuple[LegalBasis, ...] = ()
    note: str = ""

    @property
    def is_default(self) -> bool:
        return not self.conditions and not self.sectors


RelationRole = Literal["legal_representative", "principal", "actual_controller"]


class RelationMapping(Frozen):
    """Fields naming a person related to the subject in a given role."""

    role: RelationRole
    name: str  # field holding the person's name
    id_type: str | None = None  # field holding the certificate type
    id: str | None = None  # field holding the certificate number


class SubjectMapping(Frozen):
    """Which fields of an item identify the subject and its legal representative."""

    name: str  # e.g. CF_XDR_MC
    category: str | None = None  # e.g. CF_XDR_LB (行政相对人类别)
    uscc: str | None = None  # e.g. CF_XDR_SHXYM
    legacy_codes: tuple[str, ...] = ()  # e.g. CF_XDR_GSZC, CF_XDR_ZZJG …
    person_id_type: str | None = None  # e.g. CF_XDR_ZJLX
    person_id: str | None = None  # e.g. CF_XDR_ZJHM
    legal_rep_name: str | None = None  # e.g. CF_FRDB
    legal_rep_id_type: str | None = None  # e.g. CF_FR_ZJLX
    legal_rep_id: str | None = None  # e.g. CF_FR_ZJHM
    # Further related persons (主要负责人, 实际控制人), same shape as the legal representative.
    relations: tuple[RelationMapping, ...] = ()

    def all_relations(self) -> tuple[RelationMapping, ...]:
        """The legal representative (when mapped) followed by the other relations."""
        rep = (
            (
                RelationMapping(
                    role="legal_representative",
                    name=self.legal_rep_name,
                    id_type=self.legal_rep_id_type,
                    id=self.legal_rep_id,
                ),
            )
            if self.legal_rep_name
            else ()
        )
        return rep + self.relations


class RecordDisplay(Frozen):
    """Which fields tell a reader what a record is: its heading in the credit file and what
    the file's top section (lists, bans, serious records) says about it. Field codes of the
    item; the first field with a value wins for ``authority``, the others show every value."""

    number: tuple[str, ...] = ()  # decision / licence / case number (empty: the record key)
    reason: tuple[str, ...] = ()  # why (违法行为类型, 处罚内容, 列入原因 …)
    basis: tuple[str, ...] = ()  # the provision the record cites (处罚依据)
    authority: tuple[str, ...] = ()  # the deciding body as the record names it


class ItemVersion(Frozen):
    """One version of one information item of the catalogue."""

    code: str  # e.g. XZCF
    name: str  # e.g. 行政处罚信息
    category: str  # catalogue category, e.g. 行政管理信息
    version: str  # e.g. 2024.1
    effective_from: dt.date
    effective_until: dt.date | None = None  # inclusive last day
    legal_basis: tuple[LegalBasis, ...]
    subject_types: tuple[SubjectType, ...]
    disclosure: Disclosure
    # How a record that is not public (never, or no longer) is shared with departments other
    # than the provider; None: 不予共享 beyond what is public, until the item's file says so.
    # A public item's record that left its window (expired, repaired) stops being shared too
    # (令36: after repair 终止公示 and no more sharing).
    sharing: Sharing | None = None
    sharing_basis: tuple[LegalBasis, ...] = ()
    nature: Nature
    # Fields whose values (with the subject key) identify one record, e.g. (CF_WSH,).
    # Re-sending the same key with different content is a correction.
    record_key: tuple[str, ...]
    decision_date_field: str | None  # e.g. CF_JDRQ; None for items without a decision
    subject: SubjectMapping
    fields: tuple[FieldDef, ...]
    severity_rules: tuple[SeverityRule, ...] = ()
    # Deadline to publish after the decision, in working days; None if none applies.
    publication_deadline_working_days: int | None = None
    publication_deadline_basis: tuple[LegalBasis, ...] = ()
    # Field whose date ends the record's own validity (licence 有效期至), if any.
    valid_until_field: str | None = None
    display: RecordDisplay = Field(default_factory=RecordDisplay)
    local: bool = False  # from a 地方补充目录
    source_file: str = ""  # set by the loader, for error messages

    @property
    def sharing_level(self) -> Sharing:
        return Sharing.NOT_SHARED if self.sharing is None else self.sharing

    def field(self, code: str) -> FieldDef:
        for f in self.fields:
            if f.code == code:
                return f
        raise KeyError(code)


class PeriodRule(Frozen):
    """Publication period for one severity class under a policy."""

    publish: bool = True
    min_months: int | None = None  # repair may end publication after this
    max_months: int | None = None  # publication stops automatically at this; None = no limit
    # Not published at all when every value of the field is within the set, e.g. a penalty of
    # 警告 only under 令107: {"CF_CFLB": ["01"]}. Fields an item lacks never match.
    unpublished_if_only: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    legal_basis: tuple[LegalBasis, ...] = ()  # the article(s) setting this period
    note: str = ""


class PublicationPolicy(Frozen):
    """A publication regime: which periods apply to decisions made while it is in force."""

    code: str  # e.g. NDRC-2025-36
    name: str
    version: str
    legal_basis: tuple[LegalBasis, ...]
    # The regime governs decisions dated in [decisions_from, decisions_until].
    decisions_from: dt.date | None
    decisions_until: dt.date | None = None
    # Items it governs; empty = every item of nature ``negative``.
    items: tuple[str, ...] = ()
    # Source sectors it governs (department sector codes, e.g. market_regulation);
    # empty = all. A sector-specific policy beats a general one for the same date.
    sectors: tuple[str, ...] = ()
    periods: dict[Severity, PeriodRule]
    # Severity rules of this regime by item code: records it governs are classed by these
    # instead of the item's own rules (e.g. 令107's test for market-regulation penalties).
    severity_rules: dict[str, tuple[SeverityRule, ...]] = Field(default_factory=dict)
    # Natural persons' records are published only if this is true.
    publish_natural_persons: bool = False
    natural_persons_basis: tuple[LegalBasis, ...] = ()
    # Positive and neutral items: published from the decision date with no end unless the
    # record's own validity ends (valid_until_field).
    local: bool = False
    source_file: str = ""


class HeaderSet(Frozen):
    """A known historical column layout (e.g. an older Chinese header set) for an item."""

    code: str
    name: str
    item: str
    columns: dict[str, str]  # header text -> field code
    evidence: Evidence = Evidence.UNCONFIRMED  # how well the layout is documented
    note: str = ""


class Sector(Frozen):
    code: str  # e.g. market_regulation
    name: str  # e.g. 市场监管


class CatalogueSnapshot(Frozen):
    """Identity of the catalogue in force: stamped on every ledger entry and answer."""

    version: str  # short digest over all loaded files
    files: tuple[str, ...]


# -- list types, measures and scenarios (loaded by sanctions_build) -----------------------

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
    # Date field of linked_item the period runs from when period_start is publication (公布
    # 日期); a record without it counts from its decision date (an earlier end: the subject's
    # side of the doubt).
    record_start_field: str | None = None
    note: str = ""
    local: bool = False
    source_file: str = ""

    def in_force(self, day: dt.date) -> bool:
        return in_force(self, day)


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
        return in_force(self, day)

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
    # 42号: "在信用修复前不适用告知承诺": a record restated by a repair no longer bars.
    ends_on_repair: bool = False
    legal_basis: tuple[LegalBasis, ...]
    version: str
    effective_from: dt.date
    effective_until: dt.date | None = None
    note: str = ""
    local: bool = False
    source_file: str = ""

    def in_force(self, day: dt.date) -> bool:
        return in_force(self, day)


# -- the catalogue ------------------------------------------------------------------------
