"""Console pages for credit repair (信用修复): the deciding department's inbox with overdue
flags, a case with its commitment, materials and history and a form for each step (reasons
required where the law asks for them), and the credit office's monthly re-check draw.

The pages call what ``web/routes/repair.py`` calls with the session's principal: a department
officer works its own department's cases; the office sees every case, may void a repair for
fraud and draws the re-check sample; an auditor reads.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import datetime as dt
import re
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response

from xinyong.access import service as access
from xinyong.access.accounts import ConsoleSession
from xinyong.bootstrap import Platform
from xinyong.cases.rules import CREDIT_REPAIR
from xinyong.kernel.clock import beijing_time
from xinyong.repair import service as repair
from xinyong.web.deps import PlatformDep, department_scope, require_own
from xinyong.web.routes.console import PAGE, CsrfToken, _context, _render, require_csrf
from xinyong.web.routes.console_cases import _needs
from xinyong.web.routes.console_steps import acted, done_message, pager, sample_routes, with_times
from xinyong.web.routes.repair import read_uploads
from xinyong.web.schemas.common import MAX_ID

router = APIRouter(include_in_schema=False)
UPLOAD_PATHS = re.compile(r"^/console/repairs/\d{1,19}/steps$")
PAGE_SIZE = 50
INBOX_PURPOSE = "控制台查看信用修复待办"
READ_PURPOSE = "控制台办理信用修复办件"
CaseId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="办件编号")]

Reader = Annotated[ConsoleSession, _needs("department", "office", "auditor")]
Worker = Annotated[ConsoleSession, _needs("department", "office")]


@router.api_route("/console/repairs", methods=PAGE, response_class=HTMLResponse)
def inbox(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    state: Annotated[str, Query(max_length=32)] = "",
    overdue: Annotated[bool, Query()] = False,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    """Repair cases by deadline; a department officer sees its own department's."""
    who = session.principal
    department = department_scope(who, None, "信用修复办件")
    today = platform.clock.today()
    with platform.engine.begin() as conn:
        box = repair.find(
            conn,
            platform.repair_deps(),
            today=today,
            department_code=department,
            state=state or None,
            overdue_only=overdue,
            page=page,
            page_size=PAGE_SIZE,
        )
        access.audit(
            conn,
            who.actor,
            "read_repairs",
            f"department:{department or '*'}",
            platform.clock.now(),
            INBOX_PURPOSE,
        )
    filters = {k: v for k, v in (("state", state),) if v}
    if overdue:
        filters["overdue"] = "true"
    context = _context(
        platform,
        session,
        request=request,
        box=box,
        pager=pager(box["total"], page, PAGE_SIZE),
        query=urlencode(filters),
        filters={"state": state, "overdue": overdue},
        states=[(c, s.label) for c, s in CREDIT_REPAIR.states.items()],
    )
    return _render(request, "repairs.html", context)


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
        case = repair.get_repair(conn, case_id)
        require_own(who, case.department_code, "信用修复办件")
        view = repair.case_view(
            conn, platform.repair_deps(), case_id, today=platform.clock.today(), role=role
        )
        access.audit(
            conn, who.actor, "read_repair", f"case:{case_id}", platform.clock.now(), READ_PURPOSE
        )
    with_times(view["history"])
    by_step: dict[int, list[dict[str, Any]]] = {}
    for a in view["attachments"]:
        by_step.setdefault(int(a["step"]), []).append(a)
    for e in view["history"]:
        e["files"] = by_step.get(int(e["seq"]), [])
    for t in view["transitions"]:
        t["needs_note"] = t["name"] in repair.NOTE_REQUIRED
        t["hint"] = repair.NOTE_REQUIRED.get(t["name"], "办理说明（可选）")
    context = _context(
        platform,
        session,
        request=request,
        case=view,
        opened_text=beijing_time(dt.datetime.fromisoformat(view["opened_at"])),
        **extra,
    )
    return _render(request, "repair.html", context, status)


@router.api_route("/console/repairs/{case_id}", methods=PAGE, response_class=HTMLResponse)
def case_page(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    case_id: CaseId,
    done: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """A case: record, regime, commitment, deadline, history with materials, step forms."""
    message = done_message(CREDIT_REPAIR.transitions, done)
    return _case_page(request, platform, session, case_id, message=message)


@router.post("/console/repairs/{case_id}/steps", response_class=HTMLResponse)
def take_step(
    request: Request,
    platform: PlatformDep,
    session: Worker,
    case_id: CaseId,
    csrf: CsrfToken,
    name: Annotated[str, Form(max_length=32)],
    version: Annotated[int, Form(ge=1, le=MAX_ID)],
    note: Annotated[str, Form(max_length=2000)] = "",
    files: Annotated[list[UploadFile] | None, File(alias="attachments")] = None,
) -> Response:
    """One step, as POST /api/v1/repairs/{repair_id}/steps."""
    who = session.principal
    require_csrf(platform, request, csrf)
    uploads = read_uploads(files, platform.settings.attachment_max_bytes)

    def act() -> None:
        with platform.transaction() as conn:
            case = repair.get_repair(conn, case_id)
            require_own(who, case.department_code, "信用修复办件")
            repair.step(
                conn,
                platform.repair_deps(),
                case_id,
                name,
                actor=who.actor,
                role=who.role,
                now=platform.clock.now(),
                department_code=who.department_code,
                subject_key=case.subject_key,
                note=note,
                materials=uploads,
                expected_version=version,
            )

    return acted(
        act,
        again=partial(_case_page, request, platform, session, case_id),
        done_url=f"/console/repairs/{case_id}?done={name}",
    )


def _samples_page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    *,
    status: int = 200,
    error: str | None = None,
) -> Response:
    with platform.engine.connect() as conn:
        drawn = repair.samples(conn)
    policy = platform.repair_regimes().recheck
    context = _context(
        platform,
        session,
        request=request,
        samples=drawn,
        ratio=policy.ratio,
        basis=policy.legal_basis,
        may_draw=session.principal.role == "office",
        error=error,
    )
    return _render(request, "repair_samples.html", context, status)


sample_routes(
    router,
    "/console/repair-samples",
    page=_samples_page,
    draw=lambda platform, conn, month, actor: repair.draw_sample(
        conn, platform.repair_deps(), month, actor=actor, now=platform.clock.now()
    ),
    audit_action="draw_repair_sample",
    readers=_needs("office", "auditor"),
    drawers=_needs("office"),
    what="re-check (复查)",
)
