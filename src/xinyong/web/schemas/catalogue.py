"""The catalogue (目录) of credit information items."""

from __future__ import annotations

from pydantic import Field

from xinyong.web.schemas.common import LegalBasis, Schema


class ItemField(Schema):
    code: str = Field(description="字段代码")
    name: str = Field(description="字段名称")
    type: str = Field(description="类型")
    required: bool = Field(description="是否必填")


class CatalogueItem(Schema):
    code: str = Field(description="信息项代码，如 XZCF")
    name: str = Field(description="信息项名称")
    category: str = Field(description="类别")
    version: str = Field(description="版本")
    effective_from: str = Field(description="施行日期")
    disclosure: str = Field(description="公开属性：社会公开、政务共享、授权查询")
    nature: str = Field(description="性质：negative（失信）、positive（守信）、neutral")
    local: bool = Field(description="是否为地方补充目录")
    legal_basis: list[LegalBasis]
    fields: list[ItemField]


class Catalogue(Schema):
    """现行目录信息项。"""

    version: str = Field(description="目录快照版本")
    items: list[CatalogueItem]


class Basis(LegalBasis):
    text: str = Field(description="依据全文（名称、文号、条款）")
    confirmed: bool = Field(description="是否已核实（已读原文或二手来源）")


# -- code tables ----------------------------------------------------------------------------


class CodeValue(Schema):
    code: str = Field(description="代码")
    label: str = Field(description="中文名称")
    aliases: list[str] = Field(description="部门报送时的其他写法")
    valid_from: str | None = Field(description="启用日期")
    valid_until: str | None = Field(description="停用日期（最后可用于新决定的一天）")


class CodeTableUse(Schema):
    item: str = Field(description="信息项代码")
    item_name: str = Field(description="信息项名称")
    field: str = Field(description="字段代码")
    field_name: str = Field(description="字段名称")


class CodeTable(Schema):
    code: str = Field(description="代码表代码，如 penalty_kind")
    name: str = Field(description="代码表名称，如 处罚类别")
    version: str = Field(description="版本")
    values: int = Field(description="代码值个数")
    legal_basis: list[Basis]
    value_list: list[CodeValue]
    used_by: list[CodeTableUse] = Field(description="使用该代码表的字段")


class CodeTables(Schema):
    """目录使用的代码表。"""

    version: str = Field(description="目录快照版本")
    code_tables: list[CodeTable]


# -- measures -------------------------------------------------------------------------------


class Named(Schema):
    code: str = Field(description="代码")
    name: str = Field(description="中文名称")


class TriggerSource(Named):
    kind: str = Field(description="list（名单）或 item（信用记录）")


class MeasureTrigger(Schema):
    source: TriggerSource
    ground: str = Field(description="依据中的具体情形")
    severity: str | None = Field(description="记录的严重程度（不限时为空）")
    sectors: list[str] = Field(description="报送部门的行业领域（空为不限）")
    conditions: list[str] = Field(description="记录字段须满足的条件（中文）")
    decided_from: str | None = Field(description="决定日期起")
    decided_until: str | None = Field(description="决定日期止")
    checker_sectors: list[str] = Field(description="只约束这些行业领域的部门（空为全部）")
    to_verify: list[str] = Field(description="须人工核实的条件")
    duration: str | None = Field(description="本情形的期限（与措施不同时）")
    note: str = Field(description="说明")


class NationalListing(Schema):
    listed: bool = Field(description="是否列入全国失信惩戒措施基础清单")
    editions: list[str] = Field(description="所见版本")
    row: str = Field(description="行号或标题")
    evidence: str = Field(description="核实程度代码")
    evidence_label: str = Field(description="核实程度（中文）")
    note: str = Field(description="说明")


class RoleConditions(Schema):
    role: str = Field(description="对象（中文）")
    conditions: list[str]


class ScenarioConditions(Schema):
    scenario: Named
    conditions: list[str]


