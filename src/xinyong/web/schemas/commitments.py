"""Credit commitments (信用承诺) and integrity education (诚信教育)."""

from __future__ import annotations

from pydantic import Field, JsonValue

from xinyong.web.schemas.common import Schema


class CommitmentCatalogue(Schema):
    types: list[dict[str, JsonValue]] = Field(
        description="四类承诺：code、label、telling（是否告知承诺/容缺受理）"
    )
    classifications: list[dict[str, JsonValue]] = Field(
        description="GB/T 46277-2025 分类（应用领域型、应用场景型），与四类分开记录"
    )
    exclusions: list[dict[str, JsonValue]] = Field(
        description="国办发〔2020〕42号 不适用告知承诺的情形"
    )
    items: list[dict[str, JsonValue]] = Field(
        description="许可事项：是否实行告知承诺、排除情形、依据"
    )
    templates: list[dict[str, JsonValue]] = Field(
        description="现行承诺书模板：类型、分类、事项、履约方式、公开范围、依据"
    )
    types_basis: list[dict[str, JsonValue]] = Field(description="四类承诺的依据")
    classifications_basis: list[dict[str, JsonValue]] = Field(
        description="GB/T 46277-2025 分类的依据"
    )
    exclusions_basis: list[dict[str, JsonValue]] = Field(description="排除情形的依据")


class CommitmentStep(Schema):
    step: str = Field(description="步骤代码")
    step_label: str = Field(description="步骤（中文）")
    from_status: str | None = Field(description="步骤前的状态代码")
    to_status: str = Field(description="步骤后的状态代码")
    to_status_label: str = Field(description="步骤后的状态（中文）")
    actor: str
    at: str = Field(description="时间（北京时间）")
    note: str
    entry: int | None = Field(description="写入的信用记录编号（XYCN）")


class Commitment(Schema):
    id: int = Field(description="承诺编号")
    subject: dict[str, JsonValue] = Field(description="承诺主体：code（统一社会信用代码）、name")
    template: str = Field(description="承诺书模板代码")
    template_label: str
    type: str = Field(
        description="承诺类型代码（1 审批替代型、2 信用修复型、3 行业自律型、4 主动型）"
    )
    type_label: str
    classification: str = Field(description="GB/T 46277-2025 分类代码")
    classification_label: str
    item: str | None = Field(description="许可事项代码")
    item_label: str | None
    department: str = Field(description="受理单位代码")
    department_label: str
    status: str = Field(description="signed、fulfilled、breached、false、repaired")
    status_label: str = Field(description="履约状态（中文）")
    signed_on: str = Field(description="承诺日期")
    text: str = Field(description="所签承诺书文本")
    disclosure: str = Field(description="公开范围（社会公开、政务共享、不公开）")
    legal_basis: list[dict[str, JsonValue]] = Field(description="承诺书的法律依据")
    fulfilment: str | None = Field(
        default=None, description="履约方式代码 materials、verification、standing"
    )
    fulfilment_label: str | None = None
    materials: list[str] | None = Field(default=None, description="容缺承诺补交的材料")
    delivered: list[str] | None = Field(default=None, description="已提交的材料")
    due_date: str | None = Field(default=None, description="容缺材料或核查的期限")
    due_provisional: bool | None = Field(default=None, description="期限所依日历是否暂定")
    due_latest: str | None = Field(
        default=None, description="暂定期限可能的最晚日期（逾期自其后认定）"
    )
    channel: str | None = Field(default=None, description="签署渠道代码")
    channel_label: str | None = None
    closed_on: str | None = Field(default=None, description="办结日期")
    entry: int | None = Field(default=None, description="最新信用记录编号（XYCN）")
    training_certificate: str | None = Field(default=None, description="所引用的诚信教育证书")
    list_proposal_offered: bool | None = Field(default=None, description="可否据此提出拟列入")
    steps: list[CommitmentStep] | None = Field(default=None, description="办理记录")


class Commitments(Schema):
    total: int
    limit: int
    offset: int
    items: list[Commitment]


class CommitmentStatistics(Schema):
    status_labels: dict[str, str] = Field(description="状态代码与中文")
    by_type: list[dict[str, JsonValue]] = Field(
        description="按承诺类型（四类全列）：总数及各状态数"
    )
    by_item: list[dict[str, JsonValue]] = Field(description="按实行告知承诺的事项")
    by_department: list[dict[str, JsonValue]] = Field(description="按受理单位")


class CommitmentSample(Schema):
    month: str
    ratio: float
    seed: str
    population: list[int]
    drawn: list[int]
    drawn_by: str
    drawn_at: str


class ListProposal(Schema):
    commitment: int
    list_case: int = Field(description="拟列入办件编号")


class TrainingAttendance(Schema):
    subject: dict[str, JsonValue] = Field(description="参训主体：code（统一社会信用代码）、name")
    representative: str = Field(description="法定代表人（脱敏：姓名首字及身份证号码前6后4位）")
    certificate: str | None = Field(description="诚信教育证书编号（未发放为 null）")
    certified_at: str | None = Field(description="发证时间（北京时间）")
    recorded_by: str
    recorded_at: str = Field(description="登记时间（北京时间）")


class Training(Schema):
    id: int = Field(description="培训编号")
    title: str = Field(description="培训名称")
    held_on: str = Field(description="举办日期")
    place: str = Field(description="培训地点")
    department: str = Field(description="组织部门代码")
    department_label: str = Field(description="组织部门名称")
    free_of_charge: bool = Field(description="免费（恒为 true：开展诚信教育不得收费）")
    market_entry_condition: bool = Field(
        description="是否为市场准入条件（恒为 false：不得作为市场准入的必要条件）"
    )
    attendees: int = Field(description="参训主体数")
    certified: int = Field(description="已发证书数")
    created_by: str
    created_at: str = Field(description="创建时间（北京时间）")
    attendance: list[TrainingAttendance] | None = Field(
        default=None, description="参训主体：主体代码、名称、法定代表人（脱敏）、证书编号"
    )


class Trainings(Schema):
    total: int
    limit: int
    offset: int
    items: list[Training]
