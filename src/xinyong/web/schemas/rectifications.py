"""Rectification by deadline (限期整改) and interviews (提示约谈 / 警示约谈)."""

from __future__ import annotations

from pydantic import Field, JsonValue

from xinyong.web.schemas.common import Schema


class RectificationSubject(Schema):
    key: str = Field(description="主体标识")
    kind: str = Field(description="主体类型代码")
    kind_label: str = Field(description="主体类型（中文）")
    name: str | None = Field(description="名称")
    code: str | None = Field(description="统一社会信用代码")


class Interview(Schema):
    id: int = Field(description="约谈编号")
    number: int = Field(description="本办件第几次约谈")
    kind: str = Field(description="约谈类型代码：PROMPT（提示约谈）、WARNING（警示约谈）")
    kind_label: str = Field(description="约谈类型（中文）")
    scheduled_on: str = Field(description="约谈日期")
    place: str = Field(description="约谈地点")
    held: bool = Field(description="是否已举行并记录")
    held_on: str | None = Field(description="举行日期")
    entry: int | None = Field(description="记入信用记录的约谈记录编号")
    attendees: list[dict[str, JsonValue]] | None = Field(
        default=None, description="参加人员：side（所属方）、side_label、role（职务）、name（姓名）"
    )
    minutes: str | None = Field(default=None, description="约谈纪要")
    actions: list[dict[str, JsonValue]] | None = Field(
        default=None, description="议定整改措施：action（措施）、due（完成日期）"
    )


class RectificationRow(Schema):
    id: int = Field(description="办件编号")
    subject: RectificationSubject
    department: str = Field(description="作出认定的部门（办理部门）代码")
    record: dict[str, JsonValue] = Field(description="据以责令整改的记录：entry、item")
    ground: str = Field(description="整改事由代码")
    ground_label: str = Field(description="整改事由（中文）")
    obligation: str | None = Field(description="整改义务")
    deadline: str | None = Field(description="整改期限")
    state: str = Field(description="状态代码")
    state_label: str = Field(description="状态（中文）")
    terminal: bool = Field(description="是否已办结")
    opened_at: str = Field(description="责令时间")
    due: dict[str, JsonValue] | None = Field(description="当前环节的期限（整改期限或约谈日期）")
    overdue: bool = Field(description="是否已超期")
    version: int = Field(description="办件版本（办理时回传，防止并发覆盖）")
    interviews: list[Interview]


class RectificationView(RectificationRow):
    history: list[dict[str, JsonValue]] = Field(description="办理记录")
    transitions: list[dict[str, JsonValue]] = Field(description="现在可以办理的操作")
    list_proposal: dict[str, JsonValue] | None = Field(
        description="整改不到位时：可据以提出列入名单建议（不自动列入）"
    )
    legal_basis: list[dict[str, JsonValue]] = Field(description="法律依据")


class RectificationInbox(Schema):
    as_of: str
    page: int
    page_size: int
    total: int = Field(description="符合条件的办件数")
    rectifications: list[RectificationRow]


class InterviewList(Schema):
    rectification: int = Field(description="办件编号")
    interviews: list[Interview]
