"""Rectification by deadline (限期整改) and interviews (提示约谈 / 警示约谈).

Roles: only the department that made the finding (谁认定、谁约谈) orders, schedules and holds
interviews and closes the case; the credit office and auditors read every case, a department
its own. The subject follows its orders on its account pages (/account/rectifications).
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from xinyong.access import service as access
from xinyong.access.service import Principal
from xinyong.bootstrap import Platform
from xinyong.rectifications import service as rect
from xinyong.web.deps import (
    DepartmentClient,
    PlatformDep,
    Reader,
    department_scope,
    require_own,
)
from xinyong.web.schemas import rectifications as schemas
from xinyong.web.schemas.common import MAX_ID, MAX_INT, Purpose
from xinyong.web.schemas.common import errors as declared

router = APIRouter(tags=["限期整改与约谈"])
RectificationId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="限期整改办件编号")]
InterviewId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="约谈编号")]


class OrderRequest(BaseModel):
    record: int = Field(ge=1, le=MAX_ID, description="据以责令整改的记录编号（本部门认定的记录）")
    obligation: str = Field(max_length=2000, description="整改义务")
    deadline: dt.date | None = Field(default=None, description="整改期限（缺省按目录默认期限）")
    note: str = Field(default="", max_length=2000, description="说明")


class StepRequest(BaseModel):
    name: str = Field(max_length=16, description="rectified（确认整改到位）或 failed（整改不到位）")
    note: str = Field(default="", max_length=2000, description="说明（整改不到位须写明事实）")
    version: int | None = Field(default=None, ge=1, le=MAX_INT, description="调用方看到的办件版本")


class ScheduleRequest(BaseModel):
    kind: str = Field(max_length=16, description="PROMPT（提示约谈）或 WARNING（警示约谈）")
    date: dt.date = Field(description="约谈日期")
    place: str = Field(max_length=200, description="约谈地点")
    note: str = Field(default="", max_length=2000, description="说明")
    version: int | None = Field(default=None, ge=1, le=MAX_INT, description="调用方看到的办件版本")


class AttendeeIn(BaseModel):
    side: str = Field(
        default="subject",
        max_length=16,
        description="subject（被约谈主体）或 department（约谈部门）",
    )
    role: str = Field(max_length=50, description="职务，如 法定代表人")
    name: str = Field(max_length=50, description="姓名（不得录入证件号码）")


class ActionIn(BaseModel):
    action: str = Field(max_length=500, description="整改措施")
    due: dt.date = Field(description="完成日期")


class HoldRequest(BaseModel):
    held_on: dt.date = Field(description="举行日期")
    attendees: list[AttendeeIn] = Field(max_length=30, description="参加人员")
    minutes: str = Field(max_length=4000, description="约谈纪要")
    actions: list[ActionIn] = Field(max_length=30, description="议定整改措施")
    version: int | None = Field(default=None, ge=1, le=MAX_INT, description="调用方看到的办件版本")


def _view(platform: Platform, conn: Any, case_id: int, who: Principal) -> dict[str, Any]:
    role = "department" if who.role == "department" else None
    return rect.case_view(
        conn, platform.rectification_deps(), case_id, today=platform.clock.today(), role=role
    )


@router.get(
    "/api/v1/rectifications",
    summary="限期整改办件",
    response_model=schemas.RectificationInbox,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def inbox(
    platform: PlatformDep,
    who: Reader,
    state: Annotated[str | None, Query(max_length=32, description="只看该状态")] = None,
    overdue: Annotated[bool, Query(description="只看已超期的（整改期限或约谈日期已过）")] = False,
    department: Annotated[
        str | None, Query(max_length=64, description="部门代码（信用办、审计可用）")
    ] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=rect.MAX_PAGE_SIZE)] = 50,
    purpose: Purpose = None,
) -> dict[str, Any]:
    """未办结的限期整改办件，按期限先后排序，标明是否超期。部门只看本部门，信用办和审计看全部。
    须说明查询用途。"""
    department = department_scope(who, department, "限期整改办件")
    stated = access.require_purpose(purpose)
    with platform.engine.begin() as conn:
        out = rect.find(
            conn,
            platform.rectification_deps(),
            today=platform.clock.today(),
            department_code=department,
            state=state,
            overdue_only=overdue,
            page=page,
            page_size=page_size,
        )
        access.audit(
            conn, who.actor, "read_rectifications", "rectifications", platform.clock.now(), stated
        )
    return out


@router.post(
    "/api/v1/rectifications",
    status_code=201,
    summary="责令限期整改",
    response_model=schemas.RectificationView,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def order(body: OrderRequest, platform: PlatformDep, who: DepartmentClient) -> dict[str, Any]:
    """作出认定的部门依据本部门的认定记录（行政处罚、经营异常名录、检查不合格、违背信用承诺等）
    责令主体限期整改，写明整改义务和期限（缺省按目录默认期限，待核实）。其他部门或信用办调用时
    拒绝并说明理由（谁认定、谁约谈），不作任何改动。"""
    with platform.transaction() as conn:
        case = rect.order(
            conn,
            platform.rectification_deps(),
            record=body.record,
            obligation=body.obligation,
            deadline=body.deadline,
            actor=who.actor,
            role=who.role,
            department_code=who.department_code,
            now=platform.clock.now(),
            note=body.note,
        )
    with platform.engine.connect() as conn:
        return _view(platform, conn, case.id, who)


@router.get(
    "/api/v1/rectifications/{rectification_id}",
    summary="限期整改办件详情",
    response_model=schemas.RectificationView,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 422),
)
def show(
    rectification_id: RectificationId, platform: PlatformDep, who: Reader, purpose: Purpose = None
) -> dict[str, Any]:
    """办件详情：认定记录、整改义务与期限、是否超期、约谈（参加人员、纪要、议定措施）、办理记录、
    可办理的操作；整改不到位的，附可提出列入名单建议的提示。须说明查询用途。"""
    stated = access.require_purpose(purpose)
    with platform.engine.begin() as conn:
        case = rect.get_rectification(conn, rectification_id)
        require_own(who, case.department_code, "限期整改办件")
        view = _view(platform, conn, rectification_id, who)
        access.audit(
            conn,
            who.actor,
            "read_rectification",
            f"case:{rectification_id}",
            platform.clock.now(),
            stated,
        )
    return view


@router.post(
    "/api/v1/rectifications/{rectification_id}/steps",
    summary="办结限期整改",
    response_model=schemas.RectificationView,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def step(
    rectification_id: RectificationId,
    body: StepRequest,
    platform: PlatformDep,
    who: DepartmentClient,
) -> dict[str, Any]:
    """作出认定的部门确认整改到位（rectified）或认定整改不到位（failed，须写明事实），办件办结。
    整改不到位的可另行提出列入名单建议，不自动列入。"""
    with platform.transaction() as conn:
        rect.close(
            conn,
            platform.rectification_deps(),
            rectification_id,
            body.name,
            actor=who.actor,
            role=who.role,
            department_code=who.department_code,
            now=platform.clock.now(),
            note=body.note,
            expected_version=body.version,
        )
    with platform.engine.connect() as conn:
        return _view(platform, conn, rectification_id, who)


@router.get(
    "/api/v1/rectifications/{rectification_id}/interviews",
    summary="限期整改办件的约谈",
    response_model=schemas.InterviewList,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 422),
)
def interviews(
    rectification_id: RectificationId, platform: PlatformDep, who: Reader, purpose: Purpose = None
) -> dict[str, Any]:
    """办件的每次约谈：类型、日期、地点，已举行的附参加人员、纪要和议定整改措施。须说明查询用途。"""
    stated = access.require_purpose(purpose)
    with platform.engine.begin() as conn:
        case = rect.get_rectification(conn, rectification_id)
        require_own(who, case.department_code, "限期整改办件")
        view = _view(platform, conn, rectification_id, who)
        access.audit(
            conn,
            who.actor,
            "read_rectification",
            f"case:{rectification_id}",
            platform.clock.now(),
            stated,
        )
    return {"rectification": rectification_id, "interviews": view["interviews"]}


@router.post(
    "/api/v1/rectifications/{rectification_id}/interviews",
    status_code=201,
    summary="安排约谈",
    response_model=schemas.RectificationView,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def schedule(
    rectification_id: RectificationId,
    body: ScheduleRequest,
    platform: PlatformDep,
    who: DepartmentClient,
) -> dict[str, Any]:
    """作出认定的部门安排提示约谈或警示约谈（日期不早于目录规定的通知期限，待核实）。其他部门
    拒绝并说明理由（谁认定、谁约谈），不作任何改动。"""
    with platform.transaction() as conn:
        rect.schedule(
            conn,
            platform.rectification_deps(),
            rectification_id,
            kind=body.kind,
            scheduled_on=body.date,
            place=body.place,
            actor=who.actor,
            role=who.role,
            department_code=who.department_code,
            now=platform.clock.now(),
            note=body.note,
            expected_version=body.version,
        )
    with platform.engine.connect() as conn:
        return _view(platform, conn, rectification_id, who)


@router.post(
    "/api/v1/rectifications/{rectification_id}/interviews/{interview_id}/record",
    summary="记录约谈",
    response_model=schemas.RectificationView,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def hold(
    rectification_id: RectificationId,
    interview_id: InterviewId,
    body: HoldRequest,
    platform: PlatformDep,
    who: DepartmentClient,
) -> dict[str, Any]:
    """记录已举行的约谈：参加人员（被约谈主体的代表，只记职务和姓名，不录证件号码）、约谈纪要、
    议定整改措施及完成日期。约谈记录记入主体信用记录（政务共享，不向社会公开）。"""
    with platform.transaction() as conn:
        rect.hold(
            conn,
            platform.rectification_deps(),
            rectification_id,
            interview_id=interview_id,
            held_on=body.held_on,
            attendees=[a.model_dump() for a in body.attendees],
            minutes=body.minutes,
            actions=[a.model_dump() for a in body.actions],
            actor=who.actor,
            role=who.role,
            department_code=who.department_code,
            now=platform.clock.now(),
            expected_version=body.version,
        )
    with platform.engine.connect() as conn:
        return _view(platform, conn, rectification_id, who)
