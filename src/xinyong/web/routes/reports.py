"""Monthly statistics of checks and measures applied, and typical cases for publication."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from xinyong.access.service import Principal
from xinyong.bootstrap import Platform
from xinyong.kernel.errors import NotFound, PermissionDenied, XinyongError
from xinyong.reports import service as reports
from xinyong.reports.rules import CaseStateError
from xinyong.reports.xlsx import monthly_workbook
from xinyong.web.deps import OptionalPrincipalDep, PlatformDep, PrincipalDep, error, require_role

router = APIRouter(tags=["统计与典型案例"])

READERS = ("office", "auditor", "department")
INTERNAL = ("office", "auditor")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MonthQuery = Annotated[
    str | None, Query(description="统计月份（北京时间），格式 YYYY-MM，如 2026-06", max_length=16)
]


def _http(exc: XinyongError) -> HTTPException:
    if isinstance(exc, NotFound):
        return error(404, exc)
    if isinstance(exc, PermissionDenied):
        return error(403, exc)
    if isinstance(exc, CaseStateError):
        return error(409, exc)
    return error(422, exc)


def _monthly(platform: Platform, who: Principal, month: str | None) -> dict[str, Any]:
    require_role(who, *READERS)
    # A department's client sees its own department only, whatever it asks for.
    scope = who.department_code if who.role == "department" else None
    if who.role == "department" and scope is None:
        raise error(
            403,
            PermissionDenied("department client without a department", "该密钥未关联部门"),
        )
    try:
        with platform.engine.connect() as conn:
            return reports.monthly_statistics(
                conn,
                platform.sanctions,
                month=month,
                today=platform.clock.today(),
                now=platform.clock.now(),
                department=scope,
            )
    except XinyongError as exc:
        raise _http(exc) from exc


@router.get("/api/v1/reports/monthly")
def monthly(platform: PlatformDep, who: PrincipalDep, month: MonthQuery = None) -> dict[str, Any]:
    """月度统计（北京时间自然月）：按核查部门的核查次数、有措施的核查次数、涉及主体数；按措施的返回次数与反馈（已实施/未实施/尚未反馈）；按名单类型的新列入、移出（按原因）、月末在列；合计。部门业务系统只看到本部门的数据。"""
    return _monthly(platform, who, month)


@router.get("/api/v1/reports/monthly.xlsx")
def monthly_xlsx(platform: PlatformDep, who: PrincipalDep, month: MonthQuery = None) -> Response:
    """月度统计的 Excel 文件（中文表头）。"""
    stats = _monthly(platform, who, month)
    suffix = f"-{stats['department']}" if stats["department"] else ""
    return Response(
        monthly_workbook(stats),
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="monthly-{stats["month"]}{suffix}.xlsx"'
        },
    )


class TypicalCaseIn(BaseModel):
    title: str = Field(description="标题", max_length=200)
    summary: str = Field(description="案例摘要（不得含自然人身份证号码）", max_length=5000)
    category: str = Field(description="惩戒 或 激励（也接受 punishment / incentive）")
    measures: list[str] = Field(description="相关措施代码，如 M11", max_length=50)
    department: str = Field(description="实施或报送部门代码", max_length=64)
    subject: str | None = Field(
        default=None, description="组织的统一社会信用代码（自然人不公开）", max_length=32
    )
    receipt: str | None = Field(default=None, description="关联核查回执号", max_length=32)
    case_id: int | None = Field(default=None, description="关联名单认定办件号")


class WithdrawIn(BaseModel):
    reason: str = Field(default="", description="撤回理由", max_length=1000)


@router.post("/api/v1/typical-cases", status_code=201)
def add_typical_case(
    body: TypicalCaseIn, platform: PlatformDep, who: PrincipalDep
) -> dict[str, Any]:
    """登记典型案例（信用办），状态为草稿。含疑似身份证号码的文字不予登记。"""
    require_role(who, "office")
    try:
        with platform.engine.begin() as conn:
            return reports.add_typical_case(
                conn,
                platform.sanctions,
                title=body.title,
                summary=body.summary,
                category=body.category,
                measures=body.measures,
                department_code=body.department,
                actor=who.actor,
                now=platform.clock.now(),
                subject=body.subject,
                receipt=body.receipt,
                case_id=body.case_id,
            )
    except XinyongError as exc:
        raise _http(exc) from exc


@router.post("/api/v1/typical-cases/{case_id}/publish")
def publish_typical_case(case_id: int, platform: PlatformDep, who: PrincipalDep) -> dict[str, Any]:
    """发布典型案例（信用办）：仅草稿可发布，发布前再次检查不含自然人身份信息。"""
    require_role(who, "office")
    try:
        with platform.engine.begin() as conn:
            return reports.publish_typical_case(
                conn, platform.sanctions, case_id, actor=who.actor, now=platform.clock.now()
            )
    except XinyongError as exc:
        raise _http(exc) from exc


@router.post("/api/v1/typical-cases/{case_id}/withdraw")
def withdraw_typical_case(
    case_id: int, platform: PlatformDep, who: PrincipalDep, body: WithdrawIn | None = None
) -> dict[str, Any]:
    """撤回已发布的典型案例（信用办）。"""
    require_role(who, "office")
    try:
        with platform.engine.begin() as conn:
            return reports.withdraw_typical_case(
                conn,
                platform.sanctions,
                case_id,
                actor=who.actor,
                now=platform.clock.now(),
                reason=body.reason if body else "",
            )
    except XinyongError as exc:
        raise _http(exc) from exc


@router.get("/api/v1/typical-cases")
def list_typical_cases(
    platform: PlatformDep,
    who: OptionalPrincipalDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """典型案例。无需密钥：仅已发布案例的公开内容（不含自然人信息）；信用办、审计密钥：全部状态及办理记录。"""
    internal = who is not None and who.role in INTERNAL
    with platform.engine.connect() as conn:
        items = reports.list_typical_cases(
            conn, platform.sanctions, internal=internal, limit=limit, offset=offset
        )
    return {"internal": internal, "items": items}
