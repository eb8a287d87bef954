"""Console pages for credit commitments (信用承诺): the accepting department's inbox (the office
and auditors see every department's) with the due date, its provisional mark and an overdue
flag; a commitment with its full history and a form for each step still open (容缺 materials,
the verification result, a breach, a repair; the reasons the law asks for required) and the
list proposal a breach or a false commitment offers; the office's monthly 复核 draw; and the
catalogue's types, items open to 告知承诺 and templates with their legal basis.

The pages call what ``web/routes/commitments.py`` calls with the session's principal.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import StringConstraints

from xinyong.access import service as access
from xinyong.access.accounts import ConsoleSession
from xinyong.bootstrap import Platform
from xinyong.commitments import rules
from xinyong.commitments import service as commitments
from xinyong.lists import casework
from xinyong.web.deps import PlatformDep, department_scope, require_own
from xinyong.web.routes.console import PAGE, CsrfToken, _context, _no_store, _render, require_csrf
from xinyong.web.routes.console_cases import _needs
from xinyong.web.routes.console_steps import acted, pager, sample_routes, with_times
from xinyong.web.schemas.common import MAX_ID

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
WHAT = "信用承诺"
INBOX_PURPOSE = "控制台查看信用承诺待办"
READ_PURPOSE = "控制台办理信用承诺"
CommitmentId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="承诺编号")]
Material = Annotated[str, StringConstraints(max_length=200)]
# Why a step needs its note (the service refuses it without one).
NOTE_HINTS = {
    "deliver": "说明（可选）",
    "verify": "核查情况说明（可选）",
    "breach": "未履约的事实和依据（必填）",
    "repair": "信用修复的事实和依据（必填）",
}

Reader = Annotated[ConsoleSession, _needs("department", "office", "auditor")]
Worker = Annotated[ConsoleSession, _needs("department", "office")]
Proposer = Annotated[ConsoleSession, _needs("department")]  # as POST .../list-proposal


@router.api_route("/console/commitments", methods=PAGE, response_class=HTMLResponse)
def inbox(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    status: Annotated[str, Query(max_length=16)] = "signed",
    type: Annotated[str, Query(max_length=2)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    """Commitments the department accepted (the office and auditors: all), newest first."""
    who = session.principal
    department = department_scope(who, None, WHAT)
    deps = platform.commitment_deps()
    status = status if status in rules.STATUS_LABELS else ""
    type_ = type if type in {t.code for t in deps.commitments.types} else ""
    with platform.engine.begin() as conn:
        box = commitments.find(
            conn,
            deps,
            department_code=department,
            status=status or None,
            type_=type_ or None,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
            today=platform.clock.today(),
        )
        access.audit(
            conn,
            who.actor,
            "read_commitments",
            f"department:{department or '*'}",
            platform.clock.now(),
            INBOX_PURPOSE,
        )
    filters = {"status": status, "type": type_}
    context = _context(
        platform,
        session,
        request=request,
        box=box,
        pager=pager(box["total"], page, PAGE_SIZE),
        query=urlencode(filters),
        filters=filters,
        statuses=list(rules.STATUS_LABELS.items()),
        types=[(t.code, t.name) for t in deps.commitments.types],
    )
    return _render(request, "commitments.html", context)


def _commitment_page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    cid: int,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    who = session.principal
    today = platform.clock.today()
    with platform.engine.begin() as conn:
        view = commitments.view(conn, platform.commitment_deps(), cid, today=today)
        require_own(who, str(view["department"]), WHAT)
        access.audit(
            conn,
            who.actor,
            "read_commitment",
            f"commitment:{cid}",
            platform.clock.now(),
            READ_PURPOSE,
        )
        dept = (
            access.require_department(conn, str(who.department_code))
            if who.role == "department"
            else None
        )
    with_times(view["steps"])
    works = who.role in ("department", "office")
    steps = view["open_steps"] if works else []
    for s in steps:
        s["hint"] = NOTE_HINTS[s["step"]]
        s["needs_note"] = s["step"] in ("breach", "repair")
    list_types = (
        [
            lt
            for lt in casework.list_types_in_force(platform.sanctions, today)
            if lt.sector == dept["sector"]
        ]
        if dept is not None and view["list_proposal_offered"]
        else []
    )
    context = _context(
        platform,
        session,
        request=request,
        c=view,
        steps=steps,
        missing=rules.missing(view["materials"], view["delivered"]),
        list_types=list_types,
        **extra,
    )
    return _render(request, "commitment.html", context, status)


def _acted(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    cid: int,
    act: Callable[[], object],
    done: str,
) -> Response:
    """Run one write on the commitment's page (``console_steps.acted``)."""
    return acted(
        act,
        again=partial(_commitment_page, request, platform, session, cid),
        done_url=f"/console/commitments/{cid}?done={done}",
    )


