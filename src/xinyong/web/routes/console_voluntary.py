"""Console pages for voluntary registration (自愿注册): the verification inbox (a department
officer sees what its department verifies; the office and auditors see all), a registration
with its fields, commitment, files and history and a form per step (a rejection needs its
reason), and the share of voluntary records against the target.

The pages call what ``web/routes/voluntary.py`` calls with the session's principal.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import datetime as dt
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response

from xinyong.access import service as access
from xinyong.access.accounts import ConsoleSession
from xinyong.bootstrap import Platform
from xinyong.cases.rules import VOLUNTARY_REGISTRATION
from xinyong.identity.divisions import default_divisions
from xinyong.kernel.clock import beijing_time
from xinyong.voluntary import service as voluntary
from xinyong.web.deps import PlatformDep, department_scope, require_own
from xinyong.web.routes.console import PAGE, CsrfToken, _context, _render, require_csrf
from xinyong.web.routes.console_cases import _needs
from xinyong.web.routes.console_steps import acted, done_message, pager, with_times
from xinyong.web.schemas.common import MAX_ID

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
WHAT = "自愿注册信息"
CaseId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="自愿注册编号")]

Reader = Annotated[ConsoleSession, _needs("department", "office", "auditor")]
Worker = Annotated[ConsoleSession, _needs("department", "office")]


@router.api_route("/console/voluntary", methods=PAGE, response_class=HTMLResponse)
def inbox(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    state: Annotated[str, Query(max_length=32)] = "submitted",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    """Registrations to verify (or in ``state``), soonest deadline first."""
    who = session.principal
    department = department_scope(who, None, WHAT)
    today = platform.clock.today()
    with platform.engine.begin() as conn:
        box = voluntary.find(
            conn,
            today=today,
            department_code=department,
            state=state or None,
            page=page,
            page_size=PAGE_SIZE,
        )
        access.audit(
            conn,
            who.actor,
            "read_voluntary",
            f"department:{department or '*'}",
            platform.clock.now(),
            "控制台查看自愿注册核验待办",
        )
    context = _context(
        platform,
        session,
        request=request,
        box=box,
        pager=pager(box["total"], page, PAGE_SIZE),
        query=urlencode({"state": state}),
        filters={"state": state},
        states=[(c, s.label) for c, s in VOLUNTARY_REGISTRATION.states.items()],
    )
    return _render(request, "voluntary.html", context)


def _case_page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    case_id: int,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    who = session.principal
    role = who.role if who.role in ("department", "office") else None
    with platform.engine.begin() as conn:
        case = voluntary.get_registration(conn, case_id)
        require_own(who, case.department_code, WHAT)
        view = voluntary.case_view(
            conn, platform.voluntary_deps(), case_id, today=platform.clock.today(), role=role
        )
        access.audit(
            conn,
            who.actor,
            "read_voluntary",
            f"case:{case_id}",
            platform.clock.now(),
            "控制台核验自愿注册信息",
        )
    with_times(view["history"])
    context = _context(
        platform,
        session,
        request=request,
        case=view,
        opened_text=beijing_time(dt.datetime.fromisoformat(view["opened_at"])),
        **extra,
    )
    return _render(request, "voluntary_case.html", context, status)


@router.api_route("/console/voluntary/{case_id}", methods=PAGE, response_class=HTMLResponse)
def case_page(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    case_id: CaseId,
    done: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """A registration: fields, commitment, deadline, history, the step forms."""
    message = done_message(VOLUNTARY_REGISTRATION.transitions, done)
    return _case_page(request, platform, session, case_id, message=message)


@router.post("/console/voluntary/{case_id}/steps", response_class=HTMLResponse)
def take_step(
    request: Request,
    platform: PlatformDep,
    session: Worker,
    case_id: CaseId,
    csrf: CsrfToken,
    name: Annotated[str, Form(max_length=32)],
    version: Annotated[int, Form(ge=1, le=MAX_ID)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """One step, as POST /api/v1/voluntary-registrations/{registration_id}/steps."""
    who = session.principal
    require_csrf(platform, request, csrf)

    def act() -> None:
        with platform.transaction() as conn:
            case = voluntary.get_registration(conn, case_id)
            require_own(who, case.department_code, WHAT, action="核验")
            voluntary.step(
                conn,
                platform.voluntary_deps(),
                case_id,
                name,
                actor=who.actor,
                role=who.role,
                now=platform.clock.now(),
                department_code=who.department_code,
                note=note,
                expected_version=version,
            )

    return acted(
        act,
        again=partial(_case_page, request, platform, session, case_id),
        done_url=f"/console/voluntary/{case_id}?done={name}",
    )


@router.api_route("/console/voluntary-share", methods=PAGE, response_class=HTMLResponse)
def share_page(request: Request, platform: PlatformDep, session: Reader) -> Response:
    """The share of voluntary records per department and region against the target."""
    department = department_scope(session.principal, None, "统计")
    with platform.engine.connect() as conn:
        report = voluntary.share_report(
            conn, platform.voluntary_deps(), department=department, divisions=default_divisions()
        )
    context = _context(platform, session, request=request, report=report)
    return _render(request, "voluntary_share.html", context)
