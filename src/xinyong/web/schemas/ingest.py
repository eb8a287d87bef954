"""Submissions: an import's result, a batch, a revocation."""

from __future__ import annotations

from pydantic import Field

from xinyong.web.schemas.common import Schema


class RowProblem(Schema):
    row: int = Field(description="数据行号（与报送文件一致，表头为第1行）")
    field: str = Field(description="字段代码")
    value: str = Field(description="所报送的值（部门自己报送的数据，退回供其修改）")
    reason: str = Field(description="原因（中文）")
    reason_en: str = Field(description="原因（英文）")


class RowWarning(RowProblem):
    severity: str = Field(description="warning：接收但提示")


class IdentityFlag(Schema):
    row: int = Field(description="数据行号")
    kind: str = Field(description="待核实类型（重码、错码等）")
    subject: str = Field(description="主体标识（统一社会信用代码或自然人主体标识）")
    detail: str = Field(description="说明")


class ImportResult(Schema):
    """报送结果：接收、拒收（逐行逐字段原因）、重复、更正、超期。"""

    batch_id: int | None = Field(description="批次号；没有新内容时为空")
    item: str = Field(description="目录信息项代码")
    item_name: str = Field(description="目录信息项名称")
    department: str = Field(description="报送部门代码")
    source_name: str = Field(description="报送文件名")
    rows: int = Field(description="数据行数")
    accepted: int = Field(description="接收行数")
    rejected: int = Field(description="拒收行数")
    duplicates: int = Field(description="与已报送内容相同而未重复入账的行数")
    corrections: int = Field(description="更正已报送记录的行数")
    late: int = Field(description="超过报送时限的行数（补录历史数据时不计）")
    backfill: bool = Field(default=False, description="是否为历史数据补录（不计超期）")
    past_deadline: int | None = Field(
        default=None, description="补录时：超过报送时限的行数（仅供参考，不计入超期）"
    )
    rejections: list[RowProblem] = Field(description="拒收原因，逐行逐字段（该行不入账）")
    warnings: list[RowWarning] = Field(description="提示（接收但需注意）")
    flags: list[IdentityFlag] = Field(description="主体待核实事项（重码、错码）")
    ignored_columns: list[str] = Field(description="未识别而忽略的列")
    catalogue_version: str = Field(description="校验所依据的目录版本")
    timings: dict[str, float] = Field(description="各阶段耗时（秒），供运维参考")
    rejection_file_url: str | None = Field(
        default=None, description="有拒收行时：退回文件的下载地址"
    )


class Batch(Schema):
    """一个报送批次（文件或接口调用）及其在账本中的哈希链信息。"""

    id: int = Field(description="批次号")
    department_code: str = Field(description="报送部门代码")
    item_code: str = Field(description="目录信息项代码")
    channel: str = Field(description="报送渠道：api、cli、console、system")
    source_name: str = Field(description="文件名")
    file_sha256: str = Field(description="文件的 SHA-256")
    format: str = Field(description="文件格式：csv、xlsx、json")
    received_at: str = Field(description="接收时间（ISO 8601，含时区）")
    row_count: int = Field(description="数据行数")
    accepted: int
    rejected: int
    duplicates: int
    corrections: int
    late: int
    backfill: bool = Field(default=False, description="是否为历史数据补录")
    catalogue_version: str = Field(description="目录版本")
    entry_count: int = Field(description="入账条目数")
    merkle_root: str = Field(description="本批条目哈希的默克尔根")
    prev_hash: str = Field(description="上一批次的链哈希")
    chain_hash: str = Field(description="本批次的链哈希")


class Revoked(Schema):
    """撤销结果。"""

    entry: int = Field(description="撤销条目号")
    status: str = Field(description="revoked")


class ImportAccepted(Schema):
    """已受理、稍后导入的报送（202）：按 poll_url 查询进度与结果。"""

    job_id: str = Field(description="报送任务编号")
    state: str = Field(description="任务状态：queued（排队）、running、done、failed")
    poll_url: str = Field(description="查询进度与结果的地址")


class JobProgress(Schema):
    rows_done: int = Field(description="已读取并校验的行数")
    rows_total: int | None = Field(description="文件的数据行数；读完文件前为空")


class JobError(Schema):
    code: str | None = Field(description="错误代码，同接口错误的 code")
    message: str | None = Field(description="中文说明（不含身份证号码等个人信息）")
    message_en: str | None = Field(description="英文说明")


class JobResult(Schema):
    rows: int = Field(description="数据行数")
    accepted: int = Field(description="接收行数")
    rejected: int = Field(description="拒收行数")
    duplicates: int = Field(description="重复而未入账的行数")
    corrections: int = Field(description="更正行数")
    late: int = Field(description="超期行数")
    past_deadline: int = Field(description="补录时超过报送时限的行数")
    item: str = Field(description="目录信息项代码")
    item_name: str = Field(description="目录信息项名称")
    resent: bool = Field(description="同一文件此前已入账（如服务中断后重新执行），批次为当时的批次")
    catalogue_version: str = Field(description="校验所依据的目录版本")


class ImportJob(Schema):
    """报送任务：状态、进度，完成后为批次与统计（逐行拒收原因见批次的退回文件）。"""

    job_id: str = Field(description="报送任务编号")
    state: str = Field(
        description="queued（排队）、running（导入中）、done（完成）、failed（失败）"
    )
    phase: str | None = Field(description="导入中所处阶段：reading、validating、recording")
    department: str = Field(description="报送部门代码")
    item: str | None = Field(description="报送时指定的目录信息项代码")
    source_name: str = Field(description="报送文件名")
    size_bytes: int = Field(description="文件大小（字节）")
    format: str = Field(description="文件格式：csv、xlsx、json")
    progress: JobProgress
    attempts: int = Field(description="已开始执行的次数（服务中断后会重新执行）")
    created_at: str = Field(description="受理时间")
    started_at: str | None = Field(description="开始导入时间")
    finished_at: str | None = Field(description="结束时间")
    batch_id: int | None = Field(description="完成后：批次号（没有新内容时为空）")
    batch_url: str | None = Field(default=None, description="完成后：批次概况的地址")
    rejection_file_url: str | None = Field(
        default=None, description="有拒收行时：退回文件的下载地址"
    )
    result: JobResult | None = Field(description="完成后：统计")
    error: JobError | None = Field(description="失败时：原因")
