"""Early warnings (预警) to the credit office."""

from __future__ import annotations

from pydantic import Field, JsonValue

from xinyong.web.schemas.common import Schema


class Alert(Schema):
    """一条预警及其处理情况。"""

    id: int = Field(description="预警号")
    kind: str = Field(description="预警类型代码，如 re_establishment")
    kind_label: str = Field(description="预警类型（中文）")
    status: str = Field(description="open、acknowledged、dismissed")
    status_label: str = Field(description="状态（中文）")
    subject: str = Field(description="涉及主体")
    related: str | None = Field(description="关联主体（如被列入名单的组织）")
    department: str | None = Field(description="来源部门代码")
    batch: int | None = Field(description="来源批次")
    summary: str = Field(description="摘要（中文）")
    detail: dict[str, JsonValue] = Field(
        description="详情：主体、人员（脱敏）、名单条目、任职关系、来源"
    )
    created_at: str | None
    handled_by: str | None
    handled_at: str | None
    note: str | None


class AlertList(Schema):
    """预警列表。"""

    total: int
    alerts: list[Alert]
