"""Console pages for rectification (限期整改) and interviews (约谈): the department's inbox with
overdue flags, a case with its interviews and history, the form to schedule an interview, the
form to record one held (attendees by role and name, minutes, agreed actions) and the forms
closing the case. They call what ``web/routes/rectifications.py`` calls with the session's
principal: only the department that made the finding acts; the office and auditors read.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response

from xinyong.access import service as access
from xinyong.access.accounts import ConsoleSession
from xinyong.bootstrap import Platform
from xinyong.cases.rules import RECTIFICATION
from xinyong.kernel.errors import InputError
from xinyong.rectifications import service as rect
from xinyong.web.deps import PlatformDep, department_scope, require_own
from xinyong.web.routes.console import PAGE, CsrfToken, _context, _render, require_csrf
from xinyong.web.routes.console_cases import _needs
from xinyong.web.routes.console_steps import acted, done_message, with_times
from xinyong.web.schemas.common import MAX_ID

router = APIRouter(include_in_schema=False)
INBOX_PURPOSE = "控制台查看限期整改待办"
READ_PURPOSE = "控制台办理限期整改办件"
ROWS = 3  # attendee and action rows the record form offers
CaseId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="办件编号")]

Reader = Annotated[ConsoleSession, _needs("department", "office", "auditor")]
Worker = Annotated[ConsoleSession, _needs("department")]
Text50 = Annotated[list[str], Form(max_length=ROWS)]


@router.api_route("/console/rectifications", methods=PAGE, response_class=HTMLResponse)
def inbox(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    state: Annotated[str, Query(max_length=32)] = "",
    overdue: Annotated[bool, Query()] = False,
) -> Response:
    """Open rectification cases by deadline; a department officer sees its own department's."""
    who = session.principal
    department = department_scope(who, None, "限期整改办件")
    with platform.engine.begin() as conn:
        box = rect.find(
            conn,
            platform.rectification_deps(),
            today=platform.clock.today(),
            department_code=department,
            state=state or None,
            overdue_only=overdue,
            page_size=rect.MAX_PAGE_SIZE,
        )
        access.audit(
            conn,
            who.actor,
            "read_rectifications",
            f"department:{department or '*'}",
            platform.clock.now(),
            INBOX_PURPOSE,
        )
    context = _context(
        platform,
        session,
        request=request,
        box=box,
        filters={"state": state, "overdue": overdue},
        states=[(c, s.label) for c, s in RECTIFICATION.states.items()],
    )
    return _render(request, "rectifications.html", context)


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
    role = "department" if who.role == "department" else None
    deps = platform.rectification_deps()
    with platform.engine.begin() as conn:
        case = rect.get_rectification(conn, case_id)
        require_own(who, case.department_code, "限期整改办件")
        view = rect.case_view(conn, deps, case_id, today=platform.clock.today(), role=role)
        access.audit(
            conn,
            who.actor,
            "read_rectification",
            f"case:{case_id}",
            platform.clock.now(),
            READ_PURPOSE,
        )
    with_times(view["history"])
    names = {t["name"] for t in view["transitions"]}
    pending = next((i for i in view["interviews"] if not i["held"]), None)
    context = _context(
        platform,
        session,
        request=request,
        case=view,
        kinds=deps.rules.rules.interview_kinds,
        may_schedule="schedule" in names,
        may_hold="hold" in names and pending is not None,
        pending=pending,
        closing=[t for t in view["transitions"] if t["name"] in ("rectified", "failed")],
        rows=range(1, ROWS + 1),
        today=platform.clock.today().isoformat(),
        **extra,
    )
    return _render(request, "rectification.html", context, status)


@router.api_route("/console/rectifications/{case_id}", methods=PAGE, response_class=HTMLResponse)
def case_page(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    case_id: CaseId,
    done: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """A case: finding, obligation, deadline, interviews, history and the forms."""
    message = done_message(RECTIFICATION.transitions, done)
    return _case_page(request, platform, session, case_id, message=message)


def _acted(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    case_id: int,
    act: Callable[[], object],
    done: str,
) -> Response:
    return acted(
        act,
        again=partial(_case_page, request, platform, session, case_id),
        done_url=f"/console/rectifications/{case_id}?done={done}",
    )


def _date(field: str, label: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{field} {text!r} is not a date", f"{field}（{label}）应为日期 YYYY-MM-DD"
        ) from None


@router.post("/console/rectifications/{case_id}/interviews", response_class=HTMLResponse)
def schedule(
    request: Request,
    platform: PlatformDep,
    session: Worker,
    case_id: CaseId,
    csrf: CsrfToken,
    version: Annotated[int, Form(ge=1, le=MAX_ID)],
    kind: Annotated[str, Form(max_length=16)],
    date: Annotated[str, Form(max_length=10)],
    place: Annotated[str, Form(max_length=200)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Schedule an interview, as POST /api/v1/rectifications/{id}/interviews."""
    who = session.principal
    require_csrf(platform, request, csrf)

    def act() -> None:
        with platform.transaction() as conn:
            rect.schedule(
                conn,
                platform.rectification_deps(),
                case_id,
                kind=kind,
                scheduled_on=_date("date", "约谈日期", date),
                place=place,
                actor=who.actor,
                role=who.role,
                department_code=who.department_code,
                now=platform.clock.now(),
                note=note,
                expected_version=version,
            )

    return _acted(request, platform, session, case_id, act, "schedule")


@router.post("/console/rectifications/{case_id}/interviews/record", response_class=HTMLResponse)
def hold(
    request: Request,
    platform: PlatformDep,
    session: Worker,
    case_id: CaseId,
    csrf: CsrfToken,
    version: Annotated[int, Form(ge=1, le=MAX_ID)],
    held_on: Annotated[str, Form(max_length=10)],
    minutes: Annotated[str, Form(max_length=4000)],
    side: Text50,
    role: Text50,
    name: Text50,
    action: Text50,
    due: Text50,
) -> Response:
    """Record the interview held, as POST /api/v1/rectifications/{id}/interviews/{i}/record;
    empty rows of the form are left out."""
    who = session.principal
    require_csrf(platform, request, csrf)
    people = [
        {"side": s, "role": r, "name": n}
        for s, r, n in zip(side, role, name, strict=False)
        if r.strip() or n.strip()
    ]
    agreed = [{"action": a, "due": d} for a, d in zip(action, due, strict=False) if a.strip() or d]

    def act() -> None:
        with platform.transaction() as conn:
            rect.hold(
                conn,
                platform.rectification_deps(),
                case_id,
                held_on=_date("held_on", "约谈日期", held_on),
                attendees=people,
                minutes=minutes,
                actions=agreed,
                actor=who.actor,
                role=who.role,
                department_code=who.department_code,
                now=platform.clock.now(),
                expected_version=version,
            )

    return _acted(request, platform, session, case_id, act, "hold")


@router.post("/console/rectifications/{case_id}/steps", response_class=HTMLResponse)
def close(
    request: Request,
    platform: PlatformDep,
    session: Worker,
    case_id: CaseId,
    csrf: CsrfToken,
    version: Annotated[int, Form(ge=1, le=MAX_ID)],
    name: Annotated[str, Form(max_length=16)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Close the case rectified or failed."""
    who = session.principal
    require_csrf(platform, request, csrf)

    def act() -> None:
        with platform.transaction() as conn:
            rect.close(
                conn,
                platform.rectification_deps(),
                case_id,
                name,
                actor=who.actor,
                role=who.role,
                department_code=who.department_code,
                now=platform.clock.now(),
                note=note,
                expected_version=version,
            )

    return _acted(request, platform, session, case_id, act, name)
