"""Monthly statistics of checks and measures applied, and typical cases for publication."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from xinyong.access import service as access
from xinyong.access.service import Principal
from xinyong.bootstrap import Platform
from xinyong.reports import service as reports
from xinyong.reports.rules import DASHBOARD_MONTHS, MAX_DASHBOARD_MONTHS
from xinyong.reports.xlsx import monthly_workbook
from xinyong.web.deps import PUBLIC, Office, OptionalCaller, PlatformDep, Reader, department_scope
from xinyong.web.schemas import reports as schemas
from xinyong.web.schemas.common import MAX_ID, OPTIONAL_KEY, Id, Purpose
from xinyong.web.schemas.common import errors as declared

router = APIRouter(tags=["统计与典型案例"])

INTERNAL = ("office", "auditor")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MonthQuery = Annotated[
    str | None, Query(description="统计月份（北京时间），格式 YYYY-MM，如 2026-06", max_length=16)
]


def _monthly(
    platform: Platform, who: Principal, month: str | None, purpose: str | None
) -> dict[str, Any]:
    # A department's client sees its own department only; the office and auditors all.
    stated = access.require_purpose(purpose)
    with platform.engine.begin() as conn:
        access.audit(
            conn, who.actor, "read_report", f"monthly:{month or ''}", platform.clock.now(), stated
        )
        return reports.monthly_statistics(
            conn,
            platform.sanctions,
            month=month,
            today=platform.clock.today(),
            now=platform.clock.now(),
            department=department_scope(who, None),
        )


@router.get(
    "/api/v1/reports/monthly",
    summary="月度统计",
    response_model=schemas.Monthly,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def monthly(
    platform: PlatformDep, who: Reader, month: MonthQuery = None, purpose: Purpose = None
) -> dict[str, Any]:
    """月度统计（北京时间自然月）：按核查部门的核查次数、有措施的核查次数、涉及主体数；按措施的返回次数与反馈（已实施/未实施/尚未反馈）；按名单类型的新列入、移出（按原因）、月末在列；合计。部门业务系统只看到本部门的数据。"""
    return _monthly(platform, who, month, purpose)


@router.get(
    "/api/v1/reports/monthly.xlsx",
    summary="月度统计（Excel）",
    response_class=Response,
    responses={
        200: {
            "description": "月度统计的 Excel 工作簿",
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
        },
        **declared(401, 403, 422),
    },
)
def monthly_xlsx(
    platform: PlatformDep, who: Reader, month: MonthQuery = None, purpose: Purpose = None
) -> Response:
    """月度统计的 Excel 文件（中文表头）。"""
    stats = _monthly(platform, who, month, purpose)
    suffix = f"-{stats['department']}" if stats["department"] else ""
    return Response(
        monthly_workbook(stats),
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="monthly-{stats["month"]}{suffix}.xlsx"'
        },
    )


@router.get(
    "/api/v1/reports/dashboard",
    summary="工作台统计",
    response_model=schemas.Dashboard,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def dashboard(
    platform: PlatformDep,
    who: Reader,
    months: Annotated[
        int, Query(description="统计月数（含本月）", ge=1, le=MAX_DASHBOARD_MONTHS)
    ] = DASHBOARD_MONTHS,
    purpose: Purpose = None,
) -> dict[str, Any]:
    """近若干月（北京时间，含本月）的工作台统计：按部门和月份的报送量、按时报送率与拒收率；各部门拒收率与重码/错码率对照目标；今日各名单在列数与黑名单占比；每月核查次数与措施；预警（仅信用办与审计）。部门业务系统只看到本部门的数据。"""
    stated = access.require_purpose(purpose)
    with platform.engine.begin() as conn:
        access.audit(
            conn, who.actor, "read_report", f"dashboard:{months}", platform.clock.now(), stated
        )
        return reports.dashboard(
            conn,
            platform.sanctions,
            today=platform.clock.today(),
            now=platform.clock.now(),
            months=months,
            department=department_scope(who, None),
        )


class TypicalCaseIn(BaseModel):
    title: str = Field(description="标题", max_length=200)
    summary: str = Field(description="案例摘要（不得含自然人身份证号码）", max_length=5000)
    category: str = Field(
        description="惩戒 或 激励（也接受 punishment / incentive）", max_length=16
    )
    measures: list[Annotated[str, Field(max_length=32)]] = Field(
        description="相关措施代码，如 M11", max_length=50
    )
    department: str = Field(description="实施或报送部门代码", max_length=64)
    subject: str | None = Field(
        default=None, description="组织的统一社会信用代码（自然人不公开）", max_length=32
    )
    receipt: str | None = Field(default=None, description="关联核查回执号", max_length=32)
    case_id: int | None = Field(default=None, description="关联名单认定办件号", ge=1, le=MAX_ID)


class WithdrawIn(BaseModel):
    reason: str = Field(default="", description="撤回理由", max_length=1000)


@router.post(
    "/api/v1/typical-cases",
    status_code=201,
    summary="登记典型案例",
    response_model=schemas.TypicalCase,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 422),
)
def add_typical_case(body: TypicalCaseIn, platform: PlatformDep, who: Office) -> dict[str, Any]:
    """登记典型案例（信用办），状态为草稿。含疑似身份证号码的文字不予登记。"""
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


@router.post(
    "/api/v1/typical-cases/{case_id}/publish",
    summary="发布典型案例",
    response_model=schemas.TypicalCase,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def publish_typical_case(case_id: Id, platform: PlatformDep, who: Office) -> dict[str, Any]:
    """发布典型案例（信用办）：仅草稿可发布（否则 409），发布前再次检查不含自然人身份信息。"""
    with platform.engine.begin() as conn:
        return reports.publish_typical_case(
            conn, platform.sanctions, case_id, actor=who.actor, now=platform.clock.now()
        )


@router.post(
    "/api/v1/typical-cases/{case_id}/withdraw",
    summary="撤回典型案例",
    response_model=schemas.TypicalCase,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def withdraw_typical_case(
    case_id: Id, platform: PlatformDep, who: Office, body: WithdrawIn | None = None
) -> dict[str, Any]:
    """撤回已发布的典型案例（信用办）；未发布的返回 409。"""
    with platform.engine.begin() as conn:
        return reports.withdraw_typical_case(
            conn,
            platform.sanctions,
            case_id,
            actor=who.actor,
            now=platform.clock.now(),
            reason=body.reason if body else "",
        )


@router.get(
    "/api/v1/typical-cases",
    summary="典型案例列表",
    dependencies=[PUBLIC],
    openapi_extra=OPTIONAL_KEY,
    response_model=schemas.TypicalCases,
    response_model_exclude_unset=True,
    responses=declared(401, 422),
)
def list_typical_cases(
    platform: PlatformDep,
    who: OptionalCaller,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    purpose: Purpose = None,
) -> dict[str, Any]:
    """典型案例。无需密钥：仅已发布案例的公开内容（不含自然人信息）；信用办、审计密钥：全部状态及办理记录，须说明查询用途。"""
    internal = who is not None and who.role in INTERNAL
    with platform.engine.begin() as conn:
        if internal and who is not None:
            stated = access.require_purpose(purpose)
            access.audit(
                conn, who.actor, "read_typical_cases", "typical-cases", platform.clock.now(), stated
            )
        items = reports.list_typical_cases(
            conn, platform.sanctions, internal=internal, limit=limit, offset=offset
        )
    return {"internal": internal, "items": items}
