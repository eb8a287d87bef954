"""Objections (异议): file one on a subject's behalf, the inbox, one objection, its steps.

Roles: the providing department files on the subject's behalf about its own records, and
accepts, refuses, notifies an extension and decides its own objections (谁认定、谁核查); the
credit office (office) files for any record, pushes objections to the department and reads
all; an auditor reads. The rules are the objections service's; this module only says who
calls and answers.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from xinyong.access import service as access
from xinyong.objections import service as objections
from xinyong.web import objection_calls as calls
from xinyong.web.deps import (
    DepartmentOrOffice,
    PlatformDep,
    Reader,
    department_scope,
    require_own,
)
from xinyong.web.schemas import objections as schemas
from xinyong.web.schemas.common import MAX_ID, MAX_INT, Id, Purpose
from xinyong.web.schemas.common import errors as declared

router = APIRouter(tags=["异议"])


class Filing(BaseModel):
    entry: int = Field(description="异议所针对记录的账本条目号（名单条目号）", ge=1, le=MAX_ID)
    grounds: str = Field(
        description="异议事由代码：wrong_content、wrong_period、wrongly_listed、"
        "repair_not_accepted、repair_refused、other",
        max_length=32,
    )
    statement: str = Field(
        description="异议说明：事实和理由", min_length=1, max_length=objections.MAX_STATEMENT
    )
    measure: str | None = Field(
        default=None, description="对该记录带来的惩戒措施提出的：措施代码", max_length=64
    )


@router.post(
    "/api/v1/objections",
    status_code=201,
    summary="代当事人提出异议",
    response_model=schemas.ObjectionView,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def file_objection(body: Filing, platform: PlatformDep, who: DepartmentOrOffice) -> dict[str, Any]:
    """部门（仅对本部门提供的记录）或信用办代当事人提出异议。记录即时标注“异议处理中”；
    办件交提供记录的部门核查，期限按该记录适用的异议规则计算。已有未办结异议时返回 409，
    超过异议期限时返回 422。"""
    with platform.transaction() as conn:
        row = calls.file(
            conn,
            platform,
            entry_id=body.entry,
            grounds=body.grounds,
            statement=body.statement,
            measure=body.measure,
            actor=who.actor,
            role=who.role,
            department_code=who.department_code,
        )
        return calls.view(conn, platform, row["id"], role=who.role)


@router.get(
    "/api/v1/objections",
    summary="异议待办",
    response_model=schemas.ObjectionInbox,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def inbox(
    platform: PlatformDep,
    who: Reader,
    state: Annotated[
        str | None,
        Query(
            description="只看该状态：submitted、pushed、accepted、extended、refused、closed",
            max_length=32,
        ),
    ] = None,
    overdue: Annotated[bool, Query(description="只看已超过期限的")] = False,
    open_only: Annotated[bool, Query(alias="open", description="只看未办结的")] = False,
    department: Annotated[
        str | None, Query(description="部门代码（信用办、审计可用）", max_length=64)
    ] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=objections.MAX_PAGE_SIZE)] = 50,
    purpose: Purpose = None,
) -> dict[str, Any]:
    """异议列表：未办结的在前，按期限先后排序，每件标明期限（暂定日历上的标明暂定）与是否超期。
    部门只看本部门的，信用办和审计看全部。须说明查询用途。"""
    department = department_scope(who, department, "异议")
    stated = access.require_purpose(purpose)
    with platform.engine.begin() as conn:
        out = calls.find(
            conn,
            platform,
            department_code=department,
            state=state,
            open_only=open_only,
            overdue_only=overdue,
            page=page,
            page_size=page_size,
        )
        access.audit(
            conn,
            who.actor,
            "list_objections",
            f"department:{department or '*'}",
            platform.clock.now(),
            stated,
            detail={"state": state, "overdue": overdue, "page": page},
        )
    return out


@router.get(
    "/api/v1/objections/{objection_id}",
    summary="异议详情",
    response_model=schemas.ObjectionView,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 422),
)
def get_objection(
    objection_id: Id, platform: PlatformDep, who: Reader, purpose: Purpose = None
) -> dict[str, Any]:
    """异议详情：异议说明、适用规则与时限、当前期限、办理记录，以及调用方现在可以执行的操作。
    须说明查询用途。"""
    with platform.engine.begin() as conn:
        row = objections.get_row(conn, objection_id)
        require_own(who, row["department_code"], "异议")
        stated = access.require_purpose(purpose)
        out = calls.view(conn, platform, objection_id, role=who.role)
        access.audit(
            conn,
            who.actor,
            "read_objection",
            f"objection:{objection_id}",
            platform.clock.now(),
            stated,
        )
    return out


class Step(BaseModel):
    name: str = Field(
        description="操作：push（推送认定部门，信用办）、accept（受理）、refuse（不予受理）、"
        "notify_extension（告知延期）、decide（作出核查决定）",
        max_length=32,
    )
    reason: str | None = Field(
        default=None,
        description="理由：不予受理、告知延期和核查决定必填（送达申请人）",
        max_length=2000,
    )
    outcome: str | None = Field(
        default=None,
        description="decide 时必填：correct（更正）、revoke（撤销）、keep（维持）",
        max_length=16,
    )
    corrections: dict[str, Annotated[str, Field(max_length=2000)]] | None = Field(
        default=None,
        description="结论为更正时必填：字段代码 → 正确的值",
        max_length=50,
    )
    extended_until: dt.date | None = Field(
        default=None, description="notify_extension 时必填：告知申请人的延长后期限"
    )
    version: int | None = Field(
        default=None,
        description="调用方看到的办件版本；已被更新时拒绝（409）",
        ge=1,
        le=MAX_INT,
    )


@router.post(
    "/api/v1/objections/{objection_id}/steps",
    summary="办理异议一步",
    response_model=schemas.ObjectionView,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def take_step(
    objection_id: Id, body: Step, platform: PlatformDep, who: DepartmentOrOffice
) -> dict[str, Any]:
    """执行一步：信用办推送认定部门；提供记录的部门受理、不予受理（附理由）、告知申请人延长核查
    期限（附延长后期限和理由）、作出核查决定（更正、撤销或维持，附理由）。更正和撤销经账本进入
    公示、核查和名单，并在原记录处发布更正公告。当前状态不允许该操作或版本不符时返回 409。"""
    with platform.transaction() as conn:
        row = objections.get_row(conn, objection_id)
        require_own(who, row["department_code"], "异议")
        calls.step(
            conn,
            platform,
            objection_id,
            body.name,
            actor=who.actor,
            role=who.role,
            department_code=who.department_code,
            reason=body.reason,
            outcome=body.outcome,
            corrections=body.corrections,
            extended_until=body.extended_until,
            expected_version=body.version,
        )
        return calls.view(conn, platform, objection_id, role=who.role)
