"""Re-establishment warnings (易地开张) for the credit office."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from xinyong.access import service as access
from xinyong.access.service import Principal
from xinyong.alerts import service as alerts
from xinyong.bootstrap import Platform
from xinyong.web.deps import Office, OfficeOrAuditor, PlatformDep
from xinyong.web.schemas import alerts as schemas
from xinyong.web.schemas.common import MAX_ID, Id, Purpose
from xinyong.web.schemas.common import errors as declared

router = APIRouter(tags=["预警"])


@router.get(
    "/api/v1/alerts",
    summary="预警列表",
    response_model=schemas.AlertList,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def list_alerts(
    platform: PlatformDep,
    who: OfficeOrAuditor,
    status: Annotated[
        str, Query(description="open（默认）、acknowledged、dismissed 或 all", max_length=16)
    ] = "open",
    kind: Annotated[
        str | None, Query(description="预警类型，如 re_establishment（易地开张）", max_length=32)
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    purpose: Purpose = None,
) -> dict[str, Any]:
    """预警列表（信用办、审计）：易地开张等，最新在前；人员只显示脱敏姓名和身份证号。须说明查询用途。"""
    stated = access.require_purpose(purpose)
    with platform.engine.begin() as conn:
        access.audit(conn, who.actor, "read_alerts", "alerts", platform.clock.now(), stated)
        return alerts.list_alerts(
            conn,
            status=None if status == "all" else status,
            kind=kind or None,
            limit=limit,
            offset=offset,
        )


@router.get(
    "/api/v1/alerts/{alert_id}",
    summary="预警详情",
    response_model=schemas.Alert,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 422),
)
def get_alert(
    alert_id: Id, platform: PlatformDep, who: OfficeOrAuditor, purpose: Purpose = None
) -> dict[str, Any]:
    """单条预警及其处理情况（信用办、审计）。须说明查询用途。"""
    stated = access.require_purpose(purpose)
    with platform.engine.begin() as conn:
        found = alerts.view(alerts.get(conn, alert_id))
        access.audit(
            conn, who.actor, "read_alert", f"alert:{alert_id}", platform.clock.now(), stated
        )
        return found


class Handling(BaseModel):
    note: str = Field(default="", max_length=2000, description="处理说明；排除预警时必填")


def _handle(
    platform: Platform, who: Principal, alert_id: int, action: str, note: str
) -> dict[str, Any]:
    with platform.engine.begin() as conn:
        return alerts.handle(
            conn, alert_id, action, actor=who.actor, note=note, now=platform.clock.now()
        )


@router.post(
    "/api/v1/alerts/{alert_id}/acknowledge",
    summary="确认预警",
    response_model=schemas.Alert,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def acknowledge(alert_id: Id, body: Handling, platform: PlatformDep, who: Office) -> dict[str, Any]:
    """确认预警（已核实、跟进处理），可附说明。仅信用办。已确认或已排除的预警返回 409。"""
    return _handle(platform, who, alert_id, "acknowledge", body.note)


@router.post(
    "/api/v1/alerts/{alert_id}/dismiss",
    summary="排除预警",
    response_model=schemas.Alert,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def dismiss(alert_id: Id, body: Handling, platform: PlatformDep, who: Office) -> dict[str, Any]:
    """排除预警（经核实不属于易地开张等），须说明理由。仅信用办。已排除的预警返回 409。"""
    return _handle(platform, who, alert_id, "dismiss", body.note)
