"""Console pages for list cases (名单认定办件): the inbox, proposing a listing, a case with its
history, its attachments and a form for each step the user may take now.

The pages call what the API routes of ``web/routes/lists.py`` call, with the session's
principal, so the rules are the API's: a department officer proposes (for the list types of
their department's sector) and works their own department's cases; the office sees every case
and may publish; an auditor reads. Reads are audited with the console's stated purpose.
A step posts the case's version: a form left open while someone else moved the case is
refused with 409, and the page shows the case as it is now.
"""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

import datetime as dt
import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection

from xinyong.access import service as access
from xinyong.access.accounts import ConsoleSession
from xinyong.access.service import Principal
from xinyong.bootstrap import Platform
from xinyong.cases import attachments
from xinyong.cases.model import Case
from xinyong.cases.rules import LIST_DETERMINATION
from xinyong.identity.redact import redact_identifiers
from xinyong.kernel.clock import beijing_time
from xinyong.kernel.errors import InputError, PermissionDenied, XinyongError
from xinyong.lists import casework
from xinyong.lists import service as lists
from xinyong.web.deps import PlatformDep, department_scope, require_own, require_role
from xinyong.web.routes.console import (
    PAGE,
    ConsoleUser,
    CsrfToken,
    _context,
    _no_store,
    _render,
    require_csrf,
)
from xinyong.web.routes.console_steps import page_status, pager
from xinyong.web.routes.lists import ROLE_NAMES
from xinyong.web.schemas.common import MAX_ID

router = APIRouter(include_in_schema=False)

# The step form carries files: web/security.py gives these paths the attachment limits.
UPLOAD_PATHS = re.compile(r"^/console/cases/\d{1,19}/steps$")
PAGE_SIZE = 50
READ_PURPOSE = "控制台办理名单认定办件"
INBOX_PURPOSE = "控制台查看待办办件"
DOWNLOAD_PURPOSE = "控制台下载办件附件"

CaseId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="办件编号")]
AttachmentId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="附件编号")]
Note = Annotated[str, Form(max_length=2000)]


def _reader(session: ConsoleSession) -> Principal:
    who = session.principal
    require_role(who, "department", "office", "auditor")
    return who


def _needs(*roles: str) -> Any:
    # A dependency, so the role is refused (403) before the form is read and validated.
    async def dependency(session: ConsoleUser) -> ConsoleSession:
        require_role(session.principal, *roles)
        return session

    return Depends(dependency)


Reader = Annotated[ConsoleSession, _needs("department", "office", "auditor")]
Proposer = Annotated[ConsoleSession, _needs("department")]  # as POST /api/v1/list-cases
Worker = Annotated[ConsoleSession, _needs("department", "office")]  # as .../transitions


def _workflow_role(who: Principal) -> str:
    # As the API: only a department and the office take steps; others see none offered.
    return who.role if who.role in ("department", "office") else "none"


def _policy(platform: Platform) -> attachments.AttachmentPolicy:
    return platform.attachment_policy()


_page_status = page_status


# -- inbox --------------------------------------------------------------------------------


def _states() -> list[tuple[str, str]]:
    return [(code, st.label) for code, st in LIST_DETERMINATION.states.items()]


