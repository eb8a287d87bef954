"""双随机、一公开: inspectors, recusals, plans, draws, tasks and results."""

from __future__ import annotations

from pydantic import Field, JsonValue

from xinyong.web.schemas.common import Schema


class Inspector(Schema):
    id: str = Field(description="检查人员编号（工号，随抽取记录公开，不是身份证号码）")
    name: str = Field(description="姓名")
    department: str = Field(description="所属部门代码")
    department_label: str = Field(description="所属部门名称")
    region: str = Field(description="所在地区（区划代码）")
    qualifications: list[str] = Field(description="资格，如 执法证件")
    certificate: str = Field(description="执法证号（脱敏）")
    active: bool
    active_label: str = Field(description="在岗 / 停用")


class Inspectors(Schema):
    items: list[Inspector]


class Recusal(Schema):
    id: int
    kind: str = Field(description="relationship（利害关系申报）或 request（回避申请）")
    kind_label: str
    inspector: str = Field(description="检查人员编号")
    subject: str = Field(description="统一社会信用代码")
    reason: str = Field(description="理由")
    active: bool
    recorded_at: str = Field(description="登记时间（北京时间）")


class Recusals(Schema):
    items: list[Recusal]


class DrawStratum(Schema):
    code: str = Field(description="分层代码")
    grade: str | None = Field(description="等级字母（评价模型声明的），未分类为 null")
    label: str = Field(description="分层名称（评价模型的等级名称，如 优、A类（信用风险低））")
    ratio: str = Field(description="抽取比例（十进制文本）")
    ratio_label: str = Field(description="抽取比例（百分数）")
    eligible: int = Field(description="参加抽取的主体数（已除去达到年度上限的）")
    target: int = Field(description="按比例应抽取数 ceil(参加数 × 比例)")
    drawn: int = Field(description="抽中数（含为达到抽查下限补抽的）")
    topped_up: int = Field(description="为达到抽查下限补抽的主体数")


class DrawFloor(Schema):
    item: str = Field(description="规定抽查下限的抽查事项")
    ratio: str = Field(description="抽查下限（占参加抽取主体总数）")
    ratio_label: str = Field(description="抽查下限（百分数）")
    eligible: int = Field(description="参加抽取的主体总数")
    required: int = Field(description="至少抽取数 ceil(总数 × 下限)")


class GradeModel(Schema):
    code: str = Field(description="分层依据的评价模型代码")
    label: str = Field(description="评价模型名称")
    public: bool = Field(description="评价结果是否社会公开（公开时抽取公开本含每户等级）")


class Draw(Schema):
    id: int = Field(description="抽取编号")
    plan: int = Field(description="抽查计划编号")
    status: str = Field(description="prepared / published / drawn")
    status_label: str
    seed_commitment: str = Field(description="种子承诺 SHA-256(种子)，抽取前公布")
    beacon_source: str | None = Field(description="事先公布的公共随机数来源")
    pool_digest: str = Field(description="名录摘要")
    policy_digest: str = Field(description="策略摘要")
    draw_commitment: str = Field(description="抽取承诺，抽取前公布")
    prepared_at: str | None
    committed_at: str | None = Field(description="承诺公布时间（北京时间）")
    drawn_at: str | None = Field(description="抽取时间（北京时间）")
    seed: str | None = Field(description="种子（十六进制），抽取后公开")
    record_url: str | None = Field(description="抽取记录 JSON 的下载地址（抽取后）")
    drawn_subjects: int | None = Field(default=None, description="抽中并分派检查人员的主体数")
    unassignable: int | None = Field(default=None, description="无法分派足够检查人员的主体数")
    pool_size: int | None = Field(default=None, description="名录主体数")
    grade_model: str | None = Field(default=None, description="分层依据的评价模型代码")
    grades_withheld: str | None = Field(
        default=None, description="公开本隐去内部分类时的说明（此时公开本不能复核分层）"
    )
    floor: DrawFloor | None = Field(default=None, description="抽查下限（事项规定时）")
    strata: list[DrawStratum] | None = Field(
        default=None, description="各分层的参加数、比例和抽中数（抽取后）"
    )


class PlanItem(Schema):
    item: str = Field(description="抽查事项代码")
    item_label: str
    department: str
    department_label: str


class Plan(Schema):
    id: int
    name: str
    kind: str = Field(description="annual（年度）/ adhoc（专项）")
    kind_label: str
    year: int
    department: str = Field(description="牵头部门代码")
    department_label: str
    joint: bool = Field(description="是否多部门联合抽查（进一次门、查多项事）")
    items: list[PlanItem]
    policy: str = Field(description="监管策略 代码@版本")
    grade_model: GradeModel | None = Field(
        default=None, description="分层依据的评价模型（代码与名称）；无则不按等级分层"
    )
    pool_filter: dict[str, JsonValue] = Field(description="抽查对象范围")
    published: bool
    published_at: str | None
    draws: list[Draw] | None = Field(default=None, description="本计划的抽取")


class Plans(Schema):
    items: list[Plan]


class TaskResult(Schema):
    item: str
    item_label: str
    result: str = Field(description="检查结果类别代码（代码表 inspection_result）")
    result_label: str
    text: str = Field(description="检查结果")
    inspected_on: str = Field(description="检查日期")
    due: str | None = Field(default=None, description="录入期限")
    due_provisional: bool | None = Field(default=None, description="期限是否为暂定")
    overdue: bool | None = Field(default=None, description="是否逾期录入")
    overdue_label: str | None = None
    entered_by: str | None = Field(default=None, description="录入的检查人员编号")
    entry: int | None = Field(default=None, description="写入的信用记录编号（XZJC）")


class Task(Schema):
    id: int
    plan: int
    draw: int
    subject: str = Field(description="统一社会信用代码")
    subject_name: str
    department: str
    department_label: str
    items: list[PlanItem]
    drawn_on: str
    status: str = Field(description="open（待检查）/ done（已录入结果）")
    status_label: str
    results: list[TaskResult]
    inspectors: list[str] | None = Field(default=None, description="抽中的检查人员编号")
    deadline: dict[str, JsonValue] | None = Field(
        default=None, description="本次录入的期限（日期、是否暂定及范围）"
    )


class Tasks(Schema):
    items: list[Task]


class PublishedPlan(Plan):
    tasks: list[Task] = Field(description="抽中的主体及检查结果（公开部分）")


class Published(Schema):
    items: list[PublishedPlan]
