"""The signed-in subject's 双随机抽查 page (/account/inspections): the inspection tasks drawn
for it (items, inspectors by number and name, results) and the form to ask that an inspector
of one of its tasks be recused, with the reason (记入回避登记: the inspector is not drawn for
it again; for a task already drawn the department decides). A page only (not in the OpenAPI
document); the subject is the session's, never one from the address."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.identity.redact import redact_identifiers
from xinyong.inspections import registry
from xinyong.inspections import service as insp
from xinyong.kernel.errors import InputError, XinyongError
from xinyong.selfservice.accounts import SubjectSession
from xinyong.web.deps import PlatformDep
from xinyong.web.routes.subject_account import SubjectUser
from xinyong.web.routes.subject_repair import CsrfToken, _check_csrf, _csrf
from xinyong.web.session_pages import no_store, render

PATH = "/account/inspections"
router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    platform: Platform,
    session: SubjectSession,
    *,
    message: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    deps = platform.inspection_deps()
    with platform.engine.begin() as conn:
        tasks = insp.subject_tasks(conn, deps, session.uscc)
        asked = registry.list_recusals(conn, session.uscc)
        access.audit(
            conn,
            session.actor,
            "read_inspections",
            f"subject:{session.uscc}",
            platform.clock.now(),
            "本主体查看双随机抽查",
        )
    return render(
        request,
        "account/inspections.html",
        {
            "tasks": tasks,
            "asked": [r for r in asked if r["kind"] == "request"],
            "uscc": session.uscc,
            "csrf": _csrf(platform, request),
            "message": message,
            "error": error,
        },
        status,
    )


@router.api_route(PATH, methods=["GET", "HEAD"], response_class=HTMLResponse)
def overview(
    request: Request, platform: PlatformDep, session: SubjectUser, done: str = ""
) -> Response:
    """The subject's inspection tasks and its recusal requests."""
    return _page(
        request, platform, session, message="已提交回避申请" if done == "recusal" else None
    )


@router.post(f"{PATH}/recusals", response_class=HTMLResponse)
def ask_recusal(
    request: Request,
    platform: PlatformDep,
    session: SubjectUser,
    csrf: CsrfToken,
    inspector: Annotated[str, Form(max_length=64)],
    reason: Annotated[str, Form(max_length=500)],
) -> Response:
    """A recusal request against an inspector of one of the subject's own tasks."""
    _check_csrf(platform, request, csrf)
    try:
        with platform.transaction() as conn:
            mine = {
                i["id"]
                for t in insp.subject_tasks(conn, platform.inspection_deps(), session.uscc)
                for i in t["inspector_people"]
            }
            if inspector not in mine:
                raise InputError(
                    "not an inspector of the subject's tasks",
                    "检查人员（inspector）不是本主体检查任务的检查人员：只能申请本主体任务的检查人员回避",
                )
            registry.record_recusal(
                conn,
                kind="request",
                inspector_id=inspector,
                subject_key=session.uscc,
                reason=reason,
                actor=session.actor,
                now=platform.clock.now(),
            )
    except XinyongError as exc:
        if exc.status == 401:
            raise
        return _page(
            request,
            platform,
            session,
            error=redact_identifiers(exc.message_zh),
            status=400 if exc.status == 422 else exc.status,
        )
    return no_store(RedirectResponse(f"{PATH}?done=recusal", status_code=303))
