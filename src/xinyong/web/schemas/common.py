"""Shared pieces of the API's response models: the base class, the error shape, legal bases,
identifier patterns and bounds for numeric parameters."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path as PathParam
from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

# A USCC (GB 32100) or the platform's key of a natural person ("P" + 32 hex).
# Any case: codes are copied from letters and screens; the platform normalises them.
SUBJECT_CODE = (
    r"^([0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{2}\d{6}[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{10}"
    r"|[Pp][0-9a-fA-F]{32})$"
)
# An import job's id (ingest.jobs): 32 lowercase hex digits.
JOB_ID = r"^[0-9a-f]{32}$"
# What a pattern means, for the reason a malformed request is refused (never the value).
PATTERN_LABELS = {
    SUBJECT_CODE: (
        "应为18位统一社会信用代码（或平台的自然人主体标识）",
        "a USCC of 18 characters (or the platform's person key)",
    ),
    JOB_ID: ("应为32位小写十六进制的报送任务编号", "an import job id of 32 lowercase hex digits"),
}

# The largest id a database column holds (BIGINT); a larger number is refused with a 422
# instead of failing in the database.
# Every non-public read states why it is made; checked in the route after the key (so a
# missing key is still 401), kept in the audit record.
Purpose = Annotated[str | None, Query(description="查询用途（必填，记入审计日志）", max_length=200)]

MAX_ID = 2**63 - 1
MAX_INT = 2**31 - 1
Id = Annotated[int, PathParam(ge=1, le=MAX_ID, description="编号")]


def _no_additional_properties(schema: dict[str, Any]) -> None:
    schema.pop("additionalProperties", None)


class Schema(BaseModel):
    """Base of the response models. The declared fields are validated on every response;
    a field a context adds before its schema declares it passes through instead of being
    dropped (``tests/web/test_openapi.py`` lists undeclared fields of real answers), and the
    published schema shows the declared fields only. Routes set
    ``response_model_exclude_unset=True``: an optional field the answer does not have (the
    internal-view fields of a public file) stays absent instead of appearing as null."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_no_additional_properties)


class FieldProblem(Schema):
    location: str = Field(description="位置：body（请求体）、query（查询参数）、path（路径参数）")
    field: str = Field(description="字段名（嵌套字段以点分隔）；请求体整体无法解析时为空")
    reason: str = Field(description="原因（中文）")
    reason_en: str = Field(description="原因（英文）")
    type: str = Field(description="机器可读的错误类型，如 missing、string_too_long")


class ErrorDetail(Schema):
    code: str = Field(
        description="稳定的机器可读错误代码，如 not_found、permission_denied、unauthenticated、"
        "conflict、invalid_transition、version_conflict、duplicate_case、invalid_input、"
        "input_limit_exceeded、unsupported_encoding、validation_error、body_too_large、rate_limited、internal_error"
    )
    message: str = Field(description="中文说明，可直接展示给用户；不含身份证号码等个人信息")
    message_en: str = Field(description="英文说明，供日志和开发人员使用")
    fields: list[FieldProblem] | None = Field(
        default=None, description="请求格式错误（validation_error）时逐项列出；不回显所填的值"
    )


class ErrorResponse(Schema):
    """错误的统一格式。"""

    detail: ErrorDetail


# A public operation that shows more to a caller with a key: FastAPI declares the key, and
# this adds the alternative of no key at all.
OPTIONAL_KEY: dict[str, Any] = {"security": [{}]}


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


ERRORS: dict[int | str, dict[str, Any]] = {
    401: _error("缺少 X-API-Key 或密钥无效、已停用"),
    403: _error("当前角色或部门无权执行此操作"),
    404: _error("所查对象不存在"),
    409: _error("与当前状态冲突：已被他人更新、当前状态不允许该操作或重复提交"),
    413: _error("请求体超过上限（XINYONG_MAX_JSON_BODY_BYTES，报送文件 XINYONG_MAX_IMPORT_BYTES）"),
    422: _error("请求格式或内容有误（逐项说明字段和原因，不回显所填的值）"),
    429: _error("请求过于频繁（XINYONG_SEARCH_RATE_PER_MINUTE），稍后再试；Retry-After 给出秒数"),
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error responses an operation declares (401 and 422 always apply to keyed ones)."""
    return {s: ERRORS[s] for s in sorted(statuses)}


class LegalBasis(Schema):
    title: str = Field(description="法律文件名称")
    articles: str = Field(default="", description="条款，如 第十条")
    doc_no: str = Field(default="", description="文号")
    evidence: str = Field(description="核实程度：P 已读原文，S 二手来源，C 见于他处实现，U 待核实")
    evidence_label: str | None = Field(
        default=None, description="核实程度（中文）：已读原文、二手来源；未核实的为“待核实”"
    )
    note: str = Field(default="", description="说明")


class Status(Schema):
    status: str = Field(description="结果状态")
