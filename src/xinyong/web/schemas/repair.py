"""Credit repair (信用修复): eligibility per record, repair cases, re-check draws."""

from __future__ import annotations

from pydantic import Field, JsonValue

from xinyong.web.schemas.common import Schema


class RepairSubject(Schema):
    key: str = Field(description="主体标识")
    kind: str = Field(description="主体类型代码")
    kind_label: str = Field(description="主体类型（中文）")
    name: str | None = Field(description="名称（自然人为脱敏姓名）")
    code: str | None = Field(description="统一社会信用代码（自然人为脱敏证件号）")


class RecordEligibility(Schema):
    record: dict[str, JsonValue] = Field(
        description="记录：entry（记录编号）、信息项、文号、决定日期、认定部门等"
    )
    regime: dict[str, JsonValue] = Field(
        description="适用的修复规则（代码、名称、依据、各环节工作日时限）"
    )
    result: str = Field(
        description="eligible（可申请）、not_yet（暂不可申请）、not_eligible（不可申请）"
    )
    result_label: str = Field(description="结论（中文）")
    eligible: bool = Field(description="现在是否可以申请")
    eligible_from: str | None = Field(description="可申请的日期（仅 not_yet）")
    reasons: list[str] = Field(description="不能申请的理由（中文）")
    conditions: list[dict[str, JsonValue]] = Field(
        description="每一条件：code、label、status（met/unmet/to_verify/on_application）、"
        "status_label（已满足/不满足/待核实/随申请签署）、detail、from、legal_basis"
    )
    deadlines: dict[str, JsonValue] = Field(
        description="受理、决定、延长、数据处理、破产临时修复的工作日时限"
    )
    bankruptcy: dict[str, JsonValue] | None = Field(description="破产重整临时修复能否申请")


class RepairEligibility(Schema):
    as_of: str = Field(description="判断所依据的日期（北京时间）")
    subject: RepairSubject
    commitment_text: str = Field(description="申请时须签署的信用承诺书文本")
    records: list[RecordEligibility]


class RepairRow(Schema):
    id: int = Field(description="办件编号")
    kind: str = Field(description="ordinary（信用修复）或 bankruptcy（破产重整临时修复）")
    kind_label: str
    subject: RepairSubject
    department: str = Field(description="认定单位（办理部门）代码")
    record: dict[str, JsonValue] = Field(description="所涉记录")
    regime: dict[str, JsonValue] = Field(description="适用的修复规则")
    state: str = Field(description="状态代码")
    state_label: str = Field(description="状态（中文）")
    terminal: bool = Field(description="是否已办结")
    opened_at: str = Field(description="申请时间")
    due: dict[str, JsonValue] | None = Field(
        description="当前环节的办理期限（含暂定日历的最早、最晚日期）"
    )
    overdue: bool = Field(description="是否已超过办理期限")
    version: int = Field(description="办件版本（办理时回传，防止并发覆盖）")


class RepairView(RepairRow):
    params: dict[str, JsonValue] = Field(description="办件参数（各环节时限、规则版本）")
    commitment: dict[str, JsonValue] = Field(
        description="信用承诺：文本、摘要、承诺人、签署时间、所引用的诚信教育证书"
    )
    history: list[dict[str, JsonValue]] = Field(description="办理记录（每一步的说明与期限）")
    attachments: list[dict[str, JsonValue]] = Field(description="申请和补正材料")
    transitions: list[dict[str, JsonValue]] = Field(description="现在可以办理的操作")
    remedies: str | None = Field(description="不予修复时的救济途径（复议、诉讼）")
    fraud_bar_until: str | None = Field(description="撤销修复后禁止再申请至该日（含）")


class RepairInbox(Schema):
    as_of: str
    page: int
    page_size: int
    total: int = Field(description="符合条件的办件数")
    repairs: list[RepairRow]


class RecheckSample(Schema):
    month: str = Field(description="抽查的月份（该月决定予以修复的办件）")
    ratio: float = Field(description="抽查比例")
    seed: str = Field(description="随机种子（可据以复现抽取结果）")
    population: list[int] = Field(description="当月予以修复的办件编号")
    drawn: list[int] = Field(description="抽中的办件编号")
    drawn_by: str
    drawn_at: str
