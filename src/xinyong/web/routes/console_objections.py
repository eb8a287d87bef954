"""Console pages for objections (异议): the inbox of the providing department (the office sees
every department's) with due dates and overdue flags, and an objection with its statement,
its regime's deadlines, its history and a form for each step the user may take now.

The pages call what ``web/routes/objections.py`` calls, with the session's principal: a
department officer works their own department's objections (谁认定、谁核查); the office
pushes them to the department; an auditor reads. Reads are audited with the console's
stated purpose. A step posts the case's version: a form left open while someone else moved
the objection is refused (409) and the page shows it as it is now.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.access import service as access
from xinyong.access.accounts import ConsoleSession
from xinyong.access.service import Principal
from xinyong.bootstrap import Platform
from xinyong.cases.rules import OBJECTION
from xinyong.identity.redact import redact_identifiers
from xinyong.kernel.clock import beijing_time
from xinyong.kernel.errors import NotFound, PermissionDenied, XinyongError
from xinyong.objections import service as objections
from xinyong.objections.rules import OUTCOMES
from xinyong.portal.rules import Page
from xinyong.web import objection_calls as calls
from xinyong.web.deps import PlatformDep, department_scope, require_own
from xinyong.web.routes.console import (
    PAGE,
    CsrfToken,
    _context,
    _no_store,
    _render,
    require_csrf,
)

# The roles of the list-case pages are the objection pages' too (read: department, office,
# auditor; steps: department, office), refused before a form is read.
from xinyong.web.routes.console_cases import Reader, Worker, _page_status
from xinyong.web.routes.lists import ROLE_NAMES
from xinyong.web.schemas.common import MAX_ID

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
READ_PURPOSE = "控制台办理异议"
INBOX_PURPOSE = "控制台查看异议待办"
# Rows of field corrections a decision form offers.
CORRECTION_ROWS = 3

ObjectionId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="异议编号")]
Reason = Annotated[str, Form(max_length=2000)]


def _visible(conn: Any, objection_id: int, who: Principal) -> dict[str, Any]:
    row = objections.get_row(conn, objection_id)  # 404 first: unknown is unknown to all
    try:
        require_own(who, row["department_code"], "异议")
    except PermissionDenied as exc:  # the API's words speak of a key; a person has an account
        raise PermissionDenied(
            exc.message_en,
            f"您的账号属于部门“{who.department_code}”，只能查看和办理本部门提供的信用记录的异议，"
            f"异议 {objection_id} 不属于本部门",
        ) from None
    return row


# -- inbox --------------------------------------------------------------------------------


@router.api_route("/console/objections", methods=PAGE, response_class=HTMLResponse)
def inbox(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    state: Annotated[str, Query(max_length=32)] = "",
    overdue: Annotated[bool, Query()] = False,
    all_: Annotated[bool, Query(alias="all")] = False,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    """Objections by deadline (open ones first); a department officer sees their own
    department's, others every department's."""
    who = session.principal
    department = department_scope(who, None, "异议")
    with platform.engine.begin() as conn:
        box = calls.find(
            conn,
            platform,
            department_code=department,
            state=state or None,
            open_only=not all_ and not state,
            overdue_only=overdue,
            page=page,
            page_size=PAGE_SIZE,
        )
        access.audit(
            conn,
            who.actor,
            "list_objections",
            f"department:{department or '*'}",
            platform.clock.now(),
            INBOX_PURPOSE,
            detail={"state": state, "overdue": overdue, "page": page},
        )
    filters = {k: v for k, v in (("state", state),) if v}
    if overdue:
        filters["overdue"] = "true"
    if all_:
        filters["all"] = "true"
    pager = Page(page, PAGE_SIZE, box["total"]).as_dict()
    context = _context(
        platform,
        session,
        request=request,
        box=box,
        pager=pager,
        query=urlencode(filters),
        filters={"state": state, "overdue": overdue, "all": all_},
        states=[(code, st.label) for code, st in OBJECTION.states.items()],
    )
    return _render(request, "objections.html", context)


# -- one objection ------------------------------------------------------------------------


def _fields(platform: Platform, item_code: str) -> list[tuple[str, str]]:
    try:
        return [(f.code, f.name) for f in platform.catalogue.item(item_code).fields]
    except NotFound:  # a list entry's own record: the code is typed
        return []


def _page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    objection_id: int,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    who = session.principal
    role = who.role if who.role in ("department", "office") else None
    with platform.engine.begin() as conn:
        _visible(conn, objection_id, who)
        view = calls.view(conn, platform, objection_id, role=role or "none")
        access.audit(
            conn,
            who.actor,
            "read_objection",
            f"objection:{objection_id}",
            platform.clock.now(),
            READ_PURPOSE,
        )
    for e in view["history"]:
        e["at_text"] = beijing_time(dt.datetime.fromisoformat(e["at"]))
        e["role_label"] = ROLE_NAMES.get(e["role"], e["role"])
    extensible = view["regime"].get("extension") == "notice"
    steps = [s for s in view["steps"] if s["name"] != "notify_extension" or extensible]
    context = _context(
        platform,
        session,
        request=request,
        o=view,
        steps=steps,
        extensible=extensible,
        filed_text=beijing_time(dt.datetime.fromisoformat(view["filed_at"])),
        closed_text=beijing_time(dt.datetime.fromisoformat(view["closed_at"]))
        if view["closed_at"]
        else None,
        outcomes=OUTCOMES,
        fields=_fields(platform, view["target"]["item"]),
        correction_rows=range(CORRECTION_ROWS),
        today=platform.clock.today().isoformat(),
        **extra,
    )
    return _render(request, "objection.html", context, status)


@router.api_route("/console/objections/{objection_id}", methods=PAGE, response_class=HTMLResponse)
def objection_page(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    objection_id: ObjectionId,
    done: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """An objection: the record it is about, statement, regime and deadline, history, and
    one form per step the user's role may take now."""
    t = OBJECTION.transitions.get(done)
    message = f"已办理：{t.label}" if t is not None else None
    return _page(request, platform, session, objection_id, message=message)


