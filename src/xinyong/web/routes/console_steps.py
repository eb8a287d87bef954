"""What the console pages of the case contexts (repair, voluntary registration, rectification,
commitments) share: the pager of an inbox, the times of a history for people, the message of a
step done, the way one write on a case's page is run and the office's monthly sample pages
(repair 复查, commitments 复核).

A write refused by the service shows the case's page again with the reason (no personal data)
and nothing written, so the officer sees why without losing the page; a missing case (404) or
sign-in (401) is not a page to redraw and goes on to the app's handlers. A write done redirects
(303) to the page with ``done``, so a reload does not post the form again.
"""

# No "from __future__ import annotations": FastAPI resolves the annotations of the routes
# ``sample_routes`` declares at runtime, and they name its arguments.

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection

from xinyong.access import service as access
from xinyong.access.accounts import ConsoleSession
from xinyong.bootstrap import Platform
from xinyong.identity.redact import redact_identifiers
from xinyong.kernel.clock import beijing_time
from xinyong.kernel.errors import XinyongError
from xinyong.web.deps import PlatformDep
from xinyong.web.routes.console import PAGE, CsrfToken, _no_store, require_csrf


class _Labelled(Protocol):
    @property
    def label(self) -> str: ...


def page_status(exc: XinyongError) -> int:
    """The status of a page redrawn with a refusal: a form's bad input is 400, not 422."""
    return 400 if exc.status == 422 else exc.status


def pager(total: int, page: int, size: int) -> dict[str, Any]:
    """What ``_pager.html`` reads: page, pages, whether there is a previous and a next."""
    pages = max(1, math.ceil(total / size))
    return {
        "total": total,
        "page": page,
        "pages": pages,
        "has_previous": page > 1,
        "has_next": page < pages,
    }


def with_times(rows: Iterable[dict[str, Any]], key: str = "at") -> None:
    """Each row's ``at_text``: its ISO time in Beijing time, as people read it."""
    for row in rows:
        row["at_text"] = beijing_time(dt.datetime.fromisoformat(row[key]))


def done_message(steps: Mapping[str, _Labelled], done: str) -> str | None:
    """「已办理：…」for the step named in ``?done=`` (an unknown name shows nothing)."""
    step = steps.get(done)
    return f"已办理：{step.label}" if step is not None else None


def acted(
    act: Callable[[], object],
    *,
    again: Callable[..., Response],
    done_url: str,
    passes: tuple[int, ...] = (401, 404),
) -> Response:
    """Run one write of a case's page: refused, ``again(status=, error=)`` redraws the page;
    done, a 303 to ``done_url``. A refusal with a status in ``passes`` is not redrawn."""
    try:
        act()
    except XinyongError as exc:
        if exc.status in passes:
            raise
        return again(status=page_status(exc), error=redact_identifiers(exc.message_zh))
    return _no_store(RedirectResponse(done_url, status_code=303))


def sample_routes(
    router: APIRouter,
    path: str,
    *,
    page: Callable[..., Response],
    draw: Callable[[Platform, Connection, str, str], object],
    audit_action: str,
    readers: Any,
    drawers: Any,
    what: str,
) -> None:
    """Declare the office's monthly sample pages on ``router`` at ``path`` (repair 复查,
    commitments 复核): GET ``page(request, platform, session)`` for ``readers`` (a role
    dependency), POST a draw for ``drawers``: ``draw(platform, conn, month, actor)``, audited
    as ``audit_action`` in the same transaction. Every refusal (a month already drawn or not
    begun) is shown on the page: there is no case here to be missing."""

    @router.api_route(path, methods=PAGE, response_class=HTMLResponse)
    def samples_page(
        request: Request, platform: PlatformDep, session: Annotated[ConsoleSession, readers]
    ) -> Response:
        return page(request, platform, session)

    samples_page.__doc__ = f"The monthly {what} draws and, for the office, the form to draw one."

    @router.post(path, response_class=HTMLResponse)
    def draw_month(
        request: Request,
        platform: PlatformDep,
        session: Annotated[ConsoleSession, drawers],
        csrf: CsrfToken,
        month: Annotated[str, Form(max_length=7)],
    ) -> Response:
        """Draw one month's sample; refused (shown) for a month already drawn or not begun."""
        require_csrf(platform, request, csrf)
        chosen = month.strip()
        actor = session.principal.actor

        def act() -> None:
            with platform.engine.begin() as conn:
                draw(platform, conn, chosen, actor)
                access.audit(conn, actor, audit_action, f"month:{chosen}", platform.clock.now())

        return acted(
            act,
            again=partial(page, request, platform, session),
            done_url=path,
            passes=(),
        )
