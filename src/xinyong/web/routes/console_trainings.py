"""Console pages for integrity education (诚信教育): the sessions (a department officer sees
its department's; the office and auditors all) with a form to create one, and a session's
page with its attendance (representatives masked), the form to record an attendee and a
button per attendee to issue the certificate. Free of charge, never a market-entry
condition; the forms call what ``web/routes/trainings.py`` calls, with the session's
principal and its CSRF token."""

# No "from __future__ import annotations": FastAPI resolves these annotations at runtime.
import datetime as dt
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.access import service as access
from xinyong.access.accounts import ConsoleSession
from xinyong.bootstrap import Platform
from xinyong.commitments import service as commitments
from xinyong.identity.redact import redact_identifiers
from xinyong.kernel.errors import InputError, XinyongError
from xinyong.web.deps import PlatformDep, department_scope, require_own
from xinyong.web.routes.console import PAGE, CsrfToken, _context, _no_store, _render, require_csrf
from xinyong.web.routes.console_cases import _needs
from xinyong.web.routes.console_steps import acted, page_status, pager
from xinyong.web.schemas.common import MAX_ID

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
WHAT = "诚信教育培训"
TrainingId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="培训编号")]

Reader = Annotated[ConsoleSession, _needs("department", "office", "auditor")]
Worker = Annotated[ConsoleSession, _needs("department", "office")]
DONE = {"created": "已创建培训", "attended": "已登记参训", "certified": "已发放证书"}


def _acting(session: ConsoleSession) -> str | None:
    who = session.principal
    return who.department_code if who.role == "department" else None


def _list_page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    page: int,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    scope = department_scope(session.principal, None, WHAT)
    with platform.engine.connect() as conn:
        found = commitments.find_trainings(
            conn, department_code=scope, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        depts = access.departments(conn)
    context = _context(
        platform,
        session,
        request=request,
        found=found,
        pager=pager(found["total"], page, PAGE_SIZE),
        query="",
        departments=[d for d in depts if scope is None or d["code"] == scope],
        today=platform.clock.today().isoformat(),
        **extra,
    )
    return _render(request, "trainings.html", context, status)


@router.api_route("/console/trainings", methods=PAGE, response_class=HTMLResponse)
def list_page(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    done: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """The sessions, the latest first, and the form to create one."""
    return _list_page(request, platform, session, page, message=DONE.get(done))


@router.post("/console/trainings", response_class=HTMLResponse)
def create(
    request: Request,
    platform: PlatformDep,
    session: Worker,
    csrf: CsrfToken,
    title: Annotated[str, Form(max_length=200)],
    held_on: Annotated[str, Form(max_length=10)],
    place: Annotated[str, Form(max_length=200)],
    department: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Create a session, as POST /api/v1/trainings."""
    require_csrf(platform, request, csrf)
    who = session.principal
    try:
        try:
            day = dt.date.fromisoformat(held_on.strip())
        except ValueError:
            raise InputError(
                "bad held_on", f"held_on（举办日期）“{held_on[:10]}”应为 YYYY-MM-DD"
            ) from None
        with platform.transaction() as conn:
            view = commitments.create_training(
                conn,
                title=title,
                held_on=day,
                place=place,
                department_code=department.strip() or (who.department_code or ""),
                acting_department=_acting(session),
                actor=who.actor,
                now=platform.clock.now(),
            )
    except XinyongError as exc:
        if exc.status == 401:
            raise
        return _list_page(
            request,
            platform,
            session,
            1,
            status=page_status(exc),
            error=redact_identifiers(exc.message_zh),
        )
    return _no_store(
        RedirectResponse(f"/console/trainings/{view['id']}?done=created", status_code=303)
    )


def _session_page(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    training_id: int,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    who = session.principal
    with platform.engine.begin() as conn:
        view = commitments.training_view(conn, training_id)
        require_own(who, str(view["department"]), WHAT)
        access.audit(
            conn,
            who.actor,
            "read_training",
            f"training:{training_id}",
            platform.clock.now(),
            "控制台查看诚信教育参训情况",
        )
    context = _context(
        platform,
        session,
        request=request,
        t=view,
        held=view["held_on"] <= platform.clock.today().isoformat(),
        can_work=who.role in ("department", "office"),
        **extra,
    )
    return _render(request, "training.html", context, status)


@router.api_route("/console/trainings/{training_id}", methods=PAGE, response_class=HTMLResponse)
def session_page(
    request: Request,
    platform: PlatformDep,
    session: Reader,
    training_id: TrainingId,
    done: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """A session: its facts, attendance, certificates, and the forms."""
    return _session_page(request, platform, session, training_id, message=DONE.get(done))


def _work(
    request: Request,
    platform: Platform,
    session: ConsoleSession,
    training_id: int,
    done: str,
    action: Any,
) -> Response:
    def act() -> None:
        with platform.transaction() as conn:
            action(conn)

    return acted(
        act,
        again=partial(_session_page, request, platform, session, training_id),
        done_url=f"/console/trainings/{training_id}?done={done}",
        # Another department's session: the refusal page (its own page is not shown either).
        passes=(401, 403, 404),
    )


@router.post("/console/trainings/{training_id}/attendance", response_class=HTMLResponse)
def attend(
    request: Request,
    platform: PlatformDep,
    session: Worker,
    training_id: TrainingId,
    csrf: CsrfToken,
    subject: Annotated[str, Form(max_length=40)],
    representative: Annotated[str, Form(max_length=20)],
    representative_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Record an attendee, as POST /api/v1/trainings/{training_id}/attendance."""
    require_csrf(platform, request, csrf)
    who = session.principal
    return _work(
        request,
        platform,
        session,
        training_id,
        "attended",
        lambda conn: commitments.attend(
            conn,
            platform.commitment_deps(),
            training_id,
            subject=subject,
            representative=representative,
            representative_id=representative_id,
            acting_department=_acting(session),
            actor=who.actor,
            now=platform.clock.now(),
        ),
    )


@router.post("/console/trainings/{training_id}/certificate", response_class=HTMLResponse)
def certify(
    request: Request,
    platform: PlatformDep,
    session: Worker,
    training_id: TrainingId,
    csrf: CsrfToken,
    subject: Annotated[str, Form(max_length=40)],
) -> Response:
    """Issue an attendee's certificate, as POST …/attendance/{code}/certificate."""
    require_csrf(platform, request, csrf)
    who = session.principal
    return _work(
        request,
        platform,
        session,
        training_id,
        "certified",
        lambda conn: commitments.certify(
            conn,
            training_id,
            subject,
            vault=platform.vault,
            acting_department=_acting(session),
            actor=who.actor,
            now=platform.clock.now(),
        ),
    )
