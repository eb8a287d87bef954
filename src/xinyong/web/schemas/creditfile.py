"""The credit file (信用档案) of a subject."""

from __future__ import annotations

from pydantic import Field, JsonValue

from xinyong.web.schemas.common import Schema


class LegalRepresentative(Schema):
    name: str | None = Field(description="姓名（自然人姓名脱敏显示）")
    since: str | None = Field(description="任职起始日期")


class FileSubject(Schema):
    code: str = Field(description="统一社会信用代码；自然人为脱敏身份证号码")
    name: str | None = Field(description="名称")
    kind: str = Field(description="主体类型（中文）")
    division_code: str | None = Field(description="行政区划代码")
    registered_on: str | None = Field(description="成立（登记）日期")
    status: str | None = Field(description="登记状态")
    legal_representatives: list[LegalRepresentative] | None = Field(
        default=None, description="法定代表人（组织）"
    )


class RecordField(Schema):
    code: str = Field(description="字段代码")
    name: str = Field(description="字段名称")
    value: JsonValue = Field(description="值（个人信息已脱敏）")


class Publication(Schema):
    status: str = Field(description="公示状态，如 公示中、已过公示期、不公示、已撤销")
    public_from: str | None = Field(description="公示起始日期")
    public_until: str | None = Field(description="公示截止日期")
    basis: str | None = Field(description="公示期限的依据")
    # Internal view only:
    repair_from: str | None = Field(
        default=None, description="可申请信用修复的起始日期（内部视图）"
    )
    policy: str | None = Field(default=None, description="适用的公示政策代码（内部视图）")
    due_date: str | None = Field(default=None, description="报送时限（内部视图）")
    late: bool | None = Field(default=None, description="是否超期报送（内部视图）")


class Provenance(Schema):
    department: str = Field(description="报送部门代码")
    # Internal view only:
    batch: int | None = Field(default=None, description="批次号（内部视图）")
    source_file: str | None = Field(default=None, description="报送文件名（内部视图）")
    source_row: int | None = Field(default=None, description="文件中的行号（内部视图）")
    received_at: str | None = Field(default=None, description="接收时间（内部视图）")
    entry: int | None = Field(default=None, description="账本条目号（内部视图）")
    item_version: str | None = Field(default=None, description="目录信息项版本（内部视图）")


class HistoryStep(Schema):
    entry: int = Field(description="账本条目号")
    action: str = Field(description="报送、更正或撤销")
    received_at: str = Field(description="接收时间")
    department: str = Field(description="报送部门代码")
    batch: int = Field(description="批次号")


class FileRecord(Schema):
    entry_id: int = Field(description="账本条目号")
    item: str = Field(description="目录信息项代码")
    item_name: str = Field(description="目录信息项名称")
    record_key: str = Field(description="记录标识（如决定书文号）")
    decision_date: str | None = Field(description="决定日期")
    severity: str | None = Field(description="严重程度：轻微、一般、严重")
    fields: list[RecordField] = Field(description="字段（按目录顺序；公开视图不含非公开字段）")
    publication: Publication
    provenance: Provenance
    history: list[HistoryStep] = Field(description="报送、更正、撤销记录（内部视图）")
    revoked: bool = Field(description="是否已撤销")


class FileItem(Schema):
    item: str = Field(description="目录信息项代码")
    item_name: str = Field(description="目录信息项名称")
    records: list[FileRecord]


class FileGroup(Schema):
    category: str = Field(description="目录类别")
    items: list[FileItem]


class CreditFile(Schema):
    """主体信用档案，按目录类别分组，含来源与公示状态。"""

    subject: FileSubject
    as_of: str = Field(description="档案日期")
    view: str = Field(description="public（公开）或 internal（内部）")
    catalogue_version: str = Field(description="目录版本")
    counts: dict[str, int] = Field(description="记录数：records、public、revoked")
    groups: list[FileGroup]
