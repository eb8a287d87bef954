"""The signed-in subject's voluntary registration pages (自愿注册): the kinds it may register
(fields, verifier, disclosure once verified), a form per kind with the truthfulness commitment
and the authorisation to use the information, and each registration with its state, the
record it became or the reason it was rejected. Pages only (not in the OpenAPI document); the
subject is the session's, never one from the address."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.
import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.cases.attachments import Upload
from xinyong.identity.redact import redact_identifiers
from xinyong.kernel.errors import NotFound, XinyongError
from xinyong.selfservice.accounts import SubjectSession
from xinyong.voluntary import service as voluntary
from xinyong.web.deps import PlatformDep
from xinyong.web.routes.subject_account import SubjectUser
from xinyong.web.routes.subject_repair import _check_csrf, _csrf
from xinyong.web.schemas.common import MAX_ID
from xinyong.web.session_pages import no_store, render

PAGE = ["GET", "HEAD"]
VOLUNTARY_PATH = "/account/voluntary"
UPLOAD_PATHS = re.compile(r"^/account/voluntary/register$")
FIELD_PREFIX = "f_"
FORM_TEXT_MAX = 4000
CaseId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="自愿注册编号")]
CsrfToken = Annotated[str, Form(alias="csrf", max_length=128)]

router = APIRouter(include_in_schema=False)


def _overview(
    request: Request,
    platform: Platform,
    session: SubjectSession,
    *,
    error: str | None = None,
    kind: str | None = None,
    status: int = 200,
) -> Response:
    deps = platform.voluntary_deps()
    today = platform.clock.today()
    with platform.engine.begin() as conn:
        mine = voluntary.find(
            conn, today=today, subject_key=session.uscc, page_size=voluntary.MAX_PAGE_SIZE
        )
        departments = voluntary.departments_for(conn, deps)
        access.audit(
            conn,
            session.actor,
            "read_voluntary",
            f"subject:{session.uscc}",
            platform.clock.now(),
            "本主体查看自愿注册",
        )
    return render(
        request,
        "account/voluntary.html",
        {
            "uscc": session.uscc,
            "kinds": voluntary.kinds_view(deps),
            "departments": departments,
            "registrations": mine["registrations"],
            "csrf": _csrf(platform, request),
            "error": error,
            "error_kind": kind,
            "max_mib": platform.settings.attachment_max_bytes / (1024 * 1024),
            "types": platform.attachment_policy().types_label(),
        },
        status,
    )


@router.api_route(VOLUNTARY_PATH, methods=PAGE, response_class=HTMLResponse)
def overview(request: Request, platform: PlatformDep, session: SubjectUser) -> Response:
    """The kinds with their forms; the subject's registrations."""
    return _overview(request, platform, session)


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value[: FORM_TEXT_MAX + 1] if isinstance(value, str) else ""


@router.post(f"{VOLUNTARY_PATH}/register", response_class=HTMLResponse)
async def register(
    request: Request,
    platform: PlatformDep,
    session: SubjectUser,
    csrf: CsrfToken,
    kind: Annotated[str, Form(max_length=16)],
) -> Response:
    """One registration: the kind's fields (``f_<code>``), commitment, authorisation, files.
    The declared fields are validated first, as on every form; the kind's own are read from
    the form, whose fields depend on the kind."""
    limit = platform.settings.attachment_max_bytes
    form = await request.form(max_files=platform.settings.attachment_max_files + 1)
    uploads = [
        Upload(file_name=f.filename or "", content=await f.read(limit + 1))
        for f in form.getlist("materials")
        if isinstance(f, UploadFile) and f.filename
    ]
    values = {
        k[len(FIELD_PREFIX) :]: _text(form, k)
        for k in form
        if k.startswith(FIELD_PREFIX) and _text(form, k).strip()
    }

    def run() -> Response:
        _check_csrf(platform, request, csrf)
        try:
            with platform.transaction() as conn:
                case = voluntary.submit(
                    conn,
                    platform.voluntary_deps(),
                    subject_key=session.uscc,
                    kind=kind,
                    values=values,
                    department_code=_text(form, "department") or None,
                    commitment=form.get("commitment") == "true",
                    authorisation=form.get("authorisation") == "true",
                    materials=uploads,
                    actor=session.actor,
                    role="subject",
                    now=platform.clock.now(),
                    note=_text(form, "note"),
                )
        except XinyongError as exc:
            status = 400 if exc.status == 422 else exc.status
            return _overview(
                request,
                platform,
                session,
                error=redact_identifiers(exc.message_zh),
                kind=kind,
                status=status,
            )
        return no_store(RedirectResponse(f"{VOLUNTARY_PATH}/{case.id}", status_code=303))

    return await run_in_threadpool(run)


@router.api_route(f"{VOLUNTARY_PATH}/{{case_id}}", methods=PAGE, response_class=HTMLResponse)
def show(
    request: Request, platform: PlatformDep, session: SubjectUser, case_id: CaseId
) -> Response:
    """One registration: fields, state, deadline, history; the record or the reason."""
    with platform.engine.begin() as conn:
        case = voluntary.get_registration(conn, case_id)
        if case.subject_key != session.uscc:
            raise NotFound(f"case {case_id} of another subject", f"自愿注册 {case_id} 不存在")
        view = voluntary.case_view(
            conn, platform.voluntary_deps(), case_id, today=platform.clock.today(), role="subject"
        )
        access.audit(
            conn,
            session.actor,
            "read_voluntary",
            f"case:{case_id}",
            platform.clock.now(),
            "本主体查看自愿注册",
        )
    return render(request, "account/voluntary_case.html", {"case": view, "uscc": session.uscc})
