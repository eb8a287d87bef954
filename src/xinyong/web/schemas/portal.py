"""The public portal: 双公示 listings and the members of public lists."""

from __future__ import annotations

from pydantic import Field

from xinyong.web.schemas.common import Schema


class CodeName(Schema):
    code: str
    name: str


class PortalSubject(Schema):
    code: str = Field(description="统一社会信用代码")
    name: str
    url: str = Field(description="主体信用信息页")
    division: CodeName | None = Field(default=None, description="所在地区（GB/T 2260）")


class Label(Schema):
    code: str
    label: str


class ShownField(Schema):
    code: str = Field(description="目录字段代码")
    name: str = Field(description="目录字段名称")
    value: str = Field(description="所存的值（代码）")
    text: str = Field(description="显示文字（代码的中文名称）")
    codes: list[Label] | None = None


class NumberPart(Schema):
    code: str
    name: str
    text: str


class Period(Schema):
    from_: str | None = Field(alias="from", description="起始日（含）")
    to: str | None = Field(description="最后一日（含）")
    text: str


class Paging(Schema):
    as_of: str = Field(description="公示日（北京时间）")
    page: int
    page_size: int
    total: int = Field(description="结果总数")
    pages: int
    has_previous: bool
    has_next: bool


class PublicityFilters(Schema):
    department: str | None
    region: CodeName | None
    decided_from: str | None
    decided_to: str | None


class PublicityRow(Schema):
    entry: int = Field(description="账本条目编号")
    subject: PortalSubject
    number: list[NumberPart] = Field(description="决定文书号、许可证书编号等")
    fields: list[ShownField]
    authority: str = Field(description="决定机关")
    department: CodeName = Field(description="报送部门")
    decision_date: str | None
    severity: str | None
    publication: Period = Field(description="公示期")


class Publicity(Paging):
    """双公示栏目：今日公示中的行政许可或行政处罚，决定日期新者在前；不含自然人。"""

    column: str
    title: str
    item: CodeName
    filters: PublicityFilters
    rows: list[PublicityRow]


class Basis(Schema):
    title: str = Field(description="法律文件名称")
    doc_no: str = Field(description="文号")
    articles: str = Field(description="条款")
    confirmed: bool = Field(description="已核实（公开页面只显示已核实的依据）")
    text: str


class PublicListType(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    deciding_authority: str
    legal_basis: list[Basis]
    entry_criteria: list[str]


class Reason(Schema):
    name: str
    text: str


class ListObjection(Schema):
    label: str = Field(description="标记：异议处理中")
    since: str = Field(description="异议提出日期（北京时间）")
    state_label: str = Field(description="异议办理状态")


class ListRow(Schema):
    membership: int
    subject: PortalSubject
    reason: list[Reason] = Field(description="列入事由")
    entry_criteria: list[str] = Field(description="列入条件（本平台认定的名单无单独事由）")
    legal_basis: list[Basis]
    authority: str = Field(description="认定机关")
    department: CodeName
    decision_number: str
    listed_on: str | None
    period: Period = Field(description="列入期限")
    objection: ListObjection | None = Field(
        default=None, description="正在办理的异议（异议处理中；核查期间继续公示）"
    )


class ListMembers(Paging):
    """名单：今日在列且向社会公开的主体；不含自然人。"""

    list_type: PublicListType
    rows: list[ListRow]


class PublicListTypes(Schema):
    as_of: str
    list_types: list[PublicListType]


class Announcement(Schema):
    """公告（公开内容）。"""

    id: int
    category: CodeName = Field(description="栏目（代码表 announcement_category）")
    title: str
    body: str
    published_at: str = Field(description="发布时间（北京时间，ISO 8601）")
    published_on: str = Field(description="发布日期（北京时间）")


class AnnouncementInternal(Announcement):
    """公告（含状态与经办人，信用办视图）。"""

    state: str = Field(description="published 已发布 | withdrawn 已撤回")
    state_name: str
    published_by: str
    withdrawn_by: str | None
    withdrawn_at: str | None
    withdraw_reason: str | None


class Announcements(Schema):
    category: str | None = Field(description="所筛选的栏目代码")
    categories: list[CodeName]
    page: int
    page_size: int
    total: int
    pages: int
    has_previous: bool
    has_next: bool
    announcements: list[Announcement]
