"""逢办必查: the check answer and feedback.

The check route returns the answer pre-serialised (its receipt's hash covers those exact
bytes), so these models document the answer and are tested against real answers
(``tests/web/test_openapi.py``); they are not applied to the response.
"""

from __future__ import annotations

from pydantic import Field

from xinyong.catalog.model import Scenario as CatalogueScenario
from xinyong.web.schemas.common import LegalBasis, Schema


class CheckSubject(Schema):
    code: str = Field(description="统一社会信用代码；自然人为脱敏身份证号码")
    kind: str = Field(description="主体类型代码")
    kind_label: str | None = Field(default=None, description="主体类型（中文）")
    on_record: bool | None = Field(
        default=None,
        description="平台是否有该主体的任何信息；false 时结论为“平台暂无该主体信用记录”，不能说明其信用状况",
    )
    name: str | None = Field(default=None, description="名称（按名称识别时）")


class Scenario(Schema):
    code: str = Field(description="应用场景代码")
    name: str = Field(description="应用场景名称")


class ScenarioInfo(Scenario):
    description: str = Field(description="场景说明")
    local: bool = Field(description="是否为地方补充目录增加的场景")
    scope_label: str = Field(description="来源（中文）：国家目录或地方补充目录")

    @classmethod
    def of(cls, sc: CatalogueScenario) -> ScenarioInfo:
        return cls(
            code=sc.code,
            name=sc.name,
            description=sc.description,
            local=sc.local,
            scope_label="地方补充目录" if sc.local else "国家目录",
        )


class Scenarios(Schema):
    """应用场景：核查时 scenario 可填代码或中文名称。"""

    version: str = Field(description="目录快照版本")
    scenarios: list[ScenarioInfo]


class CheckMembership(Schema):
    id: int = Field(description="名单条目号")
    entry: int = Field(description="名单条目号（账本条目）")
    list_type: str = Field(description="名单类型代码")
    name: str = Field(description="名单名称")
    kind: str = Field(description="black、watch、ban 等")
    department: str = Field(description="认定部门代码")
    listed_on: str = Field(description="列入日期")
    until: str | None = Field(description="期满日期")
    exited_on: str | None = Field(description="移出日期")
    exit_reason: str | None = Field(description="移出原因")
    legal_basis: list[LegalBasis]


class MeasurePeriod(Schema):
    from_: str = Field(alias="from", description="起始日期")
    until: str | None = Field(description="截止日期（不含）；空表示以实施决定为准或终身")
    rule: str = Field(description="期限规则（中文）")


class Via(Schema):
    """Why the measure applies: a list entry (``trigger`` = list) or a record (record)."""

    trigger: str = Field(description="list（名单）或 record（信用记录）")
    role: str = Field(
        description="subject（主体本身）或主体在组织中的身份，如 legal_representative"
    )
    role_label: str | None = Field(default=None, description="身份（中文）")
    organisation: str | None = Field(default=None, description="经由的组织（统一社会信用代码）")
    list_entry: int | None = Field(default=None, description="名单条目号")
    list_type: str | None = Field(default=None, description="名单类型代码")
    list_name: str | None = Field(default=None, description="名单名称")
    ground: str | None = Field(
        default=None, description="所依据的具体情形（如 行政许可法第七十九条）"
    )
    record_entry: int | None = Field(default=None, description="触发记录的账本条目号")
    item: str | None = Field(default=None, description="触发记录的目录信息项")
    record_key: str | None = Field(default=None, description="触发记录的标识（如决定书文号）")
    decision_date: str | None = Field(default=None, description="触发记录的决定日期")
    severity: str | None = Field(default=None, description="触发记录的严重程度")
    department: str | None = Field(default=None, description="报送部门代码")
    department_name: str | None = Field(default=None, description="报送部门名称")
    sector: str | None = Field(default=None, description="报送部门的行业领域")


class Trigger(Via):
    """One triggering list entry or record, with the period it gives."""

    period: MeasurePeriod
    conditions: list[str] | None = Field(default=None, description="须人工核实的条件（待核实时）")


class AppliedMeasure(Schema):
    measure: str = Field(description="措施代码")
    name: str = Field(description="措施名称")
    content: str = Field(description="措施内容")
    kind: str = Field(description="punishment（惩戒）、management（管理）或 incentive（激励）")
    automatic: bool = Field(
        description="true：依法直接适用；false：由实施部门依据其适用的法律、法规决定是否及如何限制"
    )
    implementing_department: str = Field(description="实施部门")
    legal_basis: list[LegalBasis]
    period: MeasurePeriod = Field(description="各触发依据中最长的期限")
    via: Via = Field(description="给出最长期限的触发依据")
    triggered_by: list[Trigger] = Field(description="全部触发依据（同一措施只列一次）")


