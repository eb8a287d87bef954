"""The outbox feed and in-app messages."""

from __future__ import annotations

from pydantic import Field, JsonValue

from xinyong.web.schemas.common import Schema


class FeedSubject(Schema):
    """事件涉及的主体：组织给出统一社会信用代码；自然人只给出脱敏证件号码。"""

    key: str | None = Field(description="组织的统一社会信用代码；自然人为空")
    kind: str = Field(description="主体类别代码")
    kind_label: str = Field(description="主体类别（中文）")
    code: str | None = Field(description="组织为统一社会信用代码，自然人为脱敏证件号码")
    name: str | None = Field(description="组织名称；自然人为空")


class FeedCase(Schema):
    id: int = Field(description="办件号")
    workflow: str | None = Field(description="办件类型代码，如 list_determination")
    workflow_label: str | None = Field(description="办件类型（中文）")


class FeedRecord(Schema):
    entry: int = Field(description="账本条目号")


class FeedEvent(Schema):
    """一条领域事件。"""

    id: int = Field(description="事件号（按提交顺序递增）")
    type: str = Field(description="事件类型代码，如 case.list_determination.notify")
    type_label: str = Field(description="事件类型（中文）")
    at: str = Field(description="发生时间（ISO 8601，北京时间 +08:00）")
    at_beijing: str = Field(description="发生时间（北京时间，便于阅读）")
    subject: FeedSubject | None
    case: FeedCase | None
    record: FeedRecord | None
    department: str | None = Field(description="相关部门代码")
    detail: dict[str, JsonValue] = Field(description="事件内容（按类型，见 docs/operations.md）")


class Feed(Schema):
    """事件流的一页（按事件号翻页：下一页传 after=next_after）。"""

    after: int
    limit: int
    next_after: int = Field(description="下一页的 after")
    more: bool = Field(description="之后是否还有事件")
    events: list[FeedEvent]


class Message(Schema):
    """一条站内消息。"""

    id: int
    recipient_kind: str = Field(description="subject、department 或 office")
    recipient_kind_label: str
    type: str = Field(description="来源事件类型代码")
    type_label: str
    case: int | None = Field(description="相关办件号")
    event: int = Field(description="来源事件号")
    body: str = Field(description="消息内容（中文）")
    created_at: str
    created_at_beijing: str
    read: bool
    read_at: str | None


class MessageList(Schema):
    total: int
    unread: int = Field(description="未读条数")
    messages: list[Message]
