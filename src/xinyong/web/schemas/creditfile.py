"""The credit file (信用档案) of a subject: codes for machines with labels beside them."""

from __future__ import annotations

from pydantic import Field, JsonValue

from xinyong.web.schemas.common import Schema


class Labelled(Schema):
    code: str = Field(description="代码")
    label: str = Field(description="名称（中文）")


class Department(Schema):
    code: str = Field(description="部门代码")
    name: str = Field(description="部门名称")


class Division(Schema):
    code: str = Field(description="行政区划代码（GB/T 2260）")
    name: str = Field(description="行政区划名称")


class ListRef(Schema):
    code: str = Field(description="名单类型代码，如 SAMR_SERIOUS")
    name: str = Field(description="名单名称")
    kind: str = Field(description="名单性质代码：black、ban、watch、red")
    kind_label: str = Field(description="名单性质（中文）")


class Person(Schema):
    name: str | None = Field(description="姓名（自然人姓名脱敏显示）")
    since: str | None = Field(default=None, description="任职起始日期")
    id_masked: str | None = Field(default=None, description="证件号码（脱敏，内部视图）")


class FileSubject(Schema):
    code: str = Field(description="统一社会信用代码")
    name: str | None = Field(description="名称")
    kind: str = Field(description="主体类型（中文）")
    kind_code: str | None = Field(default=None, description="主体类型代码")
    division_code: str | None = Field(description="行政区划代码")
    division: Division | None = Field(default=None, description="行政区划")
    registered_on: str | None = Field(description="成立（登记）日期")
    status: Labelled | None = Field(description="登记状态")
    legal_representatives: list[Person] | None = Field(
        default=None, description="法定代表人（组织）"
    )


class Part(Schema):
    code: str | None = Field(default=None, description="字段代码")
    name: str = Field(description="字段名称")
    text: str = Field(description="内容")


class RecordField(Schema):
    code: str = Field(description="字段代码")
    name: str = Field(description="字段名称（目录中文名）")
    value: JsonValue = Field(description="存储的值（代码字段为代码；个人信息已脱敏）")
    text: str | None = Field(default=None, description="显示的内容（代码字段为中文名称）")
    codes: list[Labelled] | None = Field(default=None, description="代码及其名称（代码字段）")
    department: Department | None = Field(default=None, description="部门（来源部门字段）")


class Publication(Schema):
    status: str = Field(description="公示状态，如 公示中、公示期满、不公开、已撤销")
    public_from: str | None = Field(description="公示起始日期")
    public_until: str | None = Field(description="公示结束后的第一天（不含）")
    last_day: str | None = Field(default=None, description="公示期最后一天（含）")
    period_text: str | None = Field(default=None, description="公示期（中文）")
    basis: str | None = Field(description="公示期限的依据")
    # Internal view only:
    repair_from: str | None = Field(
        default=None, description="可申请信用修复的起始日期（内部视图）"
    )
    policy: str | None = Field(default=None, description="适用的公示政策代码（内部视图）")
    policy_name: str | None = Field(default=None, description="适用的公示政策（内部视图）")
    due_date: str | None = Field(default=None, description="报送时限（内部视图）")
    late: bool | None = Field(default=None, description="是否超期报送（内部视图）")


class Provenance(Schema):
    department: Department = Field(description="报送部门")
    # Internal view only:
    batch: int | None = Field(default=None, description="批次号（内部视图）")
    source_file: str | None = Field(default=None, description="报送文件名（内部视图）")
    source_row: int | None = Field(default=None, description="文件中的行号（内部视图）")
    received_at: str | None = Field(default=None, description="接收时间（北京时间，内部视图）")
    received_at_text: str | None = Field(default=None, description="接收时间（文字）")
    entry: int | None = Field(default=None, description="账本条目号（内部视图）")
    item_version: str | None = Field(default=None, description="目录信息项版本（内部视图）")


