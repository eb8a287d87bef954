"""List determination cases (名单认定办件): propose, take steps, inbox of due and overdue cases.

Roles: a department client proposes and takes the department's steps on its own department's
cases (it also records the subject's statement, 陈述申辩, on the subject's behalf); the credit
office (office) sees every case and may publish; an auditor may read. Errors, including
malformed requests, keep the app's one shape ``{"detail": {"message", "message_en"}}``.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import datetime as dt
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from xinyong.access import service as access
from xinyong.access.service import Principal
from xinyong.bootstrap import Platform
from xinyong.cases import recalc
from xinyong.cases.model import Case, InvalidTransition
from xinyong.cases.rules import LIST_DETERMINATION
from xinyong.kernel.errors import InputError, NotFound, PermissionDenied
from xinyong.lists import casework
from xinyong.lists import service as lists
from xinyong.web.deps import PlatformDep, PrincipalDep, error, require_role

ROLE_NAMES = {"department": "部门", "office": "信用办", "subject": "当事人", "system": "系统"}
# Fields whose value may be a resident ID number: never echoed back in an error.
_PERSONAL_FIELDS = {"subject"}

_REASONS = {
    "missing": "必须填写",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "请求体应为 JSON 对象",
    "dict_type": "请求体应为 JSON 对象",
    "extra_forbidden": "不认识的字段",
}


def _reason_zh(err: dict[str, Any]) -> str:
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind == "string_too_long":
        return f"过长（最多 {ctx.get('max_length')} 个字符）"
    if kind == "string_too_short":
        return f"过短（至少 {ctx.get('min_length')} 个字符）"
    if kind in ("greater_than_equal", "greater_than"):
        return f"应不小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"应不大于 {ctx.get('le', ctx.get('lt'))}"
    return _REASONS.get(kind, f"格式不正确（{err.get('msg', '')}）")


def validation_error(exc: RequestValidationError) -> InputError:
    """One message naming each bad field, the value received and why it is refused."""
    zh: list[str] = []
    en: list[str] = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        # A JSON syntax error is located by character offset, not by field.
        field = ".".join(loc) if loc and err.get("type") != "json_invalid" else "请求体"
        value = err.get("input")
        shown = ""
        if err.get("type") != "missing" and not isinstance(value, dict | list):
            shown = "“***”" if field in _PERSONAL_FIELDS else f"“{str(value)[:60]}”"
        zh.append(f"{field}{shown}：{_reason_zh(err)}")
        en.append(f"{field if field != '请求体' else 'body'}: {err.get('msg', '')}")
    return InputError("; ".join(en), "；".join(zh))


class _OneShapeRoute(APIRoute):
    """Turns FastAPI's request validation errors into the app's one error shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                raise error(422, validation_error(exc)) from exc

        return route


router = APIRouter(tags=["名单认定"], route_class=_OneShapeRoute)


# -- catalogue ----------------------------------------------------------------------------


@router.get("/api/v1/list-types")
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


def _conflict(exc: InvalidTransition | casework.DuplicateCase) -> HTTPException:
    return error(409, exc)


def _visible_case(conn: Connection, case_id: int, who: Principal) -> Case:
    case = casework.get_list_case(conn, case_id)
    if who.role == "department" and case.department_code != who.department_code:
        raise error(
            403,
            PermissionDenied(
                f"case {case_id} belongs to {case.department_code}",
                f"办件 {case_id} 不属于本部门，只能查看和办理本部门的办件",
            ),
        )
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


@router.post("/api/v1/list-cases", status_code=201)
def propose(body: Proposal, platform: PlatformDep, who: PrincipalDep) -> dict[str, Any]:
    """部门提出拟列入（立案）。主体须已在平台登记（已报送其相关信用记录）；自然人只显示脱敏信息。"""
    require_role(who, "department")
    assert who.department_code is not None  # noqa: S101 - department clients always have one
    try:
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
    except casework.DuplicateCase as exc:
        raise _conflict(exc) from exc


