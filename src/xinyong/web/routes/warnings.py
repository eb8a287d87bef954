"""Re-establishment warnings (易地开张) for the credit office."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from xinyong.alerts import service as alerts
from xinyong.kernel.errors import InputError, NotFound
from xinyong.web.deps import PlatformDep, PrincipalDep, error, require_role

router = APIRouter(tags=["预警"])

READERS = ("office", "auditor")
HANDLERS = ("office",)


@router.get("/api/v1/alerts")
def list_alerts(
    platform: PlatformDep,
    who: PrincipalDep,
    status: Annotated[
        str, Query(description="open（默认）、acknowledged、dismissed 或 all", max_length=16)
    ] = "open",
    kind: Annotated[
        str | None, Query(description="预警类型，如 re_establishment（易地开张）", max_length=32)
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """预警列表（信用办、审计）：易地开张等，最新在前；人员只显示脱敏姓名和身份证号。"""
    require_role(who, *READERS)
    try:
        with platform.engine.connect() as conn:
            return alerts.list_alerts(
                conn,
                status=None if status == "all" else status,
                kind=kind or None,
                limit=limit,
                offset=offset,
            )
    except InputError as exc:
        raise error(422, exc) from exc


@router.get("/api/v1/alerts/{alert_id}")
def get_alert(alert_id: int, platform: PlatformDep, who: PrincipalDep) -> dict[str, Any]:
    """单条预警及其处理情况（信用办、审计）。"""
    require_role(who, *READERS)
    try:
        with platform.engine.connect() as conn:
            return alerts.view(alerts.get(conn, alert_id))
    except NotFound as exc:
        raise error(404, exc) from exc


class Handling(BaseModel):
    note: str = Field(default="", max_length=2000, description="处理说明；排除预警时必填")


def _handle(
    platform: PlatformDep, who: PrincipalDep, alert_id: int, action: str, note: str
) -> dict[str, Any]:
    require_role(who, *HANDLERS)
    try:
        with platform.engine.begin() as conn:
            return alerts.handle(
                conn, alert_id, action, actor=who.actor, note=note, now=platform.clock.now()
            )
    except NotFound as exc:
        raise error(404, exc) from exc
    except InputError as exc:
        raise error(422, exc) from exc


@router.post("/api/v1/alerts/{alert_id}/acknowledge")
def acknowledge(
    alert_id: int, body: Handling, platform: PlatformDep, who: PrincipalDep
) -> dict[str, Any]:
    """确认预警（已核实、跟进处理），可附说明。仅信用办。"""
    return _handle(platform, who, alert_id, "acknowledge", body.note)


@router.post("/api/v1/alerts/{alert_id}/dismiss")
def dismiss(
    alert_id: int, body: Handling, platform: PlatformDep, who: PrincipalDep
) -> dict[str, Any]:
    """排除预警（经核实不属于易地开张等），须说明理由。仅信用办。"""
    return _handle(platform, who, alert_id, "dismiss", body.note)
