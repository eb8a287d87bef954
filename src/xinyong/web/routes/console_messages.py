"""The console's 消息 page: the in-app messages of the signed-in user's department (a
department officer) or of the credit office (an office administrator), with mark-read forms.
The same use cases as ``GET /api/v1/messages`` (web/routes/notifications.py)."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.access.accounts import ConsoleSession
from xinyong.notifications import service as notifications
from xinyong.portal.rules import Page
from xinyong.web.deps import PlatformDep
from xinyong.web.routes.console import (
    MESSAGE_ROLES,
    PAGE,
    CsrfToken,
    _context,
    _no_store,
    _render,
    require_csrf,
)
from xinyong.web.routes.console_work import _role
from xinyong.web.schemas.common import MAX_ID

router = APIRouter(include_in_schema=False)

PAGE_MAX = 10_000
MessageId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="消息号")]


MessageReader = Annotated[ConsoleSession, Depends(_role(*MESSAGE_ROLES))]


@router.api_route("/console/messages", methods=PAGE, response_class=HTMLResponse)
def messages_page(
    request: Request,
    platform: PlatformDep,
    session: MessageReader,
    unread: Annotated[bool, Query()] = False,
    page: Annotated[int, Query(ge=1, le=PAGE_MAX, description="页码")] = 1,
    done: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """Newest first; unread ones carry a 标为已读 form."""
    who = session.principal
    kind, recipient = notifications.recipient_of(who.role, who.department_code)
    size = platform.settings.portal_page_size
    with platform.engine.connect() as conn:
        found = notifications.list_messages(
            conn,
            platform.catalogue,
            kind,
            recipient,
            unread_only=unread,
            limit=size,
            offset=(page - 1) * size,
        )
    context = _context(
        platform,
        session,
        request=request,
        messages=found["messages"],
        unread_total=found["unread"],
        unread_only=unread,
        pg=Page(page, size, found["total"]).as_dict(),
        query="unread=true" if unread else "",
        message=f"消息 {done} 已标为已读" if done else None,
    )
    return _render(request, "messages.html", context)


@router.post("/console/messages/{message_id}/read", response_class=HTMLResponse)
def mark_read(
    request: Request,
    platform: PlatformDep,
    session: MessageReader,
    csrf: CsrfToken,
    message_id: MessageId,
) -> Response:
    require_csrf(platform, request, csrf)
    who = session.principal
    kind, recipient = notifications.recipient_of(who.role, who.department_code)
    with platform.engine.begin() as conn:
        notifications.mark_read(
            conn, message_id, kind, recipient, reader=who.actor, now=platform.clock.now()
        )
    return _no_store(RedirectResponse(f"/console/messages?done={message_id}", status_code=303))
