"""The signed-in subject's credit repair pages (信用修复): which of its records may be repaired
and from when (every condition with its status and basis), an application with the credit
commitment and materials, and each case with its deadlines and history. Pages only (not in
the OpenAPI document); the subject is the session's, never one from the address."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.
import re
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.access import accounts as staff_accounts
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.identity.redact import redact_identifiers
from xinyong.kernel.errors import NotFound, PermissionDenied, XinyongError
from xinyong.repair import service as repair
from xinyong.selfservice.accounts import SubjectSession
from xinyong.web.deps import PlatformDep
from xinyong.web.routes.repair import read_uploads
from xinyong.web.routes.subject_account import SubjectUser, cookie_names, csrf_key
from xinyong.web.schemas.common import MAX_ID
from xinyong.web.session_pages import no_store, render

PAGE = ["GET", "HEAD"]
REPAIR_PATH = "/account/repair"
UPLOAD_PATHS = re.compile(r"^/account/repair/(apply|\d{1,19}/complete)$")
CaseId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="办件编号")]
CsrfToken = Annotated[str, Form(alias="csrf", max_length=128)]

router = APIRouter(include_in_schema=False)


def _token(platform: Platform, request: Request) -> str:
    return request.cookies.get(cookie_names(platform.settings.console_cookie_secure)[0]) or ""


def _csrf(platform: Platform, request: Request) -> str:
    return staff_accounts.csrf_token(csrf_key(platform), _token(platform, request))


def _check_csrf(platform: Platform, request: Request, csrf: str) -> None:
    if not staff_accounts.csrf_valid(csrf_key(platform), _token(platform, request), csrf):
        raise PermissionDenied(
            "subject form without a valid CSRF token",
            "表单已失效或来源不明（缺少有效的防伪令牌），请刷新页面后重试",
        )


def _overview(
    request: Request,
    platform: Platform,
    session: SubjectSession,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    deps = platform.repair_deps()
    today = platform.clock.today()
    with platform.engine.begin() as conn:
        view = repair.eligibility_view(conn, deps, session.uscc, today)
        mine = repair.find(
            conn, deps, today=today, subject_key=session.uscc, page_size=repair.MAX_PAGE_SIZE
        )
        access.audit(
            conn,
            session.actor,
            "read_repair_eligibility",
            f"subject:{session.uscc}",
            platform.clock.now(),
            "本主体查看信用修复条件",
        )
    return render(
        request,
        "account/repair.html",
        {
            "view": view,
            "cases": mine["repairs"],
            "csrf": _csrf(platform, request),
            "error": error,
            "max_mib": platform.settings.attachment_max_bytes / (1024 * 1024),
            "types": platform.attachment_policy().types_label(),
        },
        status,
    )


@router.api_route(REPAIR_PATH, methods=PAGE, response_class=HTMLResponse)
def overview(request: Request, platform: PlatformDep, session: SubjectUser) -> Response:
    """Each record: may it be repaired, from when, every condition; the subject's cases."""
    return _overview(request, platform, session)


@router.post(f"{REPAIR_PATH}/apply", response_class=HTMLResponse)
def apply(
    request: Request,
    platform: PlatformDep,
    session: SubjectUser,
    csrf: CsrfToken,
    record: Annotated[int, Form(ge=1, le=MAX_ID)],
    signatory: Annotated[str, Form(max_length=50)] = "",
    commitment_signed: Annotated[bool, Form()] = False,
    kind: Annotated[str, Form(max_length=16)] = "ordinary",
    note: Annotated[str, Form(max_length=2000)] = "",
    materials: Annotated[list[UploadFile] | None, File()] = None,
    training_certificate: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    _check_csrf(platform, request, csrf)
    uploads = read_uploads(materials, platform.settings.attachment_max_bytes)
    try:
        with platform.transaction() as conn:
            case = repair.apply(
                conn,
                platform.repair_deps(),
                subject_key=session.uscc,
                record=record,
                kind=kind,
                commitment_signed=commitment_signed,
                signatory=signatory,
                materials=uploads,
                actor=session.actor,
                now=platform.clock.now(),
                note=note,
                training_certificate=training_certificate or None,
            )
    except XinyongError as exc:
        status = 400 if exc.status == 422 else exc.status
        return _overview(
            request, platform, session, error=redact_identifiers(exc.message_zh), status=status
        )
    return no_store(RedirectResponse(f"{REPAIR_PATH}/{case.id}", status_code=303))


def _case(
    request: Request,
    platform: Platform,
    session: SubjectSession,
    case_id: int,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    deps = platform.repair_deps()
    with platform.engine.begin() as conn:
        case = repair.get_repair(conn, case_id)
        if case.subject_key != session.uscc:
            raise NotFound(f"case {case_id} of another subject", f"办件 {case_id} 不存在")
        view = repair.case_view(conn, deps, case_id, today=platform.clock.today(), role="subject")
        access.audit(
            conn,
            session.actor,
            "read_repair",
            f"case:{case_id}",
            platform.clock.now(),
            "本主体查看信用修复办件",
        )
    return render(
        request,
        "account/repair_case.html",
        {"case": view, "csrf": _csrf(platform, request), "error": error},
        status,
    )


@router.api_route(f"{REPAIR_PATH}/{{case_id}}", methods=PAGE, response_class=HTMLResponse)
def show(
    request: Request, platform: PlatformDep, session: SubjectUser, case_id: CaseId
) -> Response:
    """One case: state, the deadline of the current step, history, materials."""
    return _case(request, platform, session, case_id)


@router.post(f"{REPAIR_PATH}/{{case_id}}/complete", response_class=HTMLResponse)
def complete(
    request: Request,
    platform: PlatformDep,
    session: SubjectUser,
    case_id: CaseId,
    csrf: CsrfToken,
    note: Annotated[str, Form(max_length=2000)] = "",
    materials: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """The materials the department's notice listed (补正材料)."""
    _check_csrf(platform, request, csrf)
    uploads = read_uploads(materials, platform.settings.attachment_max_bytes)
    try:
        with platform.transaction() as conn:
            repair.step(
                conn,
                platform.repair_deps(),
                case_id,
                "complete",
                actor=session.actor,
                role="subject",
                now=platform.clock.now(),
                subject_key=session.uscc,
                note=note,
                materials=uploads,
            )
    except NotFound:
        raise
    except XinyongError as exc:
        status = 400 if exc.status == 422 else exc.status
        return _case(
            request,
            platform,
            session,
            case_id,
            error=redact_identifiers(exc.message_zh),
            status=status,
        )
    return no_store(RedirectResponse(f"{REPAIR_PATH}/{case_id}", status_code=303))
