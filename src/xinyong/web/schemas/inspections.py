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
    account: str | None = Field(
        default=None, description="关联的控制台账号（角色为检查人员；未关联为 null）"
    )


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


class PoolFilter(Schema):
    key: str = Field(description="region / type / industry / size")
    key_label: str = Field(description="范围名称")
    codes: str = Field(description="代码（逗号分隔；unknown 为未载明）")
    labels: list[str] = Field(description="代码的中文名称")


class PoolUnknown(Schema):
    key: str = Field(description="industry 或 size")
    key_label: str = Field(description="行业门类 / 企业规模")
    count: int = Field(description="计划地区、类型范围内登记信息未载明该项的市场主体数")
    included: bool = Field(description="是否纳入抽查对象范围（筛选含 unknown）")


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
    pool_filter_labels: list[PoolFilter] = Field(
        default_factory=list, description="抽查对象范围及其中文名称"
    )
    unknowns: list[PoolUnknown] | None = Field(
        default=None,
        description="按行业门类、企业规模筛选时，登记信息未载明该项的主体数及是否纳入",
    )
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


class Share(Schema):
    value: float | None = Field(description="比例（0–1），分母为零时为空")
    label: str = Field(description="百分比文字，如 10.0%")


class ResultCount(Schema):
    result: str = Field(description="检查结果类别代码（代码表 inspection_result）")
    result_label: str
    count: int


class TaskCounts(Schema):
    total: int = Field(description="检查任务数")
    done: int = Field(description="已按期录入结果")
    open: int = Field(description="待检查（未录入结果）")
    overdue: int = Field(description="逾期录入结果")
    unverified: int = Field(
        description="待核实：未录入且自抽取日起已超过录入期限（检查结束日期未知，不认定逾期）"
    )


class StratumCoverage(Schema):
    code: str = Field(description="分层代码")
    grade: str | None = Field(description="等级或风险分类（null：未分类）")
    label: str
    pool: int = Field(description="名录中该层主体数（抽取时的名录快照）")
    eligible: int = Field(description="可抽取主体数（未达年度检查上限）")
    ratio: str = Field(description="监管策略的抽查比例（小数）")
    ratio_label: str
    target: int = Field(description="应抽户数（向上取整）")
    drawn: int = Field(description="实际抽中户数")
    drawn_share: Share = Field(description="实际抽中比例（抽中 ÷ 可抽取）")


class CoverageItem(Schema):
    item: str
    item_label: str
    department: str = Field(description="该事项所属部门代码")
    department_label: str


class DrawCoverage(Schema):
    draw: int
    plan: int
    plan_name: str
    department: str
    department_label: str
    item: str
    item_label: str
    year: int
    joint: bool = Field(description="是否联合抽查（进一次门、查多项事）")
    plan_items: list[CoverageItem] = Field(description="计划的全部抽查事项及其部门（牵头事项在前）")
    drawn_at: str | None = Field(description="抽取时间（北京时间）")
    policy: str = Field(description="监管策略 代码@版本")
    pool_size: int = Field(description="名录主体数")
    excluded_at_cap: int = Field(description="因达到年度检查上限未进入抽取的主体数")
    yearly_cap: int = Field(description="年度检查次数上限")
    grade_scheme: str | None
    strata: list[StratumCoverage]
    note: str


class GroupCoverage(Schema):
    department: str = Field(description="事项所属部门代码（联合抽查的参与部门有各自的行）")
    department_label: str
    item: str = Field(description="抽查事项代码")
    item_label: str
    year: int
    plans: list[int] = Field(description="计入的抽查计划编号（名录为计划的名录）")
    joint_plans: list[int] = Field(description="其中本部门参与（非牵头）的联合抽查计划编号")
    yearly_cap: int
    pool: int = Field(description="最近一次抽取的名录主体数")
    drawn_subjects: int = Field(description="抽中主体数（去重）")
    inspected_subjects: int = Field(description="已录入结果的主体数（去重）")
    drawn_share: Share
    inspected_share: Share = Field(description="名录中已检查的比例")
    on_time_share: Share = Field(description="按期录入结果的任务比例")
    tasks: TaskCounts = Field(description="各任务中本事项的录入情况")
    results: list[ResultCount] = Field(description="本事项的检查结果")
    at_cap_at_last_draw: int = Field(description="最近一次抽取时达到年度检查上限的主体数")
    at_cap: int = Field(description="本年度本部门检查次数已达上限的主体数")


class MonthCoverage(Schema):
    month: str = Field(description="抽取月份 YYYY-MM")
    total: int
    done: int
    open: int
    overdue: int
    unverified: int


class StateLabel(Schema):
    state: str
    label: str


class CalendarNote(Schema):
    provisional: bool = Field(description="是否有录入期限落在暂定的节假日年份")
    label: str


class Coverage(Schema):
    department: str | None = Field(description="部门范围（空：全部部门）")
    department_label: str | None
    year: int | None
    generated_at: str = Field(description="统计时间（北京时间）")
    states: list[StateLabel]
    unverified_label: str
    calendar: CalendarNote
    groups: list[GroupCoverage] = Field(description="按部门、抽查事项、年度")
    draws: list[DrawCoverage] = Field(description="每次抽取的名录与分层")
    months: list[MonthCoverage] = Field(description="按抽取月份的任务完成情况")
