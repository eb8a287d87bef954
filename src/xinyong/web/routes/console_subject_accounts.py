"""The office's page for subject accounts (/console/subject-accounts): issue a one-time
activation code (shown once), see the accounts, disable and enable them. The same service
functions as ``xinyong subject-account``; office administrators only."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.identity.redact import redact_identifiers
from xinyong.kernel.clock import beijing_time
from xinyong.kernel.errors import XinyongError
from xinyong.selfservice import accounts
from xinyong.web.deps import PlatformDep
from xinyong.web.routes.console import (
    PAGE,
    CsrfToken,
    OfficeAdmin,
    _context,
    _no_store,
    _render,
    require_csrf,
)

PATH = "/console/subject-accounts"
router = APIRouter(include_in_schema=False)

Uscc = Annotated[
    str, PathParam(pattern=r"^[0-9A-Z]{18}$", max_length=18, description="统一社会信用代码")
]


def _page(
    request: Request, platform: Platform, session: Any, *, status: int = 200, **extra: Any
) -> Response:
    now = platform.clock.now()
    with platform.engine.begin() as conn:
        rows = accounts.accounts(conn, now)
        access.audit(
            conn,
            session.principal.actor,
            "read_subject_accounts",
            "subject_accounts",
            now,
            purpose="控制台主体账户管理",
        )
    for row in rows:
        row["created_text"] = beijing_time(row["created_at"])
        row["locked_text"] = beijing_time(row["locked_until"]) if row["locked_until"] else ""
    context = _context(
        platform,
        session,
        request=request,
        accounts=rows,
        default_days=platform.settings.subject_code_days,
        **extra,
    )
    return _render(request, "subject_accounts.html", context, status)


@router.api_route(PATH, methods=PAGE, response_class=HTMLResponse)
def subject_accounts(request: Request, platform: PlatformDep, session: OfficeAdmin) -> Response:
    """Every subject account (audited as a read of the account list)."""
    return _page(request, platform, session)


@router.post(PATH, response_class=HTMLResponse)
def issue_code(
    request: Request,
    platform: PlatformDep,
    session: OfficeAdmin,
    csrf: CsrfToken,
    uscc: Annotated[str, Form(max_length=40)],
    days: Annotated[int | None, Form(ge=1, le=365)] = None,
) -> Response:
    """Issue a one-time code for an organisation the platform knows; shown once."""
    require_csrf(platform, request, csrf)
    try:
        with platform.engine.begin() as conn:
            issued = accounts.issue_code(
                conn,
                uscc=uscc,
                days=days or platform.settings.subject_code_days,
                now=platform.clock.now(),
                actor=session.principal.actor,
            )
    except XinyongError as exc:
        return _page(
            request,
            platform,
            session,
            status=exc.status if exc.status < 500 else 400,
            error=redact_identifiers(exc.message_zh),
        )
    shown = {
        "uscc": issued.uscc,
        "name": issued.name,
        "code": issued.code,
        "expires": beijing_time(issued.expires_at),
    }
    return _page(request, platform, session, shown=shown)


def _change(
    request: Request, platform: Platform, session: Any, csrf: str, uscc: str, enable: bool
) -> Response:
    require_csrf(platform, request, csrf)
    change = accounts.enable if enable else accounts.disable
    try:
        with platform.engine.begin() as conn:
            change(conn, uscc, now=platform.clock.now(), actor=session.principal.actor)
    except XinyongError as exc:
        return _page(
            request, platform, session, status=exc.status, error=redact_identifiers(exc.message_zh)
        )
    return _no_store(RedirectResponse(PATH, status_code=303))


@router.post(PATH + "/{uscc}/disable", response_class=HTMLResponse)
def disable(
    request: Request, platform: PlatformDep, session: OfficeAdmin, uscc: Uscc, csrf: CsrfToken
) -> Response:
    return _change(request, platform, session, csrf, uscc, enable=False)


@router.post(PATH + "/{uscc}/enable", response_class=HTMLResponse)
def enable(
    request: Request, platform: PlatformDep, session: OfficeAdmin, uscc: Uscc, csrf: CsrfToken
) -> Response:
    return _change(request, platform, session, csrf, uscc, enable=True)
