"""Console: the credit office publishes and withdraws the portal's announcements."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, Response

from xinyong.access.accounts import ConsoleSession
from xinyong.bootstrap import Platform
from xinyong.identity.redact import redact_identifiers
from xinyong.kernel.errors import XinyongError
from xinyong.portal import announcements as notices
from xinyong.web.deps import PlatformDep
from xinyong.web.routes.announcements import PageNo
from xinyong.web.routes.console import (
    PAGE,
    CsrfToken,
    OfficeAdmin,
    _context,
    _render,
    require_csrf,
)
from xinyong.web.schemas.common import Id

router = APIRouter(include_in_schema=False)

Title = Annotated[str, Form(max_length=notices.TITLE_MAX)]
Body = Annotated[str, Form(max_length=notices.BODY_MAX)]
Reason = Annotated[str, Form(max_length=notices.REASON_MAX)]


def _page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    page: int = 1,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    with platform.engine.connect() as conn:
        data = notices.all_page(
            conn, platform.catalogue, page=page, page_size=platform.settings.portal_page_size
        )
    context = _context(
        platform,
        session,
        request=request,
        d=data,
        categories=notices.categories(platform.catalogue),
        **extra,
    )
    return _render(request, "announcements.html", context, status)


@router.api_route("/console/announcements", methods=PAGE, response_class=HTMLResponse)
def announcements(
    request: Request, platform: PlatformDep, session: OfficeAdmin, page: PageNo = 1
) -> Response:
    """Every announcement with its state, the form to publish one."""
    return _page(request, platform, session, page)


@router.post("/console/announcements", response_class=HTMLResponse)
def publish(
    request: Request,
    platform: PlatformDep,
    session: OfficeAdmin,
    csrf: CsrfToken,
    category: Annotated[str, Form(max_length=16)],
    title: Title,
    body: Body,
) -> Response:
    require_csrf(platform, request, csrf)
    try:
        with platform.engine.begin() as conn:
            item = notices.publish(
                conn,
                platform.catalogue,
                category=category,
                title=title,
                body=body,
                actor=session.principal.actor,
                now=platform.clock.now(),
            )
    except XinyongError as exc:
        return _page(
            request, platform, session, status=exc.status, error=redact_identifiers(exc.message_zh)
        )
    return _page(request, platform, session, message=f"公告 #{item['id']} 已发布")


@router.post("/console/announcements/{announcement_id}/withdraw", response_class=HTMLResponse)
def withdraw(
    request: Request,
    platform: PlatformDep,
    session: OfficeAdmin,
    announcement_id: Id,
    csrf: CsrfToken,
    reason: Reason,
) -> Response:
    require_csrf(platform, request, csrf)
    try:
        with platform.engine.begin() as conn:
            notices.withdraw(
                conn,
                platform.catalogue,
                announcement_id,
                reason=reason,
                actor=session.principal.actor,
                now=platform.clock.now(),
            )
    except XinyongError as exc:
        return _page(
            request, platform, session, status=exc.status, error=redact_identifiers(exc.message_zh)
        )
    return _page(request, platform, session, message=f"公告 #{announcement_id} 已撤回")


def install(app: FastAPI) -> None:
    app.include_router(router)