DONE = {**rules.STEP_LABELS, "proposal": "提出拟列入"}


@router.api_route("/console/commitments/{commitment_id}", methods=PAGE, response_class=HTMLResponse)
def commitment_page(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    commitment_id: CommitmentId,
    done: Annotated[str, Query(max_length=32)] = "",
    case: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Response:
    """A commitment: its facts, due date, history, the step forms."""
    message = f"已办理：{DONE[done]}" if done in DONE else None
    return _commitment_page(
        request, platform, session, commitment_id, message=message, proposed_case=case or None
    )


@router.post("/console/commitments/{commitment_id}/steps", response_class=HTMLResponse)
def take_step(
    request: Request,
    platform: PlatformDep,
    session: Worker,
    commitment_id: CommitmentId,
    csrf: CsrfToken,
    name: Annotated[str, Form(max_length=16)],
    note: Annotated[str, Form(max_length=2000)] = "",
    result: Annotated[str, Form(max_length=8)] = "",
    materials: Annotated[list[Material] | None, Form(max_length=50)] = None,
) -> Response:
    """One step, as POST /api/v1/commitments/{commitment_id}/steps."""
    who = session.principal
    require_csrf(platform, request, csrf)

    def act() -> None:
        with platform.transaction() as conn:
            commitments.step(
                conn,
                platform.commitment_deps(),
                commitment_id,
                name,
                actor=who.actor,
                now=platform.clock.now(),
                department_code=who.department_code if who.role == "department" else None,
                materials=materials or [],
                result={"true": True, "false": False}.get(result),
                note=note,
            )

    return _acted(request, platform, session, commitment_id, act, name)


@router.post("/console/commitments/{commitment_id}/list-proposal", response_class=HTMLResponse)
def list_proposal(
    request: Request,
    platform: PlatformDep,
    session: Proposer,
    commitment_id: CommitmentId,
    csrf: CsrfToken,
    list_type: Annotated[str, Form(max_length=48)],
) -> Response:
    """A list proposal (拟列入) on a breach, as POST .../list-proposal; the case opens in the
    list workflow, where the department goes on."""
    who = session.principal
    require_csrf(platform, request, csrf)
    opened: dict[str, Any] = {}

    def act() -> None:
        with platform.transaction() as conn:
            opened.update(
                commitments.propose_listing(
                    conn,
                    platform.commitment_deps(),
                    commitment_id,
                    list_type=list_type,
                    department_code=str(who.department_code),
                    actor=who.actor,
                    now=platform.clock.now(),
                )
            )

    response = _acted(request, platform, session, commitment_id, act, "proposal")
    if opened:
        return _no_store(
            RedirectResponse(
                f"/console/commitments/{commitment_id}?done=proposal&case={opened['list_case']}",
                status_code=303,
            )
        )
    return response


def _samples_page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    *,
    status: int = 200,
    error: str | None = None,
) -> Response:
    with platform.engine.connect() as conn:
        drawn = commitments.samples(conn)
    policy = platform.commitment_deps().commitments.recheck
    context = _context(
        platform,
        session,
        request=request,
        samples=drawn,
        policy=policy,
        month=platform.clock.today().strftime("%Y-%m"),
        may_draw=session.principal.role == "office",
        error=error,
    )
    return _render(request, "commitment_samples.html", context, status)


sample_routes(
    router,
    "/console/commitment-samples",
    page=_samples_page,
    draw=lambda platform, conn, month, actor: commitments.draw_sample(
        conn, platform.commitment_deps(), month, actor=actor, now=platform.clock.now()
    ),
    audit_action="draw_commitment_sample",
    readers=_needs("office", "auditor"),
    drawers=_needs("office"),
    what="复核",
)


@router.api_route("/console/commitment-templates", methods=PAGE, response_class=HTMLResponse)
def templates_page(request: Request, platform: PlatformDep, session: Reader) -> Response:
    """The four types, the items open to 告知承诺 (and the exclusions) and the templates in
    force, each with its legal basis and effective dates (GET /api/v1/commitments/catalogue)."""
    view = commitments.templates_view(platform.commitment_deps(), platform.clock.today())
    sectors = platform.catalogue.sectors
    for entry in (*view["items"], *view["templates"]):
        code = entry["sector"]
        entry["sector_label"] = sectors[code].name if code in sectors else code
    context = _context(platform, session, request=request, cat=view)
    return _render(request, "commitment_templates.html", context)