class MeasureToVerify(AppliedMeasure):
    """数据无法判断的条件须人工核实后方可实施的措施；不在 measures 中重复。"""

    conditions: list[str] = Field(description="须人工核实的条件")


class Withheld(Schema):
    measure: str = Field(description="措施代码")
    name: str = Field(description="措施名称")
    reason: str = Field(description="不予适用的原因")


class CommitmentBar(Schema):
    """不能适用告知承诺制、容缺受理的一项原因。"""

    code: str = Field(
        description="SERIOUS_LIST（严重失信名单、禁入）、SERIOUS_RECORD（严重失信信息）、"
        "FALSE_COMMITMENT（虚假承诺、违背承诺）或 MEASURE（措施规定不适用）"
    )
    reason: str = Field(description="原因（中文）")
    legal_basis: list[LegalBasis]
    via: Via = Field(description="据以判断的名单条目或记录")
    measure: str | None = Field(default=None, description="规定不适用告知承诺制的措施代码")
    period: MeasurePeriod | None = Field(default=None, description="该记录不能适用的期间")


class NameQuery(Schema):
    name: str = Field(description="所查名称")
    normalised: str = Field(description="规范化后的名称")


class Difference(Schema):
    op: str = Field(description="replace（替换）、insert（多字）、delete（少字）")
    position: int = Field(description="在所查名称中的位置（从1起）")
    query: str = Field(description="所查名称中的文字")
    name: str = Field(description="候选名称中的文字")


class CandidateMatch(Schema):
    field: str
    field_label: str
    matched_name: str
    scorer: str
    method: str
    normalised_query: str
    normalised_name: str
    full_ratio: float
    core_ratio: float
    query_core: str
    name_core: str
    edit_distance: int
    differences: list[Difference]
    explanation: str


class Candidate(Schema):
    rank: int
    code: str = Field(description="统一社会信用代码")
    name: str
    kind: str
    kind_label: str
    status: str | None
    score: float = Field(description="相似度得分（0–100）")
    match: CandidateMatch


class CheckAnswer(Schema):
    """核查结论（按代码核查，或按名称精确匹配到唯一主体）。"""

    receipt: str = Field(description="回执号：反馈措施实施情况时引用")
    subject: CheckSubject
    scenario: Scenario
    as_of: str = Field(description="核查日期")
    data_version: int = Field(description="结论所反映的最新账本条目号")
    catalogue_version: str = Field(description="措施目录版本")
    identified_by: str = Field(description="code（按代码）或 name（按名称）")
    authoritative: bool = Field(description="是否为权威核查结论（按名称识别的均为 false）")
    memberships: list[CheckMembership] = Field(description="在列名单")
    bans: list[CheckMembership] = Field(description="其中的禁入名单")
    checked_at: str | None = Field(default=None, description="核查时间（北京时间）")
    measures: list[AppliedMeasure] = Field(description="依据数据确定适用的惩戒、管理或激励措施")
    to_verify: list[MeasureToVerify] = Field(
        default_factory=list, description="须人工核实条件后方可实施的措施"
    )
    withheld: list[Withheld] = Field(
        default_factory=list, description="因主体不适用告知承诺制而不予适用的激励措施"
    )
    commitment_allowed: bool = Field(description="是否可适用告知承诺制、容缺受理")
    commitment_blocked_by: list[CommitmentBar] = Field(description="不能适用的每项原因")
    query: NameQuery | None = Field(default=None, description="按名称查找时：所查名称")
    match: str | None = Field(default=None, description="按名称查找时：exact")
    candidates: list[Candidate] | None = Field(default=None, description="按名称查找时的匹配")
    message: str | None = Field(
        default=None, description="说明：平台暂无该主体信用记录，或按名称查找的说明"
    )


class NameCandidates(Schema):
    """按名称未能确定唯一主体：候选主体，不列出措施，须以统一社会信用代码重新核查。"""

    receipt: str
    checked_at: str | None = Field(default=None, description="核查时间（北京时间）")
    query: NameQuery
    identified_by: str = Field(description="name")
    authoritative: bool = Field(description="false")
    scenario: Scenario
    as_of: str
    data_version: int
    catalogue_version: str
    match: str = Field(description="ambiguous（同名多个）、fuzzy（相近）或 none（未找到）")
    candidates: list[Candidate]
    message: str = Field(description="说明（中文）")


CheckResponse = CheckAnswer | NameCandidates


class FeedbackRecorded(Schema):
    """反馈已记录。"""

    status: str = Field(description="recorded")