@router.api_route("/console/cases", methods=PAGE, response_class=HTMLResponse)
def inbox(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    state: Annotated[str, Query(max_length=32)] = "",
    list_type: Annotated[str, Query(max_length=48)] = "",
    overdue: Annotated[bool, Query()] = False,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    """Cases by deadline; a department officer sees their department's, others every case."""
    who = _reader(session)
    department = department_scope(who, None, "办件")
    today = platform.clock.today()
    with platform.engine.begin() as conn:
        box = casework.inbox(
            conn,
            platform.sanctions,
            today=today,
            department_code=department,
            state=state or None,
            list_type=list_type or None,
            overdue_only=overdue,
            page=page,
            page_size=PAGE_SIZE,
        )
        access.audit(
            conn,
            who.actor,
            "list_cases",
            f"department:{department or '*'}",
            platform.clock.now(),
            INBOX_PURPOSE,
            detail={"state": state, "overdue": overdue, "list_type": list_type, "page": page},
        )
    filters = {k: v for k, v in (("state", state), ("list_type", list_type)) if v}
    if overdue:
        filters["overdue"] = "true"
    context = _context(
        platform,
        session,
        request=request,
        box=box,
        pager=pager(box["total"], page, PAGE_SIZE),
        query=urlencode(filters),
        filters={"state": state, "list_type": list_type, "overdue": overdue},
        states=_states(),
        list_types=[(lt.code, lt.name) for lt in platform.sanctions.list_types()],
        may_propose=who.role == "department",
    )
    return _render(request, "cases.html", context)


# -- proposing ----------------------------------------------------------------------------


def _new_page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    who = session.principal
    today = platform.clock.today()
    with platform.engine.connect() as conn:
        dept = access.require_department(conn, str(who.department_code))
    choices = [
        lt
        for lt in casework.list_types_in_force(platform.sanctions, today)
        if lt.sector == dept["sector"]
    ]
    context = _context(platform, session, request=request, choices=choices, **extra)
    return _render(request, "cases_new.html", context, status)


@router.api_route("/console/cases/new", methods=PAGE, response_class=HTMLResponse)
def new_case(request: Request, platform: PlatformDep, session: Proposer) -> Response:
    """The proposal form: the list types the officer's department decides."""
    return _new_page(request, platform, session)


@router.post("/console/cases", response_class=HTMLResponse)
def propose(
    request: Request,
    platform: PlatformDep,
    session: Proposer,
    csrf: CsrfToken,
    list_type: Annotated[str, Form(max_length=48)],
    subject: Annotated[str, Form(max_length=40)],
    note: Note,
) -> Response:
    """Propose a listing (立案), as POST /api/v1/list-cases; then the new case's page."""
    who = session.principal
    require_csrf(platform, request, csrf)
    if not note.strip():
        return _new_page(
            request,
            platform,
            session,
            status=400,
            error="note（拟列入的事由和依据）必须填写",
            chosen=list_type,
        )
    assert who.department_code is not None  # noqa: S101 - require_role guarantees it
    try:
        with platform.engine.begin() as conn:
            case = casework.propose_subject(
                conn,
                platform.sanctions,
                platform.calendar,
                platform.vault,
                list_type=list_type,
                subject=subject.strip(),
                department_code=who.department_code,
                actor=who.actor,
                now=platform.clock.now(),
                catalogue_version=platform.catalogue.snapshot.version,
                note=note.strip(),
            )
    except XinyongError as exc:  # bad code (400), not registered (404), already open (409)
        return _new_page(
            request,
            platform,
            session,
            status=_page_status(exc),
            error=redact_identifiers(exc.message_zh),
            chosen=list_type,
            note=note,
        )
    return _no_store(RedirectResponse(f"/console/cases/{case.id}", status_code=303))


# -- one case -----------------------------------------------------------------------------


def _visible_case(conn: Connection, case_id: int, who: Principal) -> Case:
    case = casework.get_list_case(conn, case_id)  # 404 first: unknown is unknown to all
    try:
        require_own(who, case.department_code, "办件")
    except PermissionDenied as exc:  # the API's words speak of a key; a person has an account
        raise PermissionDenied(
            exc.message_en,
            f"您的账号属于部门“{who.department_code}”，只能查看和办理本部门的办件，"
            f"办件 {case.id} 不属于本部门",
        ) from None
    return case


def _case_page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    case_id: int,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    who = _reader(session)
    today = platform.clock.today()
    with platform.engine.begin() as conn:
        _visible_case(conn, case_id, who)
        view = casework.case_view(
            conn, platform.sanctions, case_id, today=today, role=_workflow_role(who)
        )
        files = attachments.of_case(conn, case_id)
        access.audit(
            conn, who.actor, "read_case", f"case:{case_id}", platform.clock.now(), READ_PURPOSE
        )
    by_step: dict[int, list[dict[str, Any]]] = {}
    for f in files:
        f["uploaded_text"] = beijing_time(f["uploaded_at"])
        f["size_text"] = _size_text(int(f["size"]))
        f["type_label"] = attachments.MEDIA_LABELS.get(f["media_type"], f["media_type"])
        by_step.setdefault(int(f["event_seq"]), []).append(f)
    for e in view["history"]:
        e["at_text"] = beijing_time(dt.datetime.fromisoformat(e["at"]))
        e["role_label"] = ROLE_NAMES.get(e["role"], e["role"])
        e["files"] = by_step.get(int(e["seq"]), [])
    lt = _list_type(platform, view)
    for t in view["transitions"]:
        t["takes_decision_date"] = t["name"] in DECISION_STEPS
        t["takes_details"] = t["name"] == lists.DECISION_STEP
        t["takes_term"] = t["name"] == "publish" and lt is not None and lt.period_by_decision
    policy = _policy(platform)
    context = _context(
        platform,
        session,
        request=request,
        case=view,
        list_type=lt,
        opened_text=beijing_time(dt.datetime.fromisoformat(view["opened_at"])),
        today=today.isoformat(),
        accept=",".join(sorted(policy.media_types)),
        types_label=policy.types_label(),
        max_mib=f"{policy.max_bytes / (1024 * 1024):,.0f}",
        max_files=policy.max_files,
        **extra,
    )
    return _render(request, "case.html", context, status)


# Steps whose decision bears a date of its own (the list's period runs from the list decision).
DECISION_STEPS = frozenset({"list", "drop", "revoke", "exit_early"})


def _list_type(platform: Platform, view: dict[str, Any]) -> Any:
    try:
        return platform.sanctions.list_type(view["list_type"]["code"])
    except XinyongError:  # a local list type since removed from the catalogue
        return None


def _size_text(size: int) -> str:
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:,.1f} KiB"
    return f"{size / (1024 * 1024):,.1f} MiB"


