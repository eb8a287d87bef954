"""The 信用承诺专栏 (/commitments: commitments published per their disclosure level, paged,
filtered by type and department) and the signed-in subject's commitments page
(/account/commitments: sign a template, follow its own), and its integrity education
(/account/trainings: the sessions it attended, its certificates). Pages only (not in the API
document); the subject is the session's, never one from the address."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.commitments import service as commitments
from xinyong.identity.redact import redact_identifiers
from xinyong.kernel.errors import XinyongError
from xinyong.selfservice.accounts import SubjectSession
from xinyong.web.deps import PlatformDep
from xinyong.web.routes.subject_account import SubjectUser
from xinyong.web.routes.subject_repair import CsrfToken, _check_csrf, _csrf
from xinyong.web.session_pages import no_store, render
from xinyong.web.templating import TEMPLATES

PAGE = ["GET", "HEAD"]
ACCOUNT_PATH = "/account/commitments"
router = APIRouter(include_in_schema=False)


@router.api_route("/commitments", methods=PAGE, response_class=HTMLResponse)
def column(
    request: Request,
    platform: PlatformDep,
    type: Annotated[str | None, Query(pattern=r"^[1-4]$")] = None,
    department: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,32}$")] = None,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
) -> HTMLResponse:
    size = platform.settings.portal_page_size
    deps = platform.commitment_deps()
    with platform.engine.connect() as conn:
        found = commitments.find(
            conn,
            deps,
            type_=type,
            department_code=department,
            public=True,
            limit=size,
            offset=(page - 1) * size,
        )
        depts = access.departments(conn)
    pages = max(1, -(-found["total"] // size))
    return TEMPLATES.TemplateResponse(
        request,
        "commitments.html",
        {
            "d": found,
            "page": page,
            "pages": pages,
            "type": type,
            "department": department,
            "types": deps.commitments.types,
            "departments": depts,
        },
    )


def _account(
    request: Request,
    platform: Platform,
    session: SubjectSession,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    deps = platform.commitment_deps()
    with platform.engine.begin() as conn:
        mine = commitments.find(conn, deps, subject_key=session.uscc, limit=200)
        depts = access.departments(conn)
        access.audit(
            conn,
            session.actor,
            "read_commitments",
            f"subject:{session.uscc}",
            platform.clock.now(),
            "本主体查看信用承诺",
        )
    view = commitments.templates_view(deps, platform.clock.today())
    return render(
        request,
        "account/commitments.html",
        {
            "uscc": session.uscc,
            "mine": mine["items"],
            "templates": view["templates"],
            "departments": depts,
            "csrf": _csrf(platform, request),
            "error": error,
        },
        status,
    )


@router.api_route(ACCOUNT_PATH, methods=PAGE, response_class=HTMLResponse)
def account(request: Request, platform: PlatformDep, session: SubjectUser) -> Response:
    return _account(request, platform, session)


@router.post(f"{ACCOUNT_PATH}/sign", response_class=HTMLResponse)
def sign(
    request: Request,
    platform: PlatformDep,
    session: SubjectUser,
    csrf: CsrfToken,
    template: Annotated[str, Form(max_length=16)],
    department: Annotated[str, Form(max_length=32)],
    agreed: Annotated[bool, Form()] = False,
) -> Response:
    _check_csrf(platform, request, csrf)
    if not agreed:
        return _account(
            request,
            platform,
            session,
            error="请阅读承诺书全文并勾选“本单位作出以上承诺”",
            status=400,
        )
    try:
        with platform.transaction() as conn:
            commitments.sign(
                conn,
                platform.commitment_deps(),
                subject=session.uscc,
                template=template,
                department_code=department,
                channel="portal",
                actor=session.actor,
                now=platform.clock.now(),
            )
    except XinyongError as exc:
        status = 400 if exc.status == 422 else exc.status
        return _account(
            request, platform, session, error=redact_identifiers(exc.message_zh), status=status
        )
    return no_store(RedirectResponse(ACCOUNT_PATH, status_code=303))


@router.api_route("/account/trainings", methods=PAGE, response_class=HTMLResponse)
def trainings(request: Request, platform: PlatformDep, session: SubjectUser) -> Response:
    """The sessions of integrity education the subject attended and its certificates."""
    with platform.engine.begin() as conn:
        mine = commitments.subject_trainings(conn, session.uscc)
        access.audit(
            conn,
            session.actor,
            "read_trainings",
            f"subject:{session.uscc}",
            platform.clock.now(),
            "本主体查看诚信教育",
        )
    return render(request, "account/trainings.html", {"uscc": session.uscc, "mine": mine})
