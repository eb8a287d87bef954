"""Objections (异议): what the API answers (codes with their Chinese labels beside them)."""

from __future__ import annotations

from pydantic import Field, JsonValue

from xinyong.web.schemas.common import Schema
from xinyong.web.schemas.lists import Due


class ObjectionTarget(Schema):
    kind: str = Field(description="异议对象类型代码：record、list_entry、measure")
    kind_label: str = Field(description="异议对象类型（中文）")
    entry: int = Field(description="提出异议时该记录的账本条目号")
    item: str = Field(description="信息项代码")
    item_name: str = Field(description="信息项或名单名称")
    record: str = Field(description="记录键（不含主体标识）")
    list_type: str | None = Field(description="名单类型代码（对名单提出的）")
    measure: str | None = Field(description="措施代码（对惩戒措施提出的）")


class RegimeRef(Schema):
    code: str = Field(description="异议规则代码，如 LING36")
    name: str = Field(description="异议规则名称")


class ObjectionRow(Schema):
    id: int = Field(description="异议编号")
    case: int = Field(description="办件号")
    version: int = Field(description="办件版本（乐观锁）")
    state: str = Field(description="状态代码")
    state_label: str = Field(description="状态（中文）")
    terminal: bool = Field(description="是否已办结")
    mark: str | None = Field(description="记录上的标注（异议处理中）；已办结为空")
    subject: str | None = Field(description="主体的统一社会信用代码；自然人不显示")
    department: str = Field(description="提供记录、负责核查的部门代码")
    target: ObjectionTarget
    regime: RegimeRef = Field(description="适用的异议规则（详情中含各环节时限与法律依据）")
    grounds: str = Field(description="异议事由代码")
    grounds_label: str = Field(description="异议事由（中文）")
    applicant_kind: str = Field(description="申请人类型代码：subject、public、on_behalf")
    applicant_kind_label: str = Field(description="申请人类型（中文）")
    filed_at: str = Field(description="提出时间（北京时间）")
    due: Due | None = Field(description="当前环节期限（暂定日历上的期限标明 provisional）")
    overdue: bool = Field(description="是否已超期")
    outcome: str | None = Field(description="核查结论代码：correct、revoke、keep")
    outcome_label: str | None = Field(description="核查结论（更正、撤销、维持）")
    reason: str | None = Field(description="核查结论或不予受理的理由")
    outcome_entry: int | None = Field(description="更正或撤销写入的账本条目号")
    closed_at: str | None = Field(description="办结时间（北京时间）")


class ObjectionEvent(Schema):
    seq: int
    step: str = Field(description="操作代码")
    label: str = Field(description="操作（中文）")
    to_state: str
    to_label: str
    role: str
    actor: str | None = Field(default=None, description="办理人")
    at: str = Field(description="办理时间（北京时间）")
    note: str
    due: Due | None
    entry: int | None = Field(description="对应的账本条目号")


class ObjectionStep(Schema):
    name: str = Field(description="可执行的操作代码")
    label: str = Field(description="操作（中文）")
    target: str
    roles: list[str]


class ObjectionView(ObjectionRow):
    """异议详情。"""

    statement: str = Field(description="异议说明")
    regime: dict[str, JsonValue] = Field(  # type: ignore[assignment]
        description="适用的异议规则：各环节时限、能否延期、法律依据"
    )
    history: list[ObjectionEvent]
    steps: list[ObjectionStep] = Field(description="调用方现在可以执行的操作")


class ObjectionInbox(Schema):
    """异议列表。"""

    as_of: str
    page: int
    page_size: int
    total: int
    objections: list[ObjectionRow]