class HistoryStep(Schema):
    entry: int = Field(description="账本条目号")
    action: str = Field(description="报送、更正或撤销")
    action_code: str | None = Field(default=None, description="assert、correct 或 revoke")
    received_at: str = Field(description="接收时间（北京时间）")
    received_at_text: str | None = Field(default=None, description="接收时间（文字）")
    department: Department = Field(description="报送部门")
    batch: int = Field(description="批次号")


class FileRecord(Schema):
    entry_id: int = Field(description="账本条目号")
    anchor: str | None = Field(default=None, description="页面锚点")
    item: str = Field(description="目录信息项代码")
    item_name: str = Field(description="目录信息项名称")
    heading: str | None = Field(default=None, description="标题（决定书文号、许可编号等）")
    number: list[Part] | None = Field(default=None, description="编号字段")
    record_key: str = Field(description="记录标识")
    decision_date: str | None = Field(description="决定日期")
    severity: str | None = Field(description="严重程度：轻微、一般、严重")
    penalty_kinds: list[Labelled] | None = Field(default=None, description="处罚类别")
    fields: list[RecordField] = Field(description="字段（按目录顺序；公开视图不含非公开字段）")
    publication: Publication
    provenance: Provenance
    history: list[HistoryStep] = Field(description="报送、更正、撤销记录（内部视图）")
    revoked: bool = Field(description="是否已撤销")
    sharing: Labelled | None = Field(
        default=None,
        description="部门视角下，因目录规定共享而显示的其他部门记录：共享类型"
        "（无条件共享、有条件共享）及说明；本部门记录与完整内部档案无此项",
    )


class Period(Schema):
    from_: str | None = Field(default=None, alias="from", description="起始日期")
    to: str | None = Field(default=None, description="最后一天（含）")
    text: str = Field(description="期限（中文）")


class Basis(Schema):
    title: str = Field(description="名称")
    doc_no: str = Field(description="文号")
    articles: str = Field(description="条款")
    text: str = Field(description="显示的依据（中文）")
    confirmed: bool = Field(description="依据是否已核实（未核实的仅内部视图显示，标为待核实）")
    source: str | None = Field(default=None, description="来源：名单类型或记录所引条款")


class Highlight(Schema):
    """名单、禁入与严重失信信息（档案顶部）。"""

    type: str = Field(description="list（名单）或 record（严重失信记录）")
    type_label: str = Field(description="类型（中文）")
    anchor: str | None = Field(default=None, description="页面锚点")
    entry_id: int = Field(description="账本条目号")
    item: str = Field(description="目录信息项代码")
    list_: ListRef | None = Field(alias="list", description="名单（type 为 list 时）")
    title: str = Field(description="标题")
    severity: str | None = Field(default=None, description="严重程度")
    penalty_kinds: list[Labelled] | None = Field(default=None, description="处罚类别")
    reason: list[Part] = Field(description="事由")
    entry_criteria: list[str] | None = Field(default=None, description="名单列入条件")
    legal_basis: list[Basis] = Field(description="依据")
    authority: str = Field(description="认定或决定机关")
    authority_label: str = Field(description="认定机关或决定机关")
    department: Department = Field(description="报送部门")
    decision_number: str | None = Field(description="决定书文号或办件编号")
    decided_on: str | None = Field(description="决定日期")
    period_label: str = Field(description="列入期限或公示期")
    period: Period
    publication_status: str | None = Field(default=None, description="公示状态")


class FileItem(Schema):
    item: str = Field(description="目录信息项代码")
    item_name: str = Field(description="目录信息项名称")
    records: list[FileRecord]


class FileGroup(Schema):
    category: str = Field(description="目录类别")
    items: list[FileItem]


class CreditFile(Schema):
    """主体信用档案：顶部为名单、禁入与严重失信信息，其余按目录类别分组，含来源与公示状态。"""

    subject: FileSubject
    as_of: str = Field(description="档案日期")
    view: str = Field(description="public（公开）或 internal（内部）")
    catalogue_version: str = Field(description="目录版本")
    counts: dict[str, int] = Field(description="记录数：records、public、revoked、highlights")
    highlights: list[Highlight] = Field(description="名单、禁入与严重失信信息")
    groups: list[FileGroup]
