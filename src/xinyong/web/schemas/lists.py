"""List types and list determination cases (名单认定办件)."""

from __future__ import annotations

from pydantic import Field, JsonValue

from xinyong.web.schemas.common import LegalBasis, Schema


class Windows(Schema):
    unit: str = Field(description="时限单位（工作日）")
    statement_window_working_days: int | None = Field(description="陈述申辩期限")
    decision_deadline_working_days: int | None = Field(description="作出认定决定的期限")
    publication_deadline_working_days: int | None = Field(description="公示期限")
    exit_processing_working_days: int | None = Field(description="移出办理期限")
    revocation_deadline_working_days: int | None = Field(description="撤销办理期限")
    objection_window_days: int | None = Field(description="异议期限（自然日）")


class Period(Schema):
    months: int | None = Field(description="列入期限（月）")
    permanent: bool = Field(description="是否永久")
    by_decision: bool = Field(description="期限是否由认定决定确定")
    automatic_exit: bool = Field(description="期满是否自动移出")
    note: str = Field(description="说明")


class EarlyExit(Schema):
    min_months: int | None = Field(description="列入满多少个月方可申请提前移出")
    conditions: list[str] = Field(description="提前移出条件")
    excluded_when: list[str] = Field(description="不得提前移出的情形")
    acceptance_deadline_working_days: int | None
    decision_deadline_working_days: int | None
    decision_extension_working_days: int | None
    stop_publication_working_days: int | None
    legal_basis: list[LegalBasis]
    note: str


class ListTypeInfo(Schema):
    code: str = Field(description="名单类型代码，如 SAMR_SERIOUS")
    name: str = Field(description="名单名称")
    kind: str = Field(description="black（失信）、watch（重点关注）、ban（禁入）等")
    kind_label: str = Field(description="名单性质（中文）")
    sector: str = Field(description="行业领域代码")
    sector_name: str = Field(description="行业领域名称")
    deciding_authority: str = Field(description="认定部门")
    version: str
    effective_from: str = Field(description="施行日期")
    effective_until: str | None = Field(description="失效日期")
    legal_basis: list[LegalBasis]
    evidence: str = Field(description="本名单期限、时限等规则的核实程度（代码）")
    evidence_label: str = Field(description="核实程度（中文）；未核实的为“待核实”")
    subject_types: list[str] = Field(description="适用的主体类型")
    minors_excluded: bool = Field(description="是否排除未成年人")
    entry_criteria: list[str] = Field(description="列入条件")
    notice_required: bool = Field(description="是否须事先告知")
    windows: Windows
    procedure_note: str
    period: Period
    early_exit: EarlyExit | None
    local: bool = Field(description="是否为地方补充名单")


class ListTypes(Schema):
    """现行名单类型。"""

    as_of: str = Field(description="日期")
    list_types: list[ListTypeInfo]


class CaseListType(Schema):
    code: str
    name: str
    kind: str | None


class CaseSubject(Schema):
    key: str = Field(description="主体标识（统一社会信用代码或自然人主体标识）")
    kind: str = Field(description="主体类型代码")
    kind_label: str = Field(description="主体类型（中文）")
    name: str | None = Field(description="名称（自然人脱敏）")
    code: str | None = Field(description="统一社会信用代码；自然人为脱敏身份证号码")


class Due(Schema):
    """A working-day deadline and its calendar status."""

    date: str = Field(description="期限（按现有日历）")
    provisional: bool = Field(description="是否按暂定日历计算（国务院放假安排尚未公布）")
    earliest: str = Field(description="可能的最早日期")
    latest: str = Field(description="可能的最晚日期")
    status: str = Field(description="official（正式）或 provisional（暂定）")
    status_label: str = Field(description="日历状态（中文）")
    provisional_years: list[int] = Field(description="暂定的年份")
    kind: str | None = Field(
        default=None, description="duty（本机关职责）或 right（当事人权利期限）"
    )
    label: str | None = Field(default=None, description="期限名称")
    act_on: str = Field(description="据以办理的日期：职责按最早日期，当事人权利按最晚日期")
    guidance: str | None = Field(description="暂定期限的办理提示")


class CaseNotice(Schema):
    """给办件所属部门的提醒（如国务院放假安排公布后期限变更）。"""

    id: int
    case: int = Field(description="办件号")
    department: str = Field(description="部门代码")
    kind: str = Field(description="提醒类型代码")
    kind_label: str = Field(description="提醒类型（中文）")
    summary: str = Field(description="提醒内容")
    detail: dict[str, JsonValue] = Field(description="变更前后的期限等")
    created_at: str
    read_at: str | None
    read_by: str | None


class Notices(Schema):
    unread: int = Field(description="未读提醒数")
    notices: list[CaseNotice]


class CaseRow(Schema):
    id: int = Field(description="办件号")
    list_type: CaseListType
    subject: CaseSubject
    department: str = Field(description="办理部门代码")
    state: str = Field(description="状态代码")
    state_label: str = Field(description="状态（中文）")
    terminal: bool = Field(description="是否已办结")
    opened_at: str = Field(description="立案时间")
    due_on: str | None = Field(description="当前环节办理期限")
    due: Due | None = Field(default=None, description="当前环节办理期限及其日历状态")
    overdue: bool = Field(description="是否已超期")
    version: int = Field(description="办件版本（乐观锁）")


class CaseEvent(Schema):
    seq: int
    transition: str = Field(description="操作代码")
    label: str = Field(description="操作（中文）")
    from_state: str | None
    to_state: str
    to_label: str
    actor: str = Field(description="办理人（密钥名称）")
    role: str
    at: str = Field(description="办理时间")
    note: str
    due_on: str | None
    due: Due | None = Field(default=None, description="该环节办理期限及其日历状态")
    entry: int | None = Field(description="对应的账本条目号")


class CaseMembership(Schema):
    entry: int = Field(description="名单条目号")
    listed_on: str = Field(description="列入日期")
    until: str | None = Field(description="期满日期")
    exited_on: str | None = Field(description="移出日期")
    exit_reason: str | None = Field(description="移出原因")


class CaseTransition(Schema):
    name: str = Field(description="可执行的操作代码")
    label: str = Field(description="操作（中文）")
    target: str
    target_label: str
    roles: list[str] | None = Field(default=None, description="可执行的角色（不限角色查看时）")


class CaseView(CaseRow):
    """名单认定办件详情。"""

    params: dict[str, JsonValue] = Field(description="办件参数")
    history: list[CaseEvent]
    membership: CaseMembership | None
    transitions: list[CaseTransition] = Field(description="调用方现在可以执行的操作")
    notices: list[CaseNotice] = Field(default_factory=list, description="本办件的提醒")


class Inbox(Schema):
    """待办办件。"""

    as_of: str
    page: int
    page_size: int
    total: int
    cases: list[CaseRow]
    notices: Notices | None = Field(default=None, description="部门的未读提醒")
