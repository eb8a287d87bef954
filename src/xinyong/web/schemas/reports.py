"""Monthly statistics and typical cases (典型案例)."""

from __future__ import annotations

from pydantic import Field

from xinyong.web.schemas.common import Schema


class DepartmentChecks(Schema):
    department: str | None = Field(description="核查部门代码")
    name: str = Field(description="部门名称")
    checks: int = Field(description="核查次数")
    checks_with_measures: int = Field(description="返回了措施的核查次数")
    subjects: int = Field(description="涉及主体数")


class MeasureStats(Schema):
    measure: str = Field(description="措施代码")
    name: str
    kind: str | None
    implementing_department: str
    returned: int = Field(description="返回次数")
    applied: int = Field(description="反馈已实施")
    not_applied: int = Field(description="反馈未实施")
    no_feedback: int = Field(description="尚未反馈")
    coverage: float | None = Field(description="反馈率")


class ListStats(Schema):
    list_type: str
    name: str
    kind: str | None
    listed: int = Field(description="本月新列入")
    exits: dict[str, int] = Field(description="本月移出，按原因")
    members_at_end: int = Field(description="月末在列")


class Totals(Schema):
    checks: int
    checks_with_measures: int
    subjects: int
    measures_returned: int
    applied: int
    not_applied: int
    no_feedback: int
    coverage: float | None
    listed: int
    exits: dict[str, int]
    members_at_end: int


class Monthly(Schema):
    """月度统计（北京时间自然月）。"""

    month: str = Field(description="月份 YYYY-MM")
    timezone: str
    from_: str = Field(alias="from", description="统计起点（含）")
    until: str = Field(description="统计终点（不含）")
    members_on: str = Field(description="在列人数的统计日")
    complete: bool = Field(description="该月是否已结束")
    department: str | None = Field(description="仅统计该部门时为部门代码")
    generated_at: str = Field(description="生成时间（北京时间）")
    departments: list[DepartmentChecks]
    measures: list[MeasureStats]
    list_types: list[ListStats]
    totals: Totals


class DashboardRecords(Schema):
    month: str = Field(description="月份 YYYY-MM（北京时间）")
    department: str
    department_name: str
    batches: int = Field(description="报送批次数")
    rows: int = Field(description="报送行数")
    accepted: int = Field(description="接收行数")
    rejected: int = Field(description="拒收行数")
    late: int = Field(description="超期报送行数")
    on_time_rate: float | None = Field(description="按时报送率（接收行中未超期的比例）")
    rejection_rate: float | None = Field(description="拒收率")


class DashboardQualityRow(Schema):
    department: str
    department_name: str
    rows: int
    rejection_rate: float | None
    conflict_rate_permille: float = Field(description="重码/错码率（‰）")
    meets_target: bool = Field(description="是否达到 ≤ 目标值")
    late_rate: float | None = Field(description="超期报送率")


class DashboardQuality(Schema):
    target_permille: float = Field(description="重码/错码率目标（‰）")
    departments: list[DashboardQualityRow]


class DashboardListType(Schema):
    list_type: str
    name: str
    kind: str | None
    members: int = Field(description="今日在列数")


class DashboardLists(Schema):
    on: str = Field(description="统计日")
    types: list[DashboardListType]
    black_listed_subjects: int = Field(description="在严重失信名单或市场禁入中的主体数")
    organisations: int = Field(description="平台已知的市场主体数（不含自然人）")
    black_list_ratio: float | None = Field(description="黑名单占比（仅全省视图）")


class DashboardChecks(Schema):
    month: str
    checks: int
    checks_with_measures: int
    measures_returned: int
    measures_applied: int = Field(description="反馈已实施的措施数")


class DashboardAlerts(Schema):
    status: str
    name: str
    count: int


class DashboardCaseMonth(Schema):
    month: str = Field(description="月份 YYYY-MM（北京时间）")
    opened: int = Field(description="当月立案数")
    closed: int = Field(description="当月办结数（进入终结状态）")
    decided: int = Field(description="当月办理的有办理期限的环节数")
    decided_on_time: int = Field(description="其中在期限内办理的环节数")
    on_time_rate: float | None = Field(description="按期办理率（暂定日历按可能的最早日期计）")


class DashboardCaseWorkflow(Schema):
    workflow: str = Field(description="办件类型代码，如 list_determination")
    name: str = Field(description="办件类型（中文）")
    overdue: int = Field(description="今日超期未办结的办件数")
    months: list[DashboardCaseMonth]


class Dashboard(Schema):
    """工作台统计：近若干月的报送、数据质量、名单规模、核查与措施、预警。"""

    timezone: str
    department: str | None = Field(description="仅统计该部门时为部门代码")
    months: list[str]
    generated_at: str = Field(description="生成时间（北京时间）")
    records: list[DashboardRecords]
    quality: DashboardQuality
    lists: DashboardLists
    checks: list[DashboardChecks]
    cases: list[DashboardCaseWorkflow] = Field(
        description="各类办件每月立案、办结与按期办理率，及今日超期数"
    )
    alerts: list[DashboardAlerts] | None = Field(
        default=None, description="预警（仅信用办与审计视图）"
    )


class CaseMeasure(Schema):
    measure: str
    name: str
    kind: str | None
    implementing_department: str


class CaseDepartment(Schema):
    code: str
    name: str


class TypicalCasePublic(Schema):
    """典型案例（公开内容）。"""

    id: int
    title: str
    summary: str
    category: str = Field(description="punishment（惩戒）或 incentive（激励）")
    category_name: str
    measures: list[CaseMeasure]
    department: CaseDepartment
    subject: str | None = Field(description="组织的统一社会信用代码")
    published_at: str | None = Field(description="发布时间（北京时间）")


class TypicalCase(TypicalCasePublic):
    """典型案例（信用办、审计可见的全部内容）。"""

    state: str = Field(description="draft、published、withdrawn")
    state_name: str
    receipt: str | None
    case_id: int | None
    created_by: str
    created_at: str | None
    published_by: str | None
    withdrawn_by: str | None
    withdrawn_at: str | None
    withdraw_reason: str | None


class TypicalCases(Schema):
    """典型案例列表。"""

    internal: bool = Field(description="是否为内部视图（含全部状态和办理信息）")
    items: list[TypicalCase | TypicalCasePublic]