class Measure(Schema):
    code: str = Field(description="措施代码，如 M01")
    name: str = Field(description="措施名称")
    kind: str = Field(description="punishment（惩戒）、incentive（激励）、management（管理）")
    kind_label: str = Field(description="类别（中文）")
    implementing_department: str = Field(description="实施部门")
    version: str = Field(description="版本")
    effective_from: str = Field(description="施行日期")
    effective_until: str | None = Field(description="失效日期（含）")
    local: bool = Field(description="是否为地方补充目录")
    content: str = Field(description="措施内容")
    measure_class: int | None = Field(description="基础清单类别 1、2、3")
    measure_class_label: str = Field(description="基础清单类别（中文）")
    measure_class_evidence_label: str = Field(description="类别的核实程度")
    targets: list[str] = Field(description="对象（中文）")
    follows_person: bool = Field(description="是否随自然人任职的其他单位")
    triggers: list[MeasureTrigger]
    scenarios: list[Named]
    legal_basis: list[Basis]
    in_national_list: NationalListing
    duration: str = Field(description="期限（中文）")
    automatic: bool = Field(description="触发即适用（否：由实施部门另行决定）")
    blocks_commitment: bool = Field(description="适用期间不适用告知承诺制、容缺受理")
    role_conditions: list[RoleConditions]
    scenario_conditions: list[ScenarioConditions]
    note: str = Field(description="说明")


class Measures(Schema):
    """惩戒、激励和管理措施。"""

    version: str = Field(description="目录快照版本")
    measures: list[Measure]


# -- calendar -------------------------------------------------------------------------------


class LawVersion(Schema):
    version: str = Field(description="放假办法的修订版本，如 2024")
    title: str = Field(description="修订决定名称")
    effective_from: str = Field(description="施行日期")
    statutory_days: int = Field(description="法定节假日天数")


class HolidayRange(Schema):
    name: str = Field(description="节日")
    from_: str = Field(alias="from", description="起（含）")
    to: str = Field(description="止（含）")


class DayFor(Schema):
    date: str = Field(description="日期")
    for_: str = Field(alias="for", description="对应的节日")


class Window(Schema):
    name: str = Field(description="节日")
    from_: str = Field(alias="from", description="起（含）")
    to: str = Field(description="止（含）")
    extra_days_off: int = Field(description="通知可能另外放假的工作日数（上限估计）")


class Day(Schema):
    date: str = Field(description="日期")
    day: int = Field(description="日")
    kind: str = Field(
        description="holiday、compensation（暂定补假）、makeup（调休上班）、weekend、workday"
    )
    kind_label: str = Field(description="类别（中文）")
    name: str = Field(description="节日名称")
    uncertain: bool = Field(description="是否在通知可能调整的范围内（暂定年份）")
    title: str = Field(description="说明（中文）")


class Month(Schema):
    month: int = Field(description="月")
    name: str = Field(description="月份（中文）")
    weeks: list[list[Day | None]] = Field(description="自周一起的各周，空位为 null")


class CalendarYear(Schema):
    """一年的法定工作日历。"""

    year: int = Field(description="年份")
    status: str = Field(description="official（国务院已公布）或 provisional（暂定）")
    status_label: str = Field(description="正式 或 暂定")
    provisional: bool = Field(description="是否暂定")
    source: str = Field(description="来源")
    source_url: str | None = Field(description="通知原文地址")
    why_provisional: str | None = Field(description="暂定的原因与含义（正式年份为空）")
    law: LawVersion | None = Field(description="当年适用的《全国年节及纪念日放假办法》版本")
    working_days: int = Field(description="全年工作日数")
    holidays: list[HolidayRange]
    makeup_workdays: list[DayFor]
    compensation: list[DayFor] = Field(description="暂定年份按第六条顺延的补假日")
    uncertainty_windows: list[Window]
    weekdays: list[str] = Field(description="星期（自周一）")
    months: list[Month]
    previous: int | None = Field(description="上一年（已载入时）")
    next: int | None = Field(description="下一年（已载入时）")
