"""List determination cases (名单认定办件): propose, take steps, inbox of due and overdue cases.

Roles: a department client proposes and takes the department's steps on its own department's
cases (it also records the subject's statement, 陈述申辩, on the subject's behalf); the credit
office (office) sees every case and may publish; an auditor may read.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from xinyong.access import service as access
from xinyong.access.service import Principal
from xinyong.bootstrap import Platform
from xinyong.cases import recalc
from xinyong.cases.model import Case
from xinyong.cases.rules import LIST_DETERMINATION
from xinyong.kernel.errors import InputError, PermissionDenied
from xinyong.lists import casework
from xinyong.lists import service as lists
from xinyong.web.deps import (
    PUBLIC,
    Caller,
    DepartmentClient,
    DepartmentOrOffice,
    PlatformDep,
    department_scope,
    require_own,
)
from xinyong.web.schemas import lists as schemas
from xinyong.web.schemas.common import MAX_INT, Id, Purpose
from xinyong.web.schemas.common import errors as declared

ROLE_NAMES = {"department": "部门", "office": "信用办", "subject": "当事人", "system": "系统"}

router = APIRouter(tags=["名单认定"])


# -- catalogue ----------------------------------------------------------------------------


@router.get(
    "/api/v1/list-types",
    summary="名单类型",
    dependencies=[PUBLIC],
    response_model=schemas.ListTypes,
    response_model_exclude_unset=True,
)
def list_types(platform: PlatformDep) -> dict[str, Any]:
    """现行名单类型：认定部门、法律依据、各环节时限（工作日）、列入期限与提前移出条件。公开信息，无需密钥。"""
    today = platform.clock.today()
    sectors = platform.catalogue.sectors
    return {
        "as_of": today.isoformat(),
        "list_types": [
            casework.list_type_info(
                lt, sectors[lt.sector].name if lt.sector in sectors else lt.sector
            )
            for lt in casework.list_types_in_force(platform.sanctions, today)
        ],
    }


# -- cases --------------------------------------------------------------------------------


def _visible_case(conn: Connection, case_id: int, who: Principal) -> Case:
    case = casework.get_list_case(conn, case_id)
    require_own(who, case.department_code, "办件")
    return case


def _view(platform: Platform, conn: Connection, case_id: int, who: Principal) -> dict[str, Any]:
    role = who.role if who.role in ("department", "office") else "none"
    return casework.case_view(
        conn, platform.sanctions, case_id, today=platform.clock.today(), role=role
    )


class Proposal(BaseModel):
    list_type: str = Field(description="名单类型代码，如 SAMR_SERIOUS", max_length=48)
    subject: str = Field(
        description="统一社会信用代码，或自然人身份证号码（仅用于定位主体，不保存、不回显）",
        min_length=1,
        max_length=40,
    )
    note: str = Field(default="", description="拟列入的事由和依据", max_length=2000)


@router.post(
    "/api/v1/list-cases",
    status_code=201,
    summary="提出拟列入",
    response_model=schemas.CaseView,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def propose(body: Proposal, platform: PlatformDep, who: DepartmentClient) -> dict[str, Any]:
    """部门提出拟列入（立案）。主体须已在平台登记（已报送其相关信用记录）；自然人只显示脱敏信息。同一主体同一名单类型已有未办结办件或仍在列时返回 409。"""
    assert who.department_code is not None  # noqa: S101 - DepartmentClient guarantees it
    with platform.engine.begin() as conn:
        case = casework.propose_subject(
            conn,
            platform.sanctions,
            platform.calendar,
            platform.vault,
            list_type=body.list_type,
            subject=body.subject,
            department_code=who.department_code,
            actor=who.actor,
            now=platform.clock.now(),
            catalogue_version=platform.catalogue.snapshot.version,
            note=body.note,
        )
        return _view(platform, conn, case.id, who)


@router.get(
    "/api/v1/list-cases/{case_id}",
    summary="办件详情",
    response_model=schemas.CaseView,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 422),
)
def get_case(
    case_id: Id, platform: PlatformDep, who: Caller, purpose: Purpose = None
) -> dict[str, Any]:
    """办件详情：当前状态、办理期限、是否超期、办理记录，以及调用方现在可以执行的操作。
    须说明查询用途。"""
    stated = access.require_purpose(purpose)
    with platform.engine.begin() as conn:
        _visible_case(conn, case_id, who)
        view = _view(platform, conn, case_id, who)
        access.audit(conn, who.actor, "read_case", f"case:{case_id}", platform.clock.now(), stated)
    return view


class Step(BaseModel):
    name: str = Field(description="操作，如 notify、state_case、list、publish", max_length=32)
    note: str = Field(default="", description="说明（如陈述申辩要点、决定书文号）", max_length=2000)
    term_months: int | None = Field(
        default=None,
        description="公示时：决定书确定的期限（月），仅适用于期限由决定确定的名单",
        ge=1,
        le=1200,
    )
    version: int | None = Field(
        default=None,
        description="调用方看到的办件版本；办件已被更新时拒绝（409）",
        ge=1,
        le=MAX_INT,
    )
    decision_date: dt.date | None = Field(
        default=None,
        description="该步决定书载明的日期（如列入决定的作出日期，名单期限自此起算），默认当天；"
        "不得晚于今天或早于办件进入当前环节的日期",
    )
    decision_number: str | None = Field(
        default=None,
        description="决定列入（list）时必填：列入决定书文号，随名单公示",
        max_length=100,
    )
    grounds: str | None = Field(
        default=None,
        description="决定列入（list）时必填：列入事由（认定的失信事实），随名单公示",
        max_length=500,
    )


@router.post(
    "/api/v1/list-cases/{case_id}/transitions",
    summary="办理一步",
    response_model=schemas.CaseView,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 409, 422),
)
def take_step(
    case_id: Id, body: Step, platform: PlatformDep, who: DepartmentOrOffice
) -> dict[str, Any]:
    """执行一步办理。部门办理本部门办件（当事人的陈述申辩由部门代为录入）；信用办可公示。当前状态不允许该操作或办件已被他人更新（version 不符）时返回 409。"""
    wf = LIST_DETERMINATION
    t = wf.transitions.get(body.name)
    if t is None:
        options = "、".join(f"{n}（{x.label}）" for n, x in wf.transitions.items())
        raise InputError(
            f"name {body.name!r} is not a step of {wf.code}",
            f"name“{body.name}”不是名单认定的操作，可选：{options}",
        )
    if who.role not in t.roles:
        allowed = "、".join(ROLE_NAMES.get(r, r) for r in sorted(t.roles))
        raise PermissionDenied(
            f"role {who.role} may not {body.name}",
            f"当前角色无权执行“{t.label}”，该操作由{allowed}执行",
        )
    with platform.transaction() as conn:
        _visible_case(conn, case_id, who)
        lists.advance(
            conn,
            platform.sanctions,
            platform.catalogue,
            platform.calendar,
            case_id,
            body.name,
            actor=who.actor,
            role=who.role,
            now=platform.clock.now(),
            note=body.note,
            term_months=body.term_months,
            expected_version=body.version,
            decided_on=body.decision_date,
            decision_number=body.decision_number,
            grounds=body.grounds,
        )
        return _view(platform, conn, case_id, who)


@router.get(
    "/api/v1/list-cases",
    summary="待办办件",
    response_model=schemas.Inbox,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 422),
)
def inbox(
    platform: PlatformDep,
    who: Caller,
    state: Annotated[
        str | None, Query(description="只看该状态（默认：全部未办结的办件）", max_length=32)
    ] = None,
    overdue: Annotated[bool, Query(description="只看已超过办理期限的")] = False,
    list_type: Annotated[str | None, Query(description="名单类型代码", max_length=48)] = None,
    department: Annotated[
        str | None, Query(description="部门代码（信用办、审计可用）", max_length=64)
    ] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=casework.MAX_PAGE_SIZE)] = 50,
    purpose: Purpose = None,
) -> dict[str, Any]:
    """待办：按办理期限先后排序，每件标明期限与是否超期。部门只看本部门，信用办和审计看全部。
    须说明查询用途。"""
    department = department_scope(who, department, "办件")  # who may, before why
    stated = access.require_purpose(purpose)
    with platform.engine.begin() as conn:
        out = casework.inbox(
            conn,
            platform.sanctions,
            today=platform.clock.today(),
            department_code=department,
            state=state,
            list_type=list_type,
            overdue_only=overdue,
            page=page,
            page_size=page_size,
        )
        access.audit(
            conn,
            who.actor,
            "list_cases",
            f"department:{department or '*'}",
            platform.clock.now(),
            stated,
            detail={"state": state, "overdue": overdue, "list_type": list_type, "page": page},
        )
    return out


@router.post(
    "/api/v1/case-notices/{notice_id}/read",
    summary="办件提醒标为已读",
    response_model=schemas.CaseNotice,
    response_model_exclude_unset=True,
    responses=declared(401, 403, 404, 422),
)
def read_notice(notice_id: Id, platform: PlatformDep, who: DepartmentOrOffice) -> dict[str, Any]:
    """将一条办件提醒（如国务院放假安排公布后期限变更）标为已读。部门只能处理本部门的提醒。"""
    with platform.engine.begin() as conn:
        view = recalc.mark_read(
            conn,
            notice_id,
            by=who.actor,
            department_code=who.department_code if who.role == "department" else None,
            now=platform.clock.now(),
        )
        access.audit(conn, who.actor, "read_notice", f"notice:{notice_id}", platform.clock.now())
    return view