@router.post("/console/objections/{objection_id}/steps", response_class=HTMLResponse)
def take_step(
    request: Request,
    platform: PlatformDep,
    session: Worker,
    objection_id: ObjectionId,
    csrf: CsrfToken,
    name: Annotated[str, Form(max_length=32)],
    version: Annotated[int, Form(ge=1, le=MAX_ID)],
    reason: Reason = "",
    outcome: Annotated[str | None, Form(max_length=16)] = None,
    extended_until: Annotated[dt.date | None, Form()] = None,
    correct_field: Annotated[list[str] | None, Form(max_length=CORRECTION_ROWS)] = None,
    correct_value: Annotated[list[str] | None, Form(max_length=CORRECTION_ROWS)] = None,
) -> Response:
    """One step, as POST /api/v1/objections/{objection_id}/steps; a refusal shows the page
    again with the reason, nothing changed."""
    who = session.principal
    require_csrf(platform, request, csrf)
    with platform.engine.connect() as conn:
        _visible(conn, objection_id, who)  # 403/404 before anything is written
    pairs = zip(correct_field or [], correct_value or [], strict=False)
    corrections = {f.strip(): v for f, v in pairs if f.strip() and len(f) <= 64}
    try:
        with platform.transaction() as conn:
            calls.step(
                conn,
                platform,
                objection_id,
                name,
                actor=who.actor,
                role=who.role,
                department_code=who.department_code,
                reason=reason,
                outcome=outcome or None,
                corrections=corrections or None,
                extended_until=extended_until,
                expected_version=version,
            )
    except XinyongError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        return _page(
            request,
            platform,
            session,
            objection_id,
            status=_page_status(exc),
            error=redact_identifiers(exc.message_zh),
            failed_step=name,
        )
    target = f"/console/objections/{objection_id}?{urlencode({'done': name})}"
    return _no_store(RedirectResponse(target, status_code=303))
