"""Voluntary registration (自愿注册): registrations, their kinds, the share report."""

from __future__ import annotations

from pydantic import Field, JsonValue

from xinyong.web.schemas.common import Schema


class RegistrationRow(Schema):
    id: int = Field(description="自愿注册编号（办件编号）")
    kind: str = Field(description="信息类别代码，如 QUALIFICATION")
    kind_label: str = Field(description="信息类别（中文）")
    subject: dict[str, JsonValue] = Field(description="主体：统一社会信用代码、名称")
    department: str = Field(description="核验单位代码（部门或信用办）")
    verifier: str = Field(description="department（行业主管部门核验）或 office（信用办核验）")
    verifier_name: str = Field(description="核验单位名称")
    disclosure: str = Field(description="核验后的公开方式：社会公开、授权查询")
    state: str = Field(description="状态代码：submitted、verified、rejected")
    state_label: str = Field(description="状态（中文）")
    terminal: bool = Field(description="是否已办结")
    opened_at: str = Field(description="注册时间")
    due: dict[str, JsonValue] | None = Field(description="核验期限（含暂定日历的最早、最晚日期）")
    overdue: bool = Field(description="是否已超过核验期限")
    version: int = Field(description="办件版本（办理时回传，防止并发覆盖）")


class RegistrationView(RegistrationRow):
    fields: list[dict[str, JsonValue]] = Field(description="填报的字段：code、name（中文）、value")
    commitment: dict[str, JsonValue] = Field(
        description="真实性承诺与授权使用：文本、摘要、签署时间"
    )
    history: list[dict[str, JsonValue]] = Field(description="办理记录")
    attachments: list[dict[str, JsonValue]] = Field(description="上传的材料")
    rejection_reason: str | None = Field(description="核验不通过的理由")
    verified: dict[str, JsonValue] | None = Field(
        description="核验通过：核验单位、核验人、时间、纳入的信用记录编号、自主申报标记"
    )
    transitions: list[dict[str, JsonValue]] = Field(description="现在可以办理的操作")


class RegistrationList(Schema):
    as_of: str
    page: int
    page_size: int
    total: int
    registrations: list[RegistrationRow]


class ShareReport(Schema):
    target: dict[str, JsonValue] = Field(description="目标占比、地区、期限及依据")
    overall: dict[str, JsonValue] = Field(description="合计：自愿注册记录数、归集记录数、占比")
    departments: list[dict[str, JsonValue]] = Field(description="按部门")
    regions: list[dict[str, JsonValue]] = Field(description="按地区（市级行政区划）")
