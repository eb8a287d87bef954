"""Domain types of the catalogue: information items, code tables and publication policies.

Everything here is loaded from versioned data files (``catalog/data`` plus a deployment's
local supplementary directory); nothing in code states a period, a deadline or a code value.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


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


class Disclosure(StrEnum):
    PUBLIC = "社会公开"
    GOV_SHARED = "政务共享"
    AUTHORISED = "授权查询"


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