Purpose = Annotated[str | None, Query(description="查询用途（必填，记入审计日志）")]


@router.get("/api/v1/list-cases/{case_id}")
def get_case(
    case_id: int, platform: PlatformDep, who: PrincipalDep, purpose: Purpose = None
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
        default=None, description="调用方看到的办件版本；办件已被更新时拒绝（409）", ge=1
    )
    decision_date: dt.date | None = Field(
        default=None,
        description="该步决定书载明的日期（如列入决定的作出日期，名单期限自此起算），默认当天；"
        "不得晚于今天或早于办件进入当前环节的日期",
    )


@router.post("/api/v1/list-cases/{case_id}/transitions")
def take_step(case_id: int, body: Step, platform: PlatformDep, who: PrincipalDep) -> dict[str, Any]:
    """执行一步办理。部门办理本部门办件（当事人的陈述申辩由部门代为录入）；信用办可公示。"""
    require_role(who, "department", "office")
    wf = LIST_DETERMINATION
    t = wf.transitions.get(body.name)
    if t is None:
        options = "、".join(f"{n}（{x.label}）" for n, x in wf.transitions.items())
        raise error(
            422,
            InputError(
                f"name {body.name!r} is not a step of {wf.code}",
                f"name“{body.name}”不是名单认定的操作，可选：{options}",
            ),
        )
    if who.role not in t.roles:
        allowed = "、".join(ROLE_NAMES.get(r, r) for r in sorted(t.roles))
        raise error(
            403,
            PermissionDenied(
                f"role {who.role} may not {body.name}",
                f"当前角色无权执行“{t.label}”，该操作由{allowed}执行",
            ),
        )
    try:
        with platform.engine.begin() as conn:
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
            )
            return _view(platform, conn, case_id, who)
    except InvalidTransition as exc:
        raise _conflict(exc) from exc


@router.get("/api/v1/list-cases")
def inbox(
    platform: PlatformDep,
    who: PrincipalDep,
    state: Annotated[
        str | None, Query(description="只看该状态（默认：全部未办结的办件）", max_length=32)
    ] = None,
    overdue: Annotated[bool, Query(description="只看已超过办理期限的")] = False,
    list_type: Annotated[str | None, Query(description="名单类型代码", max_length=48)] = None,
    department: Annotated[
        str | None, Query(description="部门代码（信用办、审计可用）", max_length=64)
    ] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=casework.MAX_PAGE_SIZE)] = 50,
    purpose: Purpose = None,
) -> dict[str, Any]:
    """待办：按办理期限先后排序，每件标明期限与是否超期。部门只看本部门，信用办和审计看全部。
    须说明查询用途。"""
    stated = access.require_purpose(purpose)
    if who.role == "department":
        if department is not None and department != who.department_code:
            raise error(
                403,
                PermissionDenied(
                    f"client of {who.department_code} cannot list {department}'s cases",
                    f"本密钥属于部门“{who.department_code}”，不能查看“{department}”的办件",
                ),
            )
        department = who.department_code
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


@router.post("/api/v1/case-notices/{notice_id}/read")
def read_notice(notice_id: int, platform: PlatformDep, who: PrincipalDep) -> dict[str, Any]:
    """将一条办件提醒（如国务院放假安排公布后期限变更）标为已读。部门只能处理本部门的提醒。"""
    require_role(who, "department", "office")
    try:
        with platform.engine.begin() as conn:
            view = recalc.mark_read(
                conn,
                notice_id,
                by=who.actor,
                department_code=who.department_code if who.role == "department" else None,
                now=platform.clock.now(),
            )
            access.audit(
                conn, who.actor, "read_notice", f"notice:{notice_id}", platform.clock.now()
            )
    except NotFound as exc:
        raise error(404, exc) from exc
    except PermissionDenied as exc:
        raise error(403, exc) from exc
    return view
