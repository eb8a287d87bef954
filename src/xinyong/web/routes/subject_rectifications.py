"""The signed-in subject's rectification page (限期整改): the orders made to it with the
obligation and deadline, overdue flags, the interviews scheduled (kind, date, place) and, once
held, the actions agreed. A page only (not in the OpenAPI document); the subject is the
session's, never one from the address."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from xinyong.access import service as access
from xinyong.rectifications import service as rect
from xinyong.web.deps import PlatformDep
from xinyong.web.routes.subject_account import SubjectUser
from xinyong.web.session_pages import render

router = APIRouter(include_in_schema=False)


@router.api_route("/account/rectifications", methods=["GET", "HEAD"], response_class=HTMLResponse)
def overview(request: Request, platform: PlatformDep, session: SubjectUser) -> Response:
    """The subject's orders, deadlines and interviews."""
    deps = platform.rectification_deps()
    today = platform.clock.today()
    with platform.engine.begin() as conn:
        mine = rect.of_subject(conn, deps, session.uscc, today)
        subject = rect.subject_view(conn, session.uscc)
        access.audit(
            conn,
            session.actor,
            "read_rectifications",
            f"subject:{session.uscc}",
            platform.clock.now(),
            "本主体查看限期整改与约谈",
        )
    return render(
        request,
        "account/rectifications.html",
        {"cases": mine, "subject": subject, "as_of": today.isoformat()},
    )