@router.api_route("/console/cases/{case_id}", methods=PAGE, response_class=HTMLResponse)
def case_page(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    case_id: CaseId,
    done: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """A case: subject, list type and legal basis, state and deadline, history with its
    attachments, and one form per step the user's role may take now."""
    step = LIST_DETERMINATION.transitions.get(done)
    message = f"已办理：{step.label}" if step is not None else None
    return _case_page(request, platform, session, case_id, message=message)


def _read_uploads(files: list[UploadFile], limit: int) -> list[attachments.Upload]:
    # One byte past the limit is enough to refuse the file.
    return [
        attachments.Upload(file_name=f.filename or "", content=f.file.read(limit + 1))
        for f in files
    ]


@router.post("/console/cases/{case_id}/steps", response_class=HTMLResponse)
def take_step(
    request: Request,
    platform: PlatformDep,
    session: Worker,
    case_id: CaseId,
    csrf: CsrfToken,
    name: Annotated[str, Form(max_length=32)],
    note: Note,
    version: Annotated[int, Form(ge=1, le=MAX_ID)],
    decision_date: Annotated[dt.date | None, Form()] = None,
    term_months: Annotated[int | None, Form(ge=1, le=1200)] = None,
    decision_number: Annotated[str | None, Form(max_length=100)] = None,
    grounds: Annotated[str | None, Form(max_length=500)] = None,
    files: Annotated[list[UploadFile] | None, File(alias="attachments")] = None,
) -> Response:
    """One step, as POST /api/v1/list-cases/{case_id}/transitions, with a required reason and
    optional attachments (all checked before the step is taken)."""
    who = session.principal
    require_csrf(platform, request, csrf)
    wf = LIST_DETERMINATION
    t = wf.transitions.get(name)
    if t is None:
        options = "、".join(f"{n}（{x.label}）" for n, x in wf.transitions.items())
        raise InputError(
            f"name {name!r} is not a step of {wf.code}",
            f"name（操作）不是名单认定的操作，可选：{options}",
        )
    if who.role not in t.roles:
        allowed = "、".join(ROLE_NAMES.get(r, r) for r in sorted(t.roles))
        raise PermissionDenied(
            f"role {who.role} may not {name}",
            f"当前角色无权执行“{t.label}”，该操作由{allowed}执行",
        )
    with platform.engine.connect() as conn:
        _visible_case(conn, case_id, who)  # 403/404 before anything is read or written
    policy = _policy(platform)

    def refuse(exc: XinyongError) -> Response:
        return _case_page(
            request,
            platform,
            session,
            case_id,
            status=_page_status(exc),
            error=redact_identifiers(exc.message_zh),
            failed_step=name,
        )

    if len(files or []) > policy.max_files:
        # Read no further than the count: each file may be up to the size limit.
        return refuse(
            InputError(
                "too many attachments",
                f"attachments（附件）：一步最多上传 {policy.max_files} 个文件",
            )
        )
    if not note.strip():
        return refuse(InputError("note is required", "note（办理说明、理由）必须填写"))
    try:
        checked = attachments.check_uploads(_read_uploads(files or [], policy.max_bytes), policy)
        with platform.transaction() as conn:
            _visible_case(conn, case_id, who)
            lists.advance(
                conn,
                platform.sanctions,
                platform.catalogue,
                platform.calendar,
                case_id,
                name,
                actor=who.actor,
                role=who.role,
                now=platform.clock.now(),
                note=note.strip(),
                term_months=term_months,
                expected_version=version,
                decided_on=decision_date,
                decision_number=decision_number,
                grounds=grounds,
            )
            if checked:
                seq = casework.get_list_case(conn, case_id).events[-1].seq
                attachments.attach(
                    conn,
                    platform.settings.data_dir,
                    case_id,
                    seq,
                    checked,
                    actor=who.actor,
                    now=platform.clock.now(),
                )
    except (InputError, PermissionDenied) as exc:
        return refuse(exc)
    except XinyongError as exc:
        if exc.status == 409:  # a stale form, or a step the state no longer allows
            return refuse(exc)
        raise
    return _no_store(RedirectResponse(f"/console/cases/{case_id}?done={name}", status_code=303))


@router.api_route(
    "/console/cases/{case_id}/attachments/{attachment_id}",
    methods=PAGE,
    response_class=FileResponse,
)
def download(
    platform: PlatformDep,
    session: Reader,
    case_id: CaseId,
    attachment_id: AttachmentId,
) -> Response:
    """One attachment, to a user who may see the case; audited."""
    who = _reader(session)
    with platform.engine.begin() as conn:
        _visible_case(conn, case_id, who)
        row, path = attachments.locate(conn, platform.settings.data_dir, case_id, attachment_id)
        access.audit(
            conn,
            who.actor,
            "read_attachment",
            f"case:{case_id}/attachment:{attachment_id}",
            platform.clock.now(),
            DOWNLOAD_PURPOSE,
            detail={"sha256": row["sha256"]},
        )
    response = FileResponse(
        path,
        media_type=str(row["media_type"]),
        filename=str(row["file_name"]),
        content_disposition_type="attachment",
    )
    response.headers["Cache-Control"] = "no-store"
    return response
